// The file input's read mode: reads each matching file whole (gzip files decompressed), emits its last line even
// without a delimiter, then logs and/or deletes it (file_completed_action). Files the sincedb says are fully
// read are skipped. With exit_after_read the input ends after one pass.

import { createReadStream, promises as fs } from "node:fs";
import { createGunzip } from "node:zlib";
import type { PluginContext } from "../../api.js";
import type { FileSettings } from "./settings.js";
import {
  type FileEvents,
  type FoundFile,
  findFiles,
  type ModeControl,
  type SincedbStore,
  WatchedFile,
} from "./source.js";

export class ReadMode {
  constructor(
    private readonly settings: FileSettings,
    private readonly sincedb: SincedbStore,
    private readonly events: FileEvents,
    private readonly context: PluginContext,
    private readonly control: ModeControl,
  ) {}

  async run(): Promise<void> {
    let cycle = 0;
    while (!this.control.stopping()) {
      if (cycle % this.settings.discoverEveryCycles === 0) {
        for (const found of await findFiles(this.settings, this.context)) {
          if (this.control.stopping()) break;
          await this.consider(found);
        }
        this.control.discovered();
        if (this.settings.exitAfterRead) break;
      }
      cycle++;
      await this.control.pause(this.settings.statIntervalMs);
    }
  }

  private async consider(found: FoundFile): Promise<void> {
    const size = Number(found.stat.size);
    const ignoreOlder = this.settings.ignoreOlderMs;
    if (ignoreOlder !== undefined && Date.now() - Number(found.stat.mtimeMs) > ignoreOlder) return;
    const record = this.sincedb.records.get(found.key);
    const known = record !== undefined && (record.path === undefined || record.path === found.path);
    // Read before (completely, as its recorded position reaches its size): nothing to do.
    if (known && record.position >= size) return;
    const start = known && record.position < size ? record.position : 0;
    const file = new WatchedFile(found.path, found.key, start, this.settings.delimiter);
    const complete = isGzip(found.path) ? await this.readGzip(file) : await this.readPlain(file);
    if (!complete) return;
    this.sincedb.update(found.key, size, found.path);
    await this.completed(found);
    await this.sincedb.writeIfDue();
  }

  /** Reads from the file's offset to its end; false when stopped first (the position is kept). */
  private async readPlain(file: WatchedFile): Promise<boolean> {
    const buffer = Buffer.alloc(this.settings.chunkSize);
    let handle: fs.FileHandle;
    try {
      handle = await fs.open(file.path, "r");
    } catch (err) {
      this.context.logger.warn("file input could not open a file", {
        id: this.context.id,
        path: file.path,
        err,
      });
      return false;
    }
    try {
      for (;;) {
        if (this.control.stopping()) {
          this.sincedb.update(file.key, file.committed, file.path);
          return false;
        }
        const { bytesRead } = await handle.read(buffer, 0, buffer.length, file.readOffset);
        if (bytesRead === 0) break;
        file.readOffset += bytesRead;
        const wait = this.events.lines(file, file.splitter.push(buffer.subarray(0, bytesRead)));
        this.sincedb.update(file.key, file.committed, file.path);
        if (wait) await this.control.ready();
      }
    } catch (err) {
      this.context.logger.warn("file input could not read", { id: this.context.id, path: file.path, err });
      return false;
    } finally {
      await handle.close().catch(() => {});
    }
    await this.endOfFile(file);
    return true;
  }

  /** A gzip file is always read from its start (offsets in it mean nothing to the sincedb). */
  private async readGzip(file: WatchedFile): Promise<boolean> {
    file.restart();
    try {
      for await (const chunk of createReadStream(file.path).pipe(createGunzip())) {
        if (this.control.stopping()) return false;
        if (this.events.lines(file, file.splitter.push(chunk as Buffer))) await this.control.ready();
      }
    } catch (err) {
      this.context.logger.warn("file input could not read a gzip file", {
        id: this.context.id,
        path: file.path,
        err,
      });
      this.context.countFailure("gzip_error");
      return false;
    }
    await this.endOfFile(file);
    return true;
  }

  /** In read mode the last line counts even without a delimiter, and the codec is flushed. */
  private async endOfFile(file: WatchedFile): Promise<void> {
    const rest = file.splitter.flush();
    let wait = false;
    if (rest !== undefined)
      wait = this.events.lines(file, [{ bytes: rest, consumed: rest.length, cut: false }]);
    if (this.events.end(file) || wait) await this.control.ready();
  }

  private async completed(found: FoundFile): Promise<void> {
    if (this.settings.completedLog && this.settings.completedLogPath !== undefined) {
      try {
        await fs.appendFile(this.settings.completedLogPath, `${found.path}\n`);
      } catch (err) {
        this.context.logger.warn("file input could not log a completed file", { id: this.context.id, err });
      }
    }
    if (!this.settings.completedDelete) return;
    try {
      await fs.unlink(found.path);
      // The file is gone: a new file that reuses its inode must not inherit its position.
      this.sincedb.records.delete(found.key);
    } catch (err) {
      this.context.logger.warn("file input could not delete a completed file", {
        id: this.context.id,
        path: found.path,
        err,
      });
    }
  }
}

function isGzip(filePath: string): boolean {
  return filePath.endsWith(".gz") || filePath.endsWith(".gzip");
}
