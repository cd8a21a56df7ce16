import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createLogger } from "../../common/logger.js";
import { deadLetterOf } from "../dlq/index.js";
import { DeadLetterQueueReader } from "../dlq/reader.js";
import type { FilterSpec } from "../plugins/api.js";
import { PipelineConfigError } from "../runtime/pipeline.js";
import { harness } from "../runtime/test-plugins.js";
import { readCheckpoint } from "./page-file.js";

const dirs: string[] = [];
const silent = createLogger({ write: () => {} });

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "sluice-pq-pipeline-"));
  dirs.push(dir);
  return dir;
}

const sequences = (events: { get(f: string): unknown }[]) => events.map((e) => e.get("sequence") as number);

describe("pipeline with a persisted queue", () => {
  it("delivers every event and acknowledges them all (checkpoint at the end)", async () => {
    const dataDir = tempDir();
    const h = harness(`input { gen { count => 2000 } } output { capture { id => "o" } }`, {
      queueType: "persisted",
      queuePageCapacityBytes: 16 * 1024,
      queueDrain: true,
      dataDir,
      batchSize: 100,
    });
    await h.pipeline.run();
    expect(sequences(h.capture.events("o"))).toEqual(Array.from({ length: 2000 }, (_, i) => i));
    expect(readCheckpoint(join(dataDir, "queue", "main"))).toBe(2000);
  });

  it("without queue.drain, stop leaves queued events on disk and the next start delivers them", async () => {
    const dataDir = tempDir();
    const settings = { queueType: "persisted" as const, dataDir, batchSize: 10, batchDelayMs: 0 };
    const first = harness(`input { endless {} } output { capture { id => "o" delay_ms => 5 } }`, settings);
    const running = first.pipeline.run();
    await new Promise((resolve) => setTimeout(resolve, 200));
    await first.pipeline.stop();
    await running;
    const pushed = first.endless.observed.pushed;
    const delivered = sequences(first.capture.events("o"));
    expect(delivered.length).toBeLessThan(pushed);
    const second = harness(`input { gen { count => 0 } } output { capture { id => "o" } }`, {
      ...settings,
      queueDrain: true,
    });
    await second.pipeline.run();
    const replayed = sequences(second.capture.events("o"));
    const all = new Set([...delivered, ...replayed]);
    expect(all.size).toBe(pushed);
    // At-least-once: nothing acknowledged is delivered again.
    expect(replayed[0]).toBe(delivered.length);
  });

  it("refuses page_capacity above max_bytes, and a queue directory another live process holds", () => {
    const dataDir = tempDir();
    expect(() =>
      harness(`input { gen {} } output { capture {} }`, {
        queueType: "persisted",
        dataDir,
        queueMaxBytes: 1024 * 1024,
        queuePageCapacityBytes: 2 * 1024 * 1024,
      }),
    ).toThrow(/page_capacity/);
    mkdirSync(join(dataDir, "queue", "main"), { recursive: true });
    writeFileSync(join(dataDir, "queue", "main", ".lock"), String(process.ppid));
    expect(() =>
      harness(`input { gen {} } output { capture {} }`, { queueType: "persisted", dataDir }),
    ).toThrow(PipelineConfigError);
  });

  it("opens the queue when it runs, so a replacement can be created while the old pipeline holds it", async () => {
    const dataDir = tempDir();
    const settings = { queueType: "persisted" as const, dataDir, queueDrain: true };
    const old = harness(`input { endless {} } output { capture { id => "o" } }`, settings);
    const running = old.pipeline.run();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const next = harness(`input { gen { count => 5 } } output { capture { id => "o" } }`, settings);
    const early = harness(`input { gen { count => 5 } } output { capture { id => "o" } }`, settings);
    await expect(early.pipeline.run()).rejects.toThrow(/in use by process/);
    await old.pipeline.stop();
    await running;
    await next.pipeline.run();
    expect(next.capture.events("o").length).toBe(5);
  });
});

describe("pipeline with a dead-letter queue", () => {
  const deadLetterFilter: FilterSpec = {
    kind: "filter",
    name: "reject",
    doc: "test: dead-letters every event",
    options: {},
    create: (_options, context) => ({
      filter(event) {
        const deadLetter = deadLetterOf(context);
        if (deadLetter === undefined) throw new Error("no dead-letter queue");
        deadLetter(event, "rejected by test");
        event.cancel();
        return true;
      },
    }),
  };

  it("takes events a condition cannot be evaluated on, and events plugins send", async () => {
    const dataDir = tempDir();
    const h = harness(
      `input { gen { count => 3 message => "text" } }
       filter { if [message] > 5 { act {} } }
       output { capture { id => "o" } }`,
      { dlqEnabled: true, dataDir },
    );
    await h.pipeline.run();
    expect(h.capture.events("o")).toEqual([]);
    expect(h.pipeline.stats.conditionFailures).toBe(3);
    const entries = new DeadLetterQueueReader(join(dataDir, "dead_letter_queue", "main"), silent).poll(10);
    expect(entries).toHaveLength(3);
    expect(entries[0]!.pluginType).toBe("if");
    expect(entries[0]!.reason).toMatch(/could not be evaluated/);
    expect(entries.map((e) => e.event.get("sequence"))).toEqual([0, 1, 2]);

    const dataDir2 = tempDir();
    const h2 = harness(
      `input { gen { count => 2 } } filter { reject { id => "rj" } } output { capture { id => "o" } }`,
      { dlqEnabled: true, dataDir: dataDir2 },
      [deadLetterFilter],
    );
    await h2.pipeline.run();
    const plugin = new DeadLetterQueueReader(join(dataDir2, "dead_letter_queue", "main"), silent).poll(10);
    expect(plugin.map((e) => [e.pluginId, e.pluginType, e.reason])).toEqual([
      ["rj", "reject", "rejected by test"],
      ["rj", "reject", "rejected by test"],
    ]);
  });

  it("gives plugins no dead-letter function when the queue is disabled", async () => {
    const dataDir = tempDir();
    const h = harness(
      `input { gen { count => 1 } } filter { reject {} } output { capture { id => "o" } }`,
      { dataDir },
      [deadLetterFilter],
    );
    await h.pipeline.run();
    expect(h.pipeline.stats.plugin("reject_1")?.failureReasons.get("filter_exception")).toBe(1);
    expect(existsSync(join(dataDir, "dead_letter_queue"))).toBe(false);
  });
});
