// Snappy for Kafka: raw snappy blocks and the xerial framing that the Java client and librdkafka produce
// (magic "\x82SNAPPY\0", int32 version, int32 compatible version, then [int32 BE length][raw block] chunks).

import * as snappy from "snappy";
import { RecordFormatError } from "./errors.js";

export const xerialMagic = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
const xerialHeaderBytes = 16;
const xerialVersion = 1;
const xerialCompatibleVersion = 1;
/** Uncompressed bytes per xerial chunk, as the Java client's SnappyOutputStream writes them. */
export const xerialChunkBytes = 32 * 1024;

export function isXerialFramed(data: Buffer): boolean {
  return data.length >= xerialHeaderBytes && data.subarray(0, xerialMagic.length).equals(xerialMagic);
}

/** The uncompressed length a raw snappy block declares in its leading (unsigned, non-zigzag) varint. */
export function snappyDeclaredLength(block: Buffer): number {
  let length = 0;
  for (let i = 0, scale = 1; i < 5; i++, scale *= 128) {
    if (i >= block.length) throw new RecordFormatError("snappy block length truncated");
    const byte = block[i]!;
    length += (byte & 0x7f) * scale;
    if ((byte & 0x80) === 0) return length;
  }
  throw new RecordFormatError("snappy block length longer than 5 bytes");
}

/** Splits xerial framing into its raw blocks. */
function xerialBlocks(data: Buffer): Buffer[] {
  const blocks: Buffer[] = [];
  let pos = xerialHeaderBytes;
  while (pos < data.length) {
    if (pos + 4 > data.length) throw new RecordFormatError("xerial snappy chunk length truncated");
    const length = data.readInt32BE(pos);
    pos += 4;
    if (length < 0 || pos + length > data.length) {
      throw new RecordFormatError(`xerial snappy chunk of ${length} bytes runs past the end`);
    }
    blocks.push(data.subarray(pos, pos + length));
    pos += length;
  }
  return blocks;
}

async function uncompressBlock(block: Buffer): Promise<Buffer> {
  try {
    return (await snappy.uncompress(block, { asBuffer: true })) as Buffer;
  } catch (err) {
    throw new RecordFormatError(`corrupt snappy block: ${(err as Error).message}`);
  }
}

export async function snappyDecompress(data: Buffer, maxBytes: number): Promise<Buffer> {
  const blocks = isXerialFramed(data) ? xerialBlocks(data) : [data];
  let declared = 0;
  for (const block of blocks) declared += snappyDeclaredLength(block);
  if (declared > maxBytes) {
    throw new RecordFormatError(`snappy data declares ${declared} bytes, more than the limit of ${maxBytes}`);
  }
  const parts = await Promise.all(blocks.map(uncompressBlock));
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
}

export async function snappyCompressXerial(data: Buffer): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for (let pos = 0; pos < data.length; pos += xerialChunkBytes) {
    chunks.push(data.subarray(pos, pos + xerialChunkBytes));
  }
  const blocks = await Promise.all(chunks.map((chunk) => snappy.compress(chunk)));
  const out = Buffer.allocUnsafe(
    xerialHeaderBytes + blocks.reduce((sum, block) => sum + 4 + block.length, 0),
  );
  xerialMagic.copy(out, 0);
  out.writeInt32BE(xerialVersion, 8);
  out.writeInt32BE(xerialCompatibleVersion, 12);
  let pos = xerialHeaderBytes;
  for (const block of blocks) {
    pos = out.writeInt32BE(block.length, pos);
    pos += block.copy(out, pos);
  }
  return out;
}
