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
import { DeadLetterQueueReader } from "./reader.js";
import { segmentFileName, segmentHeaderBytes } from "./segment-file.js";
import { DeadLetterQueueWriter, type DeadLetterQueueWriterOptions } from "./writer.js";

const dirs: string[] = [];
const silent = createLogger({ write: () => {} });

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "sluice-dlq-"));
  dirs.push(dir);
  return dir;
}

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function writer(dir: string, extra: Partial<DeadLetterQueueWriterOptions> = {}): DeadLetterQueueWriter {
  return DeadLetterQueueWriter.open({
    dir,
    maxBytes: 1024 * 1024,
    storagePolicy: "drop_newer",
    logger: silent,
    ...extra,
  });
}

const padded = (n: number) => new Event({ n, pad: "p".repeat(200) });
const segments = (dir: string) => readdirSync(dir).filter((n) => n.startsWith("segment."));

describe("dead-letter queue writer and reader", () => {
  it("stores the event with reason, plugin id and type and entry time; the reader gives them back in order", async () => {
    const dir = tempDir();
    const w = writer(dir);
    const event = new Event({
      "@timestamp": "2020-01-02T03:04:05.123456Z",
      message: "bad",
      "@metadata": { m: 1 },
    });
    const before = Date.now();
    expect(w.write(event, "mapper_parsing_exception", "es_out", "elasticsearch")).toBe(true);
    expect(w.write(new Event({ message: "second" }), "r2", "p2", "t2")).toBe(true);
    await w.close();
    const reader = new DeadLetterQueueReader(dir, silent);
    const [first, second] = reader.poll(10);
    expect(first!.reason).toBe("mapper_parsing_exception");
    expect(first!.pluginId).toBe("es_out");
    expect(first!.pluginType).toBe("elasticsearch");
    expect(first!.entryTime).toBeInstanceOf(Timestamp);
    expect(first!.entryTime.epochMs).toBeGreaterThanOrEqual(before);
    expect(first!.event.timestamp!.toString()).toBe("2020-01-02T03:04:05.123456Z");
    expect(first!.event.get("[@metadata][m]")).toBe(1);
    expect(second!.event.get("message")).toBe("second");
    expect(reader.poll(10)).toEqual([]);
    expect(w.stats.entries).toBe(2);
  });

  it("follows a writer that keeps writing, across segment rolls", () => {
    const dir = tempDir();
    const w = writer(dir, { segmentBytesMax: 1024 });
    const reader = new DeadLetterQueueReader(dir, silent);
    expect(reader.poll(10)).toEqual([]);
    for (let i = 0; i < 3; i++) w.write(padded(i), "r", "p", "t");
    expect(reader.poll(2).map((e) => e.event.get("n"))).toEqual([0, 1]);
    for (let i = 3; i < 20; i++) w.write(padded(i), "r", "p", "t");
    expect(segments(dir).length).toBeGreaterThan(3);
    expect(reader.poll(100).map((e) => e.event.get("n"))).toEqual(
      Array.from({ length: 18 }, (_, i) => i + 2),
    );
  });

  it("drop_newer refuses entries once max_bytes is reached", () => {
    const dir = tempDir();
    const w = writer(dir, { maxBytes: 2048, segmentBytesMax: 1024 });
    let written = 0;
    for (let i = 0; i < 30; i++) if (w.write(padded(i), "r", "p", "t")) written++;
    expect(written).toBeLessThan(30);
    expect(w.stats.droppedEntries).toBe(30 - written);
    expect(w.bytes).toBeLessThanOrEqual(2048);
    const read = new DeadLetterQueueReader(dir, silent).poll(100).map((e) => e.event.get("n"));
    expect(read).toEqual(Array.from({ length: written }, (_, i) => i));
  });

  it("drop_older deletes the oldest segments to make room", () => {
    const dir = tempDir();
    const w = writer(dir, { maxBytes: 3000, segmentBytesMax: 1024, storagePolicy: "drop_older" });
    for (let i = 0; i < 30; i++) expect(w.write(padded(i), "r", "p", "t")).toBe(true);
    expect(w.stats.droppedSegments).toBeGreaterThan(0);
    expect(w.bytes).toBeLessThanOrEqual(3000);
    const read = new DeadLetterQueueReader(dir, silent).poll(100).map((e) => e.event.get("n") as number);
    expect(read.at(-1)).toBe(29);
    expect(read[0]).toBeGreaterThan(0);
  });

  it("retain.age deletes segments whose newest entry is too old", () => {
    const dir = tempDir();
    let now = 1_000_000;
    const w = writer(dir, { retainAgeMs: 60_000, segmentBytesMax: 1024, now: () => now });
    for (let i = 0; i < 10; i++) w.write(padded(i), "r", "p", "t");
    const before = segments(dir).length;
    now += 61_000;
    w.write(padded(99), "r", "p", "t");
    expect(w.stats.expiredSegments).toBe(before);
    expect(new DeadLetterQueueReader(dir, silent).poll(100).map((e) => e.event.get("n"))).toEqual([99]);
  });

  it("skips a corrupt entry, waits at a torn tail of the newest segment, and resumes from a position", async () => {
    const dir = tempDir();
    const w = writer(dir);
    for (let i = 0; i < 4; i++) w.write(padded(i), "r", "p", "t");
    await w.close();
    const path = join(dir, segmentFileName(1));
    const bytes = readFileSync(path);
    const second = segmentHeaderBytes + 8 + bytes.readUInt32BE(segmentHeaderBytes);
    bytes[second + 20]! ^= 0xff;
    writeFileSync(path, bytes);
    truncateSync(path, statSync(path).size - 3);
    const reader = new DeadLetterQueueReader(dir, silent);
    expect(reader.poll(10).map((e) => e.event.get("n"))).toEqual([0, 2]);
    expect(reader.corruptEntries).toBe(1);
    const resumed = new DeadLetterQueueReader(dir, silent, reader.position);
    expect(resumed.poll(10)).toEqual([]);
    // A new writer starts a new segment: the torn entry is given up and reading goes on there.
    const w2 = writer(dir);
    w2.write(padded(7), "r", "p", "t");
    expect(resumed.poll(10).map((e) => e.event.get("n"))).toEqual([7]);
    await w2.close();
  });

  it("deleteConsumed removes the segments before the reader's position", () => {
    const dir = tempDir();
    const w = writer(dir, { segmentBytesMax: 1024 });
    for (let i = 0; i < 20; i++) w.write(padded(i), "r", "p", "t");
    const count = segments(dir).length;
    const reader = new DeadLetterQueueReader(dir, silent);
    expect(reader.poll(100)).toHaveLength(20);
    expect(reader.deleteConsumed()).toBe(count - 1);
    expect(segments(dir)).toHaveLength(1);
  });

  it("a writer opened while another still writes (a reload) starts its own segment after the other's", async () => {
    const dir = tempDir();
    const old = writer(dir);
    const next = writer(dir);
    old.write(padded(1), "r", "p", "t");
    await old.close();
    expect(next.write(padded(2), "r", "p", "t")).toBe(true);
    await next.close();
    expect(segments(dir)).toEqual([segmentFileName(1), segmentFileName(2)]);
    expect(new DeadLetterQueueReader(dir, silent).poll(10).map((e) => e.event.get("n"))).toEqual([1, 2]);
  });

  it("drops entries written after close", async () => {
    const w = writer(tempDir());
    await w.close();
    expect(w.write(padded(1), "r", "p", "t")).toBe(false);
    expect(w.stats.droppedEntries).toBe(1);
  });
});
