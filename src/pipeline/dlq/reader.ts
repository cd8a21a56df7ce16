// Reads a dead-letter queue in order while its writer may still be appending: from a position (segment, byte
// offset) through every later segment, waiting at the end of the newest one; a corrupt entry is logged, counted
// and skipped. Consumed segments can be deleted (the input's clean_consumed).

import { closeSync, fstatSync, openSync, readdirSync, readSync, unlinkSync } from "node:fs";
import { join } from "node:path";
import { limits } from "../../common/limits.js";
import type { Logger } from "../../common/logger.js";
import { readRecord } from "../queue/records.js";
import {
  type DeadLetterEntry,
  decodeEntry,
  segmentFileName,
  segmentHeaderBytes,
  segmentHeaderProblem,
  segmentNumbers,
} from "./segment-file.js";

/** Where the next entry is read: byte `offset` of segment `segment` (0: before the first segment). */
export interface DeadLetterPosition {
  segment: number;
  offset: number;
}

export class DeadLetterQueueReader {
  /** Entries skipped because their bytes or content were bad. */
  corruptEntries = 0;
  private current: DeadLetterPosition;
  private stuckWarned = false;

  constructor(
    readonly dir: string,
    private readonly logger: Logger,
    start: DeadLetterPosition = { segment: 0, offset: 0 },
  ) {
    this.current = { ...start };
  }

  /** The position after the last entry returned by poll. */
  get position(): DeadLetterPosition {
    return { ...this.current };
  }

  /** Up to `max` entries after the position (fewer, possibly none, when the writer has not written more yet). */
  poll(max: number): DeadLetterEntry[] {
    const entries: DeadLetterEntry[] = [];
    const segments = this.segments();
    while (entries.length < max) {
      const segment = this.currentSegment(segments);
      if (segment === undefined) break;
      const later = segments.some((n) => n > segment);
      const done = this.readSegment(segment, max - entries.length, entries, later);
      if (!done || !later) break;
      this.current = { segment: segments.find((n) => n > segment)!, offset: 0 };
    }
    return entries;
  }

  /** Deletes every segment before the one the position is in: their entries have all been consumed. */
  deleteConsumed(): number {
    let deleted = 0;
    for (const num of this.segments()) {
      if (num >= this.current.segment) break;
      try {
        unlinkSync(join(this.dir, segmentFileName(num)));
        deleted++;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
      }
    }
    return deleted;
  }

  private segments(): number[] {
    try {
      return segmentNumbers(readdirSync(this.dir));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw err;
    }
  }

  /** The segment the position is in, moving to the next one when it was deleted (retention, drop_older). */
  private currentSegment(segments: number[]): number | undefined {
    if (segments.includes(this.current.segment)) return this.current.segment;
    const next = segments.find((n) => n > this.current.segment);
    if (next === undefined) return undefined;
    this.current = { segment: next, offset: 0 };
    return next;
  }

  /**
   * Reads entries of one segment into `out`. True when the segment is finished (its end reached while a later
   * segment exists, or it is unreadable from here on); false when more may still be written to it.
   */
  private readSegment(num: number, max: number, out: DeadLetterEntry[], later: boolean): boolean {
    const path = join(this.dir, segmentFileName(num));
    let fd: number;
    try {
      fd = openSync(path, "r");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return true;
      throw err;
    }
    try {
      const size = fstatSync(fd).size;
      if (this.current.offset === 0) {
        if (size < segmentHeaderBytes) return later;
        const header = Buffer.alloc(segmentHeaderBytes);
        readSync(fd, header, 0, segmentHeaderBytes, 0);
        const problem = segmentHeaderProblem(header);
        if (problem !== undefined) {
          this.corruptEntries++;
          this.logger.error("dead-letter queue segment has a bad header; skipped", { file: path, problem });
          return true;
        }
        this.current.offset = segmentHeaderBytes;
      }
      return this.readEntries(fd, path, size, max, out, later);
    } finally {
      closeSync(fd);
    }
  }

  private readEntries(
    fd: number,
    path: string,
    size: number,
    max: number,
    out: DeadLetterEntry[],
    later: boolean,
  ): boolean {
    while (out.length < max) {
      const offset = this.current.offset;
      if (offset >= size) return later;
      const chunk = chunkAt(fd, offset, size);
      let pos = 0;
      while (out.length < max && pos < chunk.length) {
        const read = readRecord(chunk, pos, limits.deadLetterQueueEntryBytesMax);
        if (read.kind === "incomplete") break;
        if (read.kind === "bad-length") {
          this.current.offset = offset + pos;
          return this.unreadable(path, later);
        }
        if (read.kind === "bad-crc") {
          this.corruptEntries++;
          this.logger.error("dead-letter queue entry is corrupt; skipped", {
            file: path,
            position: offset + pos,
          });
        } else this.decodeInto(read.payload, path, out);
        pos = read.next;
      }
      this.current.offset = offset + pos;
      // Nothing whole at the position: a torn tail if the writer moved on, else an entry not yet written.
      if (pos === 0) return later ? this.unreadable(path, later) : false;
    }
    return false;
  }

  private decodeInto(payload: Buffer, path: string, out: DeadLetterEntry[]): void {
    try {
      out.push(decodeEntry(payload));
    } catch (err) {
      this.corruptEntries++;
      this.logger.error("dead-letter queue entry cannot be decoded; skipped", { file: path, error: err });
    }
  }

  private unreadable(path: string, later: boolean): boolean {
    if (later) {
      this.corruptEntries++;
      this.logger.error("dead-letter queue segment is unreadable from here; moving to the next one", {
        file: path,
        position: this.current.offset,
      });
      return true;
    }
    if (!this.stuckWarned) {
      this.stuckWarned = true;
      this.logger.warn(
        "dead-letter queue segment has unreadable bytes at its end; waiting for a newer segment",
        {
          file: path,
          position: this.current.offset,
        },
      );
    }
    return false;
  }
}

/** Bytes from `offset`: a read chunk, or more when the record there is longer. */
function chunkAt(fd: number, offset: number, size: number): Buffer {
  const header = readAt(fd, offset, Math.min(8, size - offset));
  let length = limits.persistedQueueReadChunkBytes;
  if (header.length === 8) {
    const record = header.readUInt32BE(0);
    if (record <= limits.deadLetterQueueEntryBytesMax) length = Math.max(length, 8 + record);
  }
  return readAt(fd, offset, Math.min(length, size - offset));
}

function readAt(fd: number, offset: number, length: number): Buffer {
  const bytes = Buffer.allocUnsafe(length);
  const read = readSync(fd, bytes, 0, length, offset);
  return bytes.subarray(0, read);
}
