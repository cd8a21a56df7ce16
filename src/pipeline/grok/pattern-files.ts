// Grok pattern files (`patterns_dir`): which files a directory or glob names, and their `NAME regex` lines.

import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { limits } from "../../common/limits.js";

/**
 * The files `patterns_dir` entries name, as Logstash finds them: a directory is joined with `filesGlob`, any
 * other entry is a glob itself; directories among the matches are skipped. Sorted within each entry.
 */
export function patternFilesFrom(entries: readonly string[], filesGlob: string): string[] {
  const files: string[] = [];
  for (const entry of entries) {
    const glob = isDirectory(entry) ? path.join(entry, filesGlob) : entry;
    for (const file of expandGlob(glob)) if (!isDirectory(file)) files.push(file);
  }
  return files;
}

/** Reads one patterns file into `into`; later definitions of a name replace earlier ones. */
export function readPatternFile(file: string, into: Map<string, string>): void {
  const size = statSync(file).size;
  if (size > limits.grokPatternsFileBytesMax) {
    throw new Error(`grok patterns file ${file} is larger than ${limits.grokPatternsFileBytesMax} bytes`);
  }
  parsePatternText(readFileSync(file, "utf8"), into);
}

/** `NAME regex` per line; comment lines (`#` after optional blanks) and lines without a regex are skipped. */
export function parsePatternText(text: string, into: Map<string, string>): void {
  for (const rawLine of text.split("\n")) {
    const line = rawLine.replace(/\r$/, "").replace(/^\s+/, "");
    if (line.startsWith("#")) continue;
    const split = /\s+/.exec(line);
    if (split === null) continue;
    const name = line.slice(0, split.index);
    const regex = line.slice(split.index + split[0].length);
    if (name === "" || regex === "") continue;
    into.set(name, regex);
  }
}

function isDirectory(file: string): boolean {
  try {
    return statSync(file).isDirectory();
  } catch {
    return false;
  }
}

/** A small Dir.glob: `*`, `?`, `[...]`, `{a,b}` within a path segment and `**` across directories. */
function expandGlob(glob: string): string[] {
  if (!/[*?[{]/.test(glob)) return isDirectory(glob) || exists(glob) ? [glob] : [];
  const absolute = path.isAbsolute(glob);
  const segments = glob.split(/[\\/]+/).filter((s) => s !== "");
  let bases = [absolute ? path.parse(path.resolve(glob)).root : "."];
  for (const [index, segment] of segments.entries()) {
    const last = index === segments.length - 1;
    const next: string[] = [];
    for (const base of bases) {
      if (segment === "**") next.push(...walkDirectories(base));
      else if (!/[*?[{]/.test(segment)) next.push(path.join(base, segment));
      else {
        const matcher = segmentRegExp(segment);
        for (const name of listDirectory(base)) {
          if (matcher.test(name) && (last || isDirectory(path.join(base, name))))
            next.push(path.join(base, name));
        }
      }
    }
    bases = next;
  }
  return [...new Set(bases)].filter(exists).sort();
}

function exists(file: string): boolean {
  try {
    statSync(file);
    return true;
  } catch {
    return false;
  }
}

function listDirectory(dir: string): string[] {
  try {
    return readdirSync(dir).filter((name) => !name.startsWith("."));
  } catch {
    return [];
  }
}

/** `dir` and every directory below it. */
function walkDirectories(dir: string): string[] {
  const found = [dir];
  for (const name of listDirectory(dir)) {
    const child = path.join(dir, name);
    if (isDirectory(child)) found.push(...walkDirectories(child));
  }
  return found;
}

function segmentRegExp(segment: string): RegExp {
  let out = "";
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i]!;
    if (c === "*") out += "[^/]*";
    else if (c === "?") out += "[^/]";
    else if (c === "{") {
      const close = segment.indexOf("}", i);
      if (close < 0) out += "\\{";
      else {
        out += `(?:${segment
          .slice(i + 1, close)
          .split(",")
          .map((alt) => alt.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
          .join("|")})`;
        i = close;
      }
    } else if (c === "[") {
      const close = segment.indexOf("]", i + 1);
      if (close < 0) out += "\\[";
      else {
        out += `[${segment.slice(i + 1, close).replace(/^!/, "^")}]`;
        i = close;
      }
    } else out += c.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${out}$`);
}
