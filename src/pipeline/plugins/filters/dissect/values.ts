// How dissect sees non-text values: the Ruby `to_s` of a source field (Logstash reads it through JRuby) and the
// Java `toString` used when an append or indirect field meets a value already in the event.

import { type FieldValue, Timestamp } from "../../../event/index.js";

/** A source field as the text dissect cuts: Ruby's `to_s` (nil is empty, arrays and hashes are inspected). */
export function rubyText(value: FieldValue): string {
  if (value === null) return "";
  if (typeof value === "string") return value;
  return rubyInspect(value);
}

function rubyInspect(value: FieldValue): string {
  if (value === null) return "nil";
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value !== "object" || value instanceof Timestamp) return String(value);
  if (Array.isArray(value)) return `[${value.map(rubyInspect).join(", ")}]`;
  const entries = Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}=>${rubyInspect(v)}`);
  return `{${entries.join(", ")}}`;
}

/** Java's `String.valueOf` of an event value: null is "null", lists are `[a, b]`, maps `{k=v}`. */
export function javaString(value: FieldValue): string {
  if (value === null) return "null";
  if (typeof value !== "object" || value instanceof Timestamp) return String(value);
  if (Array.isArray(value)) return `[${value.map(javaString).join(", ")}]`;
  const entries = Object.entries(value).map(([k, v]) => `${k}=${javaString(v)}`);
  return `{${entries.join(", ")}}`;
}
