// Expands the file input's path patterns like Ruby's Dir.glob: `*`, `?`, `[...]`, `{a,b}` and `**` for any
// depth of directories; wildcards do not match names that start with a dot. Also Ruby's File.fnmatch for
// `exclude`, which is matched against a file's base name.

import { promises as fs } from "node:fs";
import path from "node:path";

/** `{a,b}c` → ["ac", "bc"], nested braces included. */
export function expandBraces(pattern: string): string[] {
  const open = findUnescaped(pattern, "{", 0);
  if (open < 0) return [pattern];
  let depth = 0;
  const commas: number[] = [];
  for (let i = open; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === "\\") {
      i++;
    } else if (ch === "{") {
      depth++;
    } else if (ch === "}") {
      depth--;
      if (depth === 0) {
        const bounds = [open, ...commas, i];
        const head = pattern.slice(0, open);
        const tail = pattern.slice(i + 1);
        const out: string[] = [];
        for (let k = 0; k + 1 < bounds.length; k++)
          out.push(...expandBraces(head + pattern.slice(bounds[k]! + 1, bounds[k + 1]) + tail));
        return out;
      }
    } else if (ch === "," && depth === 1) {
      commas.push(i);
    }
  }
  return [pattern];
}

function findUnescaped(text: string, ch: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    if (text[i] === "\\") i++;
    else if (text[i] === ch) return i;
  }
  return -1;
}

const regexCache = new Map<string, RegExp>();

/** One path segment's pattern as a regular expression (no `/` inside). */
export function segmentRegex(segment: string): RegExp {
  const cached = regexCache.get(segment);
  if (cached !== undefined) return cached;
  let source = segment.startsWith("*") || segment.startsWith("?") ? "(?!\\.)" : "";
  for (let i = 0; i < segment.length; i++) {
    const ch = segment[i]!;
    if (ch === "\\" && i + 1 < segment.length) {
      source += escapeRegex(segment[++i]!);
    } else if (ch === "*") {
      source += "[^/]*";
    } else if (ch === "?") {
      source += "[^/]";
    } else if (ch === "[") {
      const close = segment.indexOf("]", i + 2);
      if (close < 0) {
        source += "\\[";
        continue;
      }
      let body = segment.slice(i + 1, close);
      if (body.startsWith("!") || body.startsWith("^")) body = `^${body.slice(1)}`;
      source += `[${body.replace(/\\/g, "\\\\")}]`;
      i = close;
    } else {
      source += escapeRegex(ch);
    }
  }
  const regex = new RegExp(`^${source}$`, "s");
  if (regexCache.size < 1000) regexCache.set(segment, regex);
  return regex;
}

function escapeRegex(ch: string): string {
  return /[.*+?^${}()|[\]\\/]/.test(ch) ? `\\${ch}` : ch;
}

function hasWildcard(segment: string): boolean {
  return /[*?[]/.test(segment);
}

/** Ruby's File.fnmatch(pattern, name) without flags, for a base name. */
export function fnmatch(pattern: string, name: string): boolean {
  return expandBraces(pattern).some((p) => segmentRegex(p).test(name));
}

/** Every existing path matching an absolute `pattern`, sorted, without duplicates. */
export async function glob(pattern: string, limit: number): Promise<string[]> {
  const found = new Set<string>();
  for (const expanded of expandBraces(pattern)) {
    const segments = expanded.split("/").filter((s, i) => s !== "" || i === 0);
    await walk(segments[0] === "" ? "/" : segments[0]!, segments.slice(1), found, limit);
  }
  return [...found].sort();
}

async function walk(base: string, rest: string[], found: Set<string>, limit: number): Promise<void> {
  if (found.size >= limit) return;
  if (rest.length === 0) {
    if (await exists(base)) found.add(base);
    return;
  }
  const [segment, ...tail] = rest as [string, ...string[]];
  if (segment === "**") {
    await walk(base, tail, found, limit);
    for (const dir of await listDirectories(base)) await walk(path.join(base, dir), rest, found, limit);
    return;
  }
  if (!hasWildcard(segment)) {
    await walk(path.join(base, segment.replace(/\\(.)/g, "$1")), tail, found, limit);
    return;
  }
  const regex = segmentRegex(segment);
  for (const name of await listNames(base)) {
    if (regex.test(name)) await walk(path.join(base, name), tail, found, limit);
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await fs.stat(file);
    return true;
  } catch {
    return false;
  }
}

async function listNames(dir: string): Promise<string[]> {
  try {
    return (await fs.readdir(dir)).sort();
  } catch {
    return [];
  }
}

async function listDirectories(dir: string): Promise<string[]> {
  try {
    const entries = await fs.readdir(dir, { withFileTypes: true });
    return entries
      .filter((e) => e.isDirectory() && !e.name.startsWith("."))
      .map((e) => e.name)
      .sort();
  } catch {
    return [];
  }
}
