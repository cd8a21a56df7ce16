// Pipeline benchmark: generator → null events/s; tcp json_lines → file events/s and MiB/s; tcp plain lines → file
// lines/s beside Debian's rsyslog (imtcp → omfile with a private config) fed the same bytes in the same run; time
// from start to "pipeline started"; peak RSS; persisted-queue throughput as a ratio of the memory queue's (in process);
// kafka → json → kafka through a Sluice broker beside kafkajs's raw produce and consume rates against it;
// tcp Apache combined lines → grok %{COMBINEDAPACHELOG} + date → json_lines file (MiB/s and events/s); generator →
// ruby { event.set } → null events/s.
// Prints human-readable lines, then one JSON object as the last line.
// It never fails on speed.

import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import kafkajs from "kafkajs";
import { createLogger } from "../src/common/logger.js";
import { buildPlan } from "../src/pipeline/config/index.js";
import { defaultRegistry } from "../src/pipeline/plugins/index.js";
import { createPipeline } from "../src/pipeline/runtime/index.js";
import { BrokerProcess, repoRoot, sluiceBin } from "../test/helpers/broker-process.js";
import { runOk } from "../test/helpers/run.js";

const { Kafka, logLevel } = kafkajs;

const runs = Number(process.env.BENCH_RUNS ?? 3);
const lineCount = Number(process.env.BENCH_LINES ?? 1_000_000);
const generatorCount = Number(process.env.BENCH_GENERATOR_EVENTS ?? 2_000_000);
/** Extra `sluice run` flags, e.g. "-w 1 -b 1000", for exploring settings. */
const extraFlags = (process.env.BENCH_SLUICE_FLAGS ?? "").split(" ").filter((f) => f !== "");
/** Extra node flags for the `sluice run` child, e.g. "--max-semi-space-size=64", for exploring V8 settings. */
const nodeFlags = (process.env.BENCH_NODE_FLAGS ?? "").split(" ").filter((f) => f !== "");
/** Only the named cases (comma list of generator,passthrough,json,queue,kafka,grok,ruby); all by default. */
const only = new Set(
  (process.env.BENCH_ONLY ?? "generator,passthrough,json,queue,kafka,grok,ruby").split(","),
);
const grokLineCount = Number(process.env.BENCH_GROK_LINES ?? lineCount);
const rubyEvents = Number(process.env.BENCH_RUBY_EVENTS ?? 200_000);
const queueEvents = Number(process.env.BENCH_QUEUE_EVENTS ?? 500_000);
const kafkaEvents = Number(process.env.BENCH_KAFKA_EVENTS ?? 300_000);
/** Records per kafkajs send, and sends in flight at once, for the raw produce baseline. */
const kafkaSendRecords = 5_000;
const kafkaSendsInFlight = 4;
const kafkaPollMs = 10;
const readyTimeoutMs = 20_000;
const drainTimeoutMs = 300_000;
/** Quiet time after which an output file is taken as complete. */
const settleMs = 500;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A port nobody listens on right now. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address !== null ? address.port : 0));
    });
  });
}

/** Syslog-looking lines of about 120 bytes, all different, the same for every receiver. */
function makeLines(count: number): Buffer {
  const parts: string[] = [];
  for (let i = 0; i < count; i++) {
    parts.push(
      `<134>Nov 25 13:00:00 web-${i % 17} nginx[${1000 + (i % 97)}]: 10.0.${i % 255}.${i % 253} GET /api/items/${i} 200 ${i % 5000} "curl/8.1"\n`,
    );
  }
  return Buffer.from(parts.join(""));
}

const agents = [
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
  "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0",
  "curl/7.88.1",
];
const methods = ["GET", "GET", "POST", "HEAD"];
const statuses = ["200", "200", "304", "404", "500"];

/** Apache combined-log lines of about 190 bytes, all different (the same generator as bench/grok.ts). */
function makeApacheLines(count: number): Buffer {
  const parts: string[] = [];
  for (let i = 0; i < count; i++) {
    const ip = `${10 + (i % 200)}.${(i >> 3) % 256}.${(i >> 7) % 256}.${i % 251}`;
    const user = i % 17 === 0 ? "frank" : "-";
    const time = `${String(i % 24).padStart(2, "0")}:${String(i % 60).padStart(2, "0")}:${String((i >> 6) % 60).padStart(2, "0")}`;
    const bytes = i % 9 === 0 ? "-" : String((i * 37) % 50_000);
    const referrer = i % 3 === 0 ? "-" : `https://www.example.com/page/${i % 100}`;
    parts.push(
      `${ip} - ${user} [10/Oct/2023:${time} -0700] "${methods[i % methods.length]} /items/${i}?q=${i % 13} HTTP/1.1" ${statuses[i % statuses.length]} ${bytes} "${referrer}" "${agents[i % agents.length]}"\n`,
    );
  }
  return Buffer.from(parts.join(""));
}

function makeJsonLines(count: number): Buffer {
  const parts: string[] = [];
  for (let i = 0; i < count; i++) {
    parts.push(
      `${JSON.stringify({ message: `request ${i} served`, host: `web-${i % 17}`, status: 200, bytes: i % 5000, path: `/api/items/${i}` })}\n`,
    );
  }
  return Buffer.from(parts.join(""));
}

/** Writes `data` to host:port in 1 MiB chunks, honouring back-pressure, then closes the connection. */
async function send(port: number, data: Buffer): Promise<void> {
  const socket = connect(port, "127.0.0.1");
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("error", reject);
  });
  const chunkBytes = 1024 * 1024;
  for (let offset = 0; offset < data.length; offset += chunkBytes) {
    if (!socket.write(data.subarray(offset, offset + chunkBytes))) {
      await new Promise((r) => socket.once("drain", r));
    }
  }
  await new Promise<void>((resolve) => socket.end(resolve));
}

/**
 * Waits until `file` holds `lines` lines and returns when its last byte arrived (performance.now() time): the size
 * is polled, and once it has not changed for a moment the newlines are counted.
 */
async function waitForLines(file: string, lines: number, child: ChildProcess): Promise<number> {
  const deadline = Date.now() + drainTimeoutMs;
  let size = -1;
  let changedAt = performance.now();
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`receiver exited early with ${child.exitCode}`);
    let now = 0;
    try {
      now = statSync(file).size;
    } catch {}
    if (now !== size) {
      size = now;
      changedAt = performance.now();
    } else if (size > 0 && performance.now() - changedAt > settleMs && countLines(file) >= lines) {
      return changedAt;
    }
    await sleep(5);
  }
  throw new Error(`${file} did not reach ${lines} lines in ${drainTimeoutMs} ms`);
}

function countLines(file: string): number {
  const data = readFileSync(file);
  let count = 0;
  for (let i = data.indexOf(10); i >= 0; i = data.indexOf(10, i + 1)) count++;
  return count;
}

interface Started {
  child: ChildProcess;
  startupMs: number;
}

/** Starts `sluice run -e CONFIG` and resolves once it logs that the pipeline started. */
async function startSluice(config: string, dataDir: string): Promise<Started> {
  const start = performance.now();
  const child = spawn(
    process.execPath,
    [...nodeFlags, sluiceBin, "run", "--path.data", dataDir, ...extraFlags, "-e", config],
    {
      cwd: repoRoot,
      stdio: ["ignore", "ignore", "pipe"],
    },
  );
  let log = "";
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`sluice did not start:\n${log}`)), readyTimeoutMs);
    child.stderr!.setEncoding("utf8").on("data", (chunk: string) => {
      log = (log + chunk).slice(-5000);
      if (/pipeline.*started/i.test(log)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once("exit", (code) => reject(new Error(`sluice exited ${code} before starting:\n${log}`)));
  });
  return { child, startupMs: performance.now() - start };
}

/** Peak resident set of a live process, from /proc (VmHWM). */
function peakRssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const match = /VmHWM:\s+(\d+) kB/.exec(status);
  return match ? Number(match[1]) / 1024 : Number.NaN;
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
  await exited;
  clearTimeout(timer);
}

/** rsyslog with a private config: imtcp on `port`, every raw message written to `file` as one line. */
async function startRsyslog(dir: string, port: number, file: string): Promise<ChildProcess> {
  const config = join(dir, "rsyslog.conf");
  writeFileSync(
    config,
    [
      `global(workDirectory="${dir}")`,
      `module(load="imtcp")`,
      `template(name="raw" type="string" string="%rawmsg%\\n")`,
      `ruleset(name="bench") { action(type="omfile" file="${file}" template="raw") }`,
      `input(type="imtcp" port="${port}" address="127.0.0.1" ruleset="bench")`,
      "",
    ].join("\n"),
  );
  const child = spawn("rsyslogd", ["-n", "-f", config, "-i", join(dir, "rsyslog.pid")], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  const deadline = Date.now() + readyTimeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`rsyslogd exited ${child.exitCode}`);
    const ok = await new Promise<boolean>((resolve) => {
      const probe = connect(port, "127.0.0.1");
      probe.once("connect", () => {
        probe.destroy();
        resolve(true);
      });
      probe.once("error", () => resolve(false));
    });
    if (ok) return child;
    await sleep(20);
  }
  throw new Error("rsyslogd did not listen in time");
}

/** Lines per second through rsyslog, from the first byte sent until the last line is on disk. */
async function rsyslogRun(lines: Buffer): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), "sluice-bench-rsyslog-"));
  try {
    const port = await freePort();
    const out = join(dir, "out.log");
    const child = await startRsyslog(dir, port, out);
    const start = performance.now();
    await send(port, lines);
    const end = await waitForLines(out, lineCount, child);
    await stop(child);
    return lineCount / ((end - start) / 1000);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

interface TcpRun {
  perSecond: number;
  mibPerSecond: number;
  startupMs: number;
  rssMiB: number;
}

/**
 * tcp → (filters) → file through Sluice: one event per input line, one line per event in the file. `unwanted` is
 * text that must not appear in the output (failure tags), checked after the timing.
 */
async function sluiceTcpRun(
  data: Buffer,
  inputCodec: string,
  outputCodec: string,
  { filters = "", lines = lineCount, unwanted = [] as string[] } = {},
): Promise<TcpRun> {
  const dir = mkdtempSync(join(tmpdir(), "sluice-bench-pipeline-"));
  try {
    const port = await freePort();
    const out = join(dir, "out.log");
    const config = `input { tcp { port => ${port} host => "127.0.0.1" codec => ${inputCodec} } } filter { ${filters} } output { file { path => "${out}" codec => ${outputCodec} flush_interval => 0 } }`;
    const { child, startupMs } = await startSluice(config, join(dir, "data"));
    const start = performance.now();
    await send(port, data);
    const seconds = ((await waitForLines(out, lines, child)) - start) / 1000;
    const rssMiB = peakRssMiB(child.pid!);
    await stop(child);
    const written = unwanted.length > 0 ? readFileSync(out) : Buffer.alloc(0);
    for (const text of unwanted) if (written.includes(text)) throw new Error(`output contains ${text}`);
    return {
      perSecond: lines / seconds,
      mibPerSecond: data.length / 2 ** 20 / seconds,
      startupMs,
      rssMiB,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * generator → (filters) → null: events per second after the pipeline started, until the process exits on its
 * own.
 */
async function generatorRun(
  count = generatorCount,
  filters = "",
): Promise<{ eps: number; startupMs: number }> {
  const dir = mkdtempSync(join(tmpdir(), "sluice-bench-generator-"));
  try {
    const config = `input { generator { count => ${count} } } filter { ${filters} } output { null {} }`;
    const { child, startupMs } = await startSluice(config, join(dir, "data"));
    const start = performance.now();
    const code = await new Promise((r) => child.once("exit", r));
    if (code !== 0) throw new Error(`generator pipeline exited ${code}`);
    return { eps: count / ((performance.now() - start) / 1000), startupMs };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * generator → null in this process with the given queue type (the CLI cannot select a persisted queue yet):
 * events per second from start until every event is out.
 */
async function queueRun(queueType: "memory" | "persisted"): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), "sluice-bench-queue-"));
  try {
    const config = `input { generator { count => ${queueEvents} } } output { null {} }`;
    const { plan } = buildPlan([{ file: "bench.conf", text: config }]);
    const pipeline = createPipeline(plan, defaultRegistry, {
      queueType,
      queueDrain: true,
      dataDir: dir,
      logger: createLogger({ level: "warn" }),
    });
    const start = performance.now();
    await pipeline.run();
    return queueEvents / ((performance.now() - start) / 1000);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** ~120-byte JSON records whose `msg` field is itself JSON text, so the json filter has real work to do. */
function makeKafkaRecords(count: number): { value: string }[] {
  const records: { value: string }[] = [];
  for (let i = 0; i < count; i++) {
    const msg = JSON.stringify({
      user: `u${i % 1000}`,
      path: `/api/items/${i}`,
      status: 200,
      bytes: i % 5000,
    });
    records.push({ value: JSON.stringify({ n: i, host: `web-${i % 17}`, msg }) });
  }
  return records;
}

async function createTopic(bootstrap: string, topic: string): Promise<void> {
  await runOk(process.execPath, [sluiceBin, "topic", "create", topic, "-p", "1", "-b", bootstrap]);
}

/** Records per second from kafkajs into one partition, acks=1 (the kafka output's default), a few sends in flight. */
async function rawProduce(
  kafka: kafkajs.Kafka,
  topic: string,
  records: { value: string }[],
): Promise<number> {
  const producer = kafka.producer({ createPartitioner: kafkajs.Partitioners.DefaultPartitioner });
  await producer.connect();
  try {
    const start = performance.now();
    let next = 0;
    const sender = async () => {
      while (next < records.length) {
        const messages = records.slice(next, next + kafkaSendRecords);
        next += kafkaSendRecords;
        await producer.send({ topic, acks: 1, messages });
      }
    };
    await Promise.all(Array.from({ length: kafkaSendsInFlight }, sender));
    return records.length / ((performance.now() - start) / 1000);
  } finally {
    await producer.disconnect();
  }
}

/**
 * Records per second read back by a kafkajs group consumer from the beginning, group join included, and the
 * milliseconds until the first batch arrived (mostly the join), which dominates a small run.
 */
async function rawConsume(
  kafka: kafkajs.Kafka,
  topic: string,
  count: number,
): Promise<{ rps: number; firstMs: number }> {
  const consumer = kafka.consumer({ groupId: "bench-raw", maxWaitTimeInMs: 100 });
  const start = performance.now();
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    let seen = 0;
    let first = 0;
    let end = 0;
    const done = new Promise<void>((resolve) => {
      void consumer.run({
        eachBatch: async ({ batch }) => {
          if (first === 0) first = performance.now();
          seen += batch.messages.length;
          if (seen >= count && end === 0) {
            end = performance.now();
            resolve();
          }
        },
      });
    });
    await withDeadline(done, `raw consume of ${count} records`);
    return { rps: count / ((end - start) / 1000), firstMs: first - start };
  } finally {
    await consumer.disconnect();
  }
}

async function withDeadline<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took over ${drainTimeoutMs} ms`)), drainTimeoutMs);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** Polls the topic's log end offset until it reaches `count`; returns when the first and the last record were seen. */
async function waitForOffset(
  admin: kafkajs.Admin,
  topic: string,
  count: number,
  child: ChildProcess,
): Promise<{ first: number; end: number }> {
  const deadline = Date.now() + drainTimeoutMs;
  let first = 0;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`sluice exited early with ${child.exitCode}`);
    const offsets = await admin.fetchTopicOffsets(topic);
    const high = offsets.reduce((sum, p) => sum + Number(p.high), 0);
    if (high > 0 && first === 0) first = performance.now();
    if (high >= count) return { first, end: performance.now() };
    await sleep(kafkaPollMs);
  }
  throw new Error(`${topic} did not reach ${count} records in ${drainTimeoutMs} ms`);
}

interface KafkaRun {
  pipelineEps: number;
  /** From "pipeline started" until the first record was seen in the output topic. */
  pipelineFirstMs: number;
  produceRps: number;
  consumeRps: number;
  consumeFirstMs: number;
}

/** kafka → json → kafka through `sluice run` against a fresh broker, with kafkajs's raw rates against the same broker. */
async function kafkaRun(records: { value: string }[]): Promise<KafkaRun> {
  const broker = await BrokerProcess.start();
  const dir = mkdtempSync(join(tmpdir(), "sluice-bench-kafka-"));
  const kafka = new Kafka({ clientId: "bench", brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  try {
    await createTopic(broker.bootstrap, "bench-in");
    await createTopic(broker.bootstrap, "bench-out");
    const produceRps = await rawProduce(kafka, "bench-in", records);
    const consumed = await rawConsume(kafka, "bench-in", records.length);
    await admin.connect();
    const servers = `bootstrap_servers => "${broker.bootstrap}"`;
    const config = [
      `input { kafka { ${servers} topics => ["bench-in"] group_id => "bench" auto_offset_reset => "earliest" codec => json } }`,
      `filter { json { source => "msg" skip_on_invalid_json => true } }`,
      `output { kafka { ${servers} topic_id => "bench-out" codec => json } }`,
    ].join("\n");
    const { child } = await startSluice(config, join(dir, "data"));
    const start = performance.now();
    try {
      const { first, end } = await waitForOffset(admin, "bench-out", records.length, child);
      return {
        pipelineEps: records.length / ((end - start) / 1000),
        pipelineFirstMs: first - start,
        produceRps,
        consumeRps: consumed.rps,
        consumeFirstMs: consumed.firstMs,
      };
    } finally {
      await stop(child);
    }
  } finally {
    await admin.disconnect();
    await broker.cleanup();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  // fails loudly if rsyslog is missing
  if (only.has("passthrough")) execFileSync("rsyslogd", ["-v"], { stdio: "ignore" });
  const lines = makeLines(lineCount);
  const jsonLines = makeJsonLines(lineCount);
  console.log(
    `pipeline benchmark: ${fmt(lineCount)} lines (${(lines.length / 2 ** 20).toFixed(1)} MiB), ${runs} runs, medians`,
  );

  const generator: number[] = [];
  const startup: number[] = [];
  for (let i = 0; i < (only.has("generator") ? runs : 0); i++) {
    const r = await generatorRun();
    generator.push(r.eps);
    startup.push(r.startupMs);
  }
  console.log(`generator → null:               ${fmt(median(generator))} events/s`);

  const passthrough: number[] = [];
  const rsyslog: number[] = [];
  const rss: number[] = [];
  for (let i = 0; i < (only.has("passthrough") ? runs : 0); i++) {
    rsyslog.push(await rsyslogRun(lines));
    const r = await sluiceTcpRun(lines, "line", 'line { format => "%{message}" }');
    passthrough.push(r.perSecond);
    startup.push(r.startupMs);
    rss.push(r.rssMiB);
  }
  const passthroughLps = median(passthrough);
  const rsyslogLps = median(rsyslog);
  console.log(`rsyslog imtcp → omfile:          ${fmt(rsyslogLps)} lines/s (baseline)`);
  console.log(
    `sluice tcp lines → file:         ${fmt(passthroughLps)} lines/s  (${(passthroughLps / rsyslogLps).toFixed(2)} × rsyslog)`,
  );

  const json: number[] = [];
  const jsonMib: number[] = [];
  for (let i = 0; i < (only.has("json") ? runs : 0); i++) {
    const r = await sluiceTcpRun(jsonLines, "json_lines", "json_lines");
    json.push(r.perSecond);
    jsonMib.push(r.mibPerSecond);
    rss.push(r.rssMiB);
  }
  console.log(
    `sluice tcp json_lines → file:    ${fmt(median(json))} events/s, ${median(jsonMib).toFixed(1)} MiB/s in`,
  );
  const memoryQueue: number[] = [];
  const persistedQueue: number[] = [];
  for (let i = 0; i < (only.has("queue") ? runs : 0); i++) {
    memoryQueue.push(await queueRun("memory"));
    persistedQueue.push(await queueRun("persisted"));
  }
  const queueRatio = median(persistedQueue) / median(memoryQueue);
  console.log(
    `generator → null, in process:    memory queue ${fmt(median(memoryQueue))} events/s, persisted ${fmt(median(persistedQueue))} events/s (${queueRatio.toFixed(2)} ×)`,
  );
  const kafkaPipeline: number[] = [];
  const kafkaProduce: number[] = [];
  const kafkaConsume: number[] = [];
  const kafkaPipelineFirst: number[] = [];
  const kafkaConsumeFirst: number[] = [];
  const records = only.has("kafka") ? makeKafkaRecords(kafkaEvents) : [];
  for (let i = 0; i < (only.has("kafka") ? runs : 0); i++) {
    const r = await kafkaRun(records);
    kafkaPipeline.push(r.pipelineEps);
    kafkaProduce.push(r.produceRps);
    kafkaConsume.push(r.consumeRps);
    kafkaPipelineFirst.push(r.pipelineFirstMs);
    kafkaConsumeFirst.push(r.consumeFirstMs);
  }
  const kafkaEps = median(kafkaPipeline);
  const kafkaProduceRps = median(kafkaProduce);
  const kafkaConsumeRps = median(kafkaConsume);
  console.log(`kafkajs produce, acks=1:         ${fmt(kafkaProduceRps)} records/s (baseline)`);
  console.log(
    `kafkajs consume, from start:     ${fmt(kafkaConsumeRps)} records/s (baseline; first batch after ${median(kafkaConsumeFirst).toFixed(0)} ms)`,
  );
  console.log(
    `sluice kafka → json → kafka:     ${fmt(kafkaEps)} events/s  (${(kafkaEps / kafkaConsumeRps).toFixed(2)} × raw consume, ${(kafkaEps / kafkaProduceRps).toFixed(2)} × raw produce; ${fmt(kafkaEvents)} records; first output after ${median(kafkaPipelineFirst).toFixed(0)} ms)`,
  );
  const grok: number[] = [];
  const grokMib: number[] = [];
  const apacheLines = only.has("grok") ? makeApacheLines(grokLineCount) : Buffer.alloc(0);
  const grokFilters = [
    `grok { match => { "message" => "%{COMBINEDAPACHELOG}" } }`,
    `date { match => ["timestamp", "dd/MMM/yyyy:HH:mm:ss Z"] }`,
  ].join(" ");
  for (let i = 0; i < (only.has("grok") ? runs : 0); i++) {
    const r = await sluiceTcpRun(apacheLines, "line", "json_lines", {
      filters: grokFilters,
      lines: grokLineCount,
      unwanted: ["_grokparsefailure", "_dateparsefailure", "_groktimeout"],
    });
    grok.push(r.perSecond);
    grokMib.push(r.mibPerSecond);
    rss.push(r.rssMiB);
  }
  console.log(
    `sluice tcp apache → grok + date → json_lines file: ${fmt(median(grok))} events/s, ${median(grokMib).toFixed(1)} MiB/s in (${fmt(grokLineCount)} lines, ${(apacheLines.length / 2 ** 20).toFixed(1)} MiB)`,
  );
  const ruby: number[] = [];
  for (let i = 0; i < (only.has("ruby") ? runs : 0); i++) {
    ruby.push((await generatorRun(rubyEvents, `ruby { code => "event.set('x', 1)" }`)).eps);
  }
  console.log(`generator → ruby event.set → null: ${fmt(median(ruby))} events/s (${fmt(rubyEvents)} events)`);
  console.log(`start to ready:                  ${median(startup).toFixed(0)} ms`);
  console.log(`peak RSS:                        ${Math.max(...rss).toFixed(0)} MiB`);

  console.log(
    JSON.stringify({
      generator_eps: Math.round(median(generator)),
      passthrough_lps: Math.round(passthroughLps),
      rsyslog_lps: Math.round(rsyslogLps),
      passthrough_vs_rsyslog: Number((passthroughLps / rsyslogLps).toFixed(3)),
      json_eps: Math.round(median(json)),
      json_mibps: Number(median(jsonMib).toFixed(2)),
      startup_ms: Math.round(median(startup)),
      rss_mib: Math.round(Math.max(...rss)),
      memory_queue_eps: Math.round(median(memoryQueue)),
      persisted_queue_eps: Math.round(median(persistedQueue)),
      persisted_vs_memory_queue: Number(queueRatio.toFixed(3)),
      kafka_pipeline_eps: Math.round(kafkaEps),
      kafka_raw_produce_rps: Math.round(kafkaProduceRps),
      kafka_raw_consume_rps: Math.round(kafkaConsumeRps),
      kafka_pipeline_vs_raw_consume: Number((kafkaEps / kafkaConsumeRps).toFixed(3)),
      kafka_pipeline_vs_raw_produce: Number((kafkaEps / kafkaProduceRps).toFixed(3)),
      kafka_pipeline_first_ms: Math.round(median(kafkaPipelineFirst)),
      kafka_raw_consume_first_ms: Math.round(median(kafkaConsumeFirst)),
      grok_eps: Math.round(median(grok)),
      grok_mibps: Number(median(grokMib).toFixed(2)),
      ruby_eps: Math.round(median(ruby)),
    }),
  );
}

await main();
