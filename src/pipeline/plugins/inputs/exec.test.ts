import { hostname } from "node:os";
import { describe, expect, it } from "vitest";
import { lineCodec } from "../codecs/line.js";
import { plainCodec } from "../codecs/plain.js";
import { makeCodec, RecordingSink, recordingContext, waitFor } from "../codecs/test-support.js";
import { ResolvedOptions } from "../options.js";
import { ExecInput, execInput, parseCron } from "./exec.js";

function exec(command: string, ecs: "v8" | "disabled" = "v8", codec = makeCodec(plainCodec)) {
  return new ExecInput(command, { intervalSeconds: 60 }, codec, recordingContext(ecs));
}

describe("exec input", () => {
  it("runs the command through the shell: output as message, ECS process fields", async () => {
    const sink = new RecordingSink();
    await exec("echo hello; exit 3").execute(sink);
    const [event] = sink.events;
    expect(event!.get("message")).toBe("hello\n");
    expect(event!.get("[process][exit_code]")).toBe(3);
    expect(event!.get("[process][command_line]")).toBe("echo hello; exit 3");
    expect(event!.get("[host][name]")).toBe(hostname());
    expect(event!.get("[@metadata][input][exec][process][elapsed_time]")).toBeGreaterThan(0);
  });

  it("uses the legacy fields with ECS disabled", async () => {
    const sink = new RecordingSink();
    await exec("echo hi", "disabled").execute(sink);
    const [event] = sink.events;
    expect(event!.get("command")).toBe("echo hi");
    expect(event!.get("[@metadata][exit_status]")).toBe(0);
    expect(event!.get("host")).toBe(hostname());
    expect(typeof event!.get("[@metadata][duration]")).toBe("number");
  });

  it("decodes the output through the codec, one run at a time", async () => {
    const sink = new RecordingSink();
    await exec("printf 'a\\nb'", "v8", makeCodec(lineCodec)).execute(sink);
    expect(sink.events.map((e) => e.get("message"))).toEqual(["a", "b"]);
  });

  it("repeats every interval until stopped", async () => {
    const input = new ExecInput(
      "echo tick",
      { intervalSeconds: 0.05 },
      makeCodec(plainCodec),
      recordingContext(),
    );
    const sink = new RecordingSink();
    const running = input.run(sink);
    await waitFor(() => sink.events.length >= 2);
    input.stop();
    await running;
    expect(sink.events.every((e) => e.get("message") === "tick\n")).toBe(true);
  });

  it("kills a running command when stopped, without an event", async () => {
    const input = new ExecInput(
      "sleep 30",
      { intervalSeconds: 60 },
      makeCodec(plainCodec),
      recordingContext(),
    );
    const sink = new RecordingSink();
    const running = input.run(sink);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const stoppedAt = Date.now();
    input.stop();
    await running;
    expect(Date.now() - stoppedAt).toBeLessThan(5000);
    expect(sink.events).toHaveLength(0);
  });

  it("needs exactly one of interval and schedule, and checks the schedule", () => {
    const context = recordingContext();
    expect(() => execInput.create(ResolvedOptions.of({ command: "true" }), context)).toThrow(
      /either 'interval'/,
    );
    expect(() =>
      execInput.create(ResolvedOptions.of({ command: "true", interval: 1, schedule: "* * * * *" }), context),
    ).toThrow(/either/);
    expect(() =>
      execInput.create(ResolvedOptions.of({ command: "true", schedule: "L * * * *" }), context),
    ).toThrow(/cron/);
  });
});

describe("cron schedules", () => {
  const at = (text: string) => new Date(text);
  it("finds the next firing of five- and six-field lines", () => {
    expect(parseCron("*/15 * * * * UTC").next(at("2024-01-02T03:04:05Z"))!.toISOString()).toBe(
      "2024-01-02T03:15:00.000Z",
    );
    expect(parseCron("30 * * * * * UTC").next(at("2024-01-02T03:04:35Z"))!.toISOString()).toBe(
      "2024-01-02T03:05:30.000Z",
    );
    expect(parseCron("0 9 * jan-feb mon UTC").next(at("2024-01-02T10:00:00Z"))!.toISOString()).toBe(
      "2024-01-08T09:00:00.000Z",
    );
    expect(parseCron("0 0 1,15 * * UTC").next(at("2024-01-02T00:00:00Z"))!.toISOString()).toBe(
      "2024-01-15T00:00:00.000Z",
    );
  });

  it("runs in local time without a zone and refuses what it does not know", () => {
    const next = parseCron("0 12 * * *").next(new Date(2024, 0, 2, 13, 0, 0))!;
    expect([next.getDate(), next.getHours(), next.getMinutes()]).toEqual([3, 12, 0]);
    expect(() => parseCron("* * *")).toThrow(/5 or 6 fields/);
    expect(() => parseCron("61 * * * *")).toThrow(/outside/);
    expect(() => parseCron("* * * * * Europe/Paris")).toThrow(/time zones/);
  });
});
