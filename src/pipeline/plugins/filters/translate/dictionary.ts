// Translate's dictionaries: an inline hash or a YAML/JSON/CSV file (reloaded on refresh, merged or replaced), and
// the three lookup strategies Logstash has: exact key, first matching regex key, literal substring replacement.

import { readFileSync, statSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import { type FieldValue, fromUnknown } from "../../../event/index.js";
import { rubyRegExp } from "../../../regexp/ruby.js";

export type MatchMode = "exact" | "regex" | "substring";

/** Keys in file/written order (Logstash's Hash keeps insertion order, which decides the first regex match). */
export class Dictionary {
  private entries = new Map<string, FieldValue>();
  private regexes: { key: string; regex: RegExp }[] = [];
  private union: RegExp | undefined;

  constructor(private readonly mode: MatchMode) {}

  /** Replaces or merges entries; recompiles what the mode needs. Throws on a bad regex key. */
  update(data: Map<string, FieldValue>, replace: boolean): void {
    const next = replace ? new Map<string, FieldValue>() : new Map(this.entries);
    for (const [key, value] of data) next.set(key, value);
    if (this.mode === "regex") {
      this.regexes = [...next.keys()].map((key) => ({ key, regex: rubyRegExp(key) }));
    } else if (this.mode === "substring") {
      // Regexp.union of strings: literal alternatives, earlier keys first.
      const keys = [...next.keys()].filter((key) => key !== "");
      this.union = keys.length === 0 ? undefined : new RegExp(keys.map(escapeRegExp).join("|"), "g");
    }
    this.entries = next;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The translation of `source`, or undefined when nothing matches. */
  lookup(source: string): FieldValue | undefined {
    if (this.mode === "exact") return this.entries.get(source);
    if (this.mode === "regex") {
      for (const { key, regex } of this.regexes) if (regex.test(source)) return this.entries.get(key);
      return undefined;
    }
    if (this.union === undefined) return undefined;
    const replaced = source.replace(this.union, (found) => rubyString(this.entries.get(found) ?? null));
    return replaced === source ? undefined : replaced;
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&");
}

/** Ruby's to_s of a dictionary value, as gsub with a hash writes it. */
function rubyString(value: FieldValue): string {
  if (value === null) return "";
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

export type FileFormat = "yaml" | "json" | "csv";

/** The format by extension, as Logstash decides it; undefined for anything else. */
export function fileFormat(path: string): FileFormat | undefined {
  if (/\.ya?ml$/.test(path)) return "yaml";
  if (path.endsWith(".json")) return "json";
  if (path.endsWith(".csv")) return "csv";
  return undefined;
}

/** Reads a dictionary file into ordered entries; throws with the reason when it cannot be read or parsed. */
export function readDictionaryFile(
  path: string,
  format: FileFormat,
  yamlCodePointLimit: number,
): Map<string, FieldValue> {
  const text = readFileSync(path, "utf8").replace(/^\uFEFF/, "");
  if (format === "csv") return parseCsvPairs(text);
  if (format === "yaml" && [...text].length > yamlCodePointLimit)
    throw new Error(`The incoming YAML document exceeds the limit: ${yamlCodePointLimit} code points.`);
  if (format === "json" && text.trim() === "") return new Map();
  const parsed: unknown = format === "json" ? JSON.parse(text) : parseYaml(text, { maxAliasCount: 100 });
  if (parsed === null || parsed === undefined) return new Map();
  if (typeof parsed !== "object" || Array.isArray(parsed))
    throw new Error("the dictionary file does not hold a mapping of keys to values");
  const entries = new Map<string, FieldValue>();
  for (const [key, value] of Object.entries(parsed)) entries.set(key, fromUnknown(value) ?? null);
  return entries;
}

/** The file's modification time, or undefined when it is gone. */
export function modifiedMs(path: string): number | undefined {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return undefined;
  }
}

/** CSV rows of (key, value): quoted fields with "" escapes, extra columns ignored, a missing value is null. */
export function parseCsvPairs(text: string): Map<string, FieldValue> {
  const entries = new Map<string, FieldValue>();
  for (const row of parseCsvRows(text)) {
    if (row.length === 0 || (row.length === 1 && row[0] === "")) continue;
    entries.set(row[0]!, row[1] ?? null);
  }
  return entries;
}

function parseCsvRows(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
        continue;
      }
      if (c === '"') quoted = false;
      else field += c;
      i++;
      continue;
    }
    if (c === '"' && field === "") quoted = true;
    else if (c === ",") {
      row.push(field);
      field = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
    } else field += c;
    i++;
  }
  if (field !== "" || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}
