// Small whole-file records (topic metadata, the log start checkpoint): magic, version, length and CRC32C,
// replaced atomically (temp file, fsync, rename, fsync of the directory) so a crash leaves old or new, never half.

import { open, readFile, rename, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { crc32c } from "@node-rs/crc32";
import { limits } from "../common/limits.js";
import { LogError } from "./errors.js";

/**
 * Layout (big-endian):
 *   0  magic    uint32   identifies the kind of file
 *   4  version  uint16
 *   6  reserved uint16   zero
 *   8  length   uint32   payload bytes
 *   12 crc      uint32   CRC32C of the payload
 *   16 payload
 */
export const checkedFileHeaderBytes = 16;

export function encodeCheckedFile(magic: number, version: number, payload: Buffer): Buffer {
  const out = Buffer.alloc(checkedFileHeaderBytes + payload.length);
  out.writeUInt32BE(magic, 0);
  out.writeUInt16BE(version, 4);
  out.writeUInt32BE(payload.length, 8);
  out.writeUInt32BE(crc32c(payload) >>> 0, 12);
  payload.copy(out, checkedFileHeaderBytes);
  return out;
}

/** Returns the payload, or a sentence saying what is wrong with the bytes. */
export function decodeCheckedFile(bytes: Buffer, magic: number, version: number): Buffer | string {
  if (bytes.length < checkedFileHeaderBytes) return `too short (${bytes.length} bytes)`;
  if (bytes.readUInt32BE(0) !== magic) return `bad magic 0x${bytes.readUInt32BE(0).toString(16)}`;
  if (bytes.readUInt16BE(4) !== version) return `unsupported version ${bytes.readUInt16BE(4)}`;
  const length = bytes.readUInt32BE(8);
  if (checkedFileHeaderBytes + length !== bytes.length) return `length ${length} disagrees with file size`;
  const payload = bytes.subarray(checkedFileHeaderBytes);
  if (crc32c(payload) >>> 0 !== bytes.readUInt32BE(12)) return "checksum mismatch";
  return payload;
}

export async function fsyncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Writes `bytes` to `path` so that after a crash the file holds either its old or its new content. */
export async function writeFileAtomic(path: string, bytes: Buffer, durable = true): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.tmp`);
  const handle = await open(temp, "w");
  try {
    await handle.writeFile(bytes);
    if (durable) await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temp, path);
  if (durable) await fsyncDirectory(dirname(path));
}

export async function writeCheckedFile(path: string, magic: number, version: number, payload: Buffer) {
  await writeFileAtomic(path, encodeCheckedFile(magic, version, payload));
}

/** The payload of a checked file; null if it does not exist; LogError("CORRUPT") naming the file otherwise. */
export async function readCheckedFile(path: string, magic: number, version: number): Promise<Buffer | null> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw new LogError("STORAGE", `cannot read ${path}`, { cause: err });
  }
  if (bytes.length > limits.logCheckedFileBytesMax) {
    throw new LogError("CORRUPT", `${path}: ${bytes.length} bytes, larger than any file we write`);
  }
  const payload = decodeCheckedFile(bytes, magic, version);
  if (typeof payload === "string") throw new LogError("CORRUPT", `${path}: ${payload}`);
  return payload;
}

export async function removeIfExists(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
}
