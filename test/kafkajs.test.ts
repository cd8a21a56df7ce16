// Integration: the kafkajs client (a Kafka client we did not write) against the broker.

import { CompressionTypes, Kafka, logLevel } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestBroker, type TestBroker } from "../src/kafka/broker/test-broker.js";

let tb: TestBroker;
let kafka: Kafka;
beforeAll(async () => {
  tb = await startTestBroker({ advertisedHost: "127.0.0.1" });
  kafka = new Kafka({
    clientId: "sluice-test",
    brokers: [`127.0.0.1:${tb.broker.port}`],
    logLevel: logLevel.NOTHING,
  });
});
afterAll(async () => {
  await tb.stop();
});

describe("kafkajs", () => {
  it("creates topics and reads their metadata through the admin client", async () => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      expect(
        await admin.createTopics({ topics: [{ topic: "kjs-a", numPartitions: 3 }], waitForLeaders: true }),
      ).toBe(true);
      expect(await admin.createTopics({ topics: [{ topic: "kjs-a", numPartitions: 3 }] })).toBe(false);
      const meta = await admin.fetchTopicMetadata({ topics: ["kjs-a"] });
      expect(meta.topics[0]!.name).toBe("kjs-a");
      expect(meta.topics[0]!.partitions).toHaveLength(3);
      expect(meta.topics[0]!.partitions.every((p) => p.leader === 0)).toBe(true);
      expect(await admin.listTopics()).toContain("kjs-a");
    } finally {
      await admin.disconnect();
    }
  });

  it("produces with none and gzip at acks -1 and 1, and reports offsets (also by timestamp)", async () => {
    const admin = kafka.admin();
    await admin.connect();
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    try {
      await admin.createTopics({ topics: [{ topic: "kjs-p", numPartitions: 1 }], waitForLeaders: true });
      const before = Date.now();
      const messages = (tag: string) =>
        Array.from({ length: 10 }, (_, i) => ({ key: `k${i}`, value: `${tag}-${i}` }));
      const r1 = await producer.send({
        topic: "kjs-p",
        messages: messages("none"),
        acks: -1,
        compression: CompressionTypes.None,
      });
      expect(r1[0]).toMatchObject({ topicName: "kjs-p", partition: 0, errorCode: 0, baseOffset: "0" });
      await new Promise((r) => setTimeout(r, 20));
      const middle = Date.now();
      await new Promise((r) => setTimeout(r, 20));
      const r2 = await producer.send({
        topic: "kjs-p",
        messages: messages("gzip"),
        acks: 1,
        compression: CompressionTypes.GZIP,
      });
      expect(r2[0]).toMatchObject({ errorCode: 0, baseOffset: "10" });

      const offsets = await admin.fetchTopicOffsets("kjs-p");
      expect(offsets).toEqual([
        expect.objectContaining({ partition: 0, low: "0", high: "20", offset: "20" }),
      ]);
      const atStart = await admin.fetchTopicOffsetsByTimestamp("kjs-p", before - 1000);
      expect(atStart).toEqual([{ partition: 0, offset: "0" }]);
      const atMiddle = await admin.fetchTopicOffsetsByTimestamp("kjs-p", middle);
      expect(atMiddle).toEqual([{ partition: 0, offset: "10" }]);
    } finally {
      await producer.disconnect();
      await admin.disconnect();
    }
  });

  it("produces idempotently", async () => {
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    try {
      const admin = kafka.admin();
      await admin.connect();
      await admin.createTopics({ topics: [{ topic: "kjs-idem", numPartitions: 1 }], waitForLeaders: true });
      await admin.disconnect();
      for (let i = 0; i < 3; i++) {
        const res = await producer.send({
          topic: "kjs-idem",
          messages: [{ value: `v${i}` }, { value: `w${i}` }],
        });
        expect(res[0]).toMatchObject({ errorCode: 0, baseOffset: String(i * 2) });
      }
    } finally {
      await producer.disconnect();
    }
  });
});
