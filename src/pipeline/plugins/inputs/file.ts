// The file input: tails files for new lines (mode => tail) or reads them whole (mode => read), one event per
// line through the codec, remembering positions in a Logstash-format sincedb so a restart resumes where it was.

import { promises as fs } from "node:fs";
import type { Codec, Input, InputSink, InputSpec, PluginContext } from "../api.js";
import { ReadMode } from "./file/read.js";
import { type FileSettings, fileSettingsOf } from "./file/settings.js";
import { FileEvents, type ModeControl, SincedbStore } from "./file/source.js";
import { TailMode } from "./file/tail.js";

export class FileInput implements Input {
  private stopped = false;
  /** Searches for files done so far. */
  discoveries = 0;
  private readonly wakers = new Set<() => void>();

  constructor(
    readonly settings: FileSettings,
    private readonly codec: Codec,
    private readonly context: PluginContext,
  ) {}

  async run(sink: InputSink): Promise<void> {
    const sincedb = new SincedbStore(this.settings, this.context);
    await sincedb.open();
    if (this.settings.completedLog && this.settings.completedLogPath !== undefined)
      await fs.appendFile(this.settings.completedLogPath, "");
    const events = new FileEvents(this.codec, sink, this.context);
    const control: ModeControl = {
      stopping: () => this.stopped || sink.stopping,
      ready: () => this.untilStopped(sink.ready()),
      pause: (ms) => this.untilStopped(new Promise((resolve) => setTimeout(resolve, ms))),
      discovered: () => {
        this.discoveries++;
      },
    };
    if (this.settings.mode === "read") {
      try {
        await new ReadMode(this.settings, sincedb, events, this.context, control).run();
      } finally {
        await sincedb.write();
      }
      return;
    }
    const tail = new TailMode(this.settings, sincedb, events, this.context, control);
    try {
      await tail.run();
    } finally {
      await tail.close();
      await sincedb.write();
    }
  }

  stop(): void {
    this.stopped = true;
    for (const wake of this.wakers) wake();
    this.wakers.clear();
  }

  /** `promise`, or sooner when stop() is called. */
  private untilStopped(promise: Promise<unknown>): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const wake = () => {
        this.wakers.delete(wake);
        resolve();
      };
      this.wakers.add(wake);
      void promise.then(wake, wake);
    });
  }
}

export const fileInput: InputSpec = {
  kind: "input",
  name: "file",
  doc:
    "Reads lines from files: follows them as they grow (tail mode, with rotation and truncation) or reads " +
    "them whole and then deletes or logs them (read mode). Positions are kept in a sincedb file.",
  defaultCodec: "plain",
  options: {
    path: {
      type: "array",
      required: true,
      doc: "Absolute paths or globs (*, ?, [..], {a,b}, **) of the files.",
    },
    exclude: { type: "array", doc: "File name globs (matched on the base name) to leave out." },
    mode: { type: ["tail", "read"], default: "tail", doc: "Follow files as they grow, or read them whole." },
    start_position: {
      type: ["beginning", "end"],
      default: "end",
      doc: "Where tail mode starts in files it has no sincedb position for, when first seen at startup.",
    },
    sincedb_path: {
      type: "string",
      doc: "Where read positions are kept; default under path.data; /dev/null keeps none.",
    },
    sincedb_write_interval: {
      type: "any",
      default: 15,
      doc: "How often positions are written (seconds or e.g. '5 s').",
    },
    sincedb_clean_after: {
      type: "any",
      default: "14 days",
      doc: "Positions not changed for this long (days, or e.g. '12 h') are forgotten.",
    },
    stat_interval: {
      type: "any",
      default: 1,
      doc: "How often files are checked for new data (seconds or '250 ms').",
    },
    discover_interval: {
      type: "number",
      default: 15,
      doc: "Look for new files every this many stat_intervals.",
    },
    delimiter: { type: "string", default: "\n", doc: "What ends a line." },
    close_older: {
      type: "any",
      default: "1 hour",
      doc: "Close a file not read from for this long (it is reopened when it grows).",
    },
    ignore_older: { type: "any", doc: "Skip the existing content of files not modified for this long." },
    max_open_files: { type: "number", doc: "Files held open at once (default 4095); others wait." },
    file_completed_action: {
      type: ["delete", "log", "log_and_delete"],
      default: "delete",
      doc: "What read mode does with a file it has read.",
    },
    file_completed_log_path: { type: "string", doc: "File that read mode appends completed paths to." },
    file_chunk_size: { type: "number", default: 32768, doc: "Bytes read from a file at a time." },
    file_chunk_count: {
      type: "number",
      default: 140737488355327,
      doc: "Chunks read from one file before moving to the next (tail mode).",
    },
    file_sort_by: {
      type: ["last_modified", "path"],
      default: "last_modified",
      doc: "Order in which files are processed.",
    },
    file_sort_direction: { type: ["asc", "desc"], default: "asc", doc: "Direction of file_sort_by." },
    exit_after_read: { type: "boolean", default: false, doc: "Read mode: stop the input after one pass." },
    check_archive_validity: {
      type: "boolean",
      default: false,
      doc: "Read mode: check gzip files before reading them (ignored: errors are reported while reading).",
    },
  },
  create(options, context) {
    const settings = fileSettingsOf(options, context);
    if (options.has("check_archive_validity"))
      context.logger.warn(
        "check_archive_validity is ignored: a broken gzip file is reported while it is read",
        {
          id: context.id,
        },
      );
    if (!options.has("sincedb_path"))
      context.logger.info("no sincedb_path set; generated one from the path setting", {
        id: context.id,
        sincedb_path: settings.sincedbPath ?? "(none: no data directory)",
      });
    return new FileInput(settings, options.codec(), context);
  },
};
