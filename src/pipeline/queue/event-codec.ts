// How an event is stored on disk by the persisted queue and the dead-letter queue: JSON `{"t":[paths],"f":fields}`
// where `f` holds every field ([@metadata] included, Timestamps as their ISO-8601 text, which prints every
// nanosecond digit there is) and `t` lists the paths of the fields that were Timestamps, so they come back as
// Timestamps wherever they sit in the tree, and strings that look like dates stay strings.

import {
  Event,
  type FieldMap,
  type FieldValue,
  METADATA,
  TIMESTAMP,
  Timestamp,
  VERSION,
} from "../event/index.js";

type TimestampPath = Array<string | number>;

/** The event's fields ([@metadata] included) and where its Timestamps are. */
export interface StoredFields {
  t: TimestampPath[];
  f: Record<string, unknown>;
}

/** Every field of the event ([@metadata] included) as a tree whose Timestamps are still Timestamps. */
export function rawFields(event: Event): Record<string, unknown> {
  const fields: Record<string, unknown> = { ...event.toJSON() };
  const metadata = event.get(METADATA);
  if (metadata !== undefined) fields[METADATA] = metadata;
  return fields;
}

export function storedFields(event: Event): StoredFields {
  const fields = rawFields(event);
  const paths: TimestampPath[] = [];
  for (const key of Object.keys(fields)) collectTimestamps(fields[key] as FieldValue, [key], paths);
  return { t: paths, f: fields };
}

function collectTimestamps(value: FieldValue, path: TimestampPath, out: TimestampPath[]): void {
  if (typeof value !== "object" || value === null) return;
  if (value instanceof Timestamp) {
    out.push([...path]);
    return;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      path.push(i);
      collectTimestamps(value[i]!, path, out);
      path.pop();
    }
    return;
  }
  for (const key of Object.keys(value)) {
    path.push(key);
    collectTimestamps(value[key]!, path, out);
    path.pop();
  }
}

export function encodeEvent(event: Event): Buffer {
  const { t, f } = storedFields(event);
  // Two stringify calls without a replacer: a replacer function costs a call per value.
  return Buffer.from(`{"t":${JSON.stringify(t)},"f":${JSON.stringify(f)}}`, "utf8");
}

/** Throws when the bytes are not an encoded event (a corrupt record that slipped past its checksum). */
export function decodeEvent(bytes: Buffer): Event {
  return eventFromStored(JSON.parse(bytes.toString("utf8")) as unknown);
}

/** The event a decoded `{t, f}` stands for, without @version/@timestamp the original did not have. */
export function eventFromStored(stored: unknown): Event {
  if (!isObject(stored) || !isObject(stored.f) || !Array.isArray(stored.t))
    throw new Error("an encoded event must be an object with t and f");
  const map = stored.f as FieldMap;
  for (const path of stored.t as unknown[]) restoreTimestamp(map, path);
  const hadVersion = Object.hasOwn(map, VERSION);
  const hadTimestamp = Object.hasOwn(map, TIMESTAMP);
  const event = Event.adopt(map);
  if (!hadVersion) event.remove(VERSION);
  if (!hadTimestamp) event.remove(TIMESTAMP);
  return event;
}

function restoreTimestamp(fields: FieldMap, path: unknown): void {
  if (!Array.isArray(path) || path.length === 0) throw new Error("a timestamp path must be a non-empty list");
  let parent: unknown = fields;
  for (let i = 0; i < path.length - 1; i++) parent = (parent as Record<string | number, unknown>)?.[path[i]];
  const key = path[path.length - 1] as string | number;
  const holder = parent as Record<string | number, unknown> | undefined;
  const text = holder?.[key];
  const parsed = typeof text === "string" ? Timestamp.parse(text) : undefined;
  if (parsed === undefined) throw new Error(`no timestamp at ${JSON.stringify(path)}`);
  holder![key] = parsed;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
