import { mkdtemp, open, readdir, rm, stat, truncate, unlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createLogger, type Logger } from "../common/logger.js";
import { readBatchHeader } from "./batch.js";
import { defaultLogConfig, type LogConfig } from "./config.js";
import { LogError } from "./errors.js";
import { PartitionLog } from "./partition-log.js";
import { segmentFileName } from "./segment.js";
import { makeBatch } from "./testing.js";

let dir: string;
let lines: string[];
let logger: Logger;
const config: LogConfig = { ...defaultLogConfig, segmentBytes: 8 * 1024, indexIntervalBytes: 1024 };

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "sluice-log-"));
  lines = [];
  logger = createLogger({ level: "debug", write: (line) => lines.push(line) });
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Appends `count` batches of 5 records (~620 bytes each), timestamps 1000 apart per batch. */
async function fill(log: PartitionLog, count: number, firstTimestamp = 1_000_000): Promise<void> {
  for (let i = 0; i < count; i++) {
    await log.append(makeBatch({ records: 5, baseTimestamp: firstTimestamp + i * 1000 }));
  }
}

function offsetsOf(batches: Buffer[]): bigint[] {
  return batches.map((b) => readBatchHeader(b)!.baseOffset);
}

function expectedBases(from: number, to: number): bigint[] {
  const out: bigint[] = [];
  for (let o = from; o < to; o += 5) out.push(BigInt(o));
  return out;
}

const headerRefine = async (batch: Buffer) => {
  const header = readBatchHeader(batch)!;
  return { offset: header.baseOffset, timestamp: header.maxTimestamp };
};

describe("PartitionLog", () => {
  it("round-trips appends across segment rolls", async () => {
    const log = await PartitionLog.open(dir, config, logger);
    await fill(log, 60);
    expect(log.logEndOffset).toBe(300n);
    expect(log.segmentCount).toBeGreaterThan(3);
    const all = await log.read(0n, 10 * 1024 * 1024);
    expect(offsetsOf(all.batches)).toEqual(expectedBases(0, 300));
    for (const offset of [0n, 7n, 149n, 299n]) {
      const { batches } = await log.read(offset, 1);
      const header = readBatchHeader(batches[0]!)!;
      expect(header.baseOffset <= offset && offset <= header.baseOffset + 4n).toBe(true);
    }
    expect((await log.read(300n, 1000)).batches).toEqual([]);
    await log.close();
  });

  it("reads from inside a batch return the whole batch and respect maxBytes", async () => {
    const log = await PartitionLog.open(dir, config, logger);
    await fill(log, 10);
    const { batches, bytes } = await log.read(12n, 1);
    expect(offsetsOf(batches)).toEqual([10n]);
    expect(bytes).toBe(batches[0]!.length);
    expect((await log.read(12n, 1, false)).batches).toEqual([]);
    const two = await log.read(12n, batches[0]!.length * 2 + 10);
    expect(offsetsOf(two.batches)).toEqual([10n, 15n]);
    await expect(log.read(51n, 100)).rejects.toMatchObject({ code: "OFFSET_OUT_OF_RANGE" });
    await log.close();
  });

  it("rejects a batch over max.message.bytes without assigning offsets", async () => {
    const log = await PartitionLog.open(dir, { ...config, maxMessageBytes: 500 }, logger);
    await expect(log.append(makeBatch({ records: 5 }))).rejects.toMatchObject({ code: "MESSAGE_TOO_LARGE" });
    await log.append(makeBatch({ records: 1, valueBytes: 10 }));
    expect(log.logEndOffset).toBe(1n);
    await log.close();
  });

  it("finds offsets by timestamp, before and after a restart", async () => {
    let log = await PartitionLog.open(dir, config, logger);
    await fill(log, 60);
    const check = async () => {
      expect(await log.findOffsetForTimestamp(0n, headerRefine)).toEqual({
        offset: 0n,
        timestamp: 1_000_004n,
      });
      // batch i covers timestamps [1_000_000 + 1000 i, +4]; 1_030_002 falls in batch 30
      expect(await log.findOffsetForTimestamp(1_030_002n, headerRefine)).toEqual({
        offset: 150n,
        timestamp: 1_030_004n,
      });
      // between batches: the next batch
      expect((await log.findOffsetForTimestamp(1_030_500n, headerRefine))?.offset).toBe(155n);
      expect(await log.findOffsetForTimestamp(2_000_000n, headerRefine)).toBeNull();
      expect((await log.findMaxTimestamp(headerRefine))?.offset).toBe(295n);
    };
    await check();
    await log.close();
    log = await PartitionLog.open(dir, config, logger);
    await check();
    await log.close();
  });

  it("keeps data and offsets across a restart and continues at the end", async () => {
    let log = await PartitionLog.open(dir, config, logger);
    await fill(log, 30);
    await log.close();
    log = await PartitionLog.open(dir, config, logger);
    expect(log.logEndOffset).toBe(150n);
    const result = await log.append(makeBatch({ records: 3 }));
    expect(result).toEqual({ baseOffset: 150n, lastOffset: 152n, logStartOffset: 0n });
    expect(offsetsOf((await log.read(0n, 1 << 20)).batches)).toEqual([...expectedBases(0, 150), 150n]);
    await log.close();
  });

  it("recovery truncates a torn tail and garbage after the last whole batch", async () => {
    let log = await PartitionLog.open(dir, config, logger);
    await fill(log, 3);
    await log.close();
    const path = join(dir, segmentFileName(0n, ".log"));
    const size = (await stat(path)).size;
    await truncate(path, size - 100); // cut the last batch mid-way
    log = await PartitionLog.open(dir, config, logger);
    expect(log.logEndOffset).toBe(10n);
    expect(log.stats.truncatedBytes).toBeGreaterThan(0);
    expect(lines.some((l) => l.includes("truncating") && l.includes("position="))).toBe(true);
    await log.append(makeBatch({ records: 5 }));
    await log.close();
    const handle = await open(path, "a");
    await handle.write(Buffer.alloc(300, 0x5a));
    await handle.close();
    log = await PartitionLog.open(dir, config, logger);
    expect(log.logEndOffset).toBe(15n);
    expect(offsetsOf((await log.read(0n, 1 << 20)).batches)).toEqual([0n, 5n, 10n]);
    expect((await stat(path)).size).toBe(size);
    await log.close();
  });

  it("never serves a batch with a flipped byte in an old segment; later batches stay readable", async () => {
    const log = await PartitionLog.open(dir, config, logger);
    await fill(log, 40);
    const first = (await log.read(0n, 1 << 20)).batches;
    const victimOffset = 10n; // third batch of segment 0
    const victimPosition = first[0]!.length * 2;
    const handle = await open(join(dir, segmentFileName(0n, ".log")), "r+");
    await handle.write(Buffer.from([0xee]), 0, 1, victimPosition + 300);
    await handle.close();
    const all = (await log.read(0n, 1 << 20)).batches;
    expect(offsetsOf(all)).toEqual(expectedBases(0, 200).filter((o) => o !== victimOffset));
    expect(offsetsOf((await log.read(12n, 1)).batches)).toEqual([15n]);
    expect(log.stats.corruptBatches).toBe(1);
    expect(lines.some((l) => l.includes("corrupt batch") && l.includes(`position=${victimPosition}`))).toBe(
      true,
    );
    await log.close();
    const reopened = await PartitionLog.open(dir, config, logger);
    expect(offsetsOf((await reopened.read(0n, 1 << 20)).batches)).not.toContain(victimOffset);
    expect(reopened.logEndOffset).toBe(200n);
    await reopened.close();
  });

  it("recovery keeps the good batches after a flipped byte in the active segment and withholds the bad one", async () => {
    let log = await PartitionLog.open(dir, config, logger);
    await fill(log, 4); // one segment: batches at offsets 0, 5, 10, 15
    const batchBytes = (await log.read(0n, 1)).batches[0]!.length;
    await log.close();
    const handle = await open(join(dir, segmentFileName(0n, ".log")), "r+");
    await handle.write(Buffer.from([0xee]), 0, 1, batchBytes + 300); // inside the second batch's records
    await handle.close();
    log = await PartitionLog.open(dir, config, logger);
    expect(log.stats.truncatedBytes).toBe(0);
    expect(log.logEndOffset).toBe(20n);
    expect(offsetsOf((await log.read(0n, 1 << 20)).batches)).toEqual([0n, 10n, 15n]);
    expect(offsetsOf((await log.read(10n, 1 << 20)).batches)).toEqual([10n, 15n]);
    expect(lines.some((l) => l.includes("corrupt batch") && l.includes(`position=${batchBytes}`))).toBe(true);
    await log.append(makeBatch({ records: 5 }));
    expect(log.logEndOffset).toBe(25n);
    await log.close();
  });

  it("rebuilds missing and corrupt index files", async () => {
    let log = await PartitionLog.open(dir, config, logger);
    await fill(log, 40);
    await log.close();
    await unlink(join(dir, segmentFileName(0n, ".index")));
    const names = (await readdir(dir)).filter((n) => n.endsWith(".timeindex")).sort();
    await writeFile(join(dir, names[1]!), Buffer.from("not an index at all, just junk bytes"));
    log = await PartitionLog.open(dir, config, logger);
    expect(lines.filter((l) => l.includes("rebuilding segment indexes")).length).toBe(2);
    expect(offsetsOf((await log.read(0n, 1 << 20)).batches)).toEqual(expectedBases(0, 200));
    expect((await log.findOffsetForTimestamp(1_020_001n, headerRefine))?.offset).toBe(100n);
    await log.close();
    lines.length = 0;
    log = await PartitionLog.open(dir, config, logger);
    expect(lines.some((l) => l.includes("rebuilding"))).toBe(false);
    await log.close();
  });

  it("retention by time deletes old segments, rolling the active one when it expired too", async () => {
    const log = await PartitionLog.open(dir, { ...config, retentionMs: 60_000 }, logger);
    await fill(log, 20, 1_000_000); // old
    const oldSegments = log.segmentCount;
    expect((await log.applyRetention(1_000_000 + 20_000)).deletedSegments).toBe(0);
    await fill(log, 20, 10_000_000); // new
    const { deletedSegments } = await log.applyRetention(10_000_000);
    expect(deletedSegments).toBeGreaterThanOrEqual(oldSegments - 1);
    expect(log.logStartOffset).toBeGreaterThan(0n);
    await expect(log.read(0n, 100)).rejects.toBeInstanceOf(LogError);
    const everything = await log.applyRetention(100_000_000);
    expect(everything.deletedSegments).toBeGreaterThan(0);
    expect(log.segmentCount).toBe(1);
    expect(log.logStartOffset).toBe(200n);
    expect(log.sizeBytes).toBe(0);
    expect((await log.append(makeBatch({ records: 1 }))).baseOffset).toBe(200n);
    await log.close();
  });

  it("retention by size keeps the partition under retention.bytes with whole segments", async () => {
    const log = await PartitionLog.open(
      dir,
      { ...config, retentionMs: -1, retentionBytes: 20 * 1024 },
      logger,
    );
    await fill(log, 100);
    const before = log.sizeBytes;
    expect(before).toBeGreaterThan(50 * 1024);
    const { deletedSegments } = await log.applyRetention(Date.now());
    expect(deletedSegments).toBeGreaterThan(0);
    // Kafka's rule: delete the oldest segment only while what remains is still >= retention.bytes
    expect(log.sizeBytes).toBeGreaterThanOrEqual(20 * 1024);
    expect(log.sizeBytes).toBeLessThan(20 * 1024 + config.segmentBytes);
    const first = (await log.read(log.logStartOffset, 1)).batches[0]!;
    expect(readBatchHeader(first)!.baseOffset).toBe(log.logStartOffset);
    await log.close();
  });

  it("deleteRecordsBefore advances the start offset durably and deletes whole segments below it", async () => {
    let log = await PartitionLog.open(dir, config, logger);
    await fill(log, 40);
    const segments = log.segmentCount;
    expect(await log.deleteRecordsBefore(123n)).toBe(123n);
    expect(log.segmentCount).toBeLessThan(segments);
    await expect(log.read(100n, 100)).rejects.toMatchObject({ code: "OFFSET_OUT_OF_RANGE" });
    expect(offsetsOf((await log.read(123n, 1)).batches)).toEqual([120n]);
    await expect(log.deleteRecordsBefore(500n)).rejects.toMatchObject({ code: "OFFSET_OUT_OF_RANGE" });
    await log.close();
    log = await PartitionLog.open(dir, config, logger);
    expect(log.logStartOffset).toBe(123n);
    expect(await log.deleteRecordsBefore(50n)).toBe(123n);
    await log.close();
  });

  it("group commit: many concurrent acks=all producers share few fdatasyncs", async () => {
    const log = await PartitionLog.open(dir, { ...config, segmentBytes: 1 << 30 }, logger);
    const producers = Array.from({ length: 200 }, async () => {
      await log.append(makeBatch({ records: 2 }));
      await log.flush();
    });
    await Promise.all(producers);
    expect(log.logEndOffset).toBe(400n);
    expect(log.stats.fdatasyncs).toBeGreaterThan(0);
    expect(log.stats.fdatasyncs).toBeLessThan(20);
    const before = log.stats.fdatasyncs;
    await log.flush(); // nothing new written: no fdatasync needed
    expect(log.stats.fdatasyncs).toBe(before);
    await log.close();
  });

  it("flush covers appends whose writes are still queued", async () => {
    const log = await PartitionLog.open(dir, config, logger);
    const appends = Array.from({ length: 50 }, () => log.append(makeBatch({ records: 1 })));
    await log.flush();
    expect(log.logEndOffset).toBe(50n);
    await Promise.all(appends);
    await log.close();
  });

  it("waitForData wakes on append and on abort, and is bounded", async () => {
    const log = await PartitionLog.open(dir, config, logger);
    let woke = false;
    const waiting = log.waitForData(0n, new AbortController().signal).then(() => {
      woke = true;
    });
    await new Promise((r) => setTimeout(r, 5));
    expect(woke).toBe(false);
    await log.append(makeBatch({ records: 1 }));
    await waiting;
    expect(woke).toBe(true);
    const controller = new AbortController();
    const aborted = log.waitForData(5n, controller.signal);
    controller.abort();
    await expect(aborted).resolves.toBeUndefined();
    await log.close();
    await expect(log.append(makeBatch({ records: 1 }))).rejects.toMatchObject({ code: "CLOSED" });
  });

  it("readers racing appends across rolls see contiguous offsets and report no corruption", async () => {
    const log = await PartitionLog.open(dir, { ...config, segmentBytes: 4096 }, logger);
    const writer = (async () => {
      for (let i = 0; i < 200; i++) void log.append(makeBatch({ records: 5 }));
      await log.flush();
    })();
    let next = 0n;
    while (next < 1000n) {
      if (next === log.logEndOffset) {
        await log.waitForData(next, AbortSignal.timeout(1000));
        continue;
      }
      const { batches } = await log.read(next, 3000);
      for (const batch of batches) {
        expect(readBatchHeader(batch)!.baseOffset).toBe(next);
        next += 5n;
      }
    }
    await writer;
    expect(log.stats.corruptBatches).toBe(0);
    await log.close();
  });

  it("rolls a segment once it is older than segment.ms", async () => {
    const log = await PartitionLog.open(dir, { ...config, segmentBytes: 1 << 30, segmentMs: 20 }, logger);
    await fill(log, 2);
    expect(log.segmentCount).toBe(1);
    await new Promise((r) => setTimeout(r, 30));
    await fill(log, 1);
    expect(log.segmentCount).toBe(2);
    expect(offsetsOf((await log.read(0n, 1 << 20)).batches)).toEqual([0n, 5n, 10n]);
    await log.close();
  });

  it("delete removes the directory", async () => {
    const log = await PartitionLog.open(join(dir, "p"), config, logger);
    await fill(log, 3);
    await log.delete();
    await expect(stat(join(dir, "p"))).rejects.toThrow();
  });
});
