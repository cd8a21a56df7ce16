import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { silentLogger } from "../../common/logger.js";
import { type Broker, startBroker } from "../broker/index.js";
import { KafkaClient, KafkaResponseError } from "./index.js";
import { partitionForKey } from "./murmur2.js";
import type { CompressionName } from "./produce.js";

let dataDir: string;
let broker: Broker;
let client: KafkaClient;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "sluice-client-"));
  broker = await startBroker({
    port: 0,
    listenHosts: ["127.0.0.1"],
    dataDir,
    logger: silentLogger,
    autoCreateTopicsEnable: false,
  });
  client = new KafkaClient({ bootstrap: `127.0.0.1:${broker.port}`, requestTimeoutMs: 10_000, retries: 3 });
});

afterAll(async () => {
  await client?.close();
  await broker?.close();
  await rm(dataDir, { recursive: true, force: true });
});

async function readAll(topic: string, partitions: number[], from = 0n) {
  const start = new Map(partitions.map((p) => [p, from] as [number, bigint]));
  const out = [];
  for await (const record of client.consume(topic, start, { exitAtEnd: true, maxWaitMs: 100 }))
    out.push(record);
  return out;
}

describe("KafkaClient against an in-process broker", () => {
  it("creates, lists, describes, alters and deletes topics", async () => {
    await client.createTopics([{ name: "admin-t", partitions: 2, configs: { "retention.ms": "3600000" } }]);
    expect(await client.listTopics()).toContain("admin-t");

    const created = await client.describeTopic("admin-t");
    expect(created.partitions.map((p) => p.partition)).toEqual([0, 1]);
    expect(created.partitions[0].logEndOffset).toBe(0n);
    expect(created.configs.find((c) => c.name === "retention.ms")).toMatchObject({
      value: "3600000",
      isDefault: false,
    });

    await expect(client.createTopics([{ name: "admin-t", partitions: 1 }])).rejects.toThrow(
      /TOPIC_ALREADY_EXISTS/,
    );

    await client.alterTopicConfigs("admin-t", {
      set: { "cleanup.policy": "delete" },
      delete: ["retention.ms"],
    });
    await client.createPartitions("admin-t", 3);
    const altered = await client.describeTopic("admin-t");
    expect(altered.partitions).toHaveLength(3);
    expect(altered.configs.find((c) => c.name === "retention.ms")?.isDefault).toBe(true);

    await client.deleteTopics(["admin-t"]);
    expect(await client.listTopics()).not.toContain("admin-t");
    await expect(client.describeTopic("admin-t")).rejects.toThrow(/UNKNOWN_TOPIC_OR_PARTITION/);
  });

  for (const compression of ["none", "gzip", "snappy", "lz4", "zstd"] as CompressionName[]) {
    it(`round-trips records with ${compression} compression`, async () => {
      const topic = `rt-${compression}`;
      await client.createTopics([{ name: topic, partitions: 1 }]);
      const records = Array.from({ length: 50 }, (_, i) => ({
        key: i % 5 === 0 ? null : `k${i}`,
        value: `value-${i}-${"x".repeat(i)}`,
        headers: [{ key: "h", value: `${i}` }],
        timestamp: 1_700_000_000_000 + i,
      }));
      const results = await client.produce(topic, records, { compression, acks: -1 });
      expect(results).toEqual([{ partition: 0, baseOffset: 0n, recordCount: 50 }]);
      const read = await readAll(topic, [0]);
      expect(read.map((r) => r.value?.toString())).toEqual(records.map((r) => r.value));
      expect(read.map((r) => r.key?.toString() ?? null)).toEqual(records.map((r) => r.key));
      expect(read[7].headers.map((h) => [h.key, h.value?.toString()])).toEqual([["h", "7"]]);
      expect(read.map((r) => r.offset)).toEqual(records.map((_, i) => BigInt(i)));
      expect(read[3].timestamp).toBe(1_700_000_000_003n);
    });
  }

  it("puts keyed records on the Java client's partition and reads them back per partition", async () => {
    await client.createTopics([{ name: "keyed", partitions: 4 }]);
    const keys = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta"];
    await client.produce(
      "keyed",
      keys.map((k) => ({ key: k, value: k })),
    );
    const read = await readAll("keyed", [0, 1, 2, 3]);
    expect(read).toHaveLength(keys.length);
    for (const r of read)
      expect(r.partition).toBe(partitionForKey(Buffer.from(r.value?.toString() ?? ""), 4));
  });

  it("finds offsets by timestamp, earliest and latest, and starts fetches mid-batch", async () => {
    await client.createTopics([{ name: "times", partitions: 1 }]);
    await client.produce(
      "times",
      [0, 1, 2, 3, 4].map((i) => ({ value: `v${i}`, timestamp: 1_000 + i * 100 })),
      { compression: "gzip" },
    );
    const at = await client.listOffsets("times", [0], { timestamp: 1_250 });
    expect(at.get(0)?.offset).toBe(3n);
    expect((await client.listOffsets("times", [0], { timestamp: 99_999 })).get(0)?.offset).toBe(-1n);
    expect((await client.listOffsets("times", [0], "earliest")).get(0)?.offset).toBe(0n);
    expect((await client.listOffsets("times", [0], "latest")).get(0)?.offset).toBe(5n);
    const fromThree = await readAll("times", [0], 3n);
    expect(fromThree.map((r) => r.value?.toString())).toEqual(["v3", "v4"]);
  });

  it("reports Kafka errors by name", async () => {
    await expect(client.produce("no-such-topic", [{ value: "x" }])).rejects.toBeInstanceOf(
      KafkaResponseError,
    );
    await expect(client.produce("no-such-topic", [{ value: "x" }])).rejects.toThrow(
      /UNKNOWN_TOPIC_OR_PARTITION/,
    );
    await client.createTopics([{ name: "range", partitions: 1 }]);
    await expect(readAll("range", [0], 10n)).rejects.toThrow(/OFFSET_OUT_OF_RANGE/);
  });

  it("sends acks=0 produce without waiting for an answer", async () => {
    await client.createTopics([{ name: "fire", partitions: 1 }]);
    const [result] = await client.produce("fire", [{ value: "a" }, { value: "b" }], { acks: 0 });
    expect(result.baseOffset).toBe(-1n);
    let read: unknown[] = [];
    for (let i = 0; i < 50 && read.length < 2; i++) {
      read = await readAll("fire", [0]);
      if (read.length < 2) await new Promise((r) => setTimeout(r, 50));
    }
    expect(read).toHaveLength(2);
  });
});
