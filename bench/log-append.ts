// Benchmark of the partition log's append path: ~1 MB batches of 100-byte records, with and without a flush
// per batch, beside raw write + fdatasync per 1 MiB measured in the same run. `npx tsx bench/log-append.ts [MiB]`

import { mkdtemp, open, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { silentLogger } from "../src/common/logger.js";
import { defaultLogConfig } from "../src/log/config.js";
import { PartitionLog } from "../src/log/partition-log.js";
import { makeBatch } from "../src/log/testing.js";

const totalMiB = Number(process.argv[2] ?? 256);
const recordsPerBatch = 9_500; // ~1 MB with 100-byte values
const template = makeBatch({ records: recordsPerBatch, valueBytes: 100 });
const batchesPerRun = Math.ceil((totalMiB * 1024 * 1024) / template.length);
const mib = 1024 * 1024;

interface Result {
  name: string;
  bytes: number;
  records: number;
  seconds: number;
}

function report(r: Result): number {
  const mbps = r.bytes / mib / r.seconds;
  const rps = r.records / r.seconds;
  console.log(
    `${r.name.padEnd(44)} ${mbps.toFixed(0).padStart(6)} MiB/s ${(rps / 1e6).toFixed(2).padStart(6)} M records/s`,
  );
  return mbps;
}

async function withDir<T>(work: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), "sluice-bench-"));
  try {
    return await work(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function timed(name: string, batches: number, work: () => Promise<void>): Promise<Result> {
  const start = process.hrtime.bigint();
  await work();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return { name, bytes: batches * template.length, records: batches * recordsPerBatch, seconds };
}

/** A few distinct buffers: append rewrites baseOffset in place, so in-flight batches must not share one. */
const pool = Array.from({ length: 16 }, () => Buffer.from(template));

async function logRun(name: string, producers: number, flushEach: boolean): Promise<Result> {
  return withDir(async (dir) => {
    const log = await PartitionLog.open(dir, defaultLogConfig, silentLogger);
    const perProducer = Math.ceil(batchesPerRun / producers);
    const result = await timed(name, perProducer * producers, async () => {
      await Promise.all(
        Array.from({ length: producers }, async (_, p) => {
          for (let i = 0; i < perProducer; i++) {
            await log.append(pool[p % pool.length]!);
            if (flushEach) await log.flush();
          }
        }),
      );
      await log.flush();
    });
    if (flushEach)
      console.log(`  (${log.stats.fdatasyncs} fdatasyncs for ${perProducer * producers} batches)`);
    await log.close();
    return result;
  });
}

async function rawRun(): Promise<Result> {
  return withDir(async (dir) => {
    const handle = await open(join(dir, "raw"), "w");
    const chunk = Buffer.alloc(mib, 1);
    const chunks = totalMiB;
    const result = await timed("raw write + fdatasync per 1 MiB", 0, async () => {
      for (let i = 0; i < chunks; i++) {
        await handle.write(chunk, 0, mib, i * mib);
        await handle.datasync();
      }
    });
    await handle.close();
    return { ...result, bytes: chunks * mib, records: (chunks * mib) / (template.length / recordsPerBatch) };
  });
}

async function readRun(): Promise<Result> {
  return withDir(async (dir) => {
    const log = await PartitionLog.open(dir, defaultLogConfig, silentLogger);
    for (let i = 0; i < batchesPerRun; i++) await log.append(pool[i % pool.length]!);
    const result = await timed("read back (pread + CRC32C), 1 MiB fetches", batchesPerRun, async () => {
      let offset = 0n;
      while (offset < log.logEndOffset) {
        const { batches } = await log.read(offset, mib);
        const last = batches[batches.length - 1]!;
        offset = last.readBigInt64BE(0) + BigInt(last.readInt32BE(23)) + 1n;
      }
    });
    await log.close();
    return result;
  });
}

console.log(`batch ${template.length} bytes, ${recordsPerBatch} records; ${batchesPerRun} batches per run`);
// Raw bandwidth is measured first and last (the disk warms up and other work shares it); the better counts.
const rawFirst = report(await rawRun());
report(await logRun("append, no flush (acks=1), 1 producer", 1, false));
report(await logRun("append, no flush (acks=1), 4 producers", 4, false));
const flushed1 = report(await logRun("append + flush each (acks=all), 1 producer", 1, true));
const flushed4 = report(await logRun("append + flush each (acks=all), 4 producers", 4, true));
report(await readRun());
const raw = Math.max(rawFirst, report(await rawRun()));
console.log(
  `acks=all / raw fdatasync bandwidth: ${(flushed1 / raw).toFixed(2)} (1 producer), ${(flushed4 / raw).toFixed(2)} (4 producers)`,
);
