// The two sparse per-segment indexes, kept in memory and saved beside the segment when it is sealed or closed:
// offset index (relative offset -> file position) and time index (running max timestamp -> relative offset).

import { crc32c } from "@node-rs/crc32";

/**
 * Index file layout (big-endian), both kinds:
 *   0  magic        uint32  "SLOI" (offset index) or "SLTI" (time index)
 *   4  version      uint16  1
 *   6  entryBytes   uint16  8 (offset index) or 12 (time index)
 *   8  baseOffset   int64   the segment's base offset
 *   16 coveredBytes uint32  segment size the entries describe; a different size means the index is stale
 *   20 entryCount   uint32
 *   24 crc          uint32  CRC32C of bytes [0, 24) followed by the entries
 *   28 entries      offset index: relativeOffset int32, position int32
 *                   time index:   timestamp int64, relativeOffset int32
 */
export const indexHeaderBytes = 28;
export const indexVersion = 1;
export const offsetIndexMagic = 0x534c4f49; // "SLOI"
export const timeIndexMagic = 0x534c5449; // "SLTI"
const offsetEntryBytes = 8;
const timeEntryBytes = 12;

/** Largest i with keys[i] <= key among the first `count` ascending keys, or -1. */
function floorIndex(keys: ArrayLike<number>, count: number, key: number): number {
  let lo = 0;
  let hi = count - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (keys[mid]! <= key) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found;
}

function encodeHeader(
  out: Buffer,
  magic: number,
  entryBytes: number,
  baseOffset: bigint,
  coveredBytes: number,
  count: number,
) {
  out.writeUInt32BE(magic, 0);
  out.writeUInt16BE(indexVersion, 4);
  out.writeUInt16BE(entryBytes, 6);
  out.writeBigInt64BE(baseOffset, 8);
  out.writeUInt32BE(coveredBytes, 16);
  out.writeUInt32BE(count, 20);
}

function indexCrc(file: Buffer): number {
  return crc32c(file.subarray(indexHeaderBytes), crc32c(file.subarray(0, 24))) >>> 0;
}

/** Checks an index file's header against what the segment expects; returns the entry count or a problem. */
function checkIndexFile(
  file: Buffer,
  magic: number,
  entryBytes: number,
  baseOffset: bigint,
  coveredBytes: number,
): number | string {
  if (file.length < indexHeaderBytes) return "too short";
  if (file.readUInt32BE(0) !== magic) return "bad magic";
  if (file.readUInt16BE(4) !== indexVersion) return `unsupported version ${file.readUInt16BE(4)}`;
  if (file.readUInt16BE(6) !== entryBytes) return "bad entry size";
  if (file.readBigInt64BE(8) !== baseOffset) return "base offset disagrees with the segment";
  if (file.readUInt32BE(16) !== coveredBytes) return "stale (segment size changed)";
  const count = file.readUInt32BE(20);
  if (indexHeaderBytes + count * entryBytes !== file.length) return "entry count disagrees with file size";
  if (indexCrc(file) !== file.readUInt32BE(24)) return "checksum mismatch";
  return count;
}

export class OffsetIndex {
  private relativeOffsets: number[] = [];
  private positions: number[] = [];

  get entries(): number {
    return this.positions.length;
  }

  append(relativeOffset: number, position: number): void {
    this.relativeOffsets.push(relativeOffset);
    this.positions.push(position);
  }

  /** File position of the last indexed batch starting at or before `relativeOffset` (0 if none). */
  positionFor(relativeOffset: number): number {
    const i = floorIndex(this.relativeOffsets, this.relativeOffsets.length, relativeOffset);
    return i < 0 ? 0 : this.positions[i]!;
  }

  encode(baseOffset: bigint, coveredBytes: number): Buffer {
    const count = this.positions.length;
    const out = Buffer.alloc(indexHeaderBytes + count * offsetEntryBytes);
    encodeHeader(out, offsetIndexMagic, offsetEntryBytes, baseOffset, coveredBytes, count);
    for (let i = 0; i < count; i++) {
      out.writeInt32BE(this.relativeOffsets[i]!, indexHeaderBytes + i * offsetEntryBytes);
      out.writeInt32BE(this.positions[i]!, indexHeaderBytes + i * offsetEntryBytes + 4);
    }
    out.writeUInt32BE(indexCrc(out), 24);
    return out;
  }

  static decode(file: Buffer, baseOffset: bigint, coveredBytes: number): OffsetIndex | string {
    const count = checkIndexFile(file, offsetIndexMagic, offsetEntryBytes, baseOffset, coveredBytes);
    if (typeof count === "string") return count;
    const index = new OffsetIndex();
    let previous = -1;
    for (let i = 0; i < count; i++) {
      const relativeOffset = file.readInt32BE(indexHeaderBytes + i * offsetEntryBytes);
      const position = file.readInt32BE(indexHeaderBytes + i * offsetEntryBytes + 4);
      if (relativeOffset <= previous || position < 0 || position >= coveredBytes)
        return "entries out of order";
      previous = relativeOffset;
      index.append(relativeOffset, position);
    }
    return index;
  }
}

export class TimeIndex {
  private timestamps: number[] = [];
  private relativeOffsets: number[] = [];

  get entries(): number {
    return this.timestamps.length;
  }

  /** Newest (largest) indexed timestamp, -1 if none. */
  get lastTimestamp(): number {
    return this.timestamps.length ? this.timestamps[this.timestamps.length - 1]! : -1;
  }

  /** Records that every batch up to the one at `relativeOffset` has maxTimestamp <= `timestamp`. */
  append(timestamp: number, relativeOffset: number): void {
    if (timestamp <= this.lastTimestamp) return;
    this.timestamps.push(timestamp);
    this.relativeOffsets.push(relativeOffset);
  }

  /**
   * Relative offset of a batch from which a forward scan finds the first batch with maxTimestamp >= ts:
   * the last entry whose timestamp is below ts (all batches up to it are older), or 0 if none.
   */
  scanStartFor(timestamp: number): number {
    const i = floorIndex(this.timestamps, this.timestamps.length, timestamp - 1);
    return i < 0 ? 0 : this.relativeOffsets[i]!;
  }

  encode(baseOffset: bigint, coveredBytes: number): Buffer {
    const count = this.timestamps.length;
    const out = Buffer.alloc(indexHeaderBytes + count * timeEntryBytes);
    encodeHeader(out, timeIndexMagic, timeEntryBytes, baseOffset, coveredBytes, count);
    for (let i = 0; i < count; i++) {
      out.writeBigInt64BE(BigInt(this.timestamps[i]!), indexHeaderBytes + i * timeEntryBytes);
      out.writeInt32BE(this.relativeOffsets[i]!, indexHeaderBytes + i * timeEntryBytes + 8);
    }
    out.writeUInt32BE(indexCrc(out), 24);
    return out;
  }

  static decode(file: Buffer, baseOffset: bigint, coveredBytes: number): TimeIndex | string {
    const count = checkIndexFile(file, timeIndexMagic, timeEntryBytes, baseOffset, coveredBytes);
    if (typeof count === "string") return count;
    const index = new TimeIndex();
    for (let i = 0; i < count; i++) {
      const timestamp = Number(file.readBigInt64BE(indexHeaderBytes + i * timeEntryBytes));
      const relativeOffset = file.readInt32BE(indexHeaderBytes + i * timeEntryBytes + 8);
      if (timestamp <= index.lastTimestamp || relativeOffset < 0) return "entries out of order";
      index.append(timestamp, relativeOffset);
    }
    return index;
  }
}
