// Builds real RecordBatch v2 buffers (uncompressed records, valid CRC32C) for the log's tests and benchmark.

import { attributeBits, batchLayout, computeBatchCrc } from "./batch.js";

function zigzagVarint(value: number, out: number[]): void {
  let v = value >= 0 ? value * 2 : -value * 2 - 1;
  while (v >= 0x80) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
}

export interface TestBatchOptions {
  records: number;
  valueBytes?: number;
  /** Timestamp of record i is baseTimestamp + i * timestampStep. */
  baseTimestamp?: number;
  timestampStep?: number;
  logAppendTime?: boolean;
}

/** One batch of `records` records with `valueBytes`-byte values (baseOffset 0; the log assigns it). */
export function makeBatch(options: TestBatchOptions): Buffer {
  const { records, valueBytes = 100, baseTimestamp = 1_700_000_000_000, timestampStep = 1 } = options;
  const parts: Buffer[] = [];
  for (let i = 0; i < records; i++) {
    const body: number[] = [0];
    zigzagVarint(i * timestampStep, body);
    zigzagVarint(i, body);
    zigzagVarint(-1, body);
    zigzagVarint(valueBytes, body);
    const value = Buffer.alloc(valueBytes, 97 + (i % 26));
    const headerCount: number[] = [];
    zigzagVarint(0, headerCount);
    const length: number[] = [];
    zigzagVarint(body.length + valueBytes + headerCount.length, length);
    parts.push(Buffer.from(length), Buffer.from(body), value, Buffer.from(headerCount));
  }
  const recordBytes = Buffer.concat(parts);
  const batch = Buffer.alloc(batchLayout.records + recordBytes.length);
  batch.writeBigInt64BE(0n, batchLayout.baseOffset);
  batch.writeInt32BE(batch.length - 12, batchLayout.batchLength);
  batch.writeInt32BE(0, batchLayout.partitionLeaderEpoch);
  batch.writeInt8(2, batchLayout.magic);
  batch.writeInt16BE(
    options.logAppendTime ? attributeBits.timestampTypeLogAppend : 0,
    batchLayout.attributes,
  );
  batch.writeInt32BE(records - 1, batchLayout.lastOffsetDelta);
  batch.writeBigInt64BE(BigInt(baseTimestamp), batchLayout.baseTimestamp);
  batch.writeBigInt64BE(BigInt(baseTimestamp + (records - 1) * timestampStep), batchLayout.maxTimestamp);
  batch.writeBigInt64BE(-1n, batchLayout.producerId);
  batch.writeInt16BE(-1, batchLayout.producerEpoch);
  batch.writeInt32BE(-1, batchLayout.baseSequence);
  batch.writeInt32BE(records, batchLayout.recordCount);
  recordBytes.copy(batch, batchLayout.records);
  batch.writeUInt32BE(computeBatchCrc(batch, 0, batch.length), batchLayout.crc);
  return batch;
}
