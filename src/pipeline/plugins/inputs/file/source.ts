// What the file input's tail and read modes share: finding files, following one file's offsets and lines,
// turning lines into decorated events with back-pressure, and keeping the sincedb.

import { type BigIntStats, promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { limits } from "../../../../common/limits.js";
import type { Event } from "../../../event/index.js";
import type { Codec, Decoder, InputSink, PluginContext } from "../../api.js";
import { fnmatch, glob } from "./glob.js";
import type { Line } from "./lines.js";
import { LineSplitter } from "./lines.js";
import type { FileSettings } from "./settings.js";
import {
  type FileKey,
  fileKeyOf,
  formatSincedb,
  loadSincedb,
  type SincedbRecord,
  saveSincedb,
} from "./sincedb.js";

/** How a mode's loop is steered by the input. */
export interface ModeControl {
  /** True once the input should stop; checked between reads. */
  stopping(): boolean;
  /** Waits for the sink's room, or for stop. */
  ready(): Promise<void>;
  /** Sleeps, waking early on stop. */
  pause(ms: number): Promise<void>;
  /** Called after each search for files (tests wait for the first). */
  discovered(): void;
}

export interface FoundFile {
  path: string;
  stat: BigIntStats;
  key: FileKey;
}

/** Regular files matching the patterns and no exclude pattern (matched on the base name), in sort order. */
export async function findFiles(settings: FileSettings, context: PluginContext): Promise<FoundFile[]> {
  const paths = new Set<string>();
  for (const pattern of settings.patterns)
    for (const match of await glob(pattern, limits.fileInputWatchedFilesMax)) paths.add(match);
  const found: FoundFile[] = [];
  for (const file of paths) {
    const base = path.basename(file);
    if (settings.exclude.some((pattern) => fnmatch(pattern, base))) continue;
    const stat = await statOf(file);
    if (stat === undefined || !stat.isFile()) continue;
    if (found.length >= limits.fileInputWatchedFilesMax) {
      context.logger.warn("file input matches too many files; the rest are ignored", {
        id: context.id,
        max: limits.fileInputWatchedFilesMax,
      });
      break;
    }
    found.push({ path: file, stat, key: fileKeyOf(stat) });
  }
  return sortFiles(found, settings);
}

function sortFiles(files: FoundFile[], settings: FileSettings): FoundFile[] {
  const sign = settings.sortDescending ? -1 : 1;
  return files.sort((a, b) => {
    const order =
      settings.sortBy === "path"
        ? a.path.localeCompare(b.path)
        : Number(a.stat.mtimeNs - b.stat.mtimeNs) || a.path.localeCompare(b.path);
    return sign * order;
  });
}

export async function statOf(file: string): Promise<BigIntStats | undefined> {
  try {
    return await fs.stat(file, { bigint: true });
  } catch {
    return undefined;
  }
}

/** One file being read: where it is read to, where its last full line ended, its unfinished line. */
export class WatchedFile {
  handle: fs.FileHandle | undefined;
  /** Next byte to read. */
  readOffset: number;
  /** End of the last complete line: the position the sincedb keeps, so a partial line is read again. */
  committed: number;
  lastReadAt = Date.now();
  decoder: Decoder | undefined;
  /** Set once a failure to open or read this file was logged, so polling does not repeat it every cycle. */
  failureLogged = false;
  readonly splitter: LineSplitter;

  constructor(
    public path: string,
    readonly key: FileKey,
    position: number,
    delimiter: Buffer,
  ) {
    this.readOffset = position;
    this.committed = position;
    this.splitter = new LineSplitter(delimiter, limits.fileInputLineBytesMax);
  }

  restart(): void {
    this.readOffset = 0;
    this.committed = 0;
    this.splitter.reset();
  }

  async close(): Promise<void> {
    const handle = this.handle;
    this.handle = undefined;
    await handle?.close().catch(() => {});
  }
}

/** Turns a file's lines into events: its codec decoder, Logstash's source fields, back-pressure. */
export class FileEvents {
  private readonly host = os.hostname();
  private readonly hostField: string;
  private readonly pathField: string;
  private mustWait = false;
  private readonly lineEnd: boolean;

  constructor(
    private readonly codec: Codec,
    private readonly sink: InputSink,
    private readonly context: PluginContext,
  ) {
    this.lineEnd = framesLines(codec);
    const ecs = context.ecsCompatibility !== "disabled";
    this.hostField = ecs ? "[host][name]" : "host";
    this.pathField = ecs ? "[log][file][path]" : "path";
  }

  /** Decodes lines into events; returns true when the sink asked to wait before more are pushed. */
  lines(file: WatchedFile, lines: readonly Line[]): boolean {
    for (const line of lines) {
      if (line.cut) {
        this.context.logger.warn("file input line longer than the limit; cut into pieces", {
          id: this.context.id,
          path: file.path,
          max_bytes: limits.fileInputLineBytesMax,
        });
        this.context.countFailure("line_too_long");
      }
      const bytes = this.lineEnd ? Buffer.concat([line.bytes, newline]) : line.bytes;
      this.decode(file, (decoder) => decoder.write(bytes));
      file.committed += line.consumed;
    }
    const wait = this.mustWait;
    this.mustWait = false;
    return wait;
  }

  /** The file is done (deleted, rotated away, read to the end, closed): emit what its decoder holds. */
  end(file: WatchedFile): boolean {
    if (file.decoder !== undefined) this.decode(file, (decoder) => decoder.end());
    file.decoder = undefined;
    const wait = this.mustWait;
    this.mustWait = false;
    return wait;
  }

  private decode(file: WatchedFile, use: (decoder: Decoder) => void): void {
    // The path is read when an event is made: a file renamed while followed reports its new name.
    file.decoder ??= this.codec.createDecoder((event) => this.emit(event, file.path));
    try {
      use(file.decoder);
    } catch (err) {
      this.context.logger.warn("file input codec failed on a line", {
        id: this.context.id,
        path: file.path,
        err,
      });
      this.context.countFailure("codec_error");
    }
  }

  private emit(event: Event, filePath: string): void {
    event.set("[@metadata][path]", filePath);
    event.set("[@metadata][host]", this.host);
    if (!event.includes(this.hostField)) trySet(event, this.hostField, this.host);
    if (!event.includes(this.pathField)) trySet(event, this.pathField, filePath);
    if (!this.sink.push(event)) this.mustWait = true;
  }
}

const newline = Buffer.from("\n");

/**
 * Logstash hands the codec one line at a time, without its delimiter. Sluice's line-framing decoders (line,
 * json_lines, multiline) find lines by their "\n" instead, so those get it back; every other codec (plain, json,
 * csv, ...) sees exactly what Logstash's would. The codec says which it is.
 */
export function framesLines(codec: Codec): boolean {
  return codec.splitsLines === true;
}

/** Logstash ignores a source field it cannot set (e.g. `host` already holds a string under ECS). */
function trySet(event: Event, field: string, value: string): void {
  try {
    event.set(field, value);
  } catch {
    // an intermediate field is a scalar: leave the event as it is
  }
}

/** The positions of every file seen, written every sincedb_write_interval and at stop. */
export class SincedbStore {
  records = new Map<FileKey, SincedbRecord>();
  private lastWrite = Date.now();

  constructor(
    private readonly settings: FileSettings,
    private readonly context: PluginContext,
  ) {}

  async open(): Promise<void> {
    if (this.settings.sincedbPath === undefined) return;
    const now = Date.now() / 1000;
    for (const [key, record] of await loadSincedb(this.settings.sincedbPath))
      if (record.lastActive + this.settings.sincedbCleanAfterSeconds > now) this.records.set(key, record);
  }

  update(key: FileKey, position: number, filePath: string): void {
    this.records.set(key, { position, lastActive: Date.now() / 1000, path: filePath });
  }

  async writeIfDue(): Promise<void> {
    if (Date.now() - this.lastWrite >= this.settings.sincedbWriteIntervalMs) await this.write();
  }

  async write(): Promise<void> {
    this.lastWrite = Date.now();
    const file = this.settings.sincedbPath;
    if (file === undefined) return;
    const now = Date.now() / 1000;
    const expiry = this.settings.sincedbCleanAfterSeconds;
    for (const [key, record] of this.records) if (now > record.lastActive + expiry) this.records.delete(key);
    try {
      await saveSincedb(file, formatSincedb(this.records, now, expiry));
    } catch (err) {
      this.context.logger.warn("file input could not write its sincedb", {
        id: this.context.id,
        path: file,
        err,
      });
    }
  }
}
