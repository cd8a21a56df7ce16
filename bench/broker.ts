// Broker benchmark with real librdkafka clients: produce with kcat (1 and 8 partitions, acks=1 and all),
// durable bandwidth with large records, consume and latency at 20 % of peak with a small C client
// (bench/rdkafka-bench.c, built here against librdkafka-dev), and the disk's raw fsync bandwidth and fsync
// latency measured in the same run as baselines.
// Prints human-readable lines, then one JSON object as the last line. It never fails on speed.

import { execFileSync, spawn } from "node:child_process";
import { closeSync, fdatasyncSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BrokerProcess, repoRoot, sluiceBin } from "../test/helpers/broker-process.js";
import { runOk } from "../test/helpers/run.js";
import { measureGroupTimings } from "./groups.js";

const recordBytes = 100;
const recordsPerRun = Number(process.env.BENCH_RECORDS ?? 1_000_000);
const runsPerCase = Number(process.env.BENCH_RUNS ?? 3);
const latencySeconds = 5;
/** Durable bandwidth is measured with large records so that bytes, not per-record work, are the load. */
const durableRecordBytes = 16 * 1024;
const durableBytesPerRun = 512 * 1024 * 1024;
const fsyncChunkBytes = 1024 * 1024;
const fsyncProbeBytes = 256 * 1024 * 1024;
const fsyncProbeMsMax = 4_000;

/** librdkafka settings that let one kcat push large batches. */
const producerTuning = [
  "-X",
  "linger.ms=5",
  "-X",
  "batch.size=1000000",
  "-X",
  "queue.buffering.max.messages=2000000",
  "-X",
  "queue.buffering.max.kbytes=2097152",
];

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const mb = (bytes: number, seconds: number) => bytes / 1e6 / seconds;
const fmt = (n: number) => Math.round(n).toLocaleString("en-US");

/** Runs a command; resolves with elapsed seconds and the number of stdout bytes (it throws on failure). */
function timed(command: string, args: string[]): Promise<{ seconds: number; stdoutBytes: number }> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
    let stdoutBytes = 0;
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => {
      stdoutBytes += c.length;
    });
    child.stderr.setEncoding("utf8").on("data", (c: string) => {
      stderr = (stderr + c).slice(-5000);
    });
    child.on("close", (code) => {
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      if (code === 0) resolve({ seconds, stdoutBytes });
      else reject(new Error(`${command} ${args.join(" ")} exited ${code}:\n${stderr}`));
    });
  });
}

/**
 * Sequential 1 MiB appends, each followed by fdatasync: what a durable log can hope for on this disk. The
 * probe files are kept until the run ends, like a log's segments: on a VM whose host backs guest memory
 * lazily, writing into page cache freed a moment ago is several times faster than into memory not touched
 * recently, so a probe that deleted its file would measure the fast case the broker never gets.
 */
function diskFsyncMbps(dir: string, run: number): number {
  const file = join(dir, `fsync-probe-${run}.bin`);
  const chunk = Buffer.alloc(fsyncChunkBytes, 0x5a);
  const fd = openSync(file, "w");
  const start = performance.now();
  let written = 0;
  try {
    while (written < fsyncProbeBytes && performance.now() - start < fsyncProbeMsMax) {
      writeSync(fd, chunk);
      fdatasyncSync(fd);
      written += chunk.length;
    }
  } finally {
    closeSync(fd);
  }
  return mb(written, (performance.now() - start) / 1000);
}

/** Writes `count` copies of `line` without building the whole file in memory. */
function writeLines(file: string, line: string, count: number): void {
  const block = Buffer.from(line.repeat(64));
  const fd = openSync(file, "w");
  try {
    for (let left = count; left > 0; left -= 64)
      writeSync(fd, block, 0, (Math.min(left, 64) * block.length) / 64);
  } finally {
    closeSync(fd);
  }
}

/** fdatasync latency after a small append: the floor under any acks=all latency on this disk. */
function diskFsyncLatencyMs(dir: string): { p50: number; p99: number } {
  const file = join(dir, "fsync-latency.bin");
  const chunk = Buffer.alloc(4096, 0x5a);
  const fd = openSync(file, "w");
  const samples: number[] = [];
  try {
    for (let i = 0; i < 500; i++) {
      writeSync(fd, chunk);
      const start = performance.now();
      fdatasyncSync(fd);
      samples.push(performance.now() - start);
    }
  } finally {
    closeSync(fd);
    rmSync(file, { force: true });
  }
  samples.sort((a, b) => a - b);
  return { p50: samples[250]!, p99: samples[495]! };
}

/** Compiles the C client; it needs a C compiler and librdkafka-dev (installed by .ci/run). */
function buildRdkafkaBench(workDir: string): string {
  const out = join(workDir, "rdkafka-bench");
  execFileSync("cc", ["-O2", "-o", out, join(repoRoot, "bench", "rdkafka-bench.c"), "-lrdkafka"]);
  return out;
}

async function runJson<T>(command: string, args: string[]): Promise<T> {
  const text = await runOk(command, args, { timeoutMs: 180_000 });
  return JSON.parse(String(text).trim().split("\n").pop()!) as T;
}

async function createTopic(broker: BrokerProcess, topic: string, partitions: number): Promise<void> {
  await runOk(process.execPath, [
    sluiceBin,
    "topic",
    "create",
    topic,
    "-p",
    String(partitions),
    "-b",
    broker.bootstrap,
  ]);
}

function kcatProduceArgs(bootstrap: string, topic: string, partitions: number, acks: string, file: string) {
  const partitionArgs = partitions === 1 ? ["-p", "0"] : ["-p", "-1"];
  return [
    "-P",
    "-q",
    "-b",
    bootstrap,
    "-t",
    topic,
    ...partitionArgs,
    "-l",
    file,
    "-X",
    `acks=${acks}`,
    ...producerTuning,
  ];
}

interface ProduceCase {
  partitions: number;
  acks: "1" | "all";
}

async function main(): Promise<void> {
  const workDir = mkdtempSync(join(tmpdir(), "sluice-bench-"));
  const recordsFile = join(workDir, "records.txt");
  writeFileSync(recordsFile, `${"r".repeat(recordBytes)}\n`.repeat(recordsPerRun));
  const broker = await BrokerProcess.start({ dataDir: join(workDir, "data") });
  const payloadBytes = recordsPerRun * recordBytes;
  const result: Record<string, number | string | null> = {
    records_per_run: recordsPerRun,
    runs: runsPerCase,
  };
  try {
    console.log(
      `sluice broker benchmark: ${fmt(recordsPerRun)} records of ${recordBytes} B per run, ${runsPerCase} runs, medians`,
    );

    const fsync = median([0, 1, 2].map((run) => diskFsyncMbps(broker.dataDir, run)));
    result.disk_fsync_mbps = fsync;
    console.log(
      `disk: sequential append with fdatasync per 1 MiB (files kept, like a log): ${fsync.toFixed(1)} MB/s`,
    );

    const alone: number[] = [];
    for (let i = 0; i < runsPerCase; i++) {
      const args = kcatProduceArgs("localhost:1", "alone", 1, "all", recordsFile);
      alone.push(recordsPerRun / (await timed("kcat", [...args, "-X", "test.mock.num.brokers=1"])).seconds);
    }
    result.kcat_alone_rps = median(alone);
    console.log(`kcat alone (librdkafka in-process mock broker): ${fmt(median(alone))} records/s`);

    const cases: ProduceCase[] = [
      { partitions: 1, acks: "1" },
      { partitions: 1, acks: "all" },
      { partitions: 8, acks: "1" },
      { partitions: 8, acks: "all" },
    ];
    const topicsFor = new Map<number, string[]>();
    for (const c of cases) {
      const rates: number[] = [];
      for (let i = 0; i < runsPerCase; i++) {
        const topic = `bench-p${c.partitions}-acks${c.acks}-${i}`;
        await createTopic(broker, topic, c.partitions);
        const { seconds } = await timed(
          "kcat",
          kcatProduceArgs(broker.bootstrap, topic, c.partitions, c.acks, recordsFile),
        );
        rates.push(recordsPerRun / seconds);
        topicsFor.set(c.partitions, [...(topicsFor.get(c.partitions) ?? []), topic]);
      }
      const rps = median(rates);
      result[`produce_rps_p${c.partitions}_acks${c.acks}`] = rps;
      console.log(
        `produce ${c.partitions} partition(s), acks=${c.acks}: ${fmt(rps)} records/s, ${mb(payloadBytes, recordsPerRun / rps).toFixed(1)} MB/s of values`,
      );
    }
    result.produce_rps = Math.max(
      ...cases.map((c) => result[`produce_rps_p${c.partitions}_acks${c.acks}`] as number),
    );
    // Durable bandwidth: acks=all into one partition with 16 KiB records, so bytes, not records, are the load.
    const durableCount = Math.floor(durableBytesPerRun / durableRecordBytes);
    const durableFile = join(workDir, "durable.txt");
    writeLines(durableFile, `${"d".repeat(durableRecordBytes - 1)}\n`, durableCount);
    const durableRates: number[] = [];
    for (let i = 0; i < runsPerCase; i++) {
      const topic = `bench-durable-${i}`;
      await createTopic(broker, topic, 1);
      const { seconds } = await timed(
        "kcat",
        kcatProduceArgs(broker.bootstrap, topic, 1, "all", durableFile),
      );
      durableRates.push(mb(durableCount * durableRecordBytes, seconds));
    }
    const durable = median(durableRates);
    result.durable_mbps = durable;
    result.durable_to_fsync_ratio = durable / fsync;
    console.log(
      `durable (acks=all, 1 partition, ${durableRecordBytes / 1024} KiB records): ${durable.toFixed(1)} MB/s = ${(durable / fsync).toFixed(2)} x raw fsync bandwidth`,
    );

    const rdkafkaBench = buildRdkafkaBench(workDir);
    for (const partitions of [1, 8]) {
      const rates: number[] = [];
      for (const topic of (topicsFor.get(partitions) ?? []).slice(0, runsPerCase)) {
        const r = await runJson<{ records: number; seconds: number }>(rdkafkaBench, [
          "consume",
          broker.bootstrap,
          topic,
          String(partitions),
          String(recordsPerRun),
        ]);
        rates.push(r.records / r.seconds);
      }
      result[`consume_rps_p${partitions}`] = median(rates);
      console.log(
        `consume ${partitions} partition(s) (librdkafka batch API): ${fmt(median(rates))} records/s`,
      );
    }
    result.consume_rps = Math.max(result.consume_rps_p1 as number, result.consume_rps_p8 as number);

    const fsyncLatency = diskFsyncLatencyMs(broker.dataDir);
    result.disk_fsync_p50_ms = fsyncLatency.p50;
    result.disk_fsync_p99_ms = fsyncLatency.p99;
    console.log(
      `disk: fdatasync after a 4 KiB append: p50 ${fsyncLatency.p50.toFixed(2)} ms, p99 ${fsyncLatency.p99.toFixed(2)} ms`,
    );
    const rate = Math.round(0.2 * (result.produce_rps_p1_acks1 as number));
    for (const acks of ["1", "all"]) {
      const samples: { p50_ms: number; p99_ms: number; rate: number; failed: number }[] = [];
      for (let i = 0; i < runsPerCase; i++) {
        const topic = `bench-latency-acks${acks}-${i}`;
        await createTopic(broker, topic, 1);
        const args = ["latency", broker.bootstrap, topic, String(rate), String(latencySeconds), acks];
        samples.push(await runJson(rdkafkaBench, args));
      }
      const failed = samples.reduce((n, s) => n + s.failed, 0);
      if (failed > 0) console.log(`  warning: ${failed} records were not delivered (acks=${acks})`);
      const mock = await runJson<{ p50_ms: number; p99_ms: number }>(rdkafkaBench, [
        "latency",
        "mock",
        "bench-latency-mock",
        String(rate),
        String(latencySeconds),
        acks,
      ]);
      result[`mock_p99_ms_acks${acks}`] = mock.p99_ms;
      console.log(
        `  baseline: the same client against librdkafka's in-process mock broker: p50 ${mock.p50_ms.toFixed(2)} ms, p99 ${mock.p99_ms.toFixed(2)} ms`,
      );
      const p50 = median(samples.map((s) => s.p50_ms));
      const p99 = median(samples.map((s) => s.p99_ms));
      result[`p50_ms_acks${acks}`] = p50;
      result[`p99_ms_acks${acks}`] = p99;
      console.log(
        `latency at ${fmt(median(samples.map((s) => s.rate)))} records/s (20 % of peak), acks=${acks}, linger.ms=0: p50 ${p50.toFixed(2)} ms, p99 ${p99.toFixed(2)} ms`,
      );
    }
    result.latency_rate_rps = rate;
    result.p50_ms = result.p50_ms_acks1 as number;
    result.p99_ms = result.p99_ms_acks1 as number;
    Object.assign(result, await measureGroupTimings());
    console.log(
      `groups: JoinGroup to first fetched record ${result.group_join_to_first_record_ms} ms; rebalance after 1 of 3 members leaves ${result.group_leave_rebalance_ms} ms (kafkajs, medians)`,
    );
  } finally {
    await broker.stop();
    rmSync(workDir, { recursive: true, force: true });
  }
  const rounded = Object.fromEntries(
    Object.entries(result).map(([k, v]) => [k, typeof v === "number" ? Math.round(v * 100) / 100 : v]),
  );
  console.log(JSON.stringify(rounded));
}

main().catch((err) => {
  console.error(`bench/broker: ${err instanceof Error ? err.stack : String(err)}`);
  process.exitCode = 1;
});
