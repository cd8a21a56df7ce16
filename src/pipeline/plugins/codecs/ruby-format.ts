// How Ruby prints values, where Logstash's output shows it: String#inspect escapes, Float#to_s, Hash/Array
// #inspect, and the AmazingPrint layout of the rubydebug codec.

import { type FieldValue, Timestamp } from "../../event/index.js";

const namedEscapes: Record<number, string> = {
  34: '\\"',
  92: "\\\\",
  10: "\\n",
  13: "\\r",
  9: "\\t",
  12: "\\f",
  11: "\\v",
  8: "\\b",
  7: "\\a",
  27: "\\e",
};

/** One code point as Ruby's inspect of a UTF-8 string writes it; `next` is the code point after it. */
function escapeCodePoint(code: number, next: number | undefined): string {
  const named = namedEscapes[code];
  if (named !== undefined) return named;
  // `#{`, `#$` and `#@` would interpolate in Ruby source, so inspect escapes the `#`.
  if (code === 0x23 && (next === 0x7b || next === 0x24 || next === 0x40)) return "\\#";
  if (code < 0x20 || code === 0x7f || (code >= 0x80 && code < 0xa0))
    return `\\u${code.toString(16).toUpperCase().padStart(4, "0")}`;
  if (code >= 0xd800 && code < 0xe000) return `\\u${code.toString(16).toUpperCase()}`;
  return String.fromCodePoint(code);
}

/** Ruby's `"text".inspect`, quotes included. */
export function rubyInspectString(text: string): string {
  const codes = Array.from(text, (char) => char.codePointAt(0)!);
  let out = '"';
  for (let i = 0; i < codes.length; i++) out += escapeCodePoint(codes[i]!, codes[i + 1]);
  return `${out}"`;
}

/**
 * Ruby's inspect of a byte string tagged UTF-8, without the quotes: valid characters as text (escaped like
 * rubyInspectString), each byte of an invalid sequence as `\xHH`.
 */
export function rubyInspectBytes(bytes: Buffer): string {
  const units: Array<{ code: number } | { byte: number }> = [];
  let i = 0;
  while (i < bytes.length) {
    const length = utf8SequenceLength(bytes, i);
    if (length === 0) {
      units.push({ byte: bytes[i]! });
      i += 1;
    } else {
      units.push({ code: bytes.toString("utf8", i, i + length).codePointAt(0)! });
      i += length;
    }
  }
  let out = "";
  for (let k = 0; k < units.length; k++) {
    const unit = units[k]!;
    if ("byte" in unit) {
      out += `\\x${unit.byte.toString(16).toUpperCase().padStart(2, "0")}`;
      continue;
    }
    const next = units[k + 1];
    out += escapeCodePoint(unit.code, next !== undefined && "code" in next ? next.code : undefined);
  }
  return out;
}

/** Length of the well-formed UTF-8 sequence at `start`, or 0 when the byte there does not begin one. */
function utf8SequenceLength(bytes: Buffer, start: number): number {
  const first = bytes[start]!;
  if (first < 0x80) return 1;
  let length: number;
  let low = 0x80;
  let high = 0xbf;
  if (first >= 0xc2 && first <= 0xdf) length = 2;
  else if (first >= 0xe0 && first <= 0xef) {
    length = 3;
    if (first === 0xe0) low = 0xa0; // overlong
    if (first === 0xed) high = 0x9f; // surrogates
  } else if (first >= 0xf0 && first <= 0xf4) {
    length = 4;
    if (first === 0xf0) low = 0x90;
    if (first === 0xf4) high = 0x8f;
  } else return 0;
  if (start + length > bytes.length) return 0;
  const second = bytes[start + 1]!;
  if (second < low || second > high) return 0;
  for (let j = 2; j < length; j++) {
    const byte = bytes[start + j]!;
    if (byte < 0x80 || byte > 0xbf) return 0;
  }
  return length;
}

/** Ruby's Float#to_s: plain between 1e-4 and 1e16, otherwise `1.0e-05` style. Integers print as integers. */
export function rubyNumber(value: number): string {
  if (Number.isInteger(value) && Math.abs(value) < 1e16) return String(value);
  if (!Number.isFinite(value)) return Number.isNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity";
  const magnitude = Math.abs(value);
  if (magnitude >= 1e-4 && magnitude < 1e16) return String(value);
  const [mantissa, exponent] = value.toExponential().split("e") as [string, string];
  const sign = exponent.startsWith("-") ? "-" : "+";
  const digits = exponent.replace(/^[+-]/, "").padStart(2, "0");
  return `${mantissa.includes(".") ? mantissa : `${mantissa}.0`}e${sign}${digits}`;
}

/** Ruby's #inspect of a value as Logstash holds it (Hash, Array, String, Float, nil, Timestamp). */
export function rubyInspect(value: FieldValue): string {
  if (value === null) return "nil";
  if (typeof value === "string") return rubyInspectString(value);
  if (typeof value === "number") return rubyNumber(value);
  if (typeof value === "boolean") return String(value);
  if (value instanceof Timestamp) return value.toString();
  if (Array.isArray(value)) return `[${value.map(rubyInspect).join(", ")}]`;
  const pairs = Object.entries(value).map(
    ([key, child]) => `${rubyInspectString(key)}=>${rubyInspect(child)}`,
  );
  return `{${pairs.join(", ")}}`;
}

/** Ruby's #to_s: strings as they are, everything else as inspect. */
export function rubyToS(value: FieldValue): string {
  if (typeof value === "string") return value;
  if (value === null) return "";
  return rubyInspect(value);
}

const indentStep = 4;

/**
 * AmazingPrint's multi-line layout (what rubydebug prints): hash keys right-aligned to the longest key of their
 * hash, array items numbered `[0]`, each level indented four more spaces. `indentation` is AmazingPrint's
 * current indentation when this value is printed (4 at the top).
 */
export function amazingPrint(value: FieldValue, indentation = indentStep): string {
  if (Array.isArray(value)) return amazingArray(value, indentation);
  if (value !== null && typeof value === "object" && !(value instanceof Timestamp)) {
    return amazingHash(value, indentation);
  }
  return rubyInspect(value);
}

function amazingHash(hash: { [key: string]: FieldValue }, indentation: number): string {
  const entries = Object.entries(hash);
  if (entries.length === 0) return "{}";
  const keys = entries.map(([key]) => rubyInspectString(key));
  const width = Math.max(...keys.map((key) => key.length)) + indentation;
  const lines = entries.map(
    ([, child], i) => `${keys[i]!.padStart(width)} => ${amazingPrint(child, indentation + indentStep)}`,
  );
  return `{\n${lines.join(",\n")}\n${" ".repeat(indentation - indentStep)}}`;
}

function amazingArray(items: FieldValue[], indentation: number): string {
  if (items.length === 0) return "[]";
  const width = String(items.length - 1).length;
  const lines = items.map(
    (item, i) =>
      `${" ".repeat(indentation)}[${String(i).padStart(width)}] ${amazingPrint(item, indentation + indentStep)}`,
  );
  return `[\n${lines.join(",\n")}\n${" ".repeat(indentation - indentStep)}]`;
}
