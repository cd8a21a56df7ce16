import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createLogger } from "../../../common/logger.js";
import { DeadLetterQueueWriter } from "../../dlq/writer.js";
import { Event, Timestamp } from "../../event/index.js";
import type { InputSink, PluginContext } from "../api.js";
import { ResolvedOptions } from "../options.js";
import { deadLetterQueueInput } from "./dead_letter_queue.js";

const dirs: string[] = [];
const silent = createLogger({ write: () => {} });

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "sluice-dlq-input-"));
  dirs.push(dir);
  return dir;
}

function context(dataDir: string, failures: string[] = []): PluginContext {
  return {
    id: "dlq_in",
    pipelineId: "replay",
    logger: silent,
    ecsCompatibility: "v8",
    dataDir,
    countFailure: (reason) => failures.push(reason),
  };
}

function options(path: string, extra: Record<string, string | boolean> = {}) {
  return ResolvedOptions.of({
    path,
    pipeline_id: "main",
    commit_offsets: true,
    clean_consumed: false,
    ...extra,
  });
}

/** A sink that collects accepted events and stops the input once `want` have come. */
function collector(want: number, stop: () => void) {
  const events: Event[] = [];
  const sink: InputSink = {
    push: (event) => {
      events.push(event);
      return true;
    },
    ready: () => Promise.resolve(),
    accept: async (batch) => {
      events.push(...batch);
      if (events.length >= want) stop();
    },
    stopping: false,
  };
  return { sink, events };
}

async function readAll(
  dataDir: string,
  dlqPath: string,
  want: number,
  extra: Record<string, string | boolean> = {},
) {
  const input = deadLetterQueueInput.create(options(dlqPath, extra), context(dataDir));
  const { sink, events } = collector(want, () => input.stop());
  const timer = setTimeout(() => input.stop(), 3000);
  await input.run(sink);
  clearTimeout(timer);
  return events;
}

function fill(dlqPath: string, count: number, from = 0, segmentBytesMax?: number): DeadLetterQueueWriter {
  const writer = DeadLetterQueueWriter.open({
    dir: join(dlqPath, "main"),
    maxBytes: 1024 * 1024,
    storagePolicy: "drop_newer",
    logger: silent,
    segmentBytesMax,
  });
  for (let i = from; i < from + count; i++)
    writer.write(new Event({ n: i, pad: "q".repeat(300) }), `reason ${i}`, "es_1", "elasticsearch");
  return writer;
}

describe("dead_letter_queue input", () => {
  it("replays entries with their dead-letter metadata", async () => {
    const data = tempDir();
    const dlq = join(data, "dead_letter_queue");
    await fill(dlq, 3).close();
    const events = await readAll(data, dlq, 3);
    expect(events.map((e) => e.get("n"))).toEqual([0, 1, 2]);
    expect(events[1]!.get("[@metadata][dead_letter_queue][reason]")).toBe("reason 1");
    expect(events[1]!.get("[@metadata][dead_letter_queue][plugin_id]")).toBe("es_1");
    expect(events[1]!.get("[@metadata][dead_letter_queue][plugin_type]")).toBe("elasticsearch");
    expect(events[1]!.get("[@metadata][dead_letter_queue][entry_time]")).toBeInstanceOf(Timestamp);
  });

  it("commit_offsets: a second run continues where the first stopped", async () => {
    const data = tempDir();
    const dlq = join(data, "dead_letter_queue");
    const writer = fill(dlq, 2);
    expect((await readAll(data, dlq, 2)).map((e) => e.get("n"))).toEqual([0, 1]);
    writer.write(new Event({ n: 2 }), "r", "p", "t");
    await writer.close();
    expect((await readAll(data, dlq, 1)).map((e) => e.get("n"))).toEqual([2]);
    expect(existsSync(join(data, "plugins", "inputs", "dead_letter_queue", "main", ".sincedb_dlq_in"))).toBe(
      true,
    );
  });

  it("commit_offsets => false reads everything every time", async () => {
    const data = tempDir();
    const dlq = join(data, "dead_letter_queue");
    await fill(dlq, 2).close();
    expect(await readAll(data, dlq, 2, { commit_offsets: false })).toHaveLength(2);
    expect(await readAll(data, dlq, 2, { commit_offsets: false })).toHaveLength(2);
  });

  it("sincedb_path says where the position is kept", async () => {
    const data = tempDir();
    const dlq = join(data, "dead_letter_queue");
    await fill(dlq, 1).close();
    const sincedb = join(data, "custom", "pos");
    await readAll(data, dlq, 1, { sincedb_path: sincedb });
    expect(existsSync(sincedb)).toBe(true);
  });

  it("start_timestamp skips older entries; a malformed one is refused", async () => {
    const data = tempDir();
    const dlq = join(data, "dead_letter_queue");
    await fill(dlq, 2).close();
    const future = new Date(Date.now() + 3_600_000).toISOString();
    const input = deadLetterQueueInput.create(options(dlq, { start_timestamp: future }), context(data));
    const { sink, events } = collector(1, () => input.stop());
    setTimeout(() => input.stop(), 300);
    await input.run(sink);
    expect(events).toEqual([]);
    expect(() =>
      deadLetterQueueInput.create(options(dlq, { start_timestamp: "yesterday" }), context(data)),
    ).toThrow(/start_timestamp/);
  });

  it("clean_consumed deletes finished segments, and needs commit_offsets", async () => {
    const data = tempDir();
    const dlq = join(data, "dead_letter_queue");
    const writer = fill(dlq, 20, 0, 1024);
    const before = readdirSync(join(dlq, "main")).length;
    expect(before).toBeGreaterThan(2);
    expect(await readAll(data, dlq, 20, { clean_consumed: true })).toHaveLength(20);
    expect(readdirSync(join(dlq, "main")).length).toBe(1);
    await writer.close();
    expect(() =>
      deadLetterQueueInput.create(
        options(dlq, { clean_consumed: true, commit_offsets: false }),
        context(data),
      ),
    ).toThrow(/commit_offsets/);
  });

  it("reads the pipeline_id's queue", async () => {
    const data = tempDir();
    const dlq = join(data, "dead_letter_queue");
    await fill(dlq, 1).close();
    const input = deadLetterQueueInput.create(options(dlq, { pipeline_id: "other" }), context(data));
    const { sink, events } = collector(1, () => input.stop());
    setTimeout(() => input.stop(), 300);
    await input.run(sink);
    expect(events).toEqual([]);
  });
});
