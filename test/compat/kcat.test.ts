// kcat (librdkafka) against the broker: metadata, produce/consume with every codec, lookup by timestamp.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BrokerProcess } from "../helpers/broker-process.js";
import { expectToolsInstalled, range, readSegment, testRecords } from "../helpers/compat.js";
import { codecs, kcatConsume, kcatMetadata, kcatOffsetForTime, kcatProduce } from "../helpers/kcat.js";
import { pyClient } from "../helpers/run.js";

describe("kcat", () => {
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

  it("-L shows one broker advertising localhost and a produced topic with a leader", async () => {
    await kcatProduce(broker.bootstrap, "kcat-meta", ["one"]);
    const meta = await kcatMetadata(broker.bootstrap, "kcat-meta");
    expect(meta.brokers).toHaveLength(1);
    expect(meta.brokers[0]!.name).toBe(`localhost:${broker.port}`);
    const topic = meta.topics.find((t) => t.topic === "kcat-meta");
    expect(topic?.error).toBeUndefined();
    expect(topic?.partitions.map((p) => [p.partition, p.leader])).toEqual([[0, meta.brokers[0]!.id]]);
  });

  for (const codec of codecs) {
    it(`-P/-C round trip keys, values, headers and timestamps with ${codec}`, async () => {
      const topic = `kcat-${codec}`;
      const lines = range(0, 60).map((i) => `k${i}:value-${codec}-${i}-${"y".repeat(150)}`);
      const before = Date.now();
      // Two runs give at least two batches, so offsets must continue across them.
      await kcatProduce(broker.bootstrap, topic, lines.slice(0, 30), {
        codec,
        keyed: true,
        headers: { h1: "v1", h2: "v2" },
      });
      await kcatProduce(broker.bootstrap, topic, lines.slice(30), {
        codec,
        keyed: true,
        headers: { h1: "v1", h2: "v2" },
      });
      const after = Date.now();
      const records = await kcatConsume(broker.bootstrap, topic);
      expect(records.map((r) => r.offset)).toEqual(range(0, 60));
      expect(records.map((r) => `${r.key}:${r.payload}`)).toEqual(lines);
      for (const r of records) {
        expect(r.headers).toEqual(["h1", "v1", "h2", "v2"]);
        expect(r.tstype).toBe("create");
        expect(r.ts).toBeGreaterThanOrEqual(before - 1000);
        expect(r.ts).toBeLessThanOrEqual(after + 1000);
      }
      // The broker stores batches as produced: every stored batch carries the producer's codec. (Searching the
      // segment for a plain value is no proof: snappy and lz4 keep a batch's first record as literal bytes.)
      const segment = readSegment(broker.dataDir, topic);
      expect(new Set(batchCodecs(segment))).toEqual(new Set([codecIds[codec]]));
    });
  }

  it("consumes from an absolute offset and with a count", async () => {
    const records = await kcatConsume(broker.bootstrap, "kcat-gzip", { offset: "45", count: 5 });
    expect(records.map((r) => r.offset)).toEqual([45, 46, 47, 48, 49]);
    expect(records[0]!.key).toBe("k45");
  });

  it("-o s@ts and -Q find the first record at or after a timestamp", async () => {
    const topic = "kcat-times";
    const base = Date.now() - 3_600_000;
    const produced = await pyClient<{ offsets: number[] }>("ck-produce", {
      bootstrap: broker.bootstrap,
      topic,
      records: testRecords("times", 10, base),
    });
    expect(produced.offsets).toEqual(range(0, 10));
    const fromTs = await kcatConsume(broker.bootstrap, topic, { offset: `s@${base + 2500}` });
    expect(fromTs.map((r) => r.offset)).toEqual(range(3, 10));
    expect(fromTs[0]!.ts).toBe(base + 3000);
    expect(await kcatOffsetForTime(broker.bootstrap, topic, 0, base + 5000)).toBe(5);
    expect(await kcatOffsetForTime(broker.bootstrap, topic, 0, base - 1)).toBe(0);
  });
});

/** Kafka's compression ids, in the low three bits of a RecordBatch's attributes. */
const codecIds: Record<string, number> = { none: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 };

/** The compression id of every RecordBatch v2 in a segment file, read from the batch headers. */
function batchCodecs(segment: Buffer): number[] {
  const ids: number[] = [];
  for (let pos = 0; pos + 23 <= segment.length; ) {
    const batchLength = segment.readInt32BE(pos + 8);
    ids.push(segment.readInt16BE(pos + 21) & 0x7);
    pos += 12 + batchLength;
  }
  return ids;
}
