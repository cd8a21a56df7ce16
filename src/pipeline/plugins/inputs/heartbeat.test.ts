import { hostname } from "node:os";
import { describe, expect, it } from "vitest";
import { RecordingSink, recordingContext } from "../codecs/test-support.js";
import { ResolvedOptions } from "../options.js";
import { heartbeatInput } from "./heartbeat.js";

function heartbeat(values: Record<string, string | number>, ecs: "v8" | "disabled" = "v8") {
  const options = ResolvedOptions.of({ message: "ok", interval: 0.01, count: 3, threads: 1, ...values });
  const context = recordingContext(ecs);
  return { input: heartbeatInput.create(options, context), context };
}

describe("heartbeat input", () => {
  it("sends count events every interval with message and host", async () => {
    const sink = new RecordingSink();
    const started = Date.now();
    await heartbeat({}).input.run(sink);
    expect(Date.now() - started).toBeGreaterThanOrEqual(15);
    expect(sink.events.map((e) => e.get("message"))).toEqual(["ok", "ok", "ok"]);
    expect(sink.events[0]!.get("[host][name]")).toBe(hostname());
    expect(sink.events[0]!.includes("[event][sequence]")).toBe(false);
  });

  it("adds a sequence number or epoch seconds with `sequence`", async () => {
    const sink = new RecordingSink();
    await heartbeat({ sequence: "sequence" }).input.run(sink);
    expect(sink.events.map((e) => e.get("[event][sequence]"))).toEqual([1, 2, 3]);
    expect(sink.events[0]!.get("message")).toBe("ok");
    const epoch = new RecordingSink();
    await heartbeat({ sequence: "epoch", count: 1 }).input.run(epoch);
    expect(Math.abs((epoch.events[0]!.get("[event][sequence]") as number) - Date.now() / 1000)).toBeLessThan(
      5,
    );
  });

  it("treats message epoch/sequence as the sequence with ECS disabled (legacy), without a message", async () => {
    const { input, context } = heartbeat({ message: "sequence", count: 2 }, "disabled");
    const sink = new RecordingSink();
    await input.run(sink);
    expect(sink.events.map((e) => e.get("clock"))).toEqual([1, 2]);
    expect(sink.events[0]!.includes("message")).toBe(false);
    expect(sink.events[0]!.get("host")).toBe(hostname());
    expect(context.lines.join("")).toContain("sequence option");
  });

  it("keeps message epoch as text under ECS", async () => {
    const sink = new RecordingSink();
    await heartbeat({ message: "epoch", count: 1 }).input.run(sink);
    expect(sink.events[0]!.get("message")).toBe("epoch");
  });

  it("runs until stopped with count -1", async () => {
    const { input } = heartbeat({ count: -1, interval: 60 });
    const sink = new RecordingSink();
    const running = input.run(sink);
    await new Promise((resolve) => setTimeout(resolve, 20));
    input.stop();
    await running;
    expect(sink.events).toHaveLength(1);
  });

  it("runs `threads` heartbeats", async () => {
    const sink = new RecordingSink();
    await heartbeat({ count: 2, threads: 2 }).input.run(sink);
    expect(sink.events).toHaveLength(4);
  });
});
