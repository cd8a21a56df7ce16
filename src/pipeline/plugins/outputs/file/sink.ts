// One file the file output writes: its open handle and the encoded bytes waiting for the next flush.
// Gzip output is one gzip member per flush (a multi-member gzip file, which gunzip, zcat and zlib read whole).

import { constants, writeSync } from "node:fs";
import { chmod, type FileHandle, mkdir, open, stat } from "node:fs/promises";
import { dirname } from "node:path";
import { promisify } from "node:util";
import { gzip as gzipCallback } from "node:zlib";

const gzip = promisify(gzipCallback);

export interface SinkOptions {
  gzip: boolean;
  /** write_behavior => overwrite: each flush leaves only the latest event in the file. */
  overwrite: boolean;
  /** Permission bits for a file this output creates (undefined: the OS default). */
  fileMode: number | undefined;
  /** Permission bits for directories this output creates (undefined: the OS default). */
  dirMode: number | undefined;
}

export class FileSink {
  private pending: Buffer[] = [];
  private pendingSize = 0;
  /** Written to since the last stale-file sweep. */
  active = true;

  private constructor(
    readonly path: string,
    private readonly handle: FileHandle,
    private readonly options: SinkOptions,
  ) {}

  /** Opens `path` for appending, creating it and its directories (with the configured modes) as needed. */
  static async open(path: string, options: SinkOptions): Promise<FileSink> {
    await ensureDirectory(dirname(path), options.dirMode);
    const existed = await exists(path);
    const handle = await open(path, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT, 0o666);
    // An exact mode, umask or not, as Logstash (JRuby ignores the umask) and its tests expect.
    if (!existed && options.fileMode !== undefined) await handle.chmod(options.fileMode);
    return new FileSink(path, handle, options);
  }

  get pendingBytes(): number {
    return this.pendingSize;
  }

  /** Queues one batch's bytes for this file (under overwrite, the batch's last event only replaces what waits). */
  add(data: Buffer): void {
    this.active = true;
    if (this.options.overwrite) {
      this.pending = [data];
      this.pendingSize = data.length;
      return;
    }
    if (data.length === 0) return;
    this.pending.push(data);
    this.pendingSize += data.length;
  }

  /** Hands the unwritten bytes over (to the sink replacing this one when the file was deleted). */
  takePending(): Buffer[] {
    const taken = this.pending;
    this.pending = [];
    this.pendingSize = 0;
    return taken;
  }

  /** Writes what is pending; on failure the pending bytes are lost and the error is thrown. */
  async flush(): Promise<void> {
    if (this.pendingSize === 0) return;
    const chunks = this.takePending();
    let data = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
    if (this.options.gzip) data = await gzip(data);
    if (this.options.overwrite) await this.handle.truncate(0);
    if (this.options.gzip || this.options.overwrite) await writeFully(this.handle, data);
    else appendNow(this.handle.fd, data);
  }

  /** Flushes, then closes the handle; the handle is closed even when the flush fails. */
  async close(): Promise<void> {
    try {
      await this.flush();
    } finally {
      await this.handle.close();
    }
  }
}

/**
 * An append to the page cache takes microseconds; a thread-pool round trip per batch costs more than the write
 * itself and was the file output's bottleneck, so plain appends are written synchronously.
 */
function appendNow(fd: number, data: Buffer): void {
  let offset = 0;
  while (offset < data.length) offset += writeSync(fd, data, offset, data.length - offset);
}

async function writeFully(handle: FileHandle, data: Buffer): Promise<void> {
  let offset = 0;
  while (offset < data.length) {
    const { bytesWritten } = await handle.write(data, offset, data.length - offset);
    offset += bytesWritten;
  }
}

export async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/** mkdir -p, giving each directory it creates exactly `mode` when one is set. */
async function ensureDirectory(dir: string, mode: number | undefined): Promise<void> {
  if (await exists(dir)) return;
  await ensureDirectory(dirname(dir), mode);
  try {
    await mkdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") return; // another writer made it meanwhile
    throw err;
  }
  if (mode !== undefined) await chmod(dir, mode);
}
