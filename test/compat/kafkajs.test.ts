// kafkajs producer against the broker with every codec, read back by kcat. (kafkajs's consumer needs
// consumer groups, which are not part of this suite yet.)

import { compress as zstdCompress, decompress as zstdDecompress } from "@mongodb-js/zstd";
import kafkajs from "kafkajs";
import { compressFrame, decompressFrame } from "lz4-napi";
import { compress as snappyCompress, uncompress as snappyUncompress } from "snappy";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BrokerProcess } from "../helpers/broker-process.js";
import { expectToolsInstalled, range, testRecords } from "../helpers/compat.js";
import { codecs, kcatConsume } from "../helpers/kcat.js";

const { Kafka, CompressionTypes, CompressionCodecs, logLevel } = kafkajs;

// kafkajs ships only gzip; the other codecs are plugged in from the packages the broker uses.
type Encoder = { buffer: Buffer };
CompressionCodecs[CompressionTypes.Snappy] = () => ({
  compress: async (e: Encoder) => snappyCompress(e.buffer),
  decompress: async (b: Buffer) => snappyUncompress(b, { asBuffer: true }) as Promise<Buffer>,
});
CompressionCodecs[CompressionTypes.LZ4] = () => ({
  compress: async (e: Encoder) => compressFrame(e.buffer),
  decompress: async (b: Buffer) => decompressFrame(b),
});
CompressionCodecs[CompressionTypes.ZSTD] = () => ({
  compress: async (e: Encoder) => zstdCompress(e.buffer, 3),
  decompress: async (b: Buffer) => zstdDecompress(b),
});

const kafkajsCodec = {
  none: CompressionTypes.None,
  gzip: CompressionTypes.GZIP,
  snappy: CompressionTypes.Snappy,
  lz4: CompressionTypes.LZ4,
  zstd: CompressionTypes.ZSTD,
} as const;

describe("kafkajs producer", () => {
  let broker: BrokerProcess;
  let producer: kafkajs.Producer;
  beforeAll(async () => {
    broker = await BrokerProcess.start();
    const kafka = new Kafka({
      clientId: "sluice-compat",
      brokers: [broker.bootstrap],
      logLevel: logLevel.ERROR,
    });
    producer = kafka.producer({ allowAutoTopicCreation: true });
    await producer.connect();
  });
  afterAll(async () => {
    await producer?.disconnect();
    await broker?.cleanup();
  });

  it("has the real clients installed", async () => {
    await expectToolsInstalled();
  });

  for (const codec of codecs) {
    it(`sends keys, values, headers and timestamps that kcat reads back exactly (${codec})`, async () => {
      const topic = `kafkajs-${codec}`;
      const records = testRecords(`js-${codec}`, 30, Date.now() - 60_000);
      const messages = records.map((r) => ({
        key: r.key,
        value: r.value,
        headers: Object.fromEntries(r.headers),
        timestamp: String(r.timestamp),
        partition: 0,
      }));
      const first = await producer.send({
        topic,
        acks: -1,
        compression: kafkajsCodec[codec],
        messages: messages.slice(0, 12),
      });
      const second = await producer.send({
        topic,
        acks: -1,
        compression: kafkajsCodec[codec],
        messages: messages.slice(12),
      });
      expect([first[0]!.baseOffset, second[0]!.baseOffset]).toEqual(["0", "12"]);

      const back = await kcatConsume(broker.bootstrap, topic);
      expect(back.map((r) => r.offset)).toEqual(range(0, 30));
      expect(
        back.map((r) => ({ key: r.key, value: r.payload, headers: r.headers, timestamp: r.ts })),
      ).toEqual(
        records.map((r) => ({
          key: r.key,
          value: r.value,
          headers: r.headers.flat(),
          timestamp: r.timestamp,
        })),
      );
    });
  }
});
