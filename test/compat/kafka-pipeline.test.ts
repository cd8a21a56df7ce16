// The kafka plugins end to end through `sluice run` as a child process: the seed's kafka-python producer into
// Sluice's broker and out to a file through kafka input, json and mutate; and Kafka → pipeline → Kafka → a second
// pipeline → file, both pipelines in one process from a pipelines.yml, the middle topic checked with kcat.

import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { BrokerProcess, isPortFree, repoRoot, sluiceBin } from "../helpers/broker-process.js";
import { expectToolsInstalled } from "../helpers/compat.js";
import { kcatConsume, kcatProduce } from "../helpers/kcat.js";
import { runOk, systemPython } from "../helpers/run.js";

const seedProducer = join(repoRoot, "..", "shared", "seed", "producer.py");
const runSeed = join(repoRoot, "test", "compat", "py", "run_seed.py");
const seedPort = 9092;
const seedMessages = 25;

/** `sluice run ARGS`; resolves once `pipelines` pipelines said they started. */
async function startRun(
  args: string[],
  pipelines: number,
): Promise<{ child: ChildProcess; stderr: () => string }> {
  let stderr = "";
  const child = spawn(process.execPath, [sluiceBin, "run", ...args], {
    cwd: repoRoot,
    stdio: ["ignore", "ignore", "pipe"],
  });
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => {
    stderr = (stderr + chunk).slice(-1024 * 1024);
  });
  const deadline = Date.now() + 30_000;
  while ((stderr.match(/pipeline started/g) ?? []).length < pipelines) {
    if (child.exitCode !== null) throw new Error(`sluice run exited ${child.exitCode}:\n${stderr}`);
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`sluice run did not start:\n${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { child, stderr: () => stderr };
}

async function stopRun(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
  const code = await exited;
  clearTimeout(timer);
  return code;
}

function jsonLines(file: string): Array<Record<string, unknown>> {
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

async function waitForLines(
  file: string,
  count: number,
  timeoutMs = 60_000,
): Promise<Array<Record<string, unknown>>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const lines = jsonLines(file);
    if (lines.length >= count || Date.now() > deadline) return lines;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("kafka input and output through sluice run", () => {
  const dirs: string[] = [];
  const brokers: BrokerProcess[] = [];
  const tmp = (prefix: string) => {
    const d = mkdtempSync(join(tmpdir(), prefix));
    dirs.push(d);
    return d;
  };
  afterAll(async () => {
    for (const b of brokers) await b.cleanup();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it("has the real clients installed", async () => {
    await expectToolsInstalled();
    expect(existsSync(seedProducer), `${seedProducer} (../shared beside the repo)`).toBe(true);
  });

  it("seed producer → mytopic → kafka input, json, mutate → file: every message once, in order", async () => {
    expect(await isPortFree(seedPort), `port ${seedPort} is taken: the seed producer needs it`).toBe(true);
    const broker = await BrokerProcess.start({ port: seedPort });
    brokers.push(broker);
    const work = tmp("sluice-kafka-seed-");
    const out = join(work, "out.jsonl");
    const config = `
      input { kafka { bootstrap_servers => "localhost:${seedPort}" topics => ["mytopic"] group_id => "seed-test"
                      auto_offset_reset => "earliest" decorate_events => "basic" } }
      filter {
        json { source => "message" skip_on_invalid_json => true }
        mutate { add_field => { "partition" => "%{[@metadata][kafka][partition]}" "offset" => "%{[@metadata][kafka][offset]}" }
        }
        # add_field applies after the filter's own work, so the conversion is a second mutate.
        mutate { convert => { "partition" => "integer" "offset" => "integer" } }
      }
      output { file { path => "${out}" codec => json_lines } }`;
    const run = await startRun(["--path.data", join(work, "data"), "-w", "1", "-e", config], 1);
    try {
      await runOk(systemPython, [runSeed, seedProducer, String(seedMessages)], { timeoutMs: 120_000 });
      const lines = await waitForLines(out, seedMessages);
      expect(lines.map((l) => l.message)).toEqual(Array(seedMessages).fill("Hello world!"));
      const offsets = new Map<number, number[]>();
      for (const l of lines)
        offsets.set(l.partition as number, [
          ...(offsets.get(l.partition as number) ?? []),
          l.offset as number,
        ]);
      for (const list of offsets.values()) expect(list).toEqual(list.map((_, i) => i));
      expect([...offsets.values()].flat()).toHaveLength(seedMessages);
      expect(lines.every((l) => !(l.tags as string[] | undefined)?.includes("_jsonparsefailure"))).toBe(true);
    } finally {
      expect(await stopRun(run.child), run.stderr()).toBe(0);
    }
    // Nothing more arrives after a clean stop and nothing was duplicated.
    expect(jsonLines(out)).toHaveLength(seedMessages);
  }, 180_000);

  it("kafka → pipeline → kafka → second pipeline → file, two pipelines from pipelines.yml", async () => {
    const broker = await BrokerProcess.start();
    brokers.push(broker);
    const work = tmp("sluice-kafka-two-");
    const out = join(work, "out.jsonl");
    const count = 200;
    const first = `
      input { kafka { bootstrap_servers => "${broker.bootstrap}" topics => ["k2p-in"] group_id => "first"
                      auto_offset_reset => "earliest" codec => json } }
      filter { mutate { add_field => { "stage" => "first" } } }
      output { kafka { bootstrap_servers => "${broker.bootstrap}" topic_id => "k2p-mid" message_key => "%{id}"
                       codec => json compression_type => "lz4" acks => "all" } }`;
    const second = `
      input { kafka { bootstrap_servers => "${broker.bootstrap}" topics => ["k2p-mid"] group_id => "second"
                      auto_offset_reset => "earliest" codec => json } }
      output { file { path => "${out}" codec => json_lines } }`;
    writeFileSync(join(work, "first.conf"), first);
    writeFileSync(join(work, "second.conf"), second);
    writeFileSync(
      join(work, "pipelines.yml"),
      [
        "- pipeline.id: first",
        `  path.config: ${join(work, "first.conf")}`,
        "  pipeline.workers: 1",
        "- pipeline.id: second",
        `  path.config: ${join(work, "second.conf")}`,
        "  pipeline.workers: 1",
      ].join("\n"),
    );
    writeFileSync(join(work, "logstash.yml"), `path.data: ${join(work, "data")}\n`);
    const run = await startRun(["--path.settings", work], 2);
    try {
      const lines = Array.from({ length: count }, (_, i) => JSON.stringify({ id: i, text: `event ${i}` }));
      await kcatProduce(broker.bootstrap, "k2p-in", lines);
      const written = await waitForLines(out, count);
      expect(written.map((l) => l.id)).toEqual(lines.map((_, i) => i));
      expect(written.every((l) => l.stage === "first")).toBe(true);
      const middle = await kcatConsume(broker.bootstrap, "k2p-mid");
      expect(middle).toHaveLength(count);
      expect(middle.map((r) => r.key)).toEqual(lines.map((_, i) => String(i)));
      expect(JSON.parse(middle[0]!.payload!)).toMatchObject({ id: 0, text: "event 0", stage: "first" });
    } finally {
      expect(await stopRun(run.child), run.stderr()).toBe(0);
    }
  }, 180_000);
});
