// Logstash's string interpolation, compiled once per template text and cached: `%{field}`, `%{[a][b]}`,
// `%{+joda pattern}` and `%{+%s}` on @timestamp, `%{{java.time pattern}}`; what cannot be filled stays as written.

import { limits } from "../../common/limits.js";
import { compileDatePattern, type DatePrinter } from "./date-format.js";
import { FieldReferenceError, getPath, tryFieldPath } from "./field-reference.js";
import { Timestamp } from "./timestamp.js";
import { type FieldMap, type FieldValue, toPlain } from "./value.js";

/** What a compiled template reads from: the event's field tree and its @timestamp. */
export interface InterpolationSource {
  readonly fields: FieldMap;
  readonly timestamp: Timestamp | undefined;
}

type Part =
  | { kind: "text"; text: string }
  | { kind: "field"; path: readonly string[]; written: string }
  | { kind: "date"; print: DatePrinter; written: string }
  | { kind: "epoch"; written: string };

export interface CompiledTemplate {
  /** True when the template has no `%{...}`: the text is returned as is. */
  readonly constant: boolean;
  render(source: InterpolationSource): string;
}

const cache = new Map<string, CompiledTemplate>();

export function compileTemplate(template: string): CompiledTemplate {
  const cached = cache.get(template);
  if (cached !== undefined) return cached;
  const compiled = buildTemplate(parseTemplate(template), template);
  if (cache.size < limits.sprintfTemplateCacheEntriesMax) cache.set(template, compiled);
  return compiled;
}

function buildTemplate(parts: Part[], template: string): CompiledTemplate {
  if (parts.every((part) => part.kind === "text")) return { constant: true, render: () => template };
  return {
    constant: false,
    render(source) {
      let out = "";
      for (const part of parts) out += renderPart(part, source);
      return out;
    },
  };
}

function renderPart(part: Part, source: InterpolationSource): string {
  switch (part.kind) {
    case "text":
      return part.text;
    case "field": {
      const value = getPath(source.fields, part.path);
      return value === undefined || value === null ? part.written : formatValue(value);
    }
    case "date":
      return source.timestamp === undefined ? part.written : part.print(source.timestamp);
    case "epoch":
      return source.timestamp === undefined ? part.written : String(source.timestamp.epochSeconds);
  }
}

/** A value as sprintf prints it: arrays joined with `,`, objects as JSON, Timestamps as ISO-8601. */
export function formatValue(value: FieldValue): string {
  if (typeof value === "string") return value;
  if (value instanceof Timestamp) return value.toString();
  if (Array.isArray(value)) return value.map((item) => (item === null ? "" : formatValue(item))).join(",");
  if (typeof value === "object" && value !== null) return JSON.stringify(toPlain(value));
  return String(value);
}

function parseTemplate(template: string): Part[] {
  const parts: Part[] = [];
  let text = "";
  let i = 0;
  while (i < template.length) {
    const start = template.indexOf("%{", i);
    if (start < 0) break;
    const javaStyle = template[start + 2] === "{";
    const end = javaStyle ? template.indexOf("}}", start + 3) : template.indexOf("}", start + 2);
    if (end < 0) break;
    const after = javaStyle ? end + 2 : end + 1;
    const written = template.slice(start, after);
    const inner = template.slice(start + (javaStyle ? 3 : 2), end);
    const part = javaStyle ? datePart(inner, "java", written) : placeholderPart(inner, written);
    text += template.slice(i, start);
    if (part.kind === "text") {
      text += part.text;
    } else {
      if (text.length > 0) parts.push({ kind: "text", text });
      text = "";
      parts.push(part);
    }
    i = after;
  }
  text += template.slice(i);
  if (text.length > 0) parts.push({ kind: "text", text });
  return parts;
}

function placeholderPart(inner: string, written: string): Part {
  if (inner === "+%s") return { kind: "epoch", written };
  if (inner.startsWith("+")) return datePart(inner.slice(1), "joda", written);
  const path = tryFieldPath(inner);
  // A malformed reference can never be filled: it stays as written, like a missing field.
  if (path instanceof FieldReferenceError) return { kind: "text", text: written };
  return { kind: "field", path, written };
}

function datePart(pattern: string, dialect: "joda" | "java", written: string): Part {
  const print = compileDatePattern(pattern, dialect);
  return typeof print === "function" ? { kind: "date", print, written } : { kind: "text", text: written };
}
