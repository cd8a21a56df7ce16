import { hostname } from "node:os";
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { buildPlan, type PlanPlugin } from "../../config/index.js";
import { jsonCodec } from "../codecs/json.js";
import { lineCodec } from "../codecs/line.js";
import { plainCodec } from "../codecs/plain.js";
import { makeCodec, RecordingSink, recordingContext, waitFor } from "../codecs/test-support.js";
import { ResolvedOptions } from "../options.js";
import { PluginRegistry } from "../registry.js";
import { GeneratorInput, generatorInput } from "./generator.js";

function generator(
  settings: Partial<ConstructorParameters<typeof GeneratorInput>[0]> = {},
  ecs: "v8" | "disabled" = "v8",
  codec = makeCodec(plainCodec, {}, recordingContext(ecs)),
) {
  return new GeneratorInput(
    { message: "Hello world!", lines: undefined, count: 1, threads: 1, ...settings },
    codec,
    recordingContext(ecs),
  );
}

describe("generator input", () => {
  it("generates count events with the ECS host and sequence fields", async () => {
    const sink = new RecordingSink();
    await generator({ count: 3 }).run(sink);
    expect(sink.events.map((e) => e.get("message"))).toEqual([
      "Hello world!",
      "Hello world!",
      "Hello world!",
    ]);
    expect(sink.events.map((e) => e.get("[event][sequence]"))).toEqual([0, 1, 2]);
    expect(sink.events[0]!.get("[host][name]")).toBe(hostname());
    expect(sink.events[0]!.get("[event][original]")).toBe("Hello world!");
  });

  it("uses host and sequence with ECS disabled", async () => {
    const sink = new RecordingSink();
    await generator({ count: 2 }, "disabled").run(sink);
    expect(sink.events.map((e) => e.get("sequence"))).toEqual([0, 1]);
    expect(sink.events[0]!.get("host")).toBe(hostname());
  });

  it("cycles through lines each round, the sequence counting rounds", async () => {
    const sink = new RecordingSink();
    await generator({ lines: ["a", "b"], count: 2 }).run(sink);
    expect(sink.events.map((e) => [e.get("message"), e.get("[event][sequence]")])).toEqual([
      ["a", 0],
      ["b", 0],
      ["a", 1],
      ["b", 1],
    ]);
  });

  it("decodes through its codec and flushes it at the end without a sequence", async () => {
    const sink = new RecordingSink();
    const codec = makeCodec(lineCodec);
    await generator({ lines: ["x\ny", "z"], count: 1 }, "v8", codec).run(sink);
    expect(sink.events.map((e) => e.get("message"))).toEqual(["x", "yz"]);
    expect(sink.events[1]!.includes("[event][sequence]")).toBe(false);
  });

  it("runs `threads` generators", async () => {
    const sink = new RecordingSink();
    await generator({ count: 2, threads: 3 }).run(sink);
    expect(sink.events).toHaveLength(6);
  });

  it('reads its message from stdin when message is "stdin"', async () => {
    const stdin = new PassThrough();
    const input = new GeneratorInput(
      { message: "stdin", lines: undefined, count: 1, threads: 1 },
      makeCodec(plainCodec),
      recordingContext(),
      stdin,
    );
    stdin.write("from stdin\nmore");
    const sink = new RecordingSink();
    await input.run(sink);
    expect(sink.events[0]!.get("message")).toBe("from stdin\n");
  });

  it("waits for ready() when the sink is full, and runs until stopped with count 0", async () => {
    const sink = new RecordingSink(5);
    const input = generator({ count: 0 });
    const running = input.run(sink);
    await waitFor(() => sink.readyCalls > 0);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(sink.events).toHaveLength(5);
    sink.release(10);
    await waitFor(() => sink.events.length >= 15);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(sink.events).toHaveLength(15);
    input.stop();
    sink.release(1000);
    await running;
    expect(sink.events.length).toBeLessThan(1000);
  });

  it("resolves through a registry with Logstash's option types and default codec", () => {
    const registry = new PluginRegistry([generatorInput, plainCodec, jsonCodec]);
    const { plan, diagnostics } = buildPlan([
      { file: "t.conf", text: 'input { generator { count => "2" lines => ["a", "b"] codec => json } }' },
    ]);
    expect(diagnostics).toEqual([]);
    const outcome = registry.resolve(plan.sections[0]!.body[0] as PlanPlugin);
    expect(outcome.diagnostics).toEqual([]);
    const options = outcome.resolved!.options;
    expect(options.number("count")).toBe(2);
    expect(options.string("message")).toBe("Hello world!");
    const created = generatorInput.create(options, recordingContext());
    expect(created).toBeInstanceOf(GeneratorInput);
    expect(() => generatorInput.create(ResolvedOptions.of({ threads: 0 }), recordingContext())).toThrow(
      /threads/,
    );
  });
});
