// One segment of a partition: the .log file of RecordBatch v2 bytes plus its in-memory sparse indexes,
// which are saved as .index/.timeindex when the segment is sealed or closed and rebuilt by scanning if bad.

import type { FileHandle } from "node:fs/promises";
import { open, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { limits } from "../common/limits.js";
import {
  type BatchHeader,
  type BatchProblem,
  batchHeaderBytes,
  batchLayout,
  batchLogOverheadBytes,
  checkBatch,
} from "./batch.js";
import { removeIfExists, writeFileAtomic } from "./checked-file.js";
import { OffsetIndex, TimeIndex } from "./indexes.js";

const offsetDigits = 20;
const segmentNamePattern = /^(\d{20})\.log$/;

export function segmentFileName(baseOffset: bigint, extension: ".log" | ".index" | ".timeindex"): string {
  return baseOffset.toString().padStart(offsetDigits, "0") + extension;
}

/** The base offset named by a segment's .log file name, or null for any other file. */
export function parseSegmentFileName(name: string): bigint | null {
  const match = segmentNamePattern.exec(name);
  return match ? BigInt(match[1]!) : null;
}

export interface WalkedBatch {
  position: number;
  /** Null when not even a header could be read. */
  header: BatchHeader | null;
  problem: BatchProblem | null;
  /** The whole batch (a view of a freshly read buffer); empty when its length field cannot be trusted. */
  bytes: Buffer;
}

async function readFully(handle: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.allocUnsafe(length);
  let filled = 0;
  while (filled < length) {
    const { bytesRead } = await handle.read(buffer, filled, length - filled, position + filled);
    if (bytesRead === 0) break; // the file is shorter than we were told: callers see a truncated batch
    filled += bytesRead;
  }
  return filled === length ? buffer : buffer.subarray(0, filled);
}

function trustworthyLength(sizeBytes: number, remaining: number): boolean {
  return sizeBytes >= batchHeaderBytes && sizeBytes <= limits.logBatchBytesMax && sizeBytes <= remaining;
}

/**
 * Walks batches in [start, end) with one pread per chunk, checking each (length, magic, CRC32C).
 * After a batch whose content is bad but whose length is plausible, the walk goes on past it;
 * after a bad length or a truncated batch it stops (nothing after it can be located).
 */
export async function* walkBatches(
  handle: FileHandle,
  start: number,
  end: number,
  chunkBytes: number,
): AsyncGenerator<WalkedBatch> {
  let chunk: Buffer = Buffer.alloc(0);
  let chunkStart = start;
  const ensure = async (position: number, need: number): Promise<number> => {
    if (position < chunkStart || position + need > chunkStart + chunk.length) {
      chunk = await readFully(handle, position, Math.min(end - position, Math.max(chunkBytes, need)));
      chunkStart = position;
    }
    return position - chunkStart;
  };
  let position = start;
  while (position < end) {
    const remaining = end - position;
    let at = await ensure(position, Math.min(remaining, batchHeaderBytes));
    if (chunk.length - at < batchHeaderBytes) {
      yield { position, header: null, problem: "truncated", bytes: Buffer.alloc(0) };
      return;
    }
    const sizeBytes = batchLogOverheadBytes + chunk.readInt32BE(at + batchLayout.batchLength);
    const plausible = trustworthyLength(sizeBytes, remaining);
    if (plausible) at = await ensure(position, sizeBytes);
    const { header, problem } = checkBatch(chunk, at, limits.logBatchBytesMax);
    const whole = plausible && chunk.length - at >= sizeBytes;
    yield { position, header, problem, bytes: whole ? chunk.subarray(at, at + sizeBytes) : Buffer.alloc(0) };
    if (!whole || problem === "truncated" || problem === "bad-length") return;
    position += sizeBytes;
  }
}

export interface AppendedBatch {
  baseOffset: bigint;
  lastOffset: bigint;
  maxTimestamp: number;
  sizeBytes: number;
}

export class Segment {
  readonly offsetIndex = new OffsetIndex();
  readonly timeIndex = new TimeIndex();
  /** Bytes of whole batches in the file, all readable. */
  size = 0;
  /** Offset after the last batch (meaningful for the active segment; sealed ones may not know it). */
  nextOffset: bigint;
  /** Largest batch maxTimestamp in the segment, -1 if none. */
  maxTimestamp = -1;
  /** When the segment took its first batch (wall clock), for segment.ms rolls. */
  firstAppendMs: number | null = null;
  /** When the segment last changed (wall clock), for time retention of batches without timestamps. */
  lastModifiedMs: number;
  deleted = false;
  private bytesSinceIndexEntry = 0;
  private lastBatchRelativeOffset = 0;

  private constructor(
    readonly dir: string,
    readonly baseOffset: bigint,
    readonly handle: FileHandle,
    nowMs: number,
  ) {
    this.nextOffset = baseOffset;
    this.lastModifiedMs = nowMs;
  }

  get logPath(): string {
    return join(this.dir, segmentFileName(this.baseOffset, ".log"));
  }
  get indexPath(): string {
    return join(this.dir, segmentFileName(this.baseOffset, ".index"));
  }
  get timeIndexPath(): string {
    return join(this.dir, segmentFileName(this.baseOffset, ".timeindex"));
  }

  /** Creates a new empty segment file (the caller fsyncs the directory). */
  static async create(dir: string, baseOffset: bigint): Promise<Segment> {
    const handle = await open(join(dir, segmentFileName(baseOffset, ".log")), "w+");
    return new Segment(dir, baseOffset, handle, Date.now());
  }

  /** Opens an existing segment file; its size is what is on disk until the caller scans or loads indexes. */
  static async open(dir: string, baseOffset: bigint): Promise<Segment> {
    const path = join(dir, segmentFileName(baseOffset, ".log"));
    const handle = await open(path, "r+");
    const info = await stat(path);
    const segment = new Segment(dir, baseOffset, handle, info.mtimeMs);
    segment.size = info.size;
    return segment;
  }

  /** Records a batch written at `position`, indexing it if the index interval has passed. */
  noteAppended(batch: AppendedBatch, position: number, indexIntervalBytes: number, nowMs: number): void {
    const relativeOffset = Number(batch.baseOffset - this.baseOffset);
    if (this.bytesSinceIndexEntry >= indexIntervalBytes && position > 0) {
      this.offsetIndex.append(relativeOffset, position);
      this.timeIndex.append(Math.max(this.maxTimestamp, batch.maxTimestamp), relativeOffset);
      this.bytesSinceIndexEntry = 0;
    }
    this.bytesSinceIndexEntry += batch.sizeBytes;
    if (batch.maxTimestamp > this.maxTimestamp) this.maxTimestamp = batch.maxTimestamp;
    this.lastBatchRelativeOffset = relativeOffset;
    this.size = position + batch.sizeBytes;
    this.nextOffset = batch.lastOffset + 1n;
    this.firstAppendMs ??= nowMs;
    this.lastModifiedMs = nowMs;
  }

  /** Adds the final time index entry so the saved index knows the segment's largest timestamp. */
  private completeTimeIndex(): void {
    if (this.maxTimestamp > this.timeIndex.lastTimestamp) {
      this.timeIndex.append(this.maxTimestamp, this.lastBatchRelativeOffset);
    }
  }

  /** Position from which a forward walk reaches the batch containing `offset`. */
  positionFor(offset: bigint): number {
    if (offset <= this.baseOffset) return 0;
    return this.offsetIndex.positionFor(Number(offset - this.baseOffset));
  }

  /** Position from which a forward walk meets every batch with maxTimestamp >= `timestamp`. */
  positionForTimestamp(timestamp: number): number {
    const relativeOffset = this.timeIndex.scanStartFor(timestamp);
    return this.offsetIndex.positionFor(relativeOffset);
  }

  /** Saves both indexes (not fsynced: a torn or stale index fails its checks and is rebuilt). */
  async saveIndexes(): Promise<void> {
    this.completeTimeIndex();
    await writeFileAtomic(this.indexPath, this.offsetIndex.encode(this.baseOffset, this.size), false);
    await writeFileAtomic(this.timeIndexPath, this.timeIndex.encode(this.baseOffset, this.size), false);
  }

  /**
   * Loads saved indexes if both are intact and describe the current file size; returns a reason otherwise.
   * The in-memory indexes are replaced only on success.
   */
  async loadIndexes(): Promise<string | null> {
    let offsetFile: Buffer;
    let timeFile: Buffer;
    try {
      offsetFile = await readFile(this.indexPath);
      timeFile = await readFile(this.timeIndexPath);
    } catch (err) {
      return (err as NodeJS.ErrnoException).code === "ENOENT" ? "missing" : String(err);
    }
    const offsets = OffsetIndex.decode(offsetFile, this.baseOffset, this.size);
    if (typeof offsets === "string") return `offset index ${offsets}`;
    const times = TimeIndex.decode(timeFile, this.baseOffset, this.size);
    if (typeof times === "string") return `time index ${times}`;
    Object.assign(this, { offsetIndex: offsets, timeIndex: times });
    this.maxTimestamp = times.lastTimestamp;
    return null;
  }

  /** Forgets the indexes before a rebuild scan. */
  resetIndexes(): void {
    Object.assign(this, { offsetIndex: new OffsetIndex(), timeIndex: new TimeIndex() });
    this.bytesSinceIndexEntry = 0;
    this.maxTimestamp = -1;
    this.nextOffset = this.baseOffset;
    this.size = 0;
  }

  async truncateTo(position: number): Promise<void> {
    await this.handle.truncate(position);
    await this.handle.datasync();
    this.size = position;
  }

  async sync(): Promise<void> {
    await this.handle.datasync();
  }

  async close(): Promise<void> {
    await this.handle.close();
  }

  /** Removes the segment's files. Node's FileHandle.close waits for reads in flight; later ones fail. */
  async remove(): Promise<void> {
    this.deleted = true;
    await this.handle.close();
    await removeIfExists(this.logPath);
    await removeIfExists(this.indexPath);
    await removeIfExists(this.timeIndexPath);
  }
}
