// The file input's options turned into checked settings, with Logstash's register-time refusals: relative
// paths, a directory as sincedb_path, exit_after_read in tail mode, a log action without its log path.

import { createHash } from "node:crypto";
import { statSync } from "node:fs";
import path from "node:path";
import type { PluginContext } from "../../api.js";
import type { ResolvedOptions } from "../../options.js";
import { parseDurationSeconds } from "./durations.js";

export interface FileSettings {
  patterns: string[];
  exclude: string[];
  mode: "tail" | "read";
  startAtBeginning: boolean;
  /** Where positions are kept; undefined keeps them in memory only (/dev/null, or no data dir). */
  sincedbPath: string | undefined;
  sincedbWriteIntervalMs: number;
  statIntervalMs: number;
  /** Discovery runs every this many stat cycles. */
  discoverEveryCycles: number;
  delimiter: Buffer;
  closeOlderMs: number | undefined;
  ignoreOlderMs: number | undefined;
  maxOpenFiles: number;
  completedLog: boolean;
  completedDelete: boolean;
  completedLogPath: string | undefined;
  sincedbCleanAfterSeconds: number;
  chunkSize: number;
  chunkCount: number;
  sortBy: "last_modified" | "path";
  sortDescending: boolean;
  exitAfterRead: boolean;
}

/** Logstash's default when max_open_files is not set. */
export const defaultMaxOpenFiles = 4095;

export function fileSettingsOf(options: ResolvedOptions, context: PluginContext): FileSettings {
  const patterns = options.stringArray("path");
  if (patterns.length === 0) throw new Error("path needs at least one file or glob");
  for (const pattern of patterns)
    if (!path.isAbsolute(pattern))
      throw new Error(`File paths must be absolute, relative path specified: ${pattern}`);
  const mode = options.string("mode") as "tail" | "read";
  const action = options.string("file_completed_action");
  const completedLogPath = options.optionalString("file_completed_log_path");
  if (action.includes("log") && completedLogPath === undefined)
    throw new Error(
      'The "file_completed_log_path" setting must be provided when the "file_completed_action" is set to "log" or "log_and_delete"',
    );
  const exitAfterRead = options.boolean("exit_after_read");
  if (mode === "tail" && exitAfterRead)
    throw new Error('The "exit_after_read" setting only works when the "mode" is set to "read"');
  const delimiter = options.string("delimiter");
  if (delimiter === "") throw new Error("delimiter must not be empty");
  return {
    patterns,
    exclude: options.stringArray("exclude"),
    mode,
    startAtBeginning: options.string("start_position") === "beginning",
    sincedbPath: sincedbPathOf(options, context, patterns),
    sincedbWriteIntervalMs: durationMs(options, "sincedb_write_interval"),
    statIntervalMs: durationMs(options, "stat_interval"),
    discoverEveryCycles: Math.max(1, Math.round(options.number("discover_interval"))),
    delimiter: Buffer.from(delimiter, "utf8"),
    closeOlderMs: options.raw("close_older") === undefined ? undefined : durationMs(options, "close_older"),
    ignoreOlderMs:
      options.raw("ignore_older") === undefined ? undefined : durationMs(options, "ignore_older"),
    maxOpenFiles: positive(options.optionalNumber("max_open_files") ?? defaultMaxOpenFiles, "max_open_files"),
    completedLog: action.includes("log"),
    completedDelete: action.includes("delete"),
    completedLogPath,
    sincedbCleanAfterSeconds: parseDuration(options, "sincedb_clean_after", "d"),
    chunkSize: positive(options.number("file_chunk_size"), "file_chunk_size"),
    chunkCount: positive(options.number("file_chunk_count"), "file_chunk_count"),
    sortBy: options.string("file_sort_by") as "last_modified" | "path",
    sortDescending: options.string("file_sort_direction") === "desc",
    exitAfterRead,
  };
}

function sincedbPathOf(
  options: ResolvedOptions,
  context: PluginContext,
  patterns: string[],
): string | undefined {
  const given = options.optionalString("sincedb_path");
  if (given !== undefined) {
    if (given === "/dev/null" || given.toUpperCase() === "NUL") return undefined;
    let isDirectory = false;
    try {
      isDirectory = statSync(given).isDirectory();
    } catch {
      // not there yet: it is created on first write
    }
    if (isDirectory)
      throw new Error(`The "sincedb_path" argument must point to a file, received a directory: "${given}"`);
    return given;
  }
  if (context.dataDir === "") return undefined;
  const digest = createHash("md5").update(patterns.join(",")).digest("hex");
  return path.join(context.dataDir, "plugins", "inputs", "file", `.sincedb_${digest}`);
}

function parseDuration(options: ResolvedOptions, name: string, unit: "s" | "d"): number {
  const value = options.raw(name);
  if (typeof value !== "string" && typeof value !== "number")
    throw new Error(`${name} must be a duration such as 5, "250 ms" or "1 hour"`);
  try {
    return parseDurationSeconds(value, unit);
  } catch (err) {
    throw new Error(`${name}: ${(err as Error).message}`);
  }
}

function durationMs(options: ResolvedOptions, name: string): number {
  return parseDuration(options, name, "s") * 1000;
}

function positive(value: number, name: string): number {
  if (!(value >= 1)) throw new Error(`${name} must be at least 1, got ${value}`);
  return Math.floor(value);
}
