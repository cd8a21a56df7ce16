// The file input's tail mode: follows files for appended lines by polling (stat every stat_interval), finds
// new files every discover_interval cycles, and handles rotation (a new inode at the path: the old file is read
// to its end first), renames, truncation (restart at 0), close_older and ignore_older.

import { promises as fs } from "node:fs";
import type { PluginContext } from "../../api.js";
import type { FileSettings } from "./settings.js";
import { type FileKey, fileKeyOf } from "./sincedb.js";
import {
  type FileEvents,
  type FoundFile,
  findFiles,
  type ModeControl,
  type SincedbStore,
  statOf,
  WatchedFile,
} from "./source.js";

export class TailMode {
  private readonly watched = new Map<string, WatchedFile>();
  private readonly buffer: Buffer;
  private openFiles = 0;
  private warnedOpenFiles = false;

  constructor(
    private readonly settings: FileSettings,
    private readonly sincedb: SincedbStore,
    private readonly events: FileEvents,
    private readonly context: PluginContext,
    private readonly control: ModeControl,
  ) {
    this.buffer = Buffer.alloc(settings.chunkSize);
  }

  async run(): Promise<void> {
    let cycle = 0;
    while (!this.control.stopping()) {
      if (cycle % this.settings.discoverEveryCycles === 0) await this.discover(cycle === 0);
      for (const file of [...this.watched.values()]) {
        if (this.control.stopping()) break;
        await this.poll(file);
      }
      await this.sincedb.writeIfDue();
      cycle++;
      await this.control.pause(this.settings.statIntervalMs);
    }
  }

  /** At stop: flush decoders (a partial line stays unread, as in Logstash) and record positions. */
  async close(): Promise<void> {
    for (const file of this.watched.values()) {
      this.events.end(file);
      this.sincedb.update(file.key, file.committed, file.path);
      await this.closeFile(file);
    }
    this.watched.clear();
  }

  private async discover(initial: boolean): Promise<void> {
    for (const found of await findFiles(this.settings, this.context)) {
      if (this.watched.has(found.path)) continue;
      if (await this.followRename(found)) continue;
      this.track(found, initial);
    }
    this.control.discovered();
  }

  /** A watched file now under another name (and no longer under its old one) is followed, not read again. */
  private async followRename(found: FoundFile): Promise<boolean> {
    for (const file of this.watched.values()) {
      if (file.key !== found.key) continue;
      const old = await statOf(file.path);
      if (old !== undefined && fileKeyOf(old) === found.key) return false;
      this.watched.delete(file.path);
      file.path = found.path;
      this.watched.set(found.path, file);
      return true;
    }
    return false;
  }

  private track(found: FoundFile, initial: boolean): WatchedFile {
    const size = Number(found.stat.size);
    let position = this.knownPosition(found);
    if (position === undefined) position = initial && !this.settings.startAtBeginning ? size : 0;
    const ignoreOlder = this.settings.ignoreOlderMs;
    if (ignoreOlder !== undefined && Date.now() - Number(found.stat.mtimeMs) > ignoreOlder)
      position = Math.max(position, size);
    const file = new WatchedFile(found.path, found.key, position, this.settings.delimiter);
    this.watched.set(found.path, file);
    this.sincedb.update(found.key, position, found.path);
    return file;
  }

  /** The sincedb position for this inode, unless the record belongs to another file that still exists. */
  private knownPosition(found: FoundFile): number | undefined {
    const record = this.sincedb.records.get(found.key);
    if (record === undefined) return undefined;
    if (record.path === undefined || record.path === found.path || !this.pathHolds(record.path, found.key))
      return record.position;
    this.sincedb.records.delete(found.key);
    return undefined;
  }

  private pathHolds(filePath: string, key: FileKey): boolean {
    return this.watched.get(filePath)?.key === key;
  }

  private async poll(file: WatchedFile): Promise<void> {
    const stat = await statOf(file.path);
    if (stat === undefined || !stat.isFile()) {
      await this.finish(file);
      return;
    }
    const key = fileKeyOf(stat);
    if (key !== file.key) {
      this.context.logger.info("file rotated; reading the old one to its end", {
        id: this.context.id,
        path: file.path,
      });
      await this.finish(file);
      const fresh = this.track({ path: file.path, stat, key }, false);
      await this.readAvailable(fresh);
      return;
    }
    const size = Number(stat.size);
    if (size < file.readOffset) {
      this.context.logger.info("file shrank; reading it again from the start", {
        id: this.context.id,
        path: file.path,
        size,
        position: file.readOffset,
      });
      file.restart();
      this.sincedb.update(file.key, 0, file.path);
    }
    if (size > file.readOffset) await this.readAvailable(file);
    else this.closeIfIdle(file);
  }

  /** The file left its path (deleted or rotated): read what its open handle still holds, then let it go. */
  private async finish(file: WatchedFile): Promise<void> {
    this.watched.delete(file.path);
    if (file.handle !== undefined) await this.readToEnd(file);
    const rest = file.splitter.flush();
    let wait = false;
    if (rest !== undefined)
      wait = this.events.lines(file, [{ bytes: rest, consumed: rest.length, cut: false }]);
    if (this.events.end(file) || wait) await this.control.ready();
    this.sincedb.update(file.key, file.committed, file.path);
    await this.closeFile(file);
  }

  private async readAvailable(file: WatchedFile): Promise<void> {
    if (!(await this.open(file))) return;
    await this.readToEnd(file, this.settings.chunkCount);
  }

  private async readToEnd(file: WatchedFile, chunksMax = Number.POSITIVE_INFINITY): Promise<void> {
    const handle = file.handle!;
    for (let chunks = 0; chunks < chunksMax && !this.control.stopping(); chunks++) {
      let bytesRead: number;
      try {
        ({ bytesRead } = await handle.read(this.buffer, 0, this.buffer.length, file.readOffset));
      } catch (err) {
        this.logFailureOnce(file, "file input could not read", err);
        return;
      }
      if (bytesRead === 0) return;
      file.readOffset += bytesRead;
      file.lastReadAt = Date.now();
      const wait = this.events.lines(file, file.splitter.push(this.buffer.subarray(0, bytesRead)));
      this.sincedb.update(file.key, file.committed, file.path);
      if (wait) await this.control.ready();
    }
  }

  private async open(file: WatchedFile): Promise<boolean> {
    if (file.handle !== undefined) return true;
    if (this.openFiles >= this.settings.maxOpenFiles) {
      if (!this.warnedOpenFiles)
        this.context.logger.warn(
          "max_open_files reached; more files wait until others are closed (close_older)",
          {
            id: this.context.id,
            max_open_files: this.settings.maxOpenFiles,
          },
        );
      this.warnedOpenFiles = true;
      return false;
    }
    try {
      file.handle = await fs.open(file.path, "r");
    } catch (err) {
      this.logFailureOnce(file, "file input could not open a file", err);
      return false;
    }
    this.openFiles++;
    file.lastReadAt = Date.now();
    return true;
  }

  private logFailureOnce(file: WatchedFile, message: string, err: unknown): void {
    if (file.failureLogged) return;
    file.failureLogged = true;
    this.context.logger.warn(message, { id: this.context.id, path: file.path, err });
    this.context.countFailure("file_unreadable");
  }

  private closeIfIdle(file: WatchedFile): void {
    const closeOlder = this.settings.closeOlderMs;
    if (file.handle === undefined || closeOlder === undefined) return;
    if (Date.now() - file.lastReadAt <= closeOlder) return;
    // Like Logstash's timed_out: the codec is flushed; the file is reopened when it grows.
    this.events.end(file);
    void this.closeFile(file);
  }

  private async closeFile(file: WatchedFile): Promise<void> {
    if (file.handle === undefined) return;
    this.openFiles--;
    await file.close();
  }
}
