// Turns captured events into what LFV compares (sorted by input line then output id, its bookkeeping fields
// removed, ignored fields dropped) and compares them with the expected events, with a unified diff per mismatch.

import { fieldPath, type PlainValue } from "../event/index.js";
import type { CapturedEvent } from "./harness.js";
import type { JsonObject, JsonValue, TestCaseSet } from "./testcase.js";

export interface CompareOptions {
  /** LFV's --debug: keep `__lfv_id`, `__lfv_out_passed` and `__lfv_` tags. */
  debug: boolean;
}

export interface Comparison {
  /** 1-based number of the event in the file's expected list. */
  number: number;
  description: string;
  passed: boolean;
  /** A unified diff (expected vs actual), when it failed. */
  diff?: string;
}

export interface FileOutcome {
  comparisons: Comparison[];
  /** Set when the numbers of events differ: then nothing is compared one by one. */
  countMismatch?: string;
}

export function actualEvents(captured: readonly CapturedEvent[], set: TestCaseSet, options: CompareOptions) {
  const rows = captured.map((c) => {
    const all = c.event.toObject({ includeMetadata: true }) as JsonObject;
    const metadata = (all["@metadata"] ?? {}) as JsonObject;
    delete all["@metadata"];
    const id = Number(metadata.__lfv_id ?? 0);
    return { id, output: c.output, fields: all, metadata };
  });
  // A stable sort, as LFV's (Go's insertion sort for small slices) is for the handful of events in a test.
  rows.sort((a, b) => a.id - b.id || (a.output < b.output ? -1 : a.output > b.output ? 1 : 0));
  return rows.map((row) => {
    const fields = row.fields;
    if (options.debug) fields.__lfv_id = String(row.id);
    if (set.exportOutputs || options.debug) fields.__lfv_out_passed = row.output;
    if (set.exportMetadata) {
      const kept = Object.entries(row.metadata).filter(
        ([k]) => !k.startsWith("__lfv_") && !k.startsWith("__tmp_"),
      );
      if (kept.length > 0) fields["@metadata"] = Object.fromEntries(kept);
    }
    if (!options.debug) dropLfvTags(fields);
    for (const ignored of set.ignore) removeField(fields, ignored);
    return fields;
  });
}

function dropLfvTags(fields: JsonObject): void {
  const tags = fields.tags;
  const kept = Array.isArray(tags)
    ? tags.filter((t) => !(typeof t === "string" && t.startsWith("__lfv_")))
    : [];
  if (kept.length === 0) delete fields.tags;
  else fields.tags = kept;
}

/** Removes `name` or `[a][b]` from the event. */
function removeField(fields: JsonObject, reference: string): void {
  let path: readonly string[];
  try {
    path = fieldPath(reference);
  } catch {
    path = [reference];
  }
  let node: JsonValue | undefined = fields;
  for (const key of path.slice(0, -1)) {
    node = isPlainObject(node) ? node[key] : undefined;
  }
  if (isPlainObject(node)) delete node[path[path.length - 1]!];
}

function isPlainObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function compareEvents(set: TestCaseSet, actual: readonly JsonObject[]): FileOutcome {
  if (actual.length !== set.expected.length) {
    return {
      comparisons: [],
      countMismatch: `expected ${set.expected.length} event(s), got ${actual.length}:\n${actual
        .map((event) => canonicalJson(event))
        .join("\n")}`,
    };
  }
  const comparisons = actual.map((event, i): Comparison => {
    const expected = canonicalJson(set.expected[i]!);
    const got = canonicalJson(event);
    const comparison: Comparison = {
      number: i + 1,
      description: set.descriptions[i] ?? "",
      passed: expected === got,
    };
    if (!comparison.passed) comparison.diff = unifiedDiff(expected, got);
    return comparison;
  });
  return { comparisons };
}

/** Pretty JSON with keys sorted at every level, as LFV's Go encoder writes events before diffing them. */
export function canonicalJson(value: JsonValue | PlainValue): string {
  return JSON.stringify(sortKeys(value), null, 2);
}

function sortKeys(value: JsonValue | PlainValue): JsonValue {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value === "object" && value !== null) {
    const sorted: JsonObject = {};
    for (const key of Object.keys(value).sort()) sorted[key] = sortKeys((value as JsonObject)[key]!);
    return sorted;
  }
  return value;
}

/** A unified diff of two texts' lines (one hunk with all lines as context, as events are short). */
export function unifiedDiff(expected: string, actual: string): string {
  const a = expected.split("\n");
  const b = actual.split("\n");
  // Longest common subsequence table, from the end.
  const lcs: number[][] = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    }
  }
  const lines = ["--- expected", "+++ actual", `@@ -1,${a.length} +1,${b.length} @@`];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      lines.push(` ${a[i++]}`);
      j++;
    } else if (j < b.length && (i === a.length || lcs[i]![j + 1]! >= lcs[i + 1]![j]!)) {
      lines.push(`+${b[j++]}`);
    } else {
      lines.push(`-${a[i++]}`);
    }
  }
  return lines.join("\n");
}
