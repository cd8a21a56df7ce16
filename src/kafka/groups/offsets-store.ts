// Committed offsets, durable: an append-only log of checksummed records, fsync'd in groups before any commit
// is acknowledged, and rewritten (compacted) to its live entries on open and whenever it grows too stale.

import { type FileHandle, mkdir, open, readFile, rename } from "node:fs/promises";
import { join } from "node:path";
import { assert } from "../../common/assert.js";
import { limits } from "../../common/limits.js";
import type { Logger } from "../../common/logger.js";
import {
  encodeOffsetRecord,
  type OffsetEntry,
  type OffsetRecord,
  readOffsetFrame,
} from "./offsets-record.js";

export const offsetsLogFileName = "offsets.log";

interface PendingWrite {
  records: OffsetRecord[];
  bytes: Buffer[];
  resolve: () => void;
  reject: (err: Error) => void;
}

export class OffsetsStoreFullError extends Error {
  override name = "OffsetsStoreFullError";
}

export class OffsetsStore {
  /** group → "topic\0partition" → entry: exactly what the file holds once replayed. */
  private readonly offsets = new Map<string, Map<string, OffsetEntry>>();
  private queue: PendingWrite[] = [];
  private queuedBytes = 0;
  private flushing: Promise<void> | null = null;
  private fileBytes = 0;
  private closed = false;
  private compactRequested = false;

  private constructor(
    private readonly dir: string,
    private readonly logger: Logger,
    private file: FileHandle | null,
  ) {}

  static async open(dir: string, logger: Logger): Promise<OffsetsStore> {
    await mkdir(dir, { recursive: true });
    const store = new OffsetsStore(dir, logger, null);
    await store.replay();
    await store.rewrite();
    return store;
  }

  get(group: string, topic: string, partition: number): OffsetEntry | undefined {
    return this.offsets.get(group)?.get(entryKey(topic, partition));
  }

  groupOffsets(group: string): OffsetEntry[] {
    return [...(this.offsets.get(group)?.values() ?? [])];
  }

  groups(): string[] {
    return [...this.offsets.keys()];
  }

  hasOffsets(group: string): boolean {
    return this.offsets.has(group);
  }

  get sizeBytes(): number {
    return this.fileBytes;
  }

  /** Appends records and resolves once they are on disk; only then do reads see them. */
  write(records: OffsetRecord[]): Promise<void> {
    if (this.closed) return Promise.reject(new Error("offsets store is closed"));
    if (records.length === 0) return Promise.resolve();
    const bytes = records.map(encodeOffsetRecord);
    const size = bytes.reduce((n, b) => n + b.length, 0);
    if (this.queuedBytes + size > limits.offsetsWriteQueueBytesMax) {
      return Promise.reject(new OffsetsStoreFullError("offset commit queue is full"));
    }
    this.queuedBytes += size;
    const written = new Promise<void>((resolve, reject) =>
      this.queue.push({ records, bytes, resolve, reject }),
    );
    this.startFlush();
    return written;
  }

  /** Rewrites the file with only live entries, in turn with appends (never while one is being written). */
  async compact(): Promise<void> {
    this.compactRequested = true;
    this.startFlush();
    while (this.flushing) await this.flushing;
  }

  async close(): Promise<void> {
    this.closed = true;
    while (this.flushing) await this.flushing;
    await this.file?.close();
    this.file = null;
  }

  // One flush at a time; whatever queued while it ran goes out together in the next one (group commit).
  private startFlush(): void {
    if (this.flushing) return;
    this.flushing = this.flushLoop();
  }

  private async flushLoop(): Promise<void> {
    try {
      await this.drainQueue();
    } finally {
      this.flushing = null;
      // A writer resolved by the last batch may already have queued more before this line ran.
      if (this.queue.length > 0 || this.compactRequested) this.startFlush();
    }
  }

  private async drainQueue(): Promise<void> {
    while (this.queue.length > 0 || this.compactRequested) {
      if (this.queue.length === 0) {
        this.compactRequested = false;
        await this.rewriteLogged();
        continue;
      }
      const batch = this.queue;
      this.queue = [];
      const bytes = batch.flatMap((w) => w.bytes);
      const size = bytes.reduce((n, b) => n + b.length, 0);
      try {
        await this.appendDurably(bytes, size);
      } catch (err) {
        this.logger.error("committing offsets failed", { error: err as Error });
        this.queuedBytes -= size;
        for (const w of batch) w.reject(err as Error);
        continue;
      }
      this.queuedBytes -= size;
      for (const w of batch) for (const r of w.records) this.apply(r);
      for (const w of batch) w.resolve();
      if (this.needsCompaction()) await this.rewriteLogged();
    }
  }

  private async appendDurably(bytes: Buffer[], size: number): Promise<void> {
    assert(this.file, "offsets file used before open or after close");
    const whole = Buffer.concat(bytes, size);
    let done = 0;
    while (done < whole.length) {
      const { bytesWritten } = await this.file.write(whole, done, whole.length - done);
      done += bytesWritten;
    }
    await this.file.datasync();
    this.fileBytes += size;
  }

  private needsCompaction(): boolean {
    if (this.fileBytes < limits.offsetsLogCompactMinBytes) return false;
    return this.fileBytes > 2 * this.liveBytesEstimate();
  }

  private liveBytesEstimate(): number {
    let bytes = 0;
    for (const [group, entries] of this.offsets) {
      for (const e of entries.values())
        bytes += 40 + group.length + e.topic.length + (e.metadata?.length ?? 0);
    }
    return bytes;
  }

  private async rewriteLogged(): Promise<void> {
    try {
      await this.rewrite();
    } catch (err) {
      // The old file is intact (rename is atomic), so commits keep going to it.
      this.logger.error("compacting the offsets log failed", { error: err as Error });
    }
  }

  private apply(record: OffsetRecord): void {
    if (record.kind === "commit") {
      let entries = this.offsets.get(record.group);
      if (!entries) {
        entries = new Map();
        this.offsets.set(record.group, entries);
      }
      entries.set(entryKey(record.entry.topic, record.entry.partition), record.entry);
      return;
    }
    const entries = this.offsets.get(record.group);
    entries?.delete(entryKey(record.topic, record.partition));
    if (entries?.size === 0) this.offsets.delete(record.group);
  }

  private path(): string {
    return join(this.dir, offsetsLogFileName);
  }

  /** Loads the file; a torn tail or garbage ends the replay, a corrupt record is skipped, each with a log line. */
  private async replay(): Promise<void> {
    let buf: Buffer;
    try {
      buf = await readFile(this.path());
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return;
      throw err;
    }
    let pos = 0;
    while (pos < buf.length) {
      const frame = readOffsetFrame(buf, pos);
      if (frame.status === "ok") {
        this.apply(frame.record);
        pos += frame.sizeBytes;
      } else if (frame.status === "corrupt") {
        this.logger.warn("skipping corrupt offsets record", {
          file: this.path(),
          position: pos,
          reason: frame.reason,
        });
        pos += frame.sizeBytes;
      } else {
        const reason = frame.status === "torn" ? "torn write at the tail" : frame.reason;
        this.logger.warn("truncating offsets log", {
          file: this.path(),
          position: pos,
          droppedBytes: buf.length - pos,
          reason,
        });
        break;
      }
    }
  }

  /** Writes the live entries to a new file, fsyncs it and renames it over the old one (atomic on POSIX). */
  private async rewrite(): Promise<void> {
    const tmpPath = `${this.path()}.tmp`;
    const records: Buffer[] = [];
    for (const [group, entries] of this.offsets) {
      for (const entry of entries.values())
        records.push(encodeOffsetRecord({ kind: "commit", group, entry }));
    }
    const whole = Buffer.concat(records);
    const tmp = await open(tmpPath, "w");
    try {
      await tmp.writeFile(whole);
      await tmp.sync();
    } finally {
      await tmp.close();
    }
    // The old handle stays usable until the new file is in place, so a failure here loses nothing.
    await rename(tmpPath, this.path());
    await syncDir(this.dir);
    const fresh = await open(this.path(), "a");
    await this.file?.close();
    this.file = fresh;
    this.fileBytes = whole.length;
  }
}

function entryKey(topic: string, partition: number): string {
  return `${topic}\0${partition}`;
}

async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
