// Gives kafkajs (which ships gzip only) Kafka's snappy, lz4 and zstd codecs, using the same implementations as
// Sluice's broker: xerial-framed snappy as the Java client writes it, lz4 frames, zstd; decompression is bounded.

import kafkajs from "kafkajs";
import { compress, decompress } from "../../../kafka/protocol/records/compression.js";

const { CompressionCodecs, CompressionTypes } = kafkajs;

let registered = false;

/** Idempotent: kafkajs keeps codecs in a process-wide table. */
export function registerKafkaCompressionCodecs(): void {
  if (registered) return;
  registered = true;
  const codec = (type: 2 | 3 | 4) => () => ({
    compress: async (encoder: { buffer: Buffer }) => compress(type, encoder.buffer),
    decompress: async (buffer: Buffer) => decompress(type, buffer),
  });
  CompressionCodecs[CompressionTypes.Snappy] = codec(2);
  CompressionCodecs[CompressionTypes.LZ4] = codec(3);
  CompressionCodecs[CompressionTypes.ZSTD] = codec(4);
}

/** kafkajs's number for a Logstash `compression_type`. */
export function kafkajsCompression(name: string): kafkajs.CompressionTypes {
  switch (name) {
    case "gzip":
      return CompressionTypes.GZIP;
    case "snappy":
      return CompressionTypes.Snappy;
    case "lz4":
      return CompressionTypes.LZ4;
    case "zstd":
      return CompressionTypes.ZSTD;
    default:
      return CompressionTypes.None;
  }
}
