import {
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createLogger } from "../../common/logger.js";
import { Event, Timestamp } from "../event/index.js";
import { checkpointFileName, pageFileName, pageHeaderBytes, readCheckpoint } from "./page-file.js";
import { PersistedQueue, type PersistedQueueOptions } from "./persisted-queue.js";

const dirs: string[] = [];
const queues: PersistedQueue[] = [];
const silent = createLogger({ write: () => {} });

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "sluice-pq-"));
  dirs.push(dir);
  return dir;
}

function open(dir: string, extra: Partial<PersistedQueueOptions> = {}): PersistedQueue {
  const queue = PersistedQueue.open({
    dir,
    maxBytes: 1024 * 1024,
    pageCapacityBytes: 64 * 1024,
    checkpointWrites: 1024,
    drain: true,
    logger: silent,
    ...extra,
  });
  queues.push(queue);
  return queue;
}

/** Simulates kill -9: the queue's files stay as they are (written bytes are in the page cache), nothing is closed cleanly. */
function abandon(queue: PersistedQueue): void {
  (queue as unknown as { releaseFiles(): void }).releaseFiles();
  queues.splice(queues.indexOf(queue), 1);
}

afterEach(async () => {
  for (const queue of queues.splice(0)) await queue.shutdown().catch(() => {});
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const numbered = (from: number, n: number) => Array.from({ length: n }, (_, i) => new Event({ n: from + i }));
const ns = (events: Event[]) => events.map((e) => e.get("n"));

async function takeAll(queue: PersistedQueue, max = 1000): Promise<Event[]> {
  const out: Event[] = [];
  for (;;) {
    const batch = await queue.takeBatch(max, 0);
    if (batch.events.length === 0) return out;
    out.push(...batch.events);
    batch.ack();
  }
}

describe("PersistedQueue", () => {
  it("hands out what was pushed, in order, and keeps every field and timestamp digit", async () => {
    const dir = tempDir();
    const queue = open(dir);
    const event = new Event({
      "@timestamp": "2024-05-06T07:08:09.123456789Z",
      nested: { when: new Timestamp(1_700_000_000_123, 456_789), list: [1, "two", null, { x: true }] },
      "@metadata": { route: "a" },
    });
    await queue.accept([event, ...numbered(1, 3)]);
    const batch = await queue.takeBatch(10, 0);
    expect(batch.events).toHaveLength(4);
    batch.ack();
    await queue.shutdown();
    // Read back from disk (a fresh queue cannot have them in memory) by rewinding the checkpoint.
    writeFileSync(join(dir, checkpointFileName), Buffer.alloc(0));
    const again = open(dir);
    const [first, ...rest] = await takeAll(again);
    expect(first!.timestamp!.toString()).toBe("2024-05-06T07:08:09.123456789Z");
    const when = first!.get("[nested][when]");
    expect(when).toBeInstanceOf(Timestamp);
    expect((when as Timestamp).nanosOfMilli).toBe(456_789);
    expect(first!.get("[nested][list]")).toEqual([1, "two", null, { x: true }]);
    expect(first!.get("[@metadata][route]")).toBe("a");
    expect(ns(rest)).toEqual([1, 2, 3]);
  });

  it("replays exactly the unacknowledged events after a restart", async () => {
    const dir = tempDir();
    const queue = open(dir);
    await queue.accept(numbered(0, 10));
    const first = await queue.takeBatch(4, 0);
    const second = await queue.takeBatch(3, 0);
    // Acknowledge out of order: progress stops at the first unacknowledged batch.
    second.ack();
    await queue.sync();
    await queue.shutdown();
    expect(readCheckpoint(dir)).toBe(0);
    const again = open(dir);
    expect(again.stats.replayedEvents).toBe(10);
    const batch = await again.takeBatch(4, 0);
    expect(ns(batch.events)).toEqual([0, 1, 2, 3]);
    batch.ack();
    await again.shutdown();
    expect(readCheckpoint(dir)).toBe(4);
    const third = open(dir);
    expect(ns(await takeAll(third))).toEqual([4, 5, 6, 7, 8, 9]);
    expect(first.events).toHaveLength(4);
  });

  it("push() writes survive a crash once flushed to the file; accept() resolves after fsync", async () => {
    const dir = tempDir();
    const queue = open(dir, { checkpointWrites: 2 });
    for (const event of numbered(0, 5)) queue.push(event);
    for (let i = 0; i < 100 && queue.stats.fsyncs === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(queue.stats.fsyncs).toBeGreaterThanOrEqual(1);
    await queue.accept(numbered(5, 2));
    abandon(queue);
    const again = open(dir);
    expect(ns(await takeAll(again))).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it("rolls pages at page_capacity and deletes pages once every event in them is acknowledged", async () => {
    const dir = tempDir();
    const queue = open(dir, { pageCapacityBytes: 2048, maxBytes: 1024 * 1024, readAheadEvents: 8 });
    const big = (n: number) => new Event({ n, pad: "x".repeat(200) });
    await queue.accept(Array.from({ length: 40 }, (_, i) => big(i)));
    const pages = readdirSync(dir).filter((n) => n.startsWith("page."));
    expect(pages.length).toBeGreaterThan(3);
    for (const page of pages) expect(statSync(join(dir, page)).size).toBeLessThanOrEqual(2048);
    const half = await queue.takeBatch(20, 0);
    expect(ns(half.events)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    half.ack();
    const left = readdirSync(dir).filter((n) => n.startsWith("page."));
    expect(left.length).toBeLessThan(pages.length);
    expect(queue.stats.pagesDeleted).toBe(pages.length - left.length);
    expect(ns(await takeAll(queue, 7))).toEqual(Array.from({ length: 20 }, (_, i) => i + 20));
    expect(readdirSync(dir).filter((n) => n.startsWith("page."))).toHaveLength(1);
  });

  it("applies back-pressure at max_bytes and frees room as pages are acknowledged", async () => {
    const dir = tempDir();
    const queue = open(dir, { pageCapacityBytes: 1024, maxBytes: 3072, readAheadEvents: 4 });
    let full = false;
    let pushed = 0;
    while (!full && pushed < 1000) full = !queue.push(new Event({ n: pushed++, pad: "y".repeat(100) }));
    expect(full).toBe(true);
    expect(queue.usedBytes).toBeGreaterThanOrEqual(3072);
    let ready = false;
    void queue.ready().then(() => (ready = true));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(ready).toBe(false);
    const events = await takeAll(queue, 5);
    expect(ns(events)).toEqual(Array.from({ length: pushed }, (_, i) => i));
    await new Promise((resolve) => setImmediate(resolve));
    expect(ready).toBe(true);
    expect(queue.isFull).toBe(false);
  });

  it("skips a corrupt record in the middle of a page and serves the rest, counting it", async () => {
    const dir = tempDir();
    const queue = open(dir);
    await queue.accept(numbered(0, 5));
    abandon(queue);
    const path = join(dir, pageFileName(1));
    const bytes = readFileSync(path);
    // Flip a byte in the payload of the third record.
    let pos = pageHeaderBytes;
    for (let i = 0; i < 2; i++) pos += 8 + bytes.readUInt32BE(pos);
    bytes[pos + 10]! ^= 0xff;
    writeFileSync(path, bytes);
    const again = open(dir);
    expect(ns(await takeAll(again))).toEqual([0, 1, 3, 4]);
    expect(again.stats.corruptRecords).toBe(1);
    expect(again.stats.truncatedBytes).toBe(0);
  });

  it("cuts a torn tail of the head page and keeps appending after it", async () => {
    const dir = tempDir();
    const queue = open(dir);
    await queue.accept(numbered(0, 4));
    abandon(queue);
    const path = join(dir, pageFileName(1));
    truncateSync(path, statSync(path).size - 5);
    const again = open(dir);
    expect(again.stats.truncatedBytes).toBeGreaterThan(0);
    await again.accept(numbered(10, 2));
    expect(ns(await takeAll(again))).toEqual([0, 1, 2, 10, 11]);
  });

  it("serves later pages when an earlier page is unreadable from some point", async () => {
    const dir = tempDir();
    const queue = open(dir, { pageCapacityBytes: 1024, readAheadEvents: 2 });
    await queue.accept(Array.from({ length: 30 }, (_, i) => new Event({ n: i, pad: "z".repeat(60) })));
    abandon(queue);
    const path = join(dir, pageFileName(1));
    const bytes = readFileSync(path);
    bytes.writeUInt32BE(0xffffffff, pageHeaderBytes); // the first record's length: nothing after it can be found
    writeFileSync(path, bytes);
    const again = open(dir);
    const events = await takeAll(again);
    const firstOfPage2 = events[0]!.get("n") as number;
    expect(firstOfPage2).toBeGreaterThan(0);
    expect(ns(events)).toEqual(Array.from({ length: 30 - firstOfPage2 }, (_, i) => i + firstOfPage2));
    expect(again.stats.corruptRecords).toBe(firstOfPage2);
  });

  it("sets aside a page whose header is bad", async () => {
    const dir = tempDir();
    const queue = open(dir, { pageCapacityBytes: 1024 });
    await queue.accept(Array.from({ length: 30 }, (_, i) => new Event({ n: i, pad: "z".repeat(60) })));
    abandon(queue);
    const path = join(dir, pageFileName(1));
    const bytes = readFileSync(path);
    bytes[0] = 0;
    writeFileSync(path, bytes);
    const again = open(dir);
    expect(readdirSync(dir)).toContain(`${pageFileName(1)}.corrupt`);
    const events = await takeAll(again);
    expect(events.length).toBeGreaterThan(0);
    expect(events.at(-1)!.get("n")).toBe(29);
  });

  it("without drain, close() leaves queued events for the next start; with drain, workers get them", async () => {
    const dir = tempDir();
    const queue = open(dir, { drain: false });
    await queue.accept(numbered(0, 3));
    queue.close();
    expect((await queue.takeBatch(10, 0)).events).toEqual([]);
    await queue.shutdown();
    const draining = open(dir, { drain: true });
    draining.close();
    expect(ns((await draining.takeBatch(10, 0)).events)).toEqual([0, 1, 2]);
  });

  it("refuses a directory held by a live process and takes over a stale lock", () => {
    const dir = tempDir();
    open(dir);
    expect(() => open(dir)).toThrow(/in use by process/);
    const other = tempDir();
    writeFileSync(join(other, ".lock"), "999999999");
    expect(() => open(other)).not.toThrow();
  });

  it("rejects events accepted after shutdown instead of pretending they are stored", async () => {
    const queue = open(tempDir());
    await queue.shutdown();
    await expect(queue.accept(numbered(0, 1))).rejects.toThrow(/closed/);
  });

  it("reads events back from disk when more are queued than the read-ahead window", async () => {
    const dir = tempDir();
    const queue = open(dir, { readAheadEvents: 3 });
    for (const event of numbered(0, 50)) queue.push(event);
    expect(queue.size).toBe(50);
    expect(ns(await takeAll(queue, 4))).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(queue.unacknowledged).toBe(0);
  });
});
