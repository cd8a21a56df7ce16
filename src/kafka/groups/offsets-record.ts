// The on-disk record of the committed-offsets log: one commit or one tombstone, framed and CRC32C-checked.
// Frame: magic u16 | crc32c u32 (of every byte after it) | version u8 | kind u8 | bodyLength u32 | body.

import { crc32c } from "@node-rs/crc32";
import { limits } from "../../common/limits.js";

export const offsetsRecordMagic = 0x534f; // "SO": Sluice Offsets
export const offsetsRecordVersion = 1;
export const offsetsRecordHeaderBytes = 12;

const kindCommit = 1;
const kindTombstone = 2;

export interface OffsetEntry {
  topic: string;
  partition: number;
  offset: bigint;
  leaderEpoch: number;
  metadata: string | null;
  commitTimestampMs: number;
}

export type OffsetRecord =
  | { kind: "commit"; group: string; entry: OffsetEntry }
  | { kind: "tombstone"; group: string; topic: string; partition: number };

export function encodeOffsetRecord(record: OffsetRecord): Buffer {
  const group = Buffer.from(record.group, "utf8");
  const topic = Buffer.from(record.kind === "commit" ? record.entry.topic : record.topic, "utf8");
  const metadata =
    record.kind === "commit" && record.entry.metadata !== null ? Buffer.from(record.entry.metadata) : null;
  const bodyBytes =
    2 + group.length + 2 + topic.length + 4 + (record.kind === "commit" ? 24 + (metadata?.length ?? 0) : 0);
  const buf = Buffer.alloc(offsetsRecordHeaderBytes + bodyBytes);
  buf.writeUInt16BE(offsetsRecordMagic, 0);
  buf.writeUInt8(offsetsRecordVersion, 6);
  buf.writeUInt8(record.kind === "commit" ? kindCommit : kindTombstone, 7);
  buf.writeUInt32BE(bodyBytes, 8);
  let pos = offsetsRecordHeaderBytes;
  pos = writeShortString(buf, pos, group);
  pos = writeShortString(buf, pos, topic);
  if (record.kind === "commit") {
    const e = record.entry;
    pos = buf.writeInt32BE(e.partition, pos);
    pos = buf.writeBigInt64BE(e.offset, pos);
    pos = buf.writeInt32BE(e.leaderEpoch, pos);
    pos = buf.writeBigInt64BE(BigInt(e.commitTimestampMs), pos);
    pos = buf.writeInt32BE(metadata === null ? -1 : metadata.length, pos);
    if (metadata) pos += metadata.copy(buf, pos);
  } else {
    pos = buf.writeInt32BE(record.partition, pos);
  }
  buf.writeUInt32BE(crc32c(buf.subarray(6)), 2);
  return buf;
}

function writeShortString(buf: Buffer, pos: number, bytes: Buffer): number {
  const at = buf.writeUInt16BE(bytes.length, pos);
  return at + bytes.copy(buf, at);
}

export type FrameResult =
  | { status: "ok"; record: OffsetRecord; sizeBytes: number }
  /** The frame is whole but its checksum, version or body is wrong: skip sizeBytes and go on. */
  | { status: "corrupt"; reason: string; sizeBytes: number }
  /** The file ends inside this frame: a write cut short by a crash. */
  | { status: "torn" }
  /** The bytes here are not a frame at all, so nothing after them can be trusted. */
  | { status: "garbage"; reason: string };

/** Reads the frame at `pos` of a log file's contents. */
export function readOffsetFrame(buf: Buffer, pos: number): FrameResult {
  if (buf.length - pos < offsetsRecordHeaderBytes) return { status: "torn" };
  if (buf.readUInt16BE(pos) !== offsetsRecordMagic) return { status: "garbage", reason: "bad magic" };
  const bodyBytes = buf.readUInt32BE(pos + 8);
  if (bodyBytes > limits.offsetsRecordBytesMax)
    return { status: "garbage", reason: `absurd length ${bodyBytes}` };
  const sizeBytes = offsetsRecordHeaderBytes + bodyBytes;
  if (buf.length - pos < sizeBytes) return { status: "torn" };
  const frame = buf.subarray(pos, pos + sizeBytes);
  if (crc32c(frame.subarray(6)) !== frame.readUInt32BE(2))
    return { status: "corrupt", reason: "bad crc", sizeBytes };
  const version = frame.readUInt8(6);
  if (version !== offsetsRecordVersion)
    return { status: "corrupt", reason: `unknown version ${version}`, sizeBytes };
  try {
    return { status: "ok", record: decodeBody(frame), sizeBytes };
  } catch (err) {
    return { status: "corrupt", reason: `malformed body: ${(err as Error).message}`, sizeBytes };
  }
}

function decodeBody(frame: Buffer): OffsetRecord {
  const kind = frame.readUInt8(7);
  let pos = offsetsRecordHeaderBytes;
  const groupLength = frame.readUInt16BE(pos);
  const group = frame.toString("utf8", pos + 2, pos + 2 + groupLength);
  pos += 2 + groupLength;
  const topicLength = frame.readUInt16BE(pos);
  const topic = frame.toString("utf8", pos + 2, pos + 2 + topicLength);
  pos += 2 + topicLength;
  const partition = frame.readInt32BE(pos);
  pos += 4;
  if (kind === kindTombstone) return { kind: "tombstone", group, topic, partition };
  if (kind !== kindCommit) throw new Error(`unknown kind ${kind}`);
  const offset = frame.readBigInt64BE(pos);
  const leaderEpoch = frame.readInt32BE(pos + 8);
  const commitTimestampMs = Number(frame.readBigInt64BE(pos + 12));
  const metadataLength = frame.readInt32BE(pos + 20);
  pos += 24;
  if (metadataLength > frame.length - pos) throw new Error("metadata runs past the frame");
  const metadata = metadataLength < 0 ? null : frame.toString("utf8", pos, pos + metadataLength);
  return {
    kind: "commit",
    group,
    entry: { topic, partition, offset, leaderEpoch, metadata, commitTimestampMs },
  };
}
