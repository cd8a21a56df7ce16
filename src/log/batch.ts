// The RecordBatch v2 header as stored on disk and sent on the wire: field positions, a checked view, CRC32C.
// The log stores batches byte-for-byte as produced; only baseOffset (not covered by the CRC) is rewritten.

import { crc32c } from "@node-rs/crc32";

export const batchLayout = {
  baseOffset: 0, // int64
  batchLength: 8, // int32: bytes after this field
  partitionLeaderEpoch: 12, // int32
  magic: 16, // int8, always 2
  crc: 17, // uint32, CRC32C of bytes [attributes, end)
  attributes: 21, // int16
  lastOffsetDelta: 23, // int32
  baseTimestamp: 27, // int64
  maxTimestamp: 35, // int64
  producerId: 43, // int64
  producerEpoch: 51, // int16
  baseSequence: 53, // int32
  recordCount: 57, // int32
  records: 61,
} as const;

/** Bytes before batchLength's count starts: baseOffset + batchLength. */
export const batchLogOverheadBytes = 12;
/** Smallest possible batch: a full header and no records. */
export const batchHeaderBytes = batchLayout.records;
export const batchMagic = 2;

export const attributeBits = {
  compressionMask: 0x07,
  timestampTypeLogAppend: 0x08,
  transactional: 0x10,
  control: 0x20,
} as const;

export interface BatchHeader {
  baseOffset: bigint;
  /** Total size of the batch in bytes, including baseOffset and batchLength. */
  sizeBytes: number;
  partitionLeaderEpoch: number;
  magic: number;
  crc: number;
  attributes: number;
  lastOffsetDelta: number;
  baseTimestamp: bigint;
  maxTimestamp: bigint;
  producerId: bigint;
  producerEpoch: number;
  baseSequence: number;
  recordCount: number;
}

export type BatchProblem =
  | "truncated" // fewer bytes than the batch claims
  | "bad-length" // batchLength smaller than a header or absurd
  | "bad-magic"
  | "bad-crc"
  | "bad-count"; // recordCount does not agree with lastOffsetDelta

/** Reads the header of the batch at `pos`; returns null if not even the 12-byte prefix is there. */
export function readBatchHeader(buf: Buffer, pos = 0): BatchHeader | null {
  if (buf.length - pos < batchHeaderBytes) return null;
  const batchLength = buf.readInt32BE(pos + batchLayout.batchLength);
  return {
    baseOffset: buf.readBigInt64BE(pos + batchLayout.baseOffset),
    sizeBytes: batchLogOverheadBytes + batchLength,
    partitionLeaderEpoch: buf.readInt32BE(pos + batchLayout.partitionLeaderEpoch),
    magic: buf.readInt8(pos + batchLayout.magic),
    crc: buf.readUInt32BE(pos + batchLayout.crc),
    attributes: buf.readInt16BE(pos + batchLayout.attributes),
    lastOffsetDelta: buf.readInt32BE(pos + batchLayout.lastOffsetDelta),
    baseTimestamp: buf.readBigInt64BE(pos + batchLayout.baseTimestamp),
    maxTimestamp: buf.readBigInt64BE(pos + batchLayout.maxTimestamp),
    producerId: buf.readBigInt64BE(pos + batchLayout.producerId),
    producerEpoch: buf.readInt16BE(pos + batchLayout.producerEpoch),
    baseSequence: buf.readInt32BE(pos + batchLayout.baseSequence),
    recordCount: buf.readInt32BE(pos + batchLayout.recordCount),
  };
}

/** CRC32C over [attributes, end) of the batch at `pos` of total size `sizeBytes`. */
export function computeBatchCrc(buf: Buffer, pos: number, sizeBytes: number): number {
  return crc32c(buf.subarray(pos + batchLayout.attributes, pos + sizeBytes)) >>> 0;
}

/**
 * Checks the batch at `pos` (length, magic, CRC32C, record count). Returns the header and null problem when
 * the batch is whole and intact; `maxBytes` bounds the accepted batch size.
 */
export function checkBatch(
  buf: Buffer,
  pos: number,
  maxBytes: number,
): { header: BatchHeader | null; problem: BatchProblem | null } {
  const header = readBatchHeader(buf, pos);
  if (!header) return { header: null, problem: "truncated" };
  if (header.sizeBytes < batchHeaderBytes || header.sizeBytes > maxBytes)
    return { header, problem: "bad-length" };
  if (pos + header.sizeBytes > buf.length) return { header, problem: "truncated" };
  if (header.magic !== batchMagic) return { header, problem: "bad-magic" };
  if (computeBatchCrc(buf, pos, header.sizeBytes) !== header.crc) return { header, problem: "bad-crc" };
  if (header.recordCount < 0 || header.lastOffsetDelta < 0) return { header, problem: "bad-count" };
  return { header, problem: null };
}

export function setBaseOffset(buf: Buffer, pos: number, baseOffset: bigint): void {
  buf.writeBigInt64BE(baseOffset, pos + batchLayout.baseOffset);
}

export function lastOffsetOf(header: BatchHeader): bigint {
  return header.baseOffset + BigInt(header.lastOffsetDelta);
}
