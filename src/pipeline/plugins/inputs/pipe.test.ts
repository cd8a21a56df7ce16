import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { jsonCodec } from "../codecs/json.js";
import { lineCodec } from "../codecs/line.js";
import { plainCodec } from "../codecs/plain.js";
import { makeCodec, RecordingSink, recordingContext, waitFor } from "../codecs/test-support.js";
import { ResolvedOptions } from "../options.js";
import { PipeInput, pipeInput, pipeRestartDelayMs } from "./pipe.js";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "sluice-pipe-in-"));
  dirs.push(dir);
  return dir;
}

async function collect(input: PipeInput, until: (sink: RecordingSink) => boolean): Promise<RecordingSink> {
  const sink = new RecordingSink();
  const running = input.run(sink);
  await waitFor(() => until(sink));
  await input.stop();
  await running;
  return sink;
}

describe("pipe input", () => {
  it("turns each stdout line into an event with the command and host (ECS)", async () => {
    const context = recordingContext("v8");
    const command = "printf 'one\\ntwo\\r\\nthree'";
    const input = pipeInput.create(
      ResolvedOptions.of({ command }, makeCodec(plainCodec, {}, context)),
      context,
    );
    const sink = await collect(input as PipeInput, (s) => s.events.length === 3);
    expect(sink.events.map((e) => e.get("message"))).toEqual(["one", "two", "three"]);
    expect(sink.events[0]!.get("[process][command_line]")).toBe(command);
    expect(sink.events[0]!.get("[host][name]")).toBe(hostname());
  });

  it("uses the legacy names without ECS and keeps fields the codec set", async () => {
    const context = recordingContext("disabled");
    const codec = makeCodec(jsonCodec, {}, context);
    const input = new PipeInput(`echo '{"host":"elsewhere","n":1}'; echo '{"n":2}'`, codec, context, 10_000);
    const sink = await collect(input, (s) => s.events.length === 2);
    expect(sink.events.map((e) => [e.get("host"), e.get("n")])).toEqual([
      ["elsewhere", 1],
      [hostname(), 2],
    ]);
    expect(sink.events[1]!.get("command")).toContain("echo");
  });

  it("gives line-splitting codecs their newline back", async () => {
    const context = recordingContext("disabled");
    const input = new PipeInput("printf 'a\\nb\\n'", makeCodec(lineCodec, {}, context), context, 10_000);
    const sink = await collect(input, (s) => s.events.length === 2);
    expect(sink.events.map((e) => e.get("message"))).toEqual(["a", "b"]);
  });

  it("runs the command again after it exits", async () => {
    const dir = tempDir();
    const context = recordingContext("v8");
    const codec = makeCodec(plainCodec, {}, context);
    const input = new PipeInput(`echo run >> ${join(dir, "runs")}; echo hi`, codec, context, 30);
    const sink = await collect(input, (s) => s.events.length >= 3);
    expect(sink.events.every((e) => e.get("message") === "hi")).toBe(true);
    expect(readFileSync(join(dir, "runs"), "utf8").split("\n").length).toBeGreaterThanOrEqual(4);
    expect(pipeRestartDelayMs).toBe(10_000);
  });

  it("kills a running command on stop", async () => {
    const dir = tempDir();
    const marker = join(dir, "after");
    const context = recordingContext("v8");
    const codec = makeCodec(plainCodec, {}, context);
    const input = new PipeInput(`echo started; sleep 2; touch ${marker}`, codec, context, 10_000);
    const started = Date.now();
    const sink = await collect(input, (s) => s.events.length === 1);
    expect(Date.now() - started).toBeLessThan(1500);
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(existsSync(marker)).toBe(false);
    expect(sink.events[0]!.get("message")).toBe("started");
  });

  it("pauses reading while the queue is full", async () => {
    const context = recordingContext("v8");
    const input = new PipeInput("seq 1 100000", makeCodec(plainCodec, {}, context), context, 10_000);
    const sink = new RecordingSink(5);
    const running = input.run(sink);
    await waitFor(() => sink.events.length >= 5);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const held = sink.events.length;
    expect(held).toBeLessThan(100_000);
    sink.release(1_000_000);
    await waitFor(() => sink.events.length === 100_000);
    await input.stop();
    await running;
    expect(sink.events.at(-1)!.get("message")).toBe("100000");
  });

  it("logs what the command writes to stderr", async () => {
    const context = recordingContext("v8");
    const input = new PipeInput(
      "echo oops >&2; echo out",
      makeCodec(plainCodec, {}, context),
      context,
      10_000,
    );
    await collect(input, (s) => s.events.length === 1);
    await waitFor(() => context.lines.some((line) => line.includes("oops")));
  });
});
