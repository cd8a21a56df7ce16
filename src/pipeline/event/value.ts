// The values an event holds: JSON-like data plus Timestamp, with deep copy and plain-JSON conversion.

import { Timestamp } from "./timestamp.js";

export type FieldValue = string | number | boolean | null | Timestamp | FieldValue[] | FieldMap;
export interface FieldMap {
  [key: string]: FieldValue;
}

/** JSON-safe form: Timestamps become their ISO-8601 text. */
export type PlainValue = string | number | boolean | null | PlainValue[] | { [key: string]: PlainValue };

export function deepCopy<T extends FieldValue>(value: T): T {
  if (Array.isArray(value)) return value.map(deepCopy) as T;
  if (typeof value === "object" && value !== null && !(value instanceof Timestamp)) {
    const copy: FieldMap = {};
    for (const [key, child] of Object.entries(value)) copy[key] = deepCopy(child);
    return copy as T;
  }
  return value; // strings, numbers, booleans, null and (immutable) Timestamps are shared
}

export function toPlain(value: FieldValue): PlainValue {
  if (value instanceof Timestamp) return value.toString();
  if (Array.isArray(value)) return value.map(toPlain);
  if (typeof value === "object" && value !== null) {
    const plain: { [key: string]: PlainValue } = {};
    for (const [key, child] of Object.entries(value)) plain[key] = toPlain(child);
    return plain;
  }
  return value;
}

/**
 * Converts arbitrary input (e.g. JSON.parse output) into event values: undefined and functions are dropped,
 * Dates become Timestamps, non-finite numbers become null (JSON cannot carry them).
 */
export function fromUnknown(value: unknown): FieldValue | undefined {
  switch (typeof value) {
    case "string":
    case "boolean":
      return value;
    case "number":
      return Number.isFinite(value) ? value : null;
    case "bigint":
      return Number(value);
    case "object":
      return value === null ? null : fromObject(value);
    default:
      return undefined;
  }
}

function fromObject(value: object): FieldValue {
  if (Array.isArray(value)) return value.map((item) => fromUnknown(item) ?? null);
  if (value instanceof Timestamp) return value;
  if (value instanceof Date) return new Timestamp(value.getTime());
  const map: FieldMap = {};
  // Object.keys, not entries: this runs for every event a decoder or filter builds, and entries allocates pairs.
  for (const key of Object.keys(value)) {
    const converted = fromUnknown((value as Record<string, unknown>)[key]);
    if (converted !== undefined) map[key] = converted;
  }
  return map;
}
