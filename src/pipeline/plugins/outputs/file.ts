// The file output: events encoded by the codec (json_lines unless told) and appended to files whose path is
// interpolated per event, held per file and written every `flush_interval` seconds. Paths that escape the
// configured directory go to a failure file; open files are bounded and closed when stale or least used.

import { existsSync } from "node:fs";
import { limits } from "../../../common/limits.js";
import { type CompiledTemplate, compileTemplate, type Event } from "../../event/index.js";
import type { Codec, Output, OutputSpec, PluginContext } from "../api.js";
import type { ResolvedOptions } from "../options.js";
import { type EncodedPiece, encodePiece, piecesToBuffer } from "./common/encode.js";
import { insideRoot, type PathPlan, planPaths } from "./file/paths.js";
import { exists, FileSink, type SinkOptions } from "./file/sink.js";

export interface FileOutputSettings extends SinkOptions {
  paths: PathPlan;
  /** Seconds between flushes; 0 writes every batch before receive resolves. */
  flushIntervalSeconds: number;
  staleCleanupSeconds: number;
  createIfDeleted: boolean;
  openFilesMax: number;
}

export class FileOutput implements Output {
  /** Open files in least-recently-written-first order (a Map keeps insertion order). */
  private readonly sinks = new Map<string, FileSink>();
  /** Every file operation runs in this chain: batches and timed flushes never interleave on one file. */
  private chain: Promise<void> = Promise.resolve();
  private readonly flushTimer: NodeJS.Timeout | undefined;
  private lastStaleSweep = Date.now();
  private closing: Promise<void> | undefined;
  /** The path template compiled once: a constant path skips interpolation per event. */
  private readonly pathTemplate: CompiledTemplate;

  constructor(
    private readonly settings: FileOutputSettings,
    private readonly codec: Codec,
    private readonly context: PluginContext,
  ) {
    this.pathTemplate = compileTemplate(settings.paths.template);
    if (settings.flushIntervalSeconds > 0) {
      this.flushTimer = setInterval(
        () => void this.exclusive(() => this.flushAll()),
        settings.flushIntervalSeconds * 1000,
      );
      this.flushTimer.unref();
    }
  }

  /** How many files are open now (for tests and monitoring). */
  get openFiles(): number {
    return this.sinks.size;
  }

  receive(events: Event[]): Promise<void> {
    if (this.closing !== undefined) {
      this.fail("file output is closed; events dropped", "file_closed", { events: events.length });
      return Promise.resolve();
    }
    return this.exclusive(() => this.write(events));
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    if (this.flushTimer !== undefined) clearInterval(this.flushTimer);
    await this.exclusive(async () => {
      for (const sink of [...this.sinks.values()]) await this.closeSink(sink);
    });
  }

  private exclusive(work: () => Promise<void>): Promise<void> {
    const run = this.chain.then(work);
    this.chain = run.catch(() => {});
    return run;
  }

  private async write(events: Event[]): Promise<void> {
    const byPath = await this.groupByPath(events);
    for (const [path, pieces] of byPath) {
      try {
        const sink = await this.open(path);
        // Overwrite keeps only the last event, so only its bytes are made; append makes one buffer per file.
        sink.add(piecesToBuffer(this.settings.overwrite ? pieces.slice(-1) : pieces));
        if (this.settings.flushIntervalSeconds === 0 || sink.pendingBytes > limits.fileOutputPendingBytesMax)
          await sink.flush();
      } catch (err) {
        this.fail("cannot write to file; events dropped", "file_write", {
          path,
          events: pieces.length,
          error: (err as Error).message,
        });
      }
    }
    await this.sweepStale();
  }

  /** Encoded events by the file they go to, in arrival order; Logstash's routing rules decide the file. */
  private async groupByPath(events: Event[]): Promise<Map<string, EncodedPiece[]>> {
    const { paths } = this.settings;
    const constantPath = this.pathTemplate.constant;
    const byPath = new Map<string, EncodedPiece[]>();
    for (const event of events) {
      const data = encodePiece(this.codec, event, this.context);
      if (data === undefined) continue;
      let path = constantPath ? paths.template : event.sprintf(paths.template);
      if (paths.dynamic && !insideRoot(path, paths.root)) {
        this.context.logger.warn(
          "the event tried to write outside the files root; writing it to the failure file",
          {
            plugin: this.context.id,
            path,
            failure_path: paths.failurePath,
          },
        );
        this.context.countFailure("file_path_outside_root");
        path = paths.failurePath;
      }
      const pieces = byPath.get(path);
      if (pieces === undefined) byPath.set(path, [data]);
      else pieces.push(data);
    }
    if (this.settings.createIfDeleted) return byPath;
    return this.redirectMissing(byPath);
  }

  /** create_if_deleted => false: a file that does not exist is not (re)created; its events go to the failure file. */
  private async redirectMissing(byPath: Map<string, EncodedPiece[]>): Promise<Map<string, EncodedPiece[]>> {
    const failurePath = this.settings.paths.failurePath;
    const routed = new Map<string, EncodedPiece[]>();
    for (const [path, pieces] of byPath) {
      const target = path === failurePath || (await exists(path)) ? path : failurePath;
      const existing = routed.get(target);
      if (existing === undefined) routed.set(target, pieces);
      else for (const piece of pieces) existing.push(piece);
    }
    return routed;
  }

  private async open(path: string): Promise<FileSink> {
    const cached = this.sinks.get(path);
    let carried: Buffer[] = [];
    if (cached !== undefined) {
      this.sinks.delete(path); // re-inserted below: most recently used last
      // A stat of a cached path takes about a microsecond; through the thread pool it cost a third of the throughput.
      if (!this.settings.createIfDeleted || existsSync(path)) {
        this.sinks.set(path, cached);
        return cached;
      }
      this.context.logger.debug("file was deleted; creating it again", { plugin: this.context.id, path });
      carried = cached.takePending();
      await this.closeSink(cached);
    }
    await this.evictLeastRecent();
    this.context.logger.info("opening file", { plugin: this.context.id, path });
    const sink = await FileSink.open(path, this.settings);
    for (const data of carried) sink.add(data);
    this.sinks.set(path, sink);
    return sink;
  }

  private async evictLeastRecent(): Promise<void> {
    while (this.sinks.size >= this.settings.openFilesMax) {
      const oldest = this.sinks.values().next().value as FileSink;
      await this.closeSink(oldest);
    }
  }

  /** Closes files not written since the previous sweep, every `stale_cleanup_interval` seconds (checked per batch). */
  private async sweepStale(): Promise<void> {
    const now = Date.now();
    if (now - this.lastStaleSweep < this.settings.staleCleanupSeconds * 1000) return;
    this.lastStaleSweep = now;
    for (const sink of [...this.sinks.values()]) {
      if (sink.active) sink.active = false;
      else await this.closeSink(sink);
    }
  }

  private async flushAll(): Promise<void> {
    for (const sink of this.sinks.values()) {
      try {
        await sink.flush();
      } catch (err) {
        this.fail("cannot flush file; its pending events are lost", "file_write", {
          path: sink.path,
          error: (err as Error).message,
        });
      }
    }
  }

  private async closeSink(sink: FileSink): Promise<void> {
    this.sinks.delete(sink.path);
    try {
      await sink.close();
    } catch (err) {
      this.fail("cannot flush and close file", "file_write", {
        path: sink.path,
        error: (err as Error).message,
      });
    }
  }

  private fail(message: string, reason: string, fields: Record<string, unknown>): void {
    this.context.logger.warn(message, { plugin: this.context.id, ...fields });
    this.context.countFailure(reason);
  }
}

/**
 * `dir_mode => 0750` means octal in Logstash (Ruby reads the leading zero), but the number reaches us as 750:
 * a value whose digits are all octal digits is read as octal; -1 means the OS default.
 */
export function permissionBits(value: number): number | undefined {
  if (value < 0) return undefined;
  const text = String(value);
  return /^[0-7]+$/.test(text) ? Number.parseInt(text, 8) : value;
}

export function fileOutputSettings(options: ResolvedOptions): FileOutputSettings {
  const flushInterval = options.number("flush_interval");
  if (flushInterval < 0) throw new Error(`flush_interval must not be negative, got ${flushInterval}`);
  return {
    paths: planPaths(options.string("path"), options.string("filename_failure")),
    // Logstash truncates to whole seconds (`to_i`).
    flushIntervalSeconds: Math.trunc(flushInterval),
    staleCleanupSeconds: options.number("stale_cleanup_interval"),
    createIfDeleted: options.boolean("create_if_deleted"),
    gzip: options.boolean("gzip"),
    overwrite: options.string("write_behavior") === "overwrite",
    fileMode: permissionBits(options.number("file_mode")),
    dirMode: permissionBits(options.number("dir_mode")),
    openFilesMax: limits.fileOutputOpenFilesMax,
  };
}

export const fileOutput: OutputSpec = {
  kind: "output",
  name: "file",
  doc:
    "Writes events to files on disk, one encoded event after another (json_lines by default). The path may use " +
    "event fields and dates, e.g. `/var/log/app/%{type}-%{+YYYY-MM-dd}.log`; paths that would leave the " +
    "static directory prefix go to the `filename_failure` file instead.",
  defaultCodec: "json_lines",
  options: {
    path: {
      type: "string",
      required: true,
      doc: "The file to write; `%{field}` and `%{+date}` are interpolated per event. The first directory must be static.",
    },
    flush_interval: {
      type: "number",
      default: 2,
      doc: "Seconds between writes of buffered events to disk; 0 writes every batch.",
    },
    gzip: { type: "boolean", default: false, doc: "Gzip the data written (one gzip member per flush)." },
    filename_failure: {
      type: "string",
      default: "_filepath_failures",
      doc: "File (in the path's static directory) receiving events whose path is invalid or was deleted.",
    },
    create_if_deleted: {
      type: "boolean",
      default: true,
      doc: "Recreate a file deleted while in use; when false, events for a missing file go to `filename_failure`.",
    },
    dir_mode: {
      type: "number",
      default: -1,
      doc: "Permission bits for directories created, e.g. 0750; -1 uses the OS default.",
    },
    file_mode: {
      type: "number",
      default: -1,
      doc: "Permission bits for files created, e.g. 0640; -1 uses the OS default.",
    },
    write_behavior: {
      type: ["overwrite", "append"],
      default: "append",
      doc: "`append` adds each event at the end; `overwrite` leaves only the latest event in the file.",
    },
    stale_cleanup_interval: {
      type: "number",
      default: 10,
      doc: "Seconds between sweeps that close files not written since the previous sweep.",
    },
    message_format: {
      type: "string",
      obsolete: 'use the line codec instead: codec => line { format => "%{message}" }',
      doc: "Removed; use `codec => line { format => ... }`.",
    },
  },
  create: (options: ResolvedOptions, context: PluginContext) =>
    new FileOutput(fileOutputSettings(options), options.codec(), context),
};
