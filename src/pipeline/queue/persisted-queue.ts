// The persisted queue (queue.type: persisted): events are appended to page files as checksummed records and
// handed to workers from memory or, past the read-ahead window, read back from the pages; a batch's events are
// forgotten only when the worker acknowledges it, and pages wholly acknowledged are deleted. See
// docs/persistent-queue.md for the format, durability and recovery.

import {
  closeSync,
  fdatasync,
  fdatasyncSync,
  fstatSync,
  fsyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readdirSync,
  readSync,
  renameSync,
  unlinkSync,
  writeSync,
  writevSync,
} from "node:fs";
import { join } from "node:path";
import { assert } from "../../common/assert.js";
import { limits } from "../../common/limits.js";
import type { Logger } from "../../common/logger.js";
import { writeFileAtomic } from "../../log/checked-file.js";
import { GroupCommit } from "../../log/group-commit.js";
import type { Event } from "../event/index.js";
import type { PipelineQueue, QueueBatch } from "../runtime/queue.js";
import { decodeEvent, encodeEvent } from "./event-codec.js";
import {
  acquireLock,
  checkpointFileName,
  encodeCheckpoint,
  encodePageHeader,
  lockFileName,
  pageFileName,
  pageHeaderBytes,
  pageNumbers,
  readCheckpoint,
  readPageHeader,
} from "./page-file.js";
import { readRecord, recordHeader, recordHeaderBytes } from "./records.js";

/** How long an idle worker waits for a first event when the batch delay is 0 (it must wake now and then to flush). */
const idleWaitMs = 100;

export interface PersistedQueueOptions {
  /** `<path.data>/queue/<pipeline id>` */
  dir: string;
  /** queue.max_bytes: pages may hold this many bytes of unacknowledged events before push waits. */
  maxBytes: number;
  /** queue.page_capacity: a page rolls before it would grow past this. */
  pageCapacityBytes: number;
  /** queue.checkpoint.writes: push() fsyncs the head page after this many unsynced writes. */
  checkpointWrites: number;
  /** queue.drain: after close(), workers still get every queued event. */
  drain: boolean;
  logger: Logger;
  /** Events kept in memory ahead of the workers (tests make it small to exercise reads from disk). */
  readAheadEvents?: number;
}

interface Page {
  readonly num: number;
  readonly path: string;
  readonly firstSeq: number;
  /** Opened for append and read; closed when the page is deleted or the queue shuts down. */
  readonly fd: number;
  /** File size including bytes still waiting in the write buffer (head page only). */
  bytes: number;
}

interface Cursor {
  page: Page;
  /** File position of the record with sequence number `seq`. */
  offset: number;
  seq: number;
}

interface Taken {
  readonly from: number;
  readonly to: number;
  done: boolean;
}

interface BufferedEvent {
  readonly seq: number;
  readonly event: Event;
}

/** What a taken slot of `buffered` holds until the array is compacted. */
const takenSlot: BufferedEvent = { seq: -1, event: undefined as unknown as Event };

interface BatchWaiter {
  wanted: number;
  wake: () => void;
}

/** Counters for the monitoring API and tests. */
export interface PersistedQueueStats {
  /** Records found corrupt (bad checksum, undecodable) or lost with an unreadable page part; skipped. */
  corruptRecords: number;
  /** Bytes cut from a torn head page tail at open. */
  truncatedBytes: number;
  /** Events too big to store (limits.persistedQueueRecordBytesMax); logged and dropped. */
  oversizedEvents: number;
  /** Unacknowledged events found at open and served again. */
  replayedEvents: number;
  pagesDeleted: number;
  fsyncs: number;
}

export class PersistedQueue implements PipelineQueue {
  readonly stats: PersistedQueueStats = {
    corruptRecords: 0,
    truncatedBytes: 0,
    oversizedEvents: 0,
    replayedEvents: 0,
    pagesDeleted: 0,
    fsyncs: 0,
  };
  private readonly pages: Page[] = [];
  private nextSeq = 0;
  /** Every event below it was taken by a worker (or skipped as corrupt). */
  private readSeq = 0;
  /** Every event below it was acknowledged. */
  private firstUnacked = 0;
  private cursor!: Cursor;
  private buffered: BufferedEvent[] = [];
  private bufferedHead = 0;
  private readonly taken: Taken[] = [];
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private flushScheduled = false;
  private unsyncedWrites = 0;
  private readonly commit: GroupCommit;
  private syncingFd = -1;
  private checkpointed = -1;
  private checkpointRunning: Promise<void> | undefined;
  private checkpointAgain = false;
  private readChunk: { page: Page; start: number; bytes: Buffer } | undefined;
  private readonly batchWaiters: BatchWaiter[] = [];
  private roomWaiters: Array<() => void> = [];
  private closed = false;
  private shutDown = false;
  private readonly readAheadEvents: number;
  private readonly logger: Logger;

  /** Opens (creating, recovering) the queue in `options.dir`; throws if another live process holds it. */
  static open(options: PersistedQueueOptions): PersistedQueue {
    return new PersistedQueue(options);
  }

  private constructor(private readonly options: PersistedQueueOptions) {
    assert(options.pageCapacityBytes > pageHeaderBytes, "page capacity must exceed the page header");
    assert(options.maxBytes >= options.pageCapacityBytes, "max_bytes must be at least the page capacity");
    this.logger = options.logger;
    this.readAheadEvents = options.readAheadEvents ?? limits.persistedQueueReadAheadEventsMax;
    this.commit = new GroupCommit(() => this.syncHead());
    mkdirSync(options.dir, { recursive: true });
    acquireLock(options.dir);
    try {
      this.recover();
    } catch (err) {
      this.releaseFiles();
      throw err;
    }
  }

  get size(): number {
    return this.nextSeq - this.readSeq;
  }

  /** Events written and not yet acknowledged (what a restart now would replay, at most). */
  get unacknowledged(): number {
    return this.nextSeq - this.firstUnacked;
  }

  /** Bytes counted against queue.max_bytes. */
  get usedBytes(): number {
    let total = 0;
    for (const page of this.pages) total += page.bytes;
    const head = this.head;
    // A wholly acknowledged head page holds nothing anyone needs; it must not keep the queue full.
    if (this.firstUnacked === this.nextSeq) total -= head.bytes - pageHeaderBytes;
    return total;
  }

  get pageCount(): number {
    return this.pages.length;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  get isFull(): boolean {
    return this.usedBytes >= this.options.maxBytes;
  }

  push(event: Event): boolean {
    // A late request of an input that has already ended must not be acknowledged: it gets this error instead.
    if (this.shutDown) throw new Error("the persisted queue is closed");
    const payload = encodeEvent(event);
    if (payload.length > limits.persistedQueueRecordBytesMax) {
      this.stats.oversizedEvents++;
      this.logger.error("event too large for the persisted queue; dropped", {
        dir: this.options.dir,
        bytes: payload.length,
        max: limits.persistedQueueRecordBytesMax,
      });
      return !this.isFull;
    }
    this.append(payload, event);
    if (++this.unsyncedWrites >= this.options.checkpointWrites) {
      this.unsyncedWrites = 0;
      this.sync().catch((err) => this.logger.error("persisted queue fsync failed", { error: err }));
    }
    this.wakeTakers();
    return !this.isFull;
  }

  ready(): Promise<void> {
    if (!this.isFull || this.closed) return Promise.resolve();
    return new Promise((resolve) => this.roomWaiters.push(resolve));
  }

  /** Resolves once every event is written and fsynced: an input may then acknowledge its source. */
  async accept(events: readonly Event[]): Promise<void> {
    for (const event of events) {
      if (!this.push(event)) await this.ready();
    }
    this.unsyncedWrites = 0;
    await this.sync();
  }

  async takeBatch(max: number, delayMs: number): Promise<QueueBatch> {
    if (this.closed && !this.options.drain) return { events: [], ack: () => {} };
    if (this.size === 0 && !this.closed) await this.waitFor(1, delayMs > 0 ? delayMs : idleWaitMs);
    if (this.size > 0 && this.size < max && !this.closed && delayMs > 0) await this.waitFor(max, delayMs);
    if (this.closed && !this.options.drain) return { events: [], ack: () => {} };
    return this.takeNow(max);
  }

  close(): void {
    this.closed = true;
    for (const waiter of this.batchWaiters.splice(0)) waiter.wake();
    this.wakeProducers();
  }

  /** Writes and fsyncs what is buffered, checkpoints, closes every file and releases the lock. */
  async shutdown(): Promise<void> {
    if (this.shutDown) return;
    this.close();
    await this.sync();
    await this.checkpointRunning;
    await this.writeCheckpoint();
    this.shutDown = true;
    this.releaseFiles();
  }

  /** Everything pushed so far is written and fsynced when this resolves (fsyncs shared by concurrent callers). */
  sync(): Promise<void> {
    this.flushWrites();
    return this.commit.request();
  }

  // ------------------------------------------------------------------ writing

  private get head(): Page {
    return this.pages[this.pages.length - 1]!;
  }

  private append(payload: Buffer, event: Event): void {
    const recordBytes = recordHeaderBytes + payload.length;
    let head = this.head;
    if (head.bytes + recordBytes > this.options.pageCapacityBytes && head.bytes > pageHeaderBytes) {
      this.roll(this.nextSeq);
      head = this.head;
    }
    // Header and payload go to writev as two buffers: no copy of the payload.
    this.pending.push(recordHeader(payload), payload);
    this.pendingBytes += recordBytes;
    head.bytes += recordBytes;
    const seq = this.nextSeq++;
    // Keep the event in memory only while the workers' view is contiguous up to it; otherwise it is read back.
    if (this.cursor.seq === seq && this.buffered.length - this.bufferedHead < this.readAheadEvents) {
      this.buffered.push({ seq, event });
      this.cursor = { page: head, offset: head.bytes, seq: seq + 1 };
    }
    if (this.pendingBytes >= limits.persistedQueueWriteBufferBytesMax) this.flushWrites();
    else if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flushWrites());
    }
  }

  /** Moves buffered records into the head page's file (page cache): from here they survive kill -9. */
  private flushWrites(): void {
    this.flushScheduled = false;
    if (this.pending.length === 0 || this.shutDown) return;
    const chunks = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    const fd = this.head.fd;
    // IOV_MAX is 1024 on Linux.
    for (let i = 0; i < chunks.length; i += 1024) writeAll(fd, chunks.slice(i, i + 1024));
  }

  private async syncHead(): Promise<void> {
    this.flushWrites();
    const fd = this.head.fd;
    this.syncingFd = fd;
    try {
      await new Promise<void>((resolve, reject) => fdatasync(fd, (err) => (err ? reject(err) : resolve())));
      this.stats.fsyncs++;
    } finally {
      this.syncingFd = -1;
    }
    this.deleteAckedPages();
  }

  /** Seals the head page (written and fsynced) and starts a new one whose first record will be `firstSeq`. */
  private roll(firstSeq: number): void {
    this.flushWrites();
    const old = this.pages.length > 0 ? this.head : undefined;
    if (old !== undefined) fdatasyncSync(old.fd);
    const page = this.createPage((old?.num ?? 0) + 1, firstSeq);
    if (old !== undefined && this.cursor?.page === old && this.cursor.offset === old.bytes)
      this.cursor = { page, offset: pageHeaderBytes, seq: this.cursor.seq };
    this.deleteAckedPages();
  }

  private createPage(num: number, firstSeq: number): Page {
    const path = join(this.options.dir, pageFileName(num));
    const fd = openSync(path, "a+");
    writeSync(fd, encodePageHeader(firstSeq));
    fdatasyncSync(fd);
    fsyncDirectory(this.options.dir);
    const page: Page = { num, path, firstSeq, fd, bytes: pageHeaderBytes };
    this.pages.push(page);
    return page;
  }

  // ------------------------------------------------------------------ reading and acknowledging

  private takeNow(max: number): QueueBatch {
    if (this.buffered.length - this.bufferedHead < max && this.cursor.seq < this.nextSeq) this.readAhead(max);
    const available = this.buffered.length - this.bufferedHead;
    const count = Math.min(max, available);
    const end = this.bufferedHead + count;
    const events: Event[] = new Array(count);
    for (let i = 0; i < count; i++) {
      events[i] = this.buffered[this.bufferedHead + i]!.event;
      // Drop the slot's hold on the event now: kept until the array is compacted, thousands of processed events
      // would outlive young-generation collections (as the memory queue measured: GC 22% of the CPU, then 4%).
      this.buffered[this.bufferedHead + i] = takenSlot;
    }
    const to = end < this.buffered.length ? this.buffered[end]!.seq : this.cursor.seq;
    this.bufferedHead = end;
    if (this.bufferedHead === this.buffered.length) {
      this.buffered = [];
      this.bufferedHead = 0;
    } else if (this.bufferedHead >= 4096) {
      this.buffered = this.buffered.slice(this.bufferedHead);
      this.bufferedHead = 0;
    }
    const from = this.readSeq;
    this.readSeq = to;
    if (from === to) return { events, ack: () => {} };
    const taken: Taken = { from, to, done: false };
    this.taken.push(taken);
    let acked = false;
    return {
      events,
      ack: () => {
        if (acked) return;
        acked = true;
        taken.done = true;
        this.acknowledge();
      },
    };
  }

  /** Reads records at the cursor into memory until `want` events are buffered or everything written is. */
  private readAhead(want: number): void {
    while (this.buffered.length - this.bufferedHead < want && this.cursor.seq < this.nextSeq) {
      const event = this.readAtCursor();
      if (event !== undefined) this.buffered.push(event);
    }
  }

  /** The event at the cursor, advancing it; undefined when what was there was corrupt (and is skipped). */
  private readAtCursor(): BufferedEvent | undefined {
    const { page, offset, seq } = this.cursor;
    if (page === this.head && this.pendingBytes > 0) this.flushWrites();
    if (offset >= page.bytes) {
      this.moveToNextPage(page, "end of page");
      return undefined;
    }
    const read = readRecord(this.chunkAt(page, offset), 0, limits.persistedQueueRecordBytesMax);
    if (read.kind === "incomplete") {
      if (page !== this.head) this.corruptTail(page, offset, "the page ends inside a record");
      else this.moveToNextPage(page, "truncated head page");
      return undefined;
    }
    if (read.kind === "bad-length") {
      this.corruptTail(page, offset, `unbelievable record length ${read.length}`);
      return undefined;
    }
    this.cursor = { page, offset: offset + read.next, seq: seq + 1 };
    if (read.kind === "bad-crc") {
      this.corrupt(page, offset, "checksum mismatch");
      return undefined;
    }
    try {
      return { seq, event: decodeEvent(read.payload) };
    } catch (err) {
      this.corrupt(page, offset, `undecodable event: ${err instanceof Error ? err.message : String(err)}`);
      return undefined;
    }
  }

  /** Bytes of `page` from `offset`, long enough for the record there when the file holds it. */
  private chunkAt(page: Page, offset: number): Buffer {
    const chunk = this.readChunk;
    if (chunk !== undefined && chunk.page === page && offset >= chunk.start) {
      const at = offset - chunk.start;
      if (chunk.bytes.length - at >= 8) {
        const needed = recordHeaderBytes + chunk.bytes.readUInt32BE(at);
        if (chunk.bytes.length - at >= needed) return chunk.bytes.subarray(at);
      }
    }
    let size = limits.persistedQueueReadChunkBytes;
    const header = Buffer.alloc(8);
    if (readSync(page.fd, header, 0, 8, offset) === 8) {
      const length = header.readUInt32BE(0);
      if (length <= limits.persistedQueueRecordBytesMax) size = Math.max(size, recordHeaderBytes + length);
    }
    size = Math.min(size, page.bytes - offset);
    const bytes = Buffer.allocUnsafe(size);
    const read = readSync(page.fd, bytes, 0, size, offset);
    this.readChunk = { page, start: offset, bytes: bytes.subarray(0, read) };
    return this.readChunk.bytes;
  }

  private corrupt(page: Page, offset: number, problem: string): void {
    this.stats.corruptRecords++;
    this.logger.error("persisted queue record is corrupt; skipped", {
      file: page.path,
      position: offset,
      problem,
    });
  }

  /** Nothing after `offset` in this page can be located: its remaining events are lost, the next page serves on. */
  private corruptTail(page: Page, offset: number, problem: string): void {
    const next = this.pageAfter(page);
    const resumeSeq = next?.firstSeq ?? this.nextSeq;
    this.stats.corruptRecords += Math.max(1, resumeSeq - this.cursor.seq);
    this.logger.error("persisted queue page is unreadable from here; its remaining events are skipped", {
      file: page.path,
      position: offset,
      problem,
      skipped_events: resumeSeq - this.cursor.seq,
    });
    this.moveToNextPage(page, problem);
  }

  private moveToNextPage(page: Page, why: string): void {
    const next = this.pageAfter(page);
    if (next === undefined) {
      // Only reachable when the head page's count disagrees with its bytes: never serve past what was written.
      this.logger.error("persisted queue reader reached the end of the head page early", {
        file: page.path,
        why,
      });
      this.stats.corruptRecords += this.nextSeq - this.cursor.seq;
      this.cursor = { page, offset: page.bytes, seq: this.nextSeq };
      return;
    }
    this.cursor = { page: next, offset: pageHeaderBytes, seq: Math.max(this.cursor.seq, next.firstSeq) };
  }

  private pageAfter(page: Page): Page | undefined {
    const at = this.pages.indexOf(page);
    return at >= 0 ? this.pages[at + 1] : undefined;
  }

  private acknowledge(): void {
    while (this.taken.length > 0 && this.taken[0]!.done) this.taken.shift();
    const first = this.taken[0]?.from ?? this.readSeq;
    if (first <= this.firstUnacked) return;
    this.firstUnacked = first;
    this.deleteAckedPages();
    this.scheduleCheckpoint();
    if (!this.isFull) this.wakeProducers();
  }

  /** Deletes every page before the head whose events are all acknowledged. */
  private deleteAckedPages(): void {
    while (this.pages.length > 1) {
      const page = this.pages[0]!;
      if (this.pages[1]!.firstSeq > this.firstUnacked || page.fd === this.syncingFd) return;
      this.pages.shift();
      if (this.readChunk?.page === page) this.readChunk = undefined;
      // The reader can only be at this page's end (all of it was taken): it goes on at the next page.
      if (this.cursor?.page === page)
        this.cursor = { page: this.pages[0]!, offset: pageHeaderBytes, seq: this.cursor.seq };
      closeSync(page.fd);
      unlinkSync(page.path);
      this.stats.pagesDeleted++;
    }
  }

  private scheduleCheckpoint(): void {
    if (this.checkpointRunning !== undefined) {
      this.checkpointAgain = true;
      return;
    }
    this.checkpointRunning = (async () => {
      do {
        this.checkpointAgain = false;
        await this.writeCheckpoint().catch((err) =>
          this.logger.error("persisted queue checkpoint failed", { dir: this.options.dir, error: err }),
        );
      } while (this.checkpointAgain && !this.shutDown);
      this.checkpointRunning = undefined;
    })();
  }

  private async writeCheckpoint(): Promise<void> {
    const seq = this.firstUnacked;
    if (seq === this.checkpointed) return;
    await writeFileAtomic(join(this.options.dir, checkpointFileName), encodeCheckpoint(seq));
    this.checkpointed = seq;
  }

  // ------------------------------------------------------------------ waiting

  private waitFor(wanted: number, delayMs: number): Promise<void> {
    return new Promise((resolve) => {
      const waiter: BatchWaiter = {
        wanted,
        wake: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        const at = this.batchWaiters.indexOf(waiter);
        if (at >= 0) this.batchWaiters.splice(at, 1);
        resolve();
      }, delayMs);
      this.batchWaiters.push(waiter);
    });
  }

  private wakeTakers(): void {
    const waiter = this.batchWaiters[0];
    if (waiter !== undefined && this.size >= waiter.wanted) {
      this.batchWaiters.shift();
      waiter.wake();
    }
  }

  private wakeProducers(): void {
    const waiters = this.roomWaiters;
    this.roomWaiters = [];
    for (const wake of waiters) wake();
  }

  // ------------------------------------------------------------------ opening

  private recover(): void {
    const dir = this.options.dir;
    const names = readdirSync(dir);
    for (const name of names) if (name.endsWith(".tmp")) unlinkSync(join(dir, name));
    const checkpoint = readCheckpoint(dir);
    let firstUnacked = 0;
    if (typeof checkpoint === "string") {
      this.logger.error("persisted queue checkpoint is corrupt; every stored event will be replayed", {
        dir,
        problem: checkpoint,
      });
    } else if (checkpoint !== undefined) firstUnacked = checkpoint;
    this.openPages(pageNumbers(names));
    if (this.pages.length === 0) {
      this.nextSeq = firstUnacked;
      this.createPage(1, firstUnacked);
    } else {
      this.nextSeq = this.head.firstSeq + this.scanHeadPage();
      // The checkpoint is ahead of what the pages hold (their tail was lost): numbering restarts after it.
      if (firstUnacked > this.nextSeq) {
        this.nextSeq = firstUnacked;
        this.roll(firstUnacked);
      }
    }
    this.firstUnacked = Math.max(firstUnacked, this.pages[0]!.firstSeq);
    this.checkpointed = checkpoint === undefined || typeof checkpoint === "string" ? -1 : checkpoint;
    this.deleteAckedPages();
    this.readSeq = this.firstUnacked;
    this.cursor = { page: this.pages[0]!, offset: pageHeaderBytes, seq: this.pages[0]!.firstSeq };
    while (this.cursor.seq < this.readSeq) this.readAtCursor();
    this.readSeq = this.cursor.seq;
    this.firstUnacked = this.readSeq;
    this.stats.replayedEvents = this.nextSeq - this.readSeq;
    if (this.stats.replayedEvents > 0)
      this.logger.info("persisted queue holds unacknowledged events; replaying them", {
        dir,
        events: this.stats.replayedEvents,
        pages: this.pages.length,
      });
  }

  /** Opens every page with a good header, in order; a page with a bad one is set aside as `<name>.corrupt`. */
  private openPages(nums: number[]): void {
    for (const num of nums) {
      const path = join(this.options.dir, pageFileName(num));
      const fd = openSync(path, "a+");
      const firstSeq = readPageHeader(fd);
      const previous = this.pages[this.pages.length - 1];
      const problem =
        typeof firstSeq === "string"
          ? firstSeq
          : previous !== undefined && firstSeq < previous.firstSeq
            ? `first sequence number ${firstSeq} is below the previous page's ${previous.firstSeq}`
            : undefined;
      if (problem !== undefined) {
        closeSync(fd);
        renameSync(path, `${path}.corrupt`);
        this.stats.corruptRecords++;
        this.logger.error("persisted queue page has a bad header; set aside, its events are lost", {
          file: path,
          problem,
        });
        continue;
      }
      this.pages.push({ num, path, firstSeq: firstSeq as number, fd, bytes: fstatSync(fd).size });
    }
  }

  /**
   * Counts the head page's records. A bad record followed by a good one is corruption in the middle (counted,
   * skipped later); a bad or partial record with nothing good after it is a torn write, cut off.
   */
  private scanHeadPage(): number {
    const page = this.head;
    let count = 0;
    let pos = pageHeaderBytes;
    while (pos < page.bytes) {
      const read = readRecord(this.chunkAt(page, pos), 0, limits.persistedQueueRecordBytesMax);
      if (read.kind === "ok") {
        count++;
        pos += read.next;
        continue;
      }
      if (read.kind === "bad-crc" && this.goodRecordAt(page, pos + read.next)) {
        count++;
        pos += read.next;
        continue;
      }
      this.cutTail(page, pos, read.kind);
      break;
    }
    this.readChunk = undefined;
    return count;
  }

  private goodRecordAt(page: Page, pos: number): boolean {
    if (pos >= page.bytes) return false;
    return readRecord(this.chunkAt(page, pos), 0, limits.persistedQueueRecordBytesMax).kind === "ok";
  }

  private cutTail(page: Page, pos: number, problem: string): void {
    const cut = page.bytes - pos;
    ftruncateSync(page.fd, pos);
    page.bytes = pos;
    this.stats.truncatedBytes += cut;
    this.logger.warn("persisted queue head page has a torn tail; cut", {
      file: page.path,
      position: pos,
      bytes: cut,
      problem,
    });
  }

  private releaseFiles(): void {
    for (const page of this.pages) {
      try {
        closeSync(page.fd);
      } catch {
        // already closed
      }
    }
    try {
      unlinkSync(join(this.options.dir, lockFileName));
    } catch {
      // someone removed it; nothing to release
    }
  }
}

function writeAll(fd: number, chunks: Buffer[]): void {
  let total = 0;
  for (const chunk of chunks) total += chunk.length;
  let written = writevSync(fd, chunks);
  if (written === total) return;
  // A short write (rare; signals, full disk on some systems): write the rest plainly.
  const all = Buffer.concat(chunks);
  while (written < total) written += writeSync(fd, all, written, total - written);
}

function fsyncDirectory(dir: string): void {
  const fd = openSync(dir, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
