// Upper bounds on the decompressed size of LZ4 and zstd frames, read from frame and block headers only.
// They let decompress() refuse a bomb before the codec allocates anything.

import { RecordFormatError } from "./errors.js";

const lz4FrameMagic = 0x184d2204;
const zstdFrameMagic = 0xfd2fb528;
/** Skippable frames (both formats) use magics 0x184D2A50..0x184D2A5F. */
const skippableMagicMask = 0xfffffff0;
const skippableMagic = 0x184d2a50;

const lz4BlockMaxBytesById: Record<number, number> = { 4: 64 << 10, 5: 256 << 10, 6: 1 << 20, 7: 4 << 20 };
const lz4UncompressedBlockBit = 0x80000000;
/** LZ4 sequences regenerate at most 255 bytes per input byte (match length extensions), plus a last match. */
const lz4ExpansionPerByte = 255;
const lz4SequenceSlackBytes = 32;
/** The zstd format caps one block's regenerated content at 128 KiB. */
const zstdBlockMaxBytes = 128 << 10;

export interface FrameBounds {
  /** Byte ranges of the real (non-skippable) frames, in order. */
  frames: { start: number; end: number }[];
  /** The most bytes all frames together can decompress to. */
  maxOutputBytes: number;
}

function need(data: Buffer, pos: number, bytes: number, what: string): void {
  if (pos + bytes > data.length) throw new RecordFormatError(`${what} truncated at byte ${pos}`);
}

function skipSkippableFrame(data: Buffer, pos: number, what: string): number {
  need(data, pos, 8, `${what} skippable frame`);
  return pos + 8 + data.readUInt32LE(pos + 4);
}

/** Walks concatenated LZ4 frames (the LZ4 frame format, as Kafka's magic-2 batches use it). */
export function lz4FrameBounds(data: Buffer): FrameBounds {
  const frames: FrameBounds["frames"] = [];
  let maxOutputBytes = 0;
  let pos = 0;
  if (data.length === 0) throw new RecordFormatError("lz4 data is empty");
  while (pos < data.length) {
    need(data, pos, 4, "lz4 frame");
    const magic = data.readUInt32LE(pos);
    if ((magic & skippableMagicMask) >>> 0 === skippableMagic) {
      pos = skipSkippableFrame(data, pos, "lz4");
      continue;
    }
    if (magic !== lz4FrameMagic) throw new RecordFormatError(`bad lz4 frame magic 0x${magic.toString(16)}`);
    const start = pos;
    const frame = walkLz4Frame(data, pos);
    frames.push({ start, end: frame.end });
    maxOutputBytes += frame.maxOutputBytes;
    pos = frame.end;
  }
  if (pos > data.length) throw new RecordFormatError("lz4 skippable frame runs past the end");
  return { frames, maxOutputBytes };
}

function walkLz4Frame(data: Buffer, pos: number): { end: number; maxOutputBytes: number } {
  need(data, pos, 7, "lz4 frame header");
  const flags = data[pos + 4]!;
  const blockDescriptor = data[pos + 5]!;
  if (flags >> 6 !== 1) throw new RecordFormatError(`unsupported lz4 frame version ${flags >> 6}`);
  const blockMaxBytes = lz4BlockMaxBytesById[(blockDescriptor >> 4) & 0x07];
  if (blockMaxBytes === undefined) throw new RecordFormatError("bad lz4 block maximum size");
  const hasBlockChecksum = (flags & 0x10) !== 0;
  const hasContentSize = (flags & 0x08) !== 0;
  const hasContentChecksum = (flags & 0x04) !== 0;
  const hasDictId = (flags & 0x01) !== 0;
  pos += 6;
  if (hasContentSize) {
    need(data, pos, 8, "lz4 content size");
    if (data.readBigUInt64LE(pos) > BigInt(Number.MAX_SAFE_INTEGER))
      throw new RecordFormatError("lz4 content too large");
    pos += 8;
  }
  if (hasDictId) pos += 4;
  pos += 1; // header checksum, verified by the codec
  let maxOutputBytes = 0;
  for (;;) {
    need(data, pos, 4, "lz4 block header");
    const word = data.readUInt32LE(pos);
    pos += 4;
    if (word === 0) break;
    const size = (word & ~lz4UncompressedBlockBit) >>> 0;
    if (size > blockMaxBytes)
      throw new RecordFormatError(`lz4 block of ${size} bytes exceeds its frame's maximum`);
    const isUncompressed = (word & lz4UncompressedBlockBit) !== 0;
    maxOutputBytes += isUncompressed
      ? size
      : Math.min(blockMaxBytes, size * lz4ExpansionPerByte + lz4SequenceSlackBytes);
    pos += size + (hasBlockChecksum ? 4 : 0);
  }
  if (hasContentChecksum) pos += 4;
  need(data, pos, 0, "lz4 frame");
  return { end: pos, maxOutputBytes };
}

/** Walks concatenated zstd frames; frames without a content size (streaming producers) are bounded per block. */
export function zstdFrameBounds(data: Buffer): FrameBounds {
  const frames: FrameBounds["frames"] = [];
  let maxOutputBytes = 0;
  let pos = 0;
  if (data.length === 0) throw new RecordFormatError("zstd data is empty");
  while (pos < data.length) {
    need(data, pos, 4, "zstd frame");
    const magic = data.readUInt32LE(pos);
    if ((magic & skippableMagicMask) >>> 0 === skippableMagic) {
      pos = skipSkippableFrame(data, pos, "zstd");
      continue;
    }
    if (magic !== zstdFrameMagic) throw new RecordFormatError(`bad zstd frame magic 0x${magic.toString(16)}`);
    const start = pos;
    const frame = walkZstdFrame(data, pos);
    frames.push({ start, end: frame.end });
    maxOutputBytes += frame.maxOutputBytes;
    pos = frame.end;
  }
  if (pos > data.length) throw new RecordFormatError("zstd skippable frame runs past the end");
  return { frames, maxOutputBytes };
}

const zstdDictIdBytes = [0, 1, 2, 4];
const zstdContentSizeBytes = [0, 2, 4, 8];

function walkZstdFrame(data: Buffer, pos: number): { end: number; maxOutputBytes: number } {
  need(data, pos, 5, "zstd frame header");
  const descriptor = data[pos + 4]!;
  const singleSegment = (descriptor & 0x20) !== 0;
  const hasChecksum = (descriptor & 0x04) !== 0;
  if ((descriptor & 0x08) !== 0) throw new RecordFormatError("zstd frame header has its reserved bit set");
  const contentSizeFlag = descriptor >> 6;
  const contentSizeBytes =
    contentSizeFlag === 0 && singleSegment ? 1 : zstdContentSizeBytes[contentSizeFlag]!;
  pos += 5 + (singleSegment ? 0 : 1) + zstdDictIdBytes[descriptor & 0x03]!;
  need(data, pos, contentSizeBytes, "zstd frame content size");
  pos += contentSizeBytes;
  let maxOutputBytes = 0;
  for (;;) {
    need(data, pos, 3, "zstd block header");
    const header = data.readUIntLE(pos, 3);
    pos += 3;
    const isLast = (header & 1) !== 0;
    const blockType = (header >> 1) & 0x03;
    const size = header >>> 3;
    if (blockType === 3) throw new RecordFormatError("zstd block has the reserved type");
    // Raw blocks carry `size` bytes; RLE blocks repeat one byte `size` times; compressed ones regenerate at most 128 KiB.
    maxOutputBytes += blockType === 2 ? zstdBlockMaxBytes : size;
    pos += blockType === 1 ? 1 : size;
    if (isLast) break;
  }
  if (hasChecksum) pos += 4;
  need(data, pos, 0, "zstd frame");
  return { end: pos, maxOutputBytes };
}
