// Reads configuration text the way `logstash -f`/`-e` do: a file, a directory (its files, in name order), or a glob;
// or a string. Keeps every part separate with its file name (Logstash parses each file on its own) and a source map
// from the concatenated text back to file:line:column.

import { readdir, readFile, stat } from "node:fs/promises";
import { join, sep } from "node:path";
import { limits } from "../../common/limits.js";
import type { SourcePosition } from "./ast.js";
import type { Diagnostic } from "./diagnostics.js";

export interface ConfigSource {
  file: string;
  text: string;
}

export interface LoadedConfig {
  sources: ConfigSource[];
  /** Problems reading the paths (missing, unreadable, not UTF-8, too big); positions are 1:1 of the path. */
  diagnostics: Diagnostic[];
  /** All sources joined by a line break, and the map from its offsets back to the sources. */
  text: string;
  sourceMap: SourceMap;
}

/** The name Logstash gives a `-e` string. */
export const configStringFile = "config_string";

export async function loadConfigSources(options: {
  paths?: string[];
  string?: string;
}): Promise<LoadedConfig> {
  const sources: ConfigSource[] = [];
  const diagnostics: Diagnostic[] = [];
  if (options.string !== undefined) sources.push({ file: configStringFile, text: options.string });
  for (const path of options.paths ?? []) {
    const files = await expandConfigPath(path);
    if (files.length === 0)
      diagnostics.push(loadError(path, "no-config-files", `no config files found at ${path}`));
    for (const file of files) {
      const loaded = await readSource(file);
      if ("text" in loaded) sources.push(loaded);
      else diagnostics.push(loaded);
    }
  }
  const sourceMap = new SourceMap(sources);
  return { sources, diagnostics, text: sources.map((s) => s.text).join("\n"), sourceMap };
}

/**
 * The files one `-f` argument names, sorted: a directory means its entries (not recursively, like Logstash's
 * `dir/*`), a path with `*`, `?` or `[` is a glob; editor backups (`name~`) and subdirectories are skipped.
 */
export async function expandConfigPath(path: string): Promise<string[]> {
  const normalized = path.replace(/^file:\/\//i, "");
  const info = await stat(normalized).catch(() => undefined);
  let candidates: string[];
  if (info?.isDirectory()) candidates = await globFiles(join(normalized, "*"));
  else if (info) candidates = [normalized];
  else if (/[*?[]/.test(normalized)) candidates = await globFiles(normalized);
  else candidates = [];
  const files: string[] = [];
  for (const file of candidates.sort(compareBytes)) {
    if (file.endsWith("~")) continue;
    const s = await stat(file).catch(() => undefined);
    if (s?.isFile() || s?.isFIFO()) files.push(file);
    if (files.length >= limits.configFilesMax) break;
  }
  return files;
}

/** Minimal glob: `*` and `?` within one path segment (not matching a leading dot), `**` for any depth. */
export async function globFiles(pattern: string): Promise<string[]> {
  const absolute = pattern.startsWith(sep) || pattern.startsWith("/");
  const segments = pattern.split(/[\\/]+/).filter((s) => s.length > 0);
  const fixed: string[] = [];
  while (segments.length > 0 && !/[*?[]/.test(segments[0]!)) fixed.push(segments.shift()!);
  const base = absolute ? `/${fixed.join("/")}` : fixed.length > 0 ? fixed.join("/") : ".";
  const out: string[] = [];
  await walk(base, segments, out, fixed.length === 0 && !absolute);
  return out;
}

async function walk(dir: string, segments: string[], out: string[], relativeToCwd: boolean): Promise<void> {
  if (out.length >= limits.configFilesMax) return;
  const prefix = (name: string) => (relativeToCwd && dir === "." ? name : join(dir, name));
  if (segments.length === 0) {
    out.push(dir);
    return;
  }
  const [head, ...rest] = segments as [string, ...string[]];
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  if (head === "**") {
    await walk(dir, rest, out, relativeToCwd);
    for (const e of entries) {
      if (e.isDirectory() && !e.name.startsWith(".")) await walk(prefix(e.name), segments, out, false);
    }
    return;
  }
  const re = segmentRegExp(head);
  for (const e of entries) {
    if (!re.test(e.name)) continue;
    if (rest.length === 0) out.push(prefix(e.name));
    else if (e.isDirectory()) await walk(prefix(e.name), rest, out, false);
  }
}

function segmentRegExp(segment: string): RegExp {
  let source = "";
  for (const c of segment) {
    if (c === "*") source += "[^/]*";
    else if (c === "?") source += "[^/]";
    else source += c.replace(/[.+^${}()|\\\]]/g, "\\$&");
  }
  // Like the shell and Ruby's Dir.glob, wildcards do not match a leading dot.
  const hidden = segment.startsWith(".") ? "" : "(?!\\.)";
  return new RegExp(`^${hidden}${source}$`);
}

async function readSource(file: string): Promise<ConfigSource | Diagnostic> {
  try {
    const info = await stat(file);
    if (info.size > limits.configFileBytesMax) {
      return loadError(file, "file-too-large", `${file} is larger than ${limits.configFileBytesMax} bytes`);
    }
    const bytes = await readFile(file);
    const text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    return { file, text };
  } catch (err) {
    if (err instanceof TypeError) return loadError(file, "not-utf8", `${file} is not valid UTF-8`);
    return loadError(file, "unreadable", `cannot read ${file}: ${(err as Error).message}`);
  }
}

function loadError(file: string, code: string, message: string): Diagnostic {
  return { severity: "error", code, message, file, line: 1, column: 1 };
}

function compareBytes(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Maps an offset in the joined text of several sources back to the source, line and column it came from. */
export class SourceMap {
  private readonly starts: number[] = [];
  private readonly lineStarts: number[][] = [];

  constructor(private readonly sources: readonly ConfigSource[]) {
    let offset = 0;
    for (const source of sources) {
      this.starts.push(offset);
      const lines = [0];
      for (let i = 0; i < source.text.length; i++) if (source.text.charCodeAt(i) === 10) lines.push(i + 1);
      this.lineStarts.push(lines);
      offset += source.text.length + 1;
    }
  }

  /** The original position of `offset` in the joined text (the separating line break maps to its source's end). */
  locate(offset: number): SourcePosition | undefined {
    let index = -1;
    for (let i = 0; i < this.starts.length && this.starts[i]! <= offset; i++) index = i;
    if (index < 0) return undefined;
    const source = this.sources[index]!;
    const local = Math.min(offset - this.starts[index]!, source.text.length);
    const lines = this.lineStarts[index]!;
    let line = lines.length - 1;
    while (lines[line]! > local) line--;
    return { file: source.file, line: line + 1, column: local - lines[line]! + 1, offset: local };
  }
}
