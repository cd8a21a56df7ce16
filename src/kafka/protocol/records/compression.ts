// Kafka's record compression codecs by attribute id: 0 none, 1 gzip, 2 snappy, 3 lz4 (frame format), 4 zstd.
// Decompression is bounded by limits.decompressedBatchBytesMax: a bomb is a RecordFormatError, never an OOM.

import { promisify } from "node:util";
import * as zlib from "node:zlib";
import * as zstd from "@mongodb-js/zstd";
import * as lz4 from "lz4-napi";
import { limits } from "../../../common/limits.js";
import { RecordFormatError } from "./errors.js";
import { type FrameBounds, lz4FrameBounds, zstdFrameBounds } from "./frame-bounds.js";
import { snappyCompressXerial, snappyDecompress } from "./snappy-framing.js";

export type CompressionType = 0 | 1 | 2 | 3 | 4;

export const compressionTypes = { none: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 } as const;

const names = ["none", "gzip", "snappy", "lz4", "zstd"] as const;

/** Kafka's default zstd level (compression.zstd.level). */
const zstdLevel = 3;

const gzip = promisify(zlib.gzip);
const gunzip = promisify(zlib.gunzip);

export function isCompressionType(id: number): id is CompressionType {
  return Number.isInteger(id) && id >= 0 && id <= 4;
}

export function compressionName(id: number): string {
  return isCompressionType(id) ? names[id] : `unknown(${id})`;
}

export async function compress(type: CompressionType, data: Buffer): Promise<Buffer> {
  switch (type) {
    case 0:
      return data;
    case 1:
      return gzip(data);
    case 2:
      return snappyCompressXerial(data);
    case 3:
      // lz4-napi writes a standard frame: independent 64 KiB blocks, correct header checksum, no content size.
      return lz4.compressFrame(data);
    case 4:
      return zstd.compress(data, zstdLevel);
  }
}

/** Decompresses `data`; malformed input or output beyond `maxBytes` throws RecordFormatError. */
export async function decompress(
  type: CompressionType,
  data: Buffer,
  maxBytes: number = limits.decompressedBatchBytesMax,
): Promise<Buffer> {
  switch (type) {
    case 0:
      return checkSize(data, maxBytes, "uncompressed");
    case 1:
      return gunzipBounded(data, maxBytes);
    case 2:
      return snappyDecompress(data, maxBytes);
    case 3:
      return decompressFrames(data, maxBytes, "lz4", lz4FrameBounds, (frame) => lz4.decompressFrame(frame));
    case 4:
      return decompressFrames(data, maxBytes, "zstd", zstdFrameBounds, (frame) => zstd.decompress(frame));
  }
}

function checkSize(data: Buffer, maxBytes: number, codec: string): Buffer {
  if (data.length > maxBytes) {
    throw new RecordFormatError(`${codec} data of ${data.length} bytes exceeds the limit of ${maxBytes}`);
  }
  return data;
}

async function gunzipBounded(data: Buffer, maxBytes: number): Promise<Buffer> {
  try {
    return await gunzip(data, { maxOutputLength: Math.max(1, maxBytes) });
  } catch (err) {
    if ((err as { code?: string }).code === "ERR_BUFFER_TOO_LARGE") {
      throw new RecordFormatError(`gzip data decompresses past the limit of ${maxBytes} bytes`);
    }
    throw new RecordFormatError(`corrupt gzip data: ${(err as Error).message}`);
  }
}

/** Bounds the output from the frame headers first, then lets the codec decode each frame. */
async function decompressFrames(
  data: Buffer,
  maxBytes: number,
  codec: string,
  bounds: (data: Buffer) => FrameBounds,
  decodeFrame: (frame: Buffer) => Promise<Buffer>,
): Promise<Buffer> {
  const { frames, maxOutputBytes } = bounds(data);
  if (maxOutputBytes > maxBytes) {
    throw new RecordFormatError(
      `${codec} data may decompress to ${maxOutputBytes} bytes, past the limit of ${maxBytes}`,
    );
  }
  let parts: Buffer[];
  try {
    parts = await Promise.all(frames.map(({ start, end }) => decodeFrame(data.subarray(start, end))));
  } catch (err) {
    throw new RecordFormatError(`corrupt ${codec} data: ${(err as Error).message}`);
  }
  return checkSize(parts.length === 1 ? parts[0]! : Buffer.concat(parts), maxBytes, codec);
}
