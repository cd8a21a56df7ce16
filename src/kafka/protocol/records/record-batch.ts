// Builds and parses complete RecordBatch v2 batches: header, optional compression, and the records inside.
// The header layout, CRC32C and checks come from src/log/batch.ts; this module adds the records section.

import { assert } from "../../../common/assert.js";
import { limits } from "../../../common/limits.js";
import {
  attributeBits,
  type BatchHeader,
  batchHeaderBytes,
  batchLayout,
  batchLogOverheadBytes,
  batchMagic,
  checkBatch,
  computeBatchCrc,
  readBatchHeader,
} from "../../../log/batch.js";
import { type CompressionType, compress, decompress, isCompressionType } from "./compression.js";
import { RecordFormatError } from "./errors.js";
import { RecordCursor, varintSize, varlongSize, writeVarint, writeVarlong } from "./varint.js";

export { RecordFormatError } from "./errors.js";

export interface RecordHeader {
  key: string;
  value: Buffer | null;
}

/** A decoded record. Keys and values are views into the batch (or its decompressed records); copy to keep. */
export interface Record {
  offset: bigint;
  timestamp: bigint;
  key: Buffer | null;
  value: Buffer | null;
  headers: RecordHeader[];
}

export interface RecordInput {
  key?: Buffer | null;
  value: Buffer | null;
  headers?: RecordHeader[];
  /** Milliseconds since the epoch; defaults to now. */
  timestamp?: bigint;
}

export interface BatchInput {
  records: RecordInput[];
  compression?: CompressionType;
  baseOffset?: bigint;
  producerId?: bigint;
  producerEpoch?: number;
  baseSequence?: number;
  timestampType?: "create" | "log-append";
  transactional?: boolean;
}

/** Kafka's "no partition leader epoch", what producers send. */
const noPartitionLeaderEpoch = -1;
/** Smallest encoded record: length, attributes, timestamp delta, offset delta, key/value lengths, header count. */
const recordMinBytes = 7;
/** Smallest encoded header: key length and value length. */
const headerMinBytes = 2;

// ---- encoding ----

interface SizedRecords {
  sectionBytes: number;
  bodyBytes: Int32Array;
  timestampDeltas: bigint[];
}

function nullableBytesSize(bytes: Buffer | null | undefined): number {
  return bytes == null ? 1 : varintSize(bytes.length) + bytes.length;
}

function recordBodySize(record: RecordInput, timestampDelta: bigint, offsetDelta: number): number {
  let size = 1 + varlongSize(timestampDelta) + varintSize(offsetDelta);
  size += nullableBytesSize(record.key) + nullableBytesSize(record.value);
  const headers = record.headers ?? [];
  size += varintSize(headers.length);
  for (const header of headers) {
    const keyBytes = Buffer.byteLength(header.key, "utf8");
    size += varintSize(keyBytes) + keyBytes + nullableBytesSize(header.value);
  }
  return size;
}

function sizeRecords(records: RecordInput[], baseTimestamp: bigint, now: bigint): SizedRecords {
  const bodyBytes = new Int32Array(records.length);
  const timestampDeltas: bigint[] = new Array(records.length);
  let sectionBytes = 0;
  for (let i = 0; i < records.length; i++) {
    const record = records[i]!;
    const delta = (record.timestamp ?? now) - baseTimestamp;
    const body = recordBodySize(record, delta, i);
    timestampDeltas[i] = delta;
    bodyBytes[i] = body;
    sectionBytes += varintSize(body) + body;
  }
  return { sectionBytes, bodyBytes, timestampDeltas };
}

function writeNullableBytes(buf: Buffer, pos: number, bytes: Buffer | null | undefined): number {
  if (bytes == null) return writeVarint(buf, pos, -1);
  pos = writeVarint(buf, pos, bytes.length);
  return pos + bytes.copy(buf, pos);
}

function writeRecord(
  buf: Buffer,
  pos: number,
  record: RecordInput,
  body: number,
  delta: bigint,
  index: number,
) {
  pos = writeVarint(buf, pos, body);
  buf[pos++] = 0; // record attributes: unused
  pos = writeVarlong(buf, pos, delta);
  pos = writeVarint(buf, pos, index);
  pos = writeNullableBytes(buf, pos, record.key);
  pos = writeNullableBytes(buf, pos, record.value);
  const headers = record.headers ?? [];
  pos = writeVarint(buf, pos, headers.length);
  for (const header of headers) {
    pos = writeVarint(buf, pos, Buffer.byteLength(header.key, "utf8"));
    pos += buf.write(header.key, pos, "utf8");
    pos = writeNullableBytes(buf, pos, header.value);
  }
  return pos;
}

/** The records section, preceded by `headroom` unwritten bytes (room for the header when uncompressed). */
function encodeRecordsSection(
  records: RecordInput[],
  baseTimestamp: bigint,
  now: bigint,
  headroom: number,
): Buffer {
  const sized = sizeRecords(records, baseTimestamp, now);
  const buf = Buffer.allocUnsafe(headroom + sized.sectionBytes);
  let pos = headroom;
  for (let i = 0; i < records.length; i++) {
    pos = writeRecord(buf, pos, records[i]!, sized.bodyBytes[i]!, sized.timestampDeltas[i]!, i);
  }
  assert(pos === buf.length, "record sizing and writing disagree");
  return buf;
}

function batchAttributes(input: BatchInput): number {
  let attributes = input.compression ?? 0;
  if (input.timestampType === "log-append") attributes |= attributeBits.timestampTypeLogAppend;
  if (input.transactional) attributes |= attributeBits.transactional;
  return attributes;
}

function timestampRange(records: RecordInput[], now: bigint): { base: bigint; max: bigint } {
  const base = records[0]!.timestamp ?? now;
  let max = base;
  for (const record of records) {
    const timestamp = record.timestamp ?? now;
    if (timestamp > max) max = timestamp;
  }
  return { base, max };
}

/** A complete batch with its CRC filled in, ready for Produce or the log. */
export async function encodeBatch(input: BatchInput): Promise<Buffer> {
  const { records } = input;
  const compression = input.compression ?? 0;
  assert(records.length > 0, "a batch holds at least one record");
  assert(records.length <= limits.batchRecordsMax, "too many records for one batch");
  assert(isCompressionType(compression), `unknown compression ${compression}`);
  const now = BigInt(Date.now());
  const timestamps = timestampRange(records, now);
  let batch: Buffer;
  if (compression === 0) {
    batch = encodeRecordsSection(records, timestamps.base, now, batchHeaderBytes);
  } else {
    const compressed = await compress(compression, encodeRecordsSection(records, timestamps.base, now, 0));
    batch = Buffer.allocUnsafe(batchHeaderBytes + compressed.length);
    compressed.copy(batch, batchHeaderBytes);
  }
  batch.writeBigInt64BE(input.baseOffset ?? 0n, batchLayout.baseOffset);
  batch.writeInt32BE(batch.length - batchLogOverheadBytes, batchLayout.batchLength);
  batch.writeInt32BE(noPartitionLeaderEpoch, batchLayout.partitionLeaderEpoch);
  batch.writeInt8(batchMagic, batchLayout.magic);
  batch.writeInt16BE(batchAttributes(input), batchLayout.attributes);
  batch.writeInt32BE(records.length - 1, batchLayout.lastOffsetDelta);
  batch.writeBigInt64BE(timestamps.base, batchLayout.baseTimestamp);
  batch.writeBigInt64BE(timestamps.max, batchLayout.maxTimestamp);
  batch.writeBigInt64BE(input.producerId ?? -1n, batchLayout.producerId);
  batch.writeInt16BE(input.producerEpoch ?? -1, batchLayout.producerEpoch);
  batch.writeInt32BE(input.baseSequence ?? -1, batchLayout.baseSequence);
  batch.writeInt32BE(records.length, batchLayout.recordCount);
  batch.writeUInt32BE(computeBatchCrc(batch, 0, batch.length), batchLayout.crc);
  return batch;
}

// ---- decoding ----

function readHeaders(cursor: RecordCursor): RecordHeader[] {
  const count = cursor.readVarint();
  if (count < 0 || count * headerMinBytes > cursor.remaining()) {
    throw new RecordFormatError(`bad header count ${count} at byte ${cursor.pos}`);
  }
  const headers: RecordHeader[] = [];
  for (let i = 0; i < count; i++) {
    const keyLength = cursor.readVarint();
    if (keyLength < 0)
      throw new RecordFormatError(`bad header key length ${keyLength} at byte ${cursor.pos}`);
    const key = cursor.readBytes(keyLength).toString("utf8");
    headers.push({ key, value: cursor.readNullableBytes() });
  }
  return headers;
}

function readRecord(cursor: RecordCursor, header: BatchHeader, logAppendTime: boolean): Record {
  const length = cursor.readVarint();
  if (length < 0 || length > cursor.remaining()) {
    throw new RecordFormatError(`bad record length ${length} at byte ${cursor.pos}`);
  }
  const sectionEnd = cursor.end;
  const recordEnd = cursor.pos + length;
  cursor.end = recordEnd; // nothing inside the record may read past its declared length
  cursor.readInt8(); // record attributes: unused
  const timestampDelta = cursor.readVarlong();
  const offsetDelta = cursor.readVarint();
  const key = cursor.readNullableBytes();
  const value = cursor.readNullableBytes();
  const headers = readHeaders(cursor);
  if (cursor.pos !== recordEnd) {
    throw new RecordFormatError(
      `record declares ${length} bytes but holds ${length - (recordEnd - cursor.pos)}`,
    );
  }
  cursor.end = sectionEnd;
  return {
    offset: header.baseOffset + BigInt(offsetDelta),
    timestamp: logAppendTime ? header.maxTimestamp : header.baseTimestamp + timestampDelta,
    key,
    value,
    headers,
  };
}

function parseRecords(section: Buffer, header: BatchHeader): Record[] {
  const count = header.recordCount;
  if (count > limits.batchRecordsMax || count * recordMinBytes > section.length) {
    throw new RecordFormatError(`record count ${count} impossible for ${section.length} bytes of records`);
  }
  const logAppendTime = (header.attributes & attributeBits.timestampTypeLogAppend) !== 0;
  const cursor = new RecordCursor(section, 0, section.length);
  const records: Record[] = [];
  for (let i = 0; i < count; i++) records.push(readRecord(cursor, header, logAppendTime));
  if (cursor.remaining() !== 0) {
    throw new RecordFormatError(`${cursor.remaining()} bytes left after the batch's ${count} records`);
  }
  return records;
}

function checkedHeader(batch: Buffer): BatchHeader {
  const { header, problem } = checkBatch(batch, 0, batch.length);
  if (problem !== null || header === null) throw new RecordFormatError(`bad record batch: ${problem}`);
  if (header.sizeBytes !== batch.length) {
    throw new RecordFormatError(`batch declares ${header.sizeBytes} bytes but ${batch.length} were given`);
  }
  return header;
}

/** Verifies the CRC, decompresses and parses one whole batch (exactly `batch.length` bytes). */
export async function decodeBatch(batch: Buffer): Promise<{ header: BatchHeader; records: Record[] }> {
  const header = checkedHeader(batch);
  const compression = header.attributes & attributeBits.compressionMask;
  if (!isCompressionType(compression)) throw new RecordFormatError(`unknown compression id ${compression}`);
  if (header.recordCount < 0 || header.recordCount > limits.batchRecordsMax) {
    throw new RecordFormatError(`bad record count ${header.recordCount}`);
  }
  const section = await decompress(compression, batch.subarray(batchHeaderBytes));
  return { header, records: parseRecords(section, header) };
}

/** Walks a concatenation of batches by their headers alone; stops quietly at a truncated tail (as Fetch sends). */
export function* iterateBatches(buf: Buffer): Generator<{ pos: number; header: BatchHeader }> {
  let pos = 0;
  for (;;) {
    const header = readBatchHeader(buf, pos);
    if (header === null) return;
    if (header.sizeBytes < batchHeaderBytes) {
      throw new RecordFormatError(`batch at byte ${pos} declares an impossible size ${header.sizeBytes}`);
    }
    if (pos + header.sizeBytes > buf.length) return;
    yield { pos, header };
    pos += header.sizeBytes;
  }
}

export function isControlBatch(header: BatchHeader): boolean {
  return (header.attributes & attributeBits.control) !== 0;
}

/** Every data record in a concatenation of batches (control batches skipped), for clients and the CLI. */
export async function decodeRecords(buf: Buffer): Promise<Record[]> {
  const records: Record[] = [];
  for (const { pos, header } of iterateBatches(buf)) {
    if (isControlBatch(header)) continue;
    const decoded = await decodeBatch(buf.subarray(pos, pos + header.sizeBytes));
    for (const record of decoded.records) records.push(record);
  }
  return records;
}

/** For ListOffsets by timestamp: first record in the batch with timestamp >= ts. */
export async function firstOffsetAtOrAfter(
  batch: Buffer,
  ts: bigint,
): Promise<{ offset: bigint; timestamp: bigint } | null> {
  const header = readBatchHeader(batch, 0);
  // maxTimestamp bounds every record's timestamp, so most batches are answered without decompressing.
  if (header === null || header.maxTimestamp < ts || header.recordCount === 0) return null;
  const { records } = await decodeBatch(batch.subarray(0, header.sizeBytes));
  const found = records.find((record) => record.timestamp >= ts);
  return found ? { offset: found.offset, timestamp: found.timestamp } : null;
}
