// Running a compiled grok expression on one text and reading its captures as (field, value) pairs, with the
// `:int`/`:float` coercions Ruby's to_i/to_f give.

import { execBoundedCaptures, type MatchGroups } from "./bounded.js";
import type { Coercion, CompiledGrok } from "./compiler.js";
import { restoreRepeatedCaptures } from "./repeats.js";
import { namedCaptures } from "./unnamed.js";

export type CaptureValue = string | number | null;

/** Calls `onCapture` for each named group in Logstash's order; null for a group that took no part. */
export function matchGrok(
  grok: CompiledGrok,
  input: string,
  timeoutMs: number,
  onCapture: (field: string, value: CaptureValue) => void,
): boolean {
  const found = execBoundedCaptures(grok.bounded, input, timeoutMs);
  if (found === null) return false;
  if (Array.isArray(found) && grok.repeats.length === 0) {
    for (const capture of grok.captures) {
      for (const index of capture.indexes) {
        const text = found[index];
        onCapture(capture.field, text === undefined ? null : coerce(text, capture.coerce));
      }
    }
    return true;
  }
  const groups: MatchGroups = Array.isArray(found)
    ? namedCaptures(found, grok.bounded.unnamed!.indexOf)
    : found;
  if (grok.repeats.length > 0) restoreRepeatedCaptures(groups, grok.repeats);
  for (const capture of grok.captures) {
    for (const jsName of capture.jsNames) {
      const text = groups[jsName];
      onCapture(capture.field, text === undefined ? null : coerce(text, capture.coerce));
    }
  }
  return true;
}

function coerce(text: string, how: Coercion): string | number {
  if (how === "int") return rubyToInteger(text);
  if (how === "float") return rubyToFloat(text);
  return text;
}

/** Ruby's String#to_i: the leading integer (blanks and `_` between digits allowed), 0 when there is none. */
export function rubyToInteger(text: string): number {
  const plain = plainDigits(text);
  if (plain !== undefined) return plain;
  const match = /^\s*([+-]?\d+(?:_\d+)*)/.exec(text);
  return match === null ? 0 : Number.parseInt(match[1]!.replaceAll("_", ""), 10);
}

/** Ruby's String#to_f: the leading decimal number (with exponent), 0 when there is none. */
export function rubyToFloat(text: string): number {
  const match = /^\s*([+-]?(?:\d+(?:_\d+)*)(?:\.\d+(?:_\d+)*)?(?:[eE][+-]?\d+)?)/.exec(text);
  return match === null ? 0 : Number.parseFloat(match[1]!.replaceAll("_", ""));
}

/** The value of a short text made only of ASCII digits (status codes, byte counts), else undefined. */
function plainDigits(text: string): number | undefined {
  if (text.length === 0 || text.length > 15) return undefined;
  let value = 0;
  for (let i = 0; i < text.length; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return undefined;
    value = value * 10 + digit;
  }
  return value;
}
