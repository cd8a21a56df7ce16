// One round-trip suite run by both Python clients (confluent-kafka and kafka-python): every codec,
// exact keys/values/headers/timestamps, contiguous offsets, cross-read by kcat, lookup by timestamp.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BrokerProcess } from "./broker-process.js";
import { expectToolsInstalled, range, readSegment, type TestRecord, testRecords } from "./compat.js";
import { codecs, kcatConsume } from "./kcat.js";
import { pyClient } from "./run.js";

interface ConsumedRecord {
  offset: number;
  key: string | null;
  value: string;
  headers: [string, string][];
  timestamp: number;
  timestamp_type: number;
}

export interface PythonClient {
  name: string;
  /** Prefix of the client.py commands: "ck" or "kp". */
  prefix: "ck" | "kp";
  /** What offsets_for_times returns past the last record. */
  offsetPastEnd: number | null;
}

export function pythonClientSuite(client: PythonClient): void {
  describe(client.name, () => {
    let broker: BrokerProcess;
    beforeAll(async () => {
      broker = await BrokerProcess.start();
    });
    afterAll(async () => {
      await broker?.cleanup();
    });
    const produce = (topic: string, records: TestRecord[], codec: string) =>
      pyClient<{ offsets: number[]; errors?: string[] }>(`${client.prefix}-produce`, {
        bootstrap: broker.bootstrap,
        topic,
        codec,
        records,
      });
    const consume = (topic: string, offset = 0) =>
      pyClient<{ records: ConsumedRecord[] }>(`${client.prefix}-consume`, {
        bootstrap: broker.bootstrap,
        topic,
        offset,
      });

    it("has the real clients installed", async () => {
      await expectToolsInstalled();
    });

    for (const codec of codecs) {
      it(`producer and assigned consumer round trip everything with ${codec}`, async () => {
        const topic = `${client.prefix}-${codec}`;
        const base = Date.now() - 600_000;
        const records = testRecords(codec, 40, base);
        const first = await produce(topic, records.slice(0, 25), codec);
        const second = await produce(topic, records.slice(25), codec);
        expect(first.errors ?? []).toEqual([]);
        expect([...first.offsets, ...second.offsets].sort((a, b) => a - b)).toEqual(range(0, 40));

        const consumed = (await consume(topic)).records;
        expect(consumed.map((r) => r.offset)).toEqual(range(0, 40));
        expect(
          consumed.map(({ key, value, headers, timestamp }) => ({ key, value, headers, timestamp })),
        ).toEqual(records);
        expect(new Set(consumed.map((r) => r.timestamp_type))).toEqual(
          new Set([client.prefix === "ck" ? 1 : 0]),
        );

        const fromMiddle = (await consume(topic, 33)).records;
        expect(fromMiddle.map((r) => r.offset)).toEqual(range(33, 40));

        const byKcat = await kcatConsume(broker.bootstrap, topic);
        expect(byKcat.map((r) => r.payload)).toEqual(records.map((r) => r.value));
        expect(byKcat.map((r) => r.ts)).toEqual(records.map((r) => r.timestamp));
        // Stored as produced: a compressed batch leaves no plain value in the segment file.
        expect(readSegment(broker.dataDir, topic).includes(records[7]!.value)).toBe(codec === "none");
      });
    }

    it("offsets_for_times finds the first record at or after each timestamp", async () => {
      const topic = `${client.prefix}-times`;
      const base = Date.now() - 7_200_000;
      await produce(topic, testRecords("t", 10, base), "none");
      const answer = await pyClient<{ offsets: (number | null)[] }>(`${client.prefix}-offsets-for-times`, {
        bootstrap: broker.bootstrap,
        topic,
        timestamps: [base - 5, base, base + 1, base + 4000, base + 9000, base + 9001],
      });
      expect(answer.offsets).toEqual([0, 0, 1, 4, 9, client.offsetPastEnd]);
    });
  });
}
