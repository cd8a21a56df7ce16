// The persisted queue's files: page files (a header naming the page's first sequence number, then records),
// the head checkpoint (the first unacknowledged sequence number) and the lock that keeps two processes out.

import { closeSync, openSync, readFileSync, readSync, unlinkSync, writeSync } from "node:fs";
import { join } from "node:path";
import { crc32c } from "@node-rs/crc32";
import { decodeCheckedFile, encodeCheckedFile } from "../../log/checked-file.js";

/**
 * Page header (big-endian):
 *   0  magic    uint32  "SLPQ"
 *   4  version  uint16  1
 *   6  reserved uint16  0
 *   8  firstSeq uint64  sequence number of the page's first record; record i has firstSeq + i
 *   16 crc      uint32  CRC32C of bytes [0, 16)
 */
export const pageHeaderBytes = 20;
export const pageMagic = 0x534c5051;
export const pageVersion = 1;
/** Head checkpoint file: a checked file (see docs/storage.md) whose payload is uint64 firstUnackedSeq. */
export const checkpointMagic = 0x534c5143;
export const checkpointVersion = 1;
export const checkpointFileName = "checkpoint.head";
export const lockFileName = ".lock";

const pagePattern = /^page\.(\d{20})$/;

export function pageFileName(num: number): string {
  return `page.${String(num).padStart(20, "0")}`;
}

/** Page numbers found in `names`, in order. */
export function pageNumbers(names: readonly string[]): number[] {
  const nums: number[] = [];
  for (const name of names) {
    const m = pagePattern.exec(name);
    if (m !== null) nums.push(Number(m[1]));
  }
  return nums.sort((a, b) => a - b);
}

export function encodePageHeader(firstSeq: number): Buffer {
  const header = Buffer.alloc(pageHeaderBytes);
  header.writeUInt32BE(pageMagic, 0);
  header.writeUInt16BE(pageVersion, 4);
  header.writeBigUInt64BE(BigInt(firstSeq), 8);
  header.writeUInt32BE(crc32c(header.subarray(0, 16)) >>> 0, 16);
  return header;
}

/** The page's first sequence number, or a sentence saying what is wrong with its header. */
export function readPageHeader(fd: number): number | string {
  const header = Buffer.alloc(pageHeaderBytes);
  const read = readSync(fd, header, 0, pageHeaderBytes, 0);
  if (read < pageHeaderBytes) return `header is ${read} bytes, expected ${pageHeaderBytes}`;
  if (header.readUInt32BE(0) !== pageMagic) return `bad magic 0x${header.readUInt32BE(0).toString(16)}`;
  if (header.readUInt16BE(4) !== pageVersion) return `unsupported version ${header.readUInt16BE(4)}`;
  if (crc32c(header.subarray(0, 16)) >>> 0 !== header.readUInt32BE(16)) return "header checksum mismatch";
  const firstSeq = header.readBigUInt64BE(8);
  if (firstSeq > BigInt(Number.MAX_SAFE_INTEGER)) return `first sequence number ${firstSeq} is out of range`;
  return Number(firstSeq);
}

export function encodeCheckpoint(firstUnackedSeq: number): Buffer {
  const payload = Buffer.alloc(8);
  payload.writeBigUInt64BE(BigInt(firstUnackedSeq));
  return encodeCheckedFile(checkpointMagic, checkpointVersion, payload);
}

/** The checkpointed first unacknowledged sequence number; undefined when absent; a sentence when corrupt. */
export function readCheckpoint(dir: string): number | undefined | string {
  let bytes: Buffer;
  try {
    bytes = readFileSync(join(dir, checkpointFileName));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
  const payload = decodeCheckedFile(bytes, checkpointMagic, checkpointVersion);
  if (typeof payload === "string") return payload;
  if (payload.length !== 8) return `payload is ${payload.length} bytes, expected 8`;
  return Number(payload.readBigUInt64BE(0));
}

/**
 * Takes the directory for this process: a lock file holding our pid. A lock left by a process that no longer
 * runs (kill -9) is taken over; one held by a live process (this one included) is refused.
 */
export function acquireLock(dir: string): void {
  const path = join(dir, lockFileName);
  if (tryCreateLock(path)) return;
  const holder = Number.parseInt(safeRead(path), 10);
  if (Number.isInteger(holder) && holder > 0 && processAlive(holder))
    throw new Error(`the queue directory ${dir} is in use by process ${holder}`);
  try {
    unlinkSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
  // Another process taking over the same stale lock at the same moment wins here, and we refuse.
  if (!tryCreateLock(path)) throw new Error(`the queue directory ${dir} was just taken by another process`);
}

/** Throws when another live process holds the directory's lock (this process holding it is fine: a reload). */
export function checkQueueDirectory(dir: string): void {
  const holder = Number.parseInt(safeRead(join(dir, lockFileName)), 10);
  if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && processAlive(holder))
    throw new Error(`the queue directory ${dir} is in use by process ${holder}`);
}

/** Creates the lock file holding our pid; false if it exists. */
function tryCreateLock(path: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, "wx");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw err;
  }
  try {
    writeSync(fd, String(process.pid));
  } finally {
    closeSync(fd);
  }
  return true;
}

function safeRead(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}
