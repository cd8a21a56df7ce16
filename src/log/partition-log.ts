// One partition's log: a directory of segments with offset assignment, group-committed fdatasync, CRC-checked
// reads by offset and timestamp, crash recovery, retention and the log start offset checkpoint.
//
// Durability contract. append() assigns offsets synchronously (so appends apply in call order) and queues the
// batch; a single writer issues one writev per run of queued batches into the page cache. The append promise
// resolves when its batch is written; only then does logEndOffset cover it and reads return it. Nothing is
// durable until flush(): it waits until everything appended before the call is written, then fdatasyncs the
// active segment. Concurrent flush() calls share one fdatasync (GroupCommit); a caller arriving while one is in
// flight waits for the next, which covers it. A sealed segment is fdatasynced when it rolls, so only the active
// segment can have a torn tail after a crash. A failed write or fdatasync puts the log in a failed state: later
// appends and flushes reject with LogError("STORAGE") (after a failed fsync the page cache cannot be trusted).

import type { FileHandle } from "node:fs/promises";
import { mkdir, readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { assert } from "../common/assert.js";
import { limits } from "../common/limits.js";
import type { Logger } from "../common/logger.js";
import { Counter, type MetricsRegistry } from "../common/metrics.js";
import {
  batchHeaderBytes,
  batchLayout,
  batchLogOverheadBytes,
  lastOffsetOf,
  setBaseOffset,
} from "./batch.js";
import { fsyncDirectory, readCheckedFile, removeIfExists, writeCheckedFile } from "./checked-file.js";
import type { LogConfig } from "./config.js";
import { LogError } from "./errors.js";
import { GroupCommit } from "./group-commit.js";
import { parseSegmentFileName, Segment, type WalkedBatch, walkBatches } from "./segment.js";

export interface AppendResult {
  baseOffset: bigint;
  lastOffset: bigint;
  logStartOffset: bigint;
}

export interface TimestampAndOffset {
  offset: bigint;
  timestamp: bigint;
}

export type RefineTimestamp = (batch: Buffer) => Promise<TimestampAndOffset | null>;

export interface PartitionLogOptions {
  /** Where the corrupt-batch counter is registered (a private one otherwise). */
  metrics?: MetricsRegistry;
}

export interface PartitionLogStats {
  /** fdatasyncs issued by flush (not counting the ones at segment roll). */
  fdatasyncs: number;
  /** Distinct corrupt batches found and withheld. */
  corruptBatches: number;
  /** Bytes cut from torn or corrupt tails during recovery. */
  truncatedBytes: number;
}

const checkpointFileName = "log-start-offset.checkpoint";
const checkpointMagic = 0x534c534f; // "SLSO"
const checkpointVersion = 1;
const relativeOffsetMax = 2n ** 31n - 1n;
/** Corrupt batch locations remembered so each is logged once; past this every sighting is logged. */
const reportedCorruptionsMax = 1000;
/** Runs written before the writer lets queued retention/roll work in. */
const writeRunsPerTurn = 16;
/** Smallest pread for a fetch, so tiny maxBytes values do not mean one syscall per batch. */
const readChunkBytesMin = 64 * 1024;

/** Pread size while scanning for a timestamp (rare: ListOffsets). */
const timestampScanChunkBytes = 1024 * 1024;

interface SegmentRange {
  segment: Segment;
  start: number;
  end: number;
  limitOffset: bigint;
}

interface PendingAppend {
  batch: Buffer;
  baseOffset: bigint;
  lastOffset: bigint;
  maxTimestamp: number;
  sizeBytes: number;
  resolve: (result: AppendResult) => void;
  reject: (err: unknown) => void;
}

interface WrittenWaiter {
  target: bigint;
  resolve: () => void;
  reject: (err: unknown) => void;
}

interface DataWaiter {
  offset: bigint;
  wake: () => void;
}

async function writevAll(handle: FileHandle, buffers: Buffer[], position: number): Promise<void> {
  let pending = buffers;
  while (pending.length > 0) {
    const { bytesWritten } = await handle.writev(pending, position);
    position += bytesWritten;
    let consumed = bytesWritten;
    const rest: Buffer[] = [];
    for (const buffer of pending) {
      if (consumed >= buffer.length) consumed -= buffer.length;
      else {
        rest.push(consumed > 0 ? buffer.subarray(consumed) : buffer);
        consumed = 0;
      }
    }
    pending = rest;
  }
}

export class PartitionLog {
  readonly stats: PartitionLogStats = { fdatasyncs: 0, corruptBatches: 0, truncatedBytes: 0 };
  /** Ascending by base offset; the last is the active segment. Replaced, never mutated, so reads can hold it. */
  private segments: Segment[] = [];
  private startOffset = 0n;
  /** Offset after the last written batch. */
  private endOffset = 0n;
  /** Next offset append() assigns (ahead of endOffset while writes are queued). */
  private assignOffset = 0n;
  private syncedOffset = 0n;
  private totalBytes = 0;
  private queue: PendingAppend[] = [];
  private writeScheduled = false;
  private chain: Promise<unknown> = Promise.resolve();
  private writtenWaiters: WrittenWaiter[] = [];
  private dataWaiters = new Set<DataWaiter>();
  private failure: LogError | null = null;
  private closing = false;
  private closed = false;
  private readonly reportedCorruptions = new Set<string>();
  private readonly groupCommit = new GroupCommit(() => this.syncWritten());
  private readonly corruptCounter: Counter;

  private constructor(
    readonly dir: string,
    private config: LogConfig,
    private readonly logger: Logger,
    metrics: MetricsRegistry | undefined,
  ) {
    const help = "Corrupt batches found in segment files and withheld from readers";
    this.corruptCounter =
      metrics?.counter("log_corrupt_batches_total", help) ?? new Counter("log_corrupt_batches_total", help);
  }

  // ---------------------------------------------------------------- opening and recovery

  static async open(
    dir: string,
    config: LogConfig,
    logger: Logger,
    options: PartitionLogOptions = {},
  ): Promise<PartitionLog> {
    const log = new PartitionLog(dir, config, logger, options.metrics);
    try {
      await log.load();
    } catch (err) {
      await Promise.allSettled(log.segments.map((s) => s.close()));
      if (err instanceof LogError) throw err;
      throw new LogError("STORAGE", `cannot open partition log ${dir}`, { cause: err });
    }
    return log;
  }

  private async load(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const names = await readdir(this.dir);
    const bases = names.map(parseSegmentFileName).filter((b): b is bigint => b !== null);
    bases.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    await this.removeStrays(names, new Set(bases.map((b) => b.toString())));
    const checkpoint = await this.readCheckpoint();
    if (bases.length === 0) {
      this.segments = [await Segment.create(this.dir, checkpoint ?? 0n)];
      await fsyncDirectory(this.dir);
    } else {
      for (const base of bases) this.segments = [...this.segments, await Segment.open(this.dir, base)];
      await this.recoverSegments();
    }
    const active = this.active;
    this.startOffset =
      checkpoint !== null && checkpoint > this.segments[0]!.baseOffset
        ? checkpoint
        : this.segments[0]!.baseOffset;
    this.endOffset = active.nextOffset;
    if (this.startOffset > this.endOffset) this.startOffset = this.endOffset;
    this.assignOffset = this.endOffset;
    this.syncedOffset = this.endOffset;
    this.totalBytes = this.segments.reduce((sum, s) => sum + s.size, 0);
  }

  /** Deletes leftovers of interrupted writes: temp files and indexes whose segment is gone. */
  private async removeStrays(names: string[], segmentBases: Set<string>): Promise<void> {
    for (const name of names) {
      const indexMatch = /^(\d{20})\.(index|timeindex)$/.exec(name);
      const orphanIndex = indexMatch && !segmentBases.has(BigInt(indexMatch[1]!).toString());
      if (orphanIndex || name.endsWith(".tmp")) await removeIfExists(join(this.dir, name));
    }
  }

  private async readCheckpoint(): Promise<bigint | null> {
    try {
      const payload = await readCheckedFile(
        join(this.dir, checkpointFileName),
        checkpointMagic,
        checkpointVersion,
      );
      if (payload === null) return null;
      if (payload.length !== 8)
        throw new LogError("CORRUPT", `${checkpointFileName}: payload of ${payload.length} bytes`);
      return payload.readBigInt64BE(0);
    } catch (err) {
      if (!(err instanceof LogError) || err.code !== "CORRUPT") throw err;
      this.logger.error("log start offset checkpoint is corrupt; falling back to the first segment", {
        dir: this.dir,
        error: err,
      });
      return null;
    }
  }

  /**
   * The last segment (and the one before it, if the last is empty: a crash may have hit just after a roll) is
   * fully validated and its bad tail cut; every other segment loads its saved indexes or is rescanned.
   */
  private async recoverSegments(): Promise<void> {
    const count = this.segments.length;
    const recoverFrom = count >= 2 && this.segments[count - 1]!.size === 0 ? count - 2 : count - 1;
    for (let i = 0; i < count; i++) {
      const segment = this.segments[i]!;
      if (i >= recoverFrom) {
        await this.scanSegment(segment, "recover");
        continue;
      }
      const problem = await segment.loadIndexes();
      if (problem === null) continue;
      this.logger.warn("rebuilding segment indexes", { file: segment.logPath, reason: problem });
      await this.scanSegment(segment, "rebuild");
      await segment.saveIndexes();
    }
  }

  /**
   * Walks a segment rebuilding its indexes. "rebuild" keeps the file and steps over bad batches where their
   * length allows (reads withhold them). "recover" does the same for a bad batch that is followed by a good
   * one (a flipped byte in the middle is corruption, not a torn write: cutting there would throw away every
   * good batch after it), but cuts the file at the first bad batch of a tail that has no good batch after it.
   */
  private async scanSegment(segment: Segment, mode: "recover" | "rebuild"): Promise<void> {
    const fileBytes = segment.size;
    segment.resetIndexes();
    let expected = segment.baseOffset;
    /** Bad batches not yet known to be followed by a good one. */
    let pendingBad: { position: number; problem: string }[] = [];
    for await (const walked of walkBatches(segment.handle, 0, fileBytes, limits.logScanChunkBytes)) {
      const problem = walked.problem ?? (walked.header!.baseOffset < expected ? "offset-order" : null);
      if (problem !== null) {
        if (mode === "rebuild") this.reportCorruption(segment, walked.position, problem);
        else pendingBad.push({ position: walked.position, problem });
        continue;
      }
      for (const bad of pendingBad) this.reportCorruption(segment, bad.position, bad.problem);
      pendingBad = [];
      const header = walked.header!;
      const lastOffset = lastOffsetOf(header);
      const batch = { baseOffset: header.baseOffset, lastOffset, maxTimestamp: Number(header.maxTimestamp) };
      segment.noteAppended(
        { ...batch, sizeBytes: header.sizeBytes },
        walked.position,
        this.config.indexIntervalBytes,
        segment.lastModifiedMs,
      );
      expected = lastOffset + 1n;
    }
    if (mode === "recover" && segment.size < fileBytes) {
      const cut = fileBytes - segment.size;
      this.logger.warn("truncating torn or corrupt segment tail", {
        file: segment.logPath,
        position: segment.size,
        bytes: cut,
        problem: pendingBad[0]?.problem ?? "truncated",
      });
      this.stats.truncatedBytes += cut;
      await segment.truncateTo(segment.size);
    }
  }

  private reportCorruption(segment: Segment, position: number, problem: string): void {
    const key = `${segment.baseOffset}:${position}`;
    if (this.reportedCorruptions.has(key)) return;
    if (this.reportedCorruptions.size < reportedCorruptionsMax) this.reportedCorruptions.add(key);
    this.stats.corruptBatches++;
    this.corruptCounter.inc();
    this.logger.error("corrupt batch withheld from readers", { file: segment.logPath, position, problem });
  }

  // ---------------------------------------------------------------- accessors

  get logStartOffset(): bigint {
    return this.startOffset;
  }

  /** Offset after the last batch whose append has resolved (appends still being written are not counted). */
  get logEndOffset(): bigint {
    return this.endOffset;
  }

  get sizeBytes(): number {
    return this.totalBytes;
  }

  get segmentCount(): number {
    return this.segments.length;
  }

  private get active(): Segment {
    return this.segments[this.segments.length - 1]!;
  }

  updateConfig(config: LogConfig): void {
    this.config = config;
  }

  // ---------------------------------------------------------------- appending

  /**
   * Appends one batch already checked by the caller. Offsets are assigned now, in call order, and written
   * into `batch` itself; the promise resolves once the batch is written (readable), not once it is durable.
   */
  append(batch: Buffer): Promise<AppendResult> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.closing) return Promise.reject(new LogError("CLOSED", `partition log ${this.dir} is closed`));
    if (
      batch.length < batchHeaderBytes ||
      batchLogOverheadBytes + batch.readInt32BE(batchLayout.batchLength) !== batch.length
    ) {
      return Promise.reject(new LogError("CORRUPT", "batch length field disagrees with the buffer"));
    }
    if (batch.length > this.config.maxMessageBytes) {
      return Promise.reject(
        new LogError(
          "MESSAGE_TOO_LARGE",
          `batch of ${batch.length} bytes, max.message.bytes is ${this.config.maxMessageBytes}`,
        ),
      );
    }
    const lastOffsetDelta = batch.readInt32BE(batchLayout.lastOffsetDelta);
    if (lastOffsetDelta < 0) return Promise.reject(new LogError("CORRUPT", "negative lastOffsetDelta"));
    const baseOffset = this.assignOffset;
    const lastOffset = baseOffset + BigInt(lastOffsetDelta);
    setBaseOffset(batch, 0, baseOffset);
    this.assignOffset = lastOffset + 1n;
    const maxTimestamp = Number(batch.readBigInt64BE(batchLayout.maxTimestamp));
    return new Promise<AppendResult>((resolve, reject) => {
      this.queue.push({
        batch,
        baseOffset,
        lastOffset,
        maxTimestamp,
        sizeBytes: batch.length,
        resolve,
        reject,
      });
      this.scheduleWrites();
    });
  }

  /** Runs `work` after all structural work queued before it (writes, rolls, deletions): one at a time. */
  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const result = this.chain.then(work);
    this.chain = result.catch(() => {});
    return result;
  }

  private scheduleWrites(): void {
    if (this.writeScheduled) return;
    this.writeScheduled = true;
    void this.exclusive(() => this.writeQueued());
  }

  private async writeQueued(): Promise<void> {
    try {
      for (let turn = 0; turn < writeRunsPerTurn && this.queue.length > 0 && !this.failure; turn++) {
        await this.rollIfNeeded(this.queue[0]!);
        await this.writeRun(this.takeRun());
      }
    } catch (err) {
      this.fail(err, "segment roll failed");
    } finally {
      this.writeScheduled = false;
      if (this.queue.length > 0) this.scheduleWrites();
    }
  }

  private async rollIfNeeded(next: PendingAppend): Promise<void> {
    const segment = this.active;
    if (segment.size === 0) return;
    const full = segment.size + next.sizeBytes > this.config.segmentBytes;
    const old = segment.firstAppendMs !== null && Date.now() - segment.firstAppendMs >= this.config.segmentMs;
    const offsetsExhausted = next.lastOffset - segment.baseOffset > relativeOffsetMax;
    if (full || old || offsetsExhausted) await this.roll(next.baseOffset);
  }

  /** Seals the active segment (fdatasync, save indexes) and starts a new one at `baseOffset`. */
  private async roll(baseOffset: bigint): Promise<void> {
    const sealed = this.active;
    await sealed.sync();
    await sealed.saveIndexes();
    const created = await Segment.create(this.dir, baseOffset);
    await fsyncDirectory(this.dir);
    this.segments = [...this.segments, created];
    this.logger.debug("rolled segment", { dir: this.dir, sealed: sealed.baseOffset, baseOffset });
  }

  /** The queued batches that go into the active segment in one writev. */
  private takeRun(): PendingAppend[] {
    const segment = this.active;
    let bytes = 0;
    let count = 0;
    for (const entry of this.queue) {
      const fits =
        segment.size + bytes + entry.sizeBytes <= this.config.segmentBytes &&
        bytes + entry.sizeBytes <= limits.appendBufferBytesMax &&
        entry.lastOffset - segment.baseOffset <= relativeOffsetMax &&
        count < limits.logWritevBuffersMax;
      if (!fits && count > 0) break;
      bytes += entry.sizeBytes;
      count++;
    }
    return this.queue.splice(0, count);
  }

  private async writeRun(run: PendingAppend[]): Promise<void> {
    const segment = this.active;
    let position = segment.size;
    try {
      await writevAll(
        segment.handle,
        run.map((e) => e.batch),
        position,
      );
    } catch (err) {
      for (const entry of run)
        entry.reject(new LogError("STORAGE", `write to ${segment.logPath} failed`, { cause: err }));
      this.fail(err, "segment write failed");
      return;
    }
    const now = Date.now();
    for (const entry of run) {
      segment.noteAppended(entry, position, this.config.indexIntervalBytes, now);
      position += entry.sizeBytes;
      this.totalBytes += entry.sizeBytes;
    }
    this.endOffset = run[run.length - 1]!.lastOffset + 1n;
    for (const entry of run) {
      entry.resolve({
        baseOffset: entry.baseOffset,
        lastOffset: entry.lastOffset,
        logStartOffset: this.startOffset,
      });
    }
    this.notifyWritten();
    this.wakeDataWaiters();
  }

  private fail(err: unknown, what: string): void {
    if (!this.failure) {
      this.failure = new LogError(
        "STORAGE",
        `${what} in ${this.dir}; the partition accepts no more appends`,
        {
          cause: err,
        },
      );
      this.logger.error(what, { dir: this.dir, error: err instanceof Error ? err : String(err) });
    }
    for (const entry of this.queue.splice(0)) entry.reject(this.failure);
    for (const waiter of this.writtenWaiters.splice(0)) waiter.reject(this.failure);
  }

  // ---------------------------------------------------------------- durability

  /** Resolves when everything appended before the call is on disk; concurrent callers share fdatasyncs. */
  flush(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    return this.groupCommit.request();
  }

  private async syncWritten(): Promise<void> {
    const target = this.assignOffset;
    await this.writtenUpTo(target);
    if (target <= this.syncedOffset) return;
    if (this.failure) throw this.failure;
    const segment = this.active;
    this.stats.fdatasyncs++;
    try {
      await segment.sync();
    } catch (err) {
      this.fail(err, "fdatasync failed");
      throw this.failure;
    }
    if (target > this.syncedOffset) this.syncedOffset = target;
  }

  private writtenUpTo(target: bigint): Promise<void> {
    if (this.endOffset >= target) return Promise.resolve();
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => this.writtenWaiters.push({ target, resolve, reject }));
  }

  private notifyWritten(): void {
    if (this.writtenWaiters.length === 0) return;
    const still: WrittenWaiter[] = [];
    for (const waiter of this.writtenWaiters) {
      if (this.endOffset >= waiter.target) waiter.resolve();
      else still.push(waiter);
    }
    this.writtenWaiters = still;
  }

  // ---------------------------------------------------------------- reading

  private segmentIndexFor(segments: Segment[], offset: bigint): number {
    let lo = 0;
    let hi = segments.length - 1;
    let found = 0;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (segments[mid]!.baseOffset <= offset) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }

  /**
   * Batches from the one containing `offset`, at most `maxBytes` in total except that the first whole batch
   * is returned even if larger when `minOneBatch`. Every returned batch passed its CRC check just now.
   */
  async read(
    offset: bigint,
    maxBytes: number,
    minOneBatch = true,
  ): Promise<{ batches: Buffer[]; bytes: number }> {
    if (offset < this.startOffset || offset > this.endOffset) {
      throw new LogError(
        "OFFSET_OUT_OF_RANGE",
        `offset ${offset} outside [${this.startOffset}, ${this.endOffset}] in ${this.dir}`,
      );
    }
    const out = { batches: [] as Buffer[], bytes: 0 };
    if (offset === this.endOffset) return out;
    const segments = this.segments;
    const chunkBytes = Math.min(
      limits.logScanChunkBytes,
      Math.max(readChunkBytesMin, maxBytes + this.config.indexIntervalBytes + batchHeaderBytes),
    );
    for (let i = this.segmentIndexFor(segments, offset); i < segments.length; i++) {
      const range = this.rangeOf(segments, i, segments[i]!.positionFor(offset));
      const full = await this.guardRead(range.segment, () =>
        this.collectFrom(range, offset, maxBytes, minOneBatch, chunkBytes, out),
      );
      if (full) break;
    }
    return out;
  }

  /** Adds checked batches of one segment to `out`; returns true once maxBytes stops the read. */
  private async collectFrom(
    range: SegmentRange,
    offset: bigint,
    maxBytes: number,
    minOneBatch: boolean,
    chunkBytes: number,
    out: { batches: Buffer[]; bytes: number },
  ): Promise<boolean> {
    for await (const walked of this.checkedBatches(range, chunkBytes)) {
      if (lastOffsetOf(walked.header!) < offset) continue;
      const size = walked.bytes.length;
      if (out.bytes + size > maxBytes && !(minOneBatch && out.batches.length === 0)) return true;
      out.batches.push(walked.bytes);
      out.bytes += size;
      if (out.bytes >= maxBytes) return true;
    }
    return false;
  }

  /**
   * What a reader may see of segment i, captured at once: bytes up to its current size, offsets below the
   * next segment's base (or the log end). Taking both together matters while appends keep landing.
   */
  private rangeOf(segments: Segment[], i: number, start: number): SegmentRange {
    const segment = segments[i]!;
    const limitOffset = i + 1 < segments.length ? segments[i + 1]!.baseOffset : this.endOffset;
    return { segment, start, end: segment.size, limitOffset };
  }

  /** Intact batches of a segment range; corrupt ones (bad CRC, impossible offsets) are reported and skipped. */
  private async *checkedBatches(range: SegmentRange, chunkBytes: number): AsyncGenerator<WalkedBatch> {
    const { segment, start, end, limitOffset } = range;
    let expected = segment.baseOffset;
    for await (const walked of walkBatches(segment.handle, start, end, chunkBytes)) {
      const header = walked.header;
      let problem: string | null = walked.problem;
      if (problem === null && header) {
        if (header.baseOffset < expected || lastOffsetOf(header) >= limitOffset) problem = "offset-order";
      }
      if (problem !== null) {
        this.reportCorruption(segment, walked.position, problem);
        continue;
      }
      expected = lastOffsetOf(header!) + 1n;
      yield walked;
    }
  }

  /** Turns I/O errors on a segment deleted under a reader into OFFSET_OUT_OF_RANGE, others into STORAGE. */
  private async guardRead<T>(segment: Segment, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      if (err instanceof LogError) throw err;
      if (segment.deleted) {
        throw new LogError("OFFSET_OUT_OF_RANGE", `segment ${segment.logPath} was deleted during the read`);
      }
      throw new LogError("STORAGE", `read of ${segment.logPath} failed`, { cause: err });
    }
  }

  /** First batch whose maxTimestamp >= ts, refined by the caller to the exact record; null if none. */
  async findOffsetForTimestamp(ts: bigint, refine: RefineTimestamp): Promise<TimestampAndOffset | null> {
    const target = Number(ts);
    const segments = this.segments;
    for (let i = 0; i < segments.length; i++) {
      const segment = segments[i]!;
      if (segment.maxTimestamp < target) continue;
      const range = this.rangeOf(segments, i, segment.positionForTimestamp(target));
      const found = await this.guardRead(segment, async () => {
        for await (const walked of this.checkedBatches(range, timestampScanChunkBytes)) {
          const header = walked.header!;
          if (Number(header.maxTimestamp) < target || lastOffsetOf(header) < this.startOffset) continue;
          const refined = await refine(walked.bytes);
          if (refined !== null) return refined;
        }
        return null;
      });
      if (found !== null) return found;
    }
    return null;
  }

  /** The record with the largest timestamp (ListOffsets MAX_TIMESTAMP), refined by the caller; null if none. */
  async findMaxTimestamp(refine: RefineTimestamp): Promise<TimestampAndOffset | null> {
    let max = -1;
    for (const segment of this.segments) if (segment.maxTimestamp > max) max = segment.maxTimestamp;
    return max < 0 ? null : this.findOffsetForTimestamp(BigInt(max), refine);
  }

  /** Resolves once logEndOffset > offset, the signal aborts or the log closes. */
  waitForData(offset: bigint, signal: AbortSignal): Promise<void> {
    if (this.endOffset > offset || signal.aborted || this.closing) return Promise.resolve();
    if (this.dataWaiters.size >= limits.logDataWaitersMax) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const waiter: DataWaiter = {
        offset,
        wake: () => {
          this.dataWaiters.delete(waiter);
          signal.removeEventListener("abort", waiter.wake);
          resolve();
        },
      };
      this.dataWaiters.add(waiter);
      signal.addEventListener("abort", waiter.wake, { once: true });
    });
  }

  private wakeDataWaiters(all = false): void {
    for (const waiter of this.dataWaiters) if (all || this.endOffset > waiter.offset) waiter.wake();
  }

  // ---------------------------------------------------------------- retention and log start offset

  /** Advances the log start offset (persisted) and deletes segments wholly below it; returns the new start. */
  deleteRecordsBefore(offset: bigint): Promise<bigint> {
    return this.exclusive(async () => {
      if (offset > this.endOffset || offset < 0n) {
        throw new LogError(
          "OFFSET_OUT_OF_RANGE",
          `cannot delete before ${offset}: log ends at ${this.endOffset}`,
        );
      }
      if (offset <= this.startOffset) return this.startOffset;
      const payload = Buffer.alloc(8);
      payload.writeBigInt64BE(offset);
      await writeCheckedFile(join(this.dir, checkpointFileName), checkpointMagic, checkpointVersion, payload);
      this.startOffset = offset;
      while (this.segments.length > 1 && this.segments[1]!.baseOffset <= offset)
        await this.deleteOldestSegment();
      return this.startOffset;
    });
  }

  /** Deletes whole segments past retention.ms or beyond retention.bytes (oldest first). */
  applyRetention(nowMs: number): Promise<{ deletedSegments: number }> {
    return this.exclusive(async () => {
      let deletedSegments = 0;
      while (this.config.retentionMs >= 0 && this.isExpired(this.segments[0]!, nowMs)) {
        if (this.segments.length === 1) {
          if (this.active.size === 0) break;
          await this.roll(this.endOffset);
        }
        await this.deleteOldestSegment();
        deletedSegments++;
      }
      if (this.config.retentionBytes >= 0) {
        let excess = this.totalBytes - this.config.retentionBytes;
        while (this.segments.length > 1 && excess >= this.segments[0]!.size) {
          excess -= this.segments[0]!.size;
          await this.deleteOldestSegment();
          deletedSegments++;
        }
      }
      return { deletedSegments };
    });
  }

  private isExpired(segment: Segment, nowMs: number): boolean {
    if (segment.size === 0) return false;
    const newest = segment.maxTimestamp >= 0 ? segment.maxTimestamp : segment.lastModifiedMs;
    return nowMs - newest > this.config.retentionMs;
  }

  private async deleteOldestSegment(): Promise<void> {
    assert(this.segments.length > 1, "the active segment is never deleted");
    const [oldest, ...rest] = this.segments;
    this.segments = rest;
    this.totalBytes -= oldest!.size;
    if (rest[0]!.baseOffset > this.startOffset) this.startOffset = rest[0]!.baseOffset;
    this.logger.info("deleted segment", {
      file: oldest!.logPath,
      bytes: oldest!.size,
      logStartOffset: this.startOffset,
    });
    await oldest!.remove();
  }

  // ---------------------------------------------------------------- shutdown

  /** Flushes, saves the active segment's indexes and closes the files. Appends after this reject. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    this.wakeDataWaiters(true);
    if (!this.failure) await this.flush().catch(() => {});
    await this.exclusive(async () => {
      if (!this.failure) await this.active.saveIndexes().catch(() => {});
      await Promise.allSettled(this.segments.map((s) => s.close()));
      this.closed = true;
    });
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Closes the log and removes its directory. */
  async delete(): Promise<void> {
    await this.close();
    await rm(this.dir, { recursive: true, force: true });
  }
}
