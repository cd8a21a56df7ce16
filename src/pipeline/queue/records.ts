// Record framing shared by the persisted queue's pages and the dead-letter queue's segments: each record is
// length (uint32 BE), CRC32C of the payload (uint32 BE), payload. A reader can tell a whole good record, a torn
// tail, a record whose bytes changed (believable length, wrong checksum) and garbage (unbelievable length).

import { crc32c } from "@node-rs/crc32";

export const recordHeaderBytes = 8;

/** The 8 bytes that go before `payload` in its record. */
export function recordHeader(payload: Buffer): Buffer {
  const header = Buffer.allocUnsafe(recordHeaderBytes);
  header.writeUInt32BE(payload.length, 0);
  header.writeUInt32BE(crc32c(payload) >>> 0, 4);
  return header;
}

export function frameRecord(payload: Buffer): Buffer {
  const out = Buffer.allocUnsafe(recordHeaderBytes + payload.length);
  out.writeUInt32BE(payload.length, 0);
  out.writeUInt32BE(crc32c(payload) >>> 0, 4);
  payload.copy(out, recordHeaderBytes);
  return out;
}

export type RecordRead =
  | { kind: "ok"; payload: Buffer; next: number }
  /** The bytes end inside the record: a torn write, or one still being written. */
  | { kind: "incomplete"; needed: number }
  /** Believable length, wrong checksum: the record is skipped and reading goes on after it. */
  | { kind: "bad-crc"; next: number }
  /** Zero or larger than any record we write: nothing after it in this file can be located. */
  | { kind: "bad-length"; length: number };

/** The record at `pos` of `bytes` (which end at `bytes.length`). */
export function readRecord(bytes: Buffer, pos: number, maxPayloadBytes: number): RecordRead {
  if (bytes.length - pos < recordHeaderBytes) return { kind: "incomplete", needed: recordHeaderBytes };
  const length = bytes.readUInt32BE(pos);
  if (length === 0 || length > maxPayloadBytes) return { kind: "bad-length", length };
  const end = pos + recordHeaderBytes + length;
  if (end > bytes.length) return { kind: "incomplete", needed: recordHeaderBytes + length };
  const payload = bytes.subarray(pos + recordHeaderBytes, end);
  if (crc32c(payload) >>> 0 !== bytes.readUInt32BE(pos + 4)) return { kind: "bad-crc", next: end };
  return { kind: "ok", payload, next: end };
}
