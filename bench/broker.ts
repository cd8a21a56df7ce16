// Broker benchmark with real librdkafka clients: produce (1 and 8 partitions, acks=1 and all), consume,
// latency at ~20 % of peak, and the disk's raw fsync bandwidth measured in the same run as a baseline.
// Prints human-readable lines, then one JSON object as the last line. It never fails on speed.

import { spawn } from "node:child_process";
import { closeSync, fdatasyncSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BrokerProcess, sluiceBin } from "../test/helpers/broker-process.js";
import { pyClient, runOk } from "../test/helpers/run.js";

const recordBytes = 100;
const recordsPerRun = Number(process.env.BENCH_RECORDS ?? 1_000_000);
const runsPerCase = Number(process.env.BENCH_RUNS ?? 3);
/** The Python latency driver cannot pace much faster than this; the rate used is printed. */
const latencyRatePerSecMax = 20_000;
const latencySeconds = 5;
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

/** Sequential 1 MiB appends, each followed by fdatasync: what a durable log can hope for on this disk. */
function diskFsyncMbps(dir: string): number {
  const file = join(dir, "fsync-probe.bin");
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
    rmSync(file, { force: true });
  }
  return mb(written, (performance.now() - start) / 1000);
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

    const fsync = median([0, 1, 2].map(() => diskFsyncMbps(broker.dataDir)));
    result.disk_fsync_mbps = fsync;
    console.log(`disk: sequential append with fdatasync per 1 MiB: ${fsync.toFixed(1)} MB/s`);

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
    // "Durable" = acks=all into one partition: each acknowledgement waits for the broker's durability policy.
    const durable = mb(payloadBytes, recordsPerRun / (result.produce_rps_p1_acksall as number));
    result.durable_mbps = durable;
    result.durable_to_fsync_ratio = durable / fsync;
    console.log(
      `durable (acks=all, 1 partition): ${durable.toFixed(1)} MB/s = ${(durable / fsync).toFixed(2)} x raw fsync bandwidth`,
    );

    for (const partitions of [1, 8]) {
      const rates: number[] = [];
      for (const topic of (topicsFor.get(partitions) ?? []).slice(0, runsPerCase)) {
        const args = ["-C", "-q", "-b", broker.bootstrap, "-t", topic, "-o", "beginning", "-e", "-f", "."];
        const { seconds, stdoutBytes } = await timed("kcat", args);
        if (stdoutBytes < recordsPerRun)
          console.log(
            `  warning: consumed ${fmt(stdoutBytes)} of ${fmt(recordsPerRun)} records from ${topic}`,
          );
        rates.push(stdoutBytes / seconds);
      }
      result[`consume_rps_p${partitions}`] = median(rates);
      console.log(`consume ${partitions} partition(s) (kcat -C -e): ${fmt(median(rates))} records/s`);
    }
    result.consume_rps = Math.max(result.consume_rps_p1 as number, result.consume_rps_p8 as number);

    const rate = Math.min(latencyRatePerSecMax, Math.round(0.2 * (result.produce_rps_p1_acks1 as number)));
    for (const acks of ["1", "all"]) {
      const samples: { p50_ms: number; p99_ms: number; rate: number }[] = [];
      for (let i = 0; i < runsPerCase; i++) {
        const topic = `bench-latency-acks${acks}-${i}`;
        await createTopic(broker, topic, 1);
        samples.push(
          await pyClient("ck-latency", {
            bootstrap: broker.bootstrap,
            topic,
            rate,
            seconds: latencySeconds,
            acks,
          }),
        );
      }
      const p50 = median(samples.map((s) => s.p50_ms));
      const p99 = median(samples.map((s) => s.p99_ms));
      result[`p50_ms_acks${acks}`] = p50;
      result[`p99_ms_acks${acks}`] = p99;
      console.log(
        `latency at ${fmt(median(samples.map((s) => s.rate)))} records/s, acks=${acks} (confluent-kafka, linger.ms=0): p50 ${p50.toFixed(2)} ms, p99 ${p99.toFixed(2)} ms`,
      );
    }
    result.latency_rate_rps = rate;
    result.p50_ms = result.p50_ms_acksall as number;
    result.p99_ms = result.p99_ms_acksall as number;
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
