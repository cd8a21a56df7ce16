// Durability with real clients: a clean restart, kill -9 under acks=all load, and a corrupted segment byte.

import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BrokerProcess } from "../helpers/broker-process.js";
import { expectToolsInstalled, range, segmentPath } from "../helpers/compat.js";
import { kcatConsume, kcatConsumeArgs, kcatProduce, parseJsonLines } from "../helpers/kcat.js";
import { pyClientScript, run, systemPython } from "../helpers/run.js";

const ackedRecordsWanted = 3000;
const loadDurationMsMax = 60_000;

/** Runs the acks=all load producer until `until` resolves or enough records are acknowledged. */
async function produceUnderLoad(broker: BrokerProcess, topic: string, onEnough: () => Promise<void>) {
  const acked = new Map<number, string>();
  const child = spawn(systemPython, [pyClientScript, "ck-load"], { stdio: ["pipe", "pipe", "pipe"] });
  child.stdin.end(JSON.stringify({ bootstrap: broker.bootstrap, topic }));
  let pending = "";
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (c: string) => {
    stderr = (stderr + c).slice(-10_000);
  });
  const enough = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`only ${acked.size} acks in ${loadDurationMsMax} ms\n${stderr}`)),
      loadDurationMsMax,
    );
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      pending += chunk;
      const lines = pending.split("\n");
      pending = lines.pop()!;
      for (const line of lines) {
        const [offset, value] = line.split(" ");
        acked.set(Number(offset), value!);
      }
      if (acked.size >= ackedRecordsWanted) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on("exit", (code) => reject(new Error(`load producer exited (${code})\n${stderr}`)));
  });
  try {
    await enough;
    await onEnough();
  } finally {
    child.kill("SIGKILL");
  }
  return acked;
}

describe("durability", () => {
  let broker: BrokerProcess;
  beforeAll(async () => {
    broker = await BrokerProcess.start();
  });
  afterAll(async () => {
    await broker?.cleanup();
  });

  it("has the real clients installed", async () => {
    await expectToolsInstalled();
  });

  it("keeps data and offsets across a clean restart", async () => {
    const topic = "restart";
    const lines = range(0, 50).map((i) => `k${i}:v${i}`);
    await kcatProduce(broker.bootstrap, topic, lines.slice(0, 20), { keyed: true, codec: "lz4" });
    await kcatProduce(broker.bootstrap, topic, lines.slice(20), { keyed: true });
    expect(await broker.stop()).toBe(0);
    await broker.restart();
    const back = await kcatConsume(broker.bootstrap, topic);
    expect(back.map((r) => r.offset)).toEqual(range(0, 50));
    expect(back.map((r) => `${r.key}:${r.payload}`)).toEqual(lines);
    await kcatProduce(broker.bootstrap, topic, ["k50:v50"], { keyed: true });
    const tail = await kcatConsume(broker.bootstrap, topic, { offset: "50" });
    expect(tail.map((r) => [r.offset, r.payload])).toEqual([[50, "v50"]]);
  });

  it("serves every acks=all-acknowledged record after kill -9 and a restart", async () => {
    const topic = "kill9";
    const acked = await produceUnderLoad(broker, topic, () => broker.kill9());
    await broker.restart();
    const back = await kcatConsume(broker.bootstrap, topic, { timeoutMs: 120_000 });
    const served = new Map(back.map((r) => [r.offset, r.payload]));
    const lost = [...acked].filter(([offset, value]) => served.get(offset) !== value);
    expect(lost.slice(0, 10), `${lost.length} of ${acked.size} acknowledged records not served`).toEqual([]);
    expect(back.map((r) => r.offset)).toEqual(range(0, back.length));
  });

  it("never serves a batch with a flipped byte, keeps serving later batches and says so in its log", async () => {
    const topic = "corrupt";
    const batchValues = (b: number) => range(0, 5).map((i) => `batch${b}-record${i}-${"z".repeat(40)}`);
    for (const b of range(0, 4)) await kcatProduce(broker.bootstrap, topic, batchValues(b));
    expect(await broker.stop()).toBe(0);

    const file = segmentPath(broker.dataDir, topic);
    const bytes = readFileSync(file);
    const at = bytes.indexOf("batch1-record2-");
    expect(at, "batch 1's records in the segment file").toBeGreaterThan(0);
    bytes[at + 3] = bytes[at + 3]! ^ 0x20; // "batch" -> "baTch": a byte inside the records area, CRC now wrong
    writeFileSync(file, bytes);

    const logBefore = broker.stderr.length;
    await broker.restart();
    const later = await kcatConsume(broker.bootstrap, topic, { offset: "10" });
    expect(later.map((r) => r.payload)).toEqual([...batchValues(2), ...batchValues(3)]);
    expect(later.map((r) => r.offset)).toEqual(range(10, 20));

    for (const offset of ["beginning", "5"]) {
      const res = await run("kcat", kcatConsumeArgs(broker.bootstrap, topic, { offset }), {
        timeoutMs: 20_000,
      });
      const served = parseJsonLines(res.stdout);
      expect(
        served.filter((r) => /^ba[tT]ch1-/.test(r.payload ?? "") || (r.offset >= 5 && r.offset < 10)),
      ).toEqual([]);
    }
    expect(broker.stderr.slice(logBefore)).toMatch(/corrupt|crc|checksum/i);

    await kcatProduce(broker.bootstrap, topic, ["after-repair"]);
    const tail = await kcatConsume(broker.bootstrap, topic, { offset: "-1" });
    expect(tail.map((r) => r.payload)).toEqual(["after-repair"]);
  });
});
