// Writes a pipeline's dead-letter queue: entries appended to the newest segment, segments rolled at a size,
// the whole kept under dead_letter_queue.max_bytes (storage_policy drop_newer refuses new entries, drop_older
// deletes the oldest segments) and segments older than retain.age deleted.

import {
  closeSync,
  fdatasync,
  fdatasyncSync,
  fstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  statSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";
import { limits } from "../../common/limits.js";
import type { Logger } from "../../common/logger.js";
import { type Event, Timestamp } from "../event/index.js";
import { frameRecord } from "../queue/records.js";
import {
  encodeEntry,
  encodeSegmentHeader,
  segmentFileName,
  segmentHeaderBytes,
  segmentNumbers,
} from "./segment-file.js";

export type DeadLetterStoragePolicy = "drop_newer" | "drop_older";

/** What the runtime and plugins call to dead-letter an event (PluginContext.deadLetter is bound to one). */
export interface DeadLetterWriter {
  write(event: Event, reason: string, pluginId: string, pluginType: string): boolean;
}

export interface DeadLetterQueueWriterOptions {
  /** `<path.data>/dead_letter_queue/<pipeline id>` */
  dir: string;
  /** dead_letter_queue.max_bytes */
  maxBytes: number;
  /** dead_letter_queue.storage_policy */
  storagePolicy: DeadLetterStoragePolicy;
  /** dead_letter_queue.retain.age in ms; undefined keeps entries until max_bytes pushes them out. */
  retainAgeMs?: number;
  /** dead_letter_queue.flush_interval: written entries are fsynced within this many ms. */
  flushIntervalMs?: number;
  /** Size at which a segment is sealed (tests make it small). */
  segmentBytesMax?: number;
  logger: Logger;
  now?: () => number;
}

interface Segment {
  readonly num: number;
  readonly path: string;
  bytes: number;
  /** When its newest entry was written (the file's mtime for segments found at open). */
  lastEntryMs: number;
}

export interface DeadLetterQueueStats {
  entries: number;
  /** Entries refused: queue full under drop_newer, or too big. */
  droppedEntries: number;
  /** Segments deleted to make room under drop_older. */
  droppedSegments: number;
  /** Segments deleted for being older than retain.age. */
  expiredSegments: number;
}

export class DeadLetterQueueWriter implements DeadLetterWriter {
  readonly stats: DeadLetterQueueStats = {
    entries: 0,
    droppedEntries: 0,
    droppedSegments: 0,
    expiredSegments: 0,
  };
  private readonly segments: Segment[] = [];
  private headFd: number | undefined;
  private syncTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly now: () => number;
  private readonly segmentBytesMax: number;

  static open(options: DeadLetterQueueWriterOptions): DeadLetterQueueWriter {
    return new DeadLetterQueueWriter(options);
  }

  private constructor(private readonly options: DeadLetterQueueWriterOptions) {
    this.now = options.now ?? Date.now;
    this.segmentBytesMax = options.segmentBytesMax ?? limits.deadLetterQueueSegmentBytesMax;
    mkdirSync(options.dir, { recursive: true });
    this.rescan();
    this.expire();
  }

  get bytes(): number {
    let total = 0;
    for (const segment of this.segments) total += segment.bytes;
    return total;
  }

  get segmentCount(): number {
    return this.segments.length;
  }

  /** Appends one entry; false when it was dropped (full under drop_newer, too big, or closed). */
  write(event: Event, reason: string, pluginId: string, pluginType: string): boolean {
    if (this.closed) return this.drop("the dead-letter queue is closed", pluginId);
    this.expire();
    const entryTime = Timestamp.now();
    const payload = encodeEntry({ event, reason, pluginId, pluginType, entryTime });
    if (payload.length > limits.deadLetterQueueEntryBytesMax)
      return this.drop(`entry of ${payload.length} bytes is larger than the limit`, pluginId);
    const record = frameRecord(payload);
    if (!this.makeRoom(record.length)) return this.drop("dead_letter_queue.max_bytes reached", pluginId);
    const head = this.headFor(record.length);
    writeSync(this.headFd!, record);
    head.bytes += record.length;
    head.lastEntryMs = this.now();
    this.stats.entries++;
    this.scheduleSync();
    return true;
  }

  /** Fsyncs and closes the active segment; later writes are dropped. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.syncTimer);
    this.sealHead();
  }

  private drop(why: string, pluginId: string): false {
    this.stats.droppedEntries++;
    // One line for the first drop and then every 1000th, so a flood of failures does not flood the log too.
    if (this.stats.droppedEntries % 1000 === 1)
      this.options.logger.warn("dead-letter queue entry dropped", {
        dir: this.options.dir,
        plugin: pluginId,
        reason: why,
        dropped_total: this.stats.droppedEntries,
      });
    return false;
  }

  /** Whether `bytes` more fit under max_bytes, deleting the oldest segments first under drop_older. */
  private makeRoom(bytes: number): boolean {
    const extra = this.headFd === undefined ? segmentHeaderBytes : 0;
    if (this.bytes + bytes + extra <= this.options.maxBytes) return true;
    if (this.options.storagePolicy === "drop_newer") return false;
    while (this.segments.length > 0 && this.bytes + bytes + segmentHeaderBytes > this.options.maxBytes) {
      this.deleteOldest();
      this.stats.droppedSegments++;
    }
    return this.bytes + bytes + segmentHeaderBytes <= this.options.maxBytes;
  }

  private headFor(recordBytes: number): Segment {
    let head = this.headFd === undefined ? undefined : this.segments[this.segments.length - 1];
    if (
      head !== undefined &&
      head.bytes + recordBytes > this.segmentBytesMax &&
      head.bytes > segmentHeaderBytes
    ) {
      this.sealHead();
      head = undefined;
    }
    if (head !== undefined) return head;
    // Entries always go to a new segment, so a torn tail left by a crash stays at the end of a sealed one. The
    // directory is looked at again first: a pipeline being replaced by a reload, or a dead_letter_queue input
    // with clean_consumed, may have added or removed segments since.
    this.rescan();
    const num = (this.segments[this.segments.length - 1]?.num ?? 0) + 1;
    const path = join(this.options.dir, segmentFileName(num));
    this.headFd = openSync(path, "wx");
    writeSync(this.headFd, encodeSegmentHeader(this.now()));
    const segment: Segment = { num, path, bytes: fstatSync(this.headFd).size, lastEntryMs: this.now() };
    this.segments.push(segment);
    return segment;
  }

  /** Reloads the list of sealed segments from the directory (only while no segment is open for writing). */
  private rescan(): void {
    const known = new Map(this.segments.map((segment) => [segment.num, segment.lastEntryMs]));
    this.segments.length = 0;
    for (const num of segmentNumbers(readdirSync(this.options.dir))) {
      const path = join(this.options.dir, segmentFileName(num));
      try {
        const stat = statSync(path);
        const lastEntryMs = known.get(num) ?? stat.mtimeMs;
        this.segments.push({ num, path, bytes: stat.size, lastEntryMs });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
      }
    }
  }

  private sealHead(): void {
    if (this.headFd === undefined) return;
    fdatasyncSync(this.headFd);
    closeSync(this.headFd);
    this.headFd = undefined;
  }

  private deleteOldest(): void {
    const oldest = this.segments[0]!;
    if (this.segments.length === 1 && this.headFd !== undefined) {
      closeSync(this.headFd);
      this.headFd = undefined;
    }
    this.segments.shift();
    try {
      unlinkSync(oldest.path);
    } catch (err) {
      // A dead_letter_queue input with clean_consumed may have deleted it first.
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    }
  }

  /** Deletes segments whose newest entry is older than retain.age. */
  private expire(): void {
    const age = this.options.retainAgeMs;
    if (age === undefined) return;
    const cutoff = this.now() - age;
    while (this.segments.length > 0 && this.segments[0]!.lastEntryMs < cutoff) {
      this.deleteOldest();
      this.stats.expiredSegments++;
    }
  }

  private scheduleSync(): void {
    if (this.syncTimer !== undefined) return;
    this.syncTimer = setTimeout(() => {
      this.syncTimer = undefined;
      const fd = this.headFd;
      if (fd === undefined) return;
      fdatasync(fd, (err) => {
        if (err)
          this.options.logger.error("dead-letter queue fsync failed", { dir: this.options.dir, error: err });
      });
    }, this.options.flushIntervalMs ?? 5000);
    this.syncTimer.unref();
  }
}
