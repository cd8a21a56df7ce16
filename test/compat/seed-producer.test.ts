// The seed's own kafka-python producer, run unchanged against a broker on localhost:9092, read back by kcat.

import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { BrokerProcess, isPortFree, repoRoot } from "../helpers/broker-process.js";
import { expectToolsInstalled } from "../helpers/compat.js";
import { kcatConsume } from "../helpers/kcat.js";
import { runOk, systemPython } from "../helpers/run.js";

const seedProducer = join(repoRoot, "..", "shared", "seed", "producer.py");
const runSeed = join(repoRoot, "test", "compat", "py", "run_seed.py");
const seedPort = 9092; // hard-coded in the seed
const messagesSent = 7;

describe("seed producer (kafka-python, unchanged)", () => {
  let broker: BrokerProcess | null = null;
  afterAll(async () => {
    await broker?.cleanup();
  });

  it("has the real clients installed", async () => {
    await expectToolsInstalled();
    expect(existsSync(seedProducer), `${seedProducer} (../shared beside the repo)`).toBe(true);
  });

  it("delivers exactly its N messages to mytopic, which kcat reads back", async () => {
    expect(
      await isPortFree(seedPort),
      `port ${seedPort} is taken: the seed producer needs it; stop Kafka/Sluice`,
    ).toBe(true);
    broker = await BrokerProcess.start({ port: seedPort });
    await runOk(systemPython, [runSeed, seedProducer, String(messagesSent)], { timeoutMs: 120_000 });
    const records = await kcatConsume("localhost:9092", "mytopic");
    expect(records.map((r) => r.payload)).toEqual(Array(messagesSent).fill("Hello world!"));
    expect(records.map((r) => r.offset)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(records.every((r) => r.key === null)).toBe(true);
  });
});
