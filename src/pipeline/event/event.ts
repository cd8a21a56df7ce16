// A Logstash event: a tree of fields addressed by field references, with @timestamp, @version, tags,
// a hidden [@metadata] subtree, cancellation and sprintf.

import { FieldReferenceError, fieldPath, getPath, isMap, removePath, setPath } from "./field-reference.js";
import { compileTemplate } from "./sprintf.js";
import { Timestamp } from "./timestamp.js";
import { deepCopy, type FieldMap, type FieldValue, fromUnknown, type PlainValue, toPlain } from "./value.js";

export const TIMESTAMP = "@timestamp";
export const VERSION = "@version";
export const METADATA = "@metadata";
export const TAGS = "tags";
/** Tag and field Logstash uses when a given @timestamp cannot be parsed. */
export const TIMESTAMP_FAILURE_TAG = "_timestampparsefailure";
export const TIMESTAMP_FAILURE_FIELD = "_@timestamp";

/** The constructor's marker for Event.adopt; never stored in an event. */
const ADOPTING: Record<string, unknown> = {};

export interface ToObjectOptions {
  /** Include the [@metadata] subtree (outputs leave it out unless asked). */
  includeMetadata?: boolean;
}

export class Event {
  private data: FieldMap;
  private isCancelled = false;

  /** Copies `data` (deeply); sets @timestamp to now and @version to "1" when absent. */
  constructor(data?: Record<string, unknown>) {
    if (data === ADOPTING) {
      // Event.adopt sets the fields itself: skip building a tree it would throw away.
      this.data = data as FieldMap;
      return;
    }
    const converted = data === undefined ? {} : fromUnknown(data);
    // fromUnknown builds fresh maps and arrays (Timestamps are immutable), so the event owns `converted` outright.
    this.data = isMap(converted) ? converted : {};
    this.initTimestamp();
    if (this.data[VERSION] === undefined) this.data[VERSION] = "1";
  }

  /**
   * An event whose fields are `fields` itself, not a converted copy: for trees that can only hold event values and
   * that nobody else keeps, such as a JSON.parse result or a fresh literal. Decoders make most events this way;
   * `new Event(data)` is the safe form for anything else.
   */
  static adopt(fields: Record<string, unknown>): Event {
    const event = new Event(ADOPTING);
    event.data = fields as FieldMap;
    event.data[VERSION] ??= "1";
    event.initTimestamp();
    return event;
  }

  get(reference: string): FieldValue | undefined {
    return getPath(this.data, fieldPath(reference));
  }

  /**
   * Sets a field, creating missing intermediate objects. Throws FieldReferenceError for a malformed reference,
   * or when an intermediate is a scalar (Logstash refuses those too). A @timestamp given as text is parsed.
   */
  set(reference: string, value: unknown): void {
    const path = fieldPath(reference);
    // Strings are what filters set most; they need no conversion.
    let converted = typeof value === "string" ? value : (fromUnknown(value) ?? null);
    if (path.length === 1 && path[0] === TIMESTAMP) converted = timestampValue(converted);
    setPath(this.data, path, converted);
  }

  /**
   * Sets a field to `value` itself, not a converted copy: for a fresh tree of event values nobody else keeps
   * (what `adopt` is to the constructor). The hot paths of inputs use it; `set` is the safe form.
   */
  adoptField(reference: string, value: FieldValue): void {
    const path = fieldPath(reference);
    if (path.length === 1 && path[0] === TIMESTAMP) value = timestampValue(value);
    setPath(this.data, path, value);
  }

  /** Removes a field and returns what was there. */
  remove(reference: string): FieldValue | undefined {
    return removePath(this.data, fieldPath(reference));
  }

  /** True when the field exists, even if its value is null. */
  includes(reference: string): boolean {
    const path = fieldPath(reference);
    const parent = getPath(this.data, path.slice(0, -1));
    const key = path[path.length - 1]!;
    if (Array.isArray(parent)) return getPath(this.data, path) !== undefined;
    return isMap(parent) && Object.hasOwn(parent, key);
  }

  /** The event's @timestamp, if it holds a Timestamp. */
  get timestamp(): Timestamp | undefined {
    const value = this.data[TIMESTAMP];
    return value instanceof Timestamp ? value : undefined;
  }

  set timestamp(value: Timestamp) {
    this.data[TIMESTAMP] = value;
  }

  /** Adds a tag unless present; a scalar `tags` becomes a one-element array first, as in Logstash. */
  tag(name: string): void {
    const tags = this.data[TAGS];
    if (Array.isArray(tags)) {
      if (!tags.includes(name)) tags.push(name);
    } else if (tags === undefined || tags === null) {
      this.data[TAGS] = [name];
    } else if (tags !== name) {
      this.data[TAGS] = [tags, name];
    }
  }

  hasTag(name: string): boolean {
    const tags = this.data[TAGS];
    return Array.isArray(tags) ? tags.includes(name) : tags === name;
  }

  cancel(): void {
    this.isCancelled = true;
  }

  uncancel(): void {
    this.isCancelled = false;
  }

  get cancelled(): boolean {
    return this.isCancelled;
  }

  /** A deep copy, cancellation included. */
  clone(): Event {
    const copy = new Event();
    for (const key of Object.keys(copy.data)) delete copy.data[key];
    Object.assign(copy.data, deepCopy(this.data));
    copy.isCancelled = this.isCancelled;
    return copy;
  }

  /** Interpolates `%{...}` (see sprintf.ts); templates are compiled once and cached. */
  sprintf(template: string): string {
    const compiled = compileTemplate(template);
    return compiled.constant ? template : compiled.render({ fields: this.data, timestamp: this.timestamp });
  }

  /** A JSON-safe deep copy; [@metadata] only when asked. */
  toObject(options: ToObjectOptions = {}): { [key: string]: PlainValue } {
    const plain: { [key: string]: PlainValue } = {};
    for (const [key, value] of Object.entries(this.data)) {
      if (key === METADATA && !options.includeMetadata) continue;
      plain[key] = toPlain(value);
    }
    return plain;
  }

  /**
   * What JSON.stringify(event) writes: the fields without [@metadata]. The tree itself is handed over when there
   * is no [@metadata] (Timestamps print themselves through their own toJSON), so encoding copies nothing.
   * Callers other than JSON.stringify should use toObject.
   */
  toJSON(): { [key: string]: FieldValue } {
    if (!Object.hasOwn(this.data, METADATA)) return this.data;
    const { [METADATA]: _metadata, ...rest } = this.data;
    return rest;
  }

  private initTimestamp(): void {
    const given = this.data[TIMESTAMP];
    if (given instanceof Timestamp) return;
    if (given === undefined || given === null) {
      this.data[TIMESTAMP] = Timestamp.now();
      return;
    }
    const parsed = typeof given === "string" ? Timestamp.parse(given) : undefined;
    if (parsed !== undefined) {
      this.data[TIMESTAMP] = parsed;
      return;
    }
    // Logstash keeps the event: the bad value moves aside, the event is tagged and stamped now.
    this.data[TIMESTAMP_FAILURE_FIELD] = given;
    this.data[TIMESTAMP] = Timestamp.now();
    this.tag(TIMESTAMP_FAILURE_TAG);
  }
}

function timestampValue(value: FieldValue): FieldValue {
  if (value instanceof Timestamp) return value;
  if (typeof value === "string") {
    const parsed = Timestamp.parse(value);
    if (parsed !== undefined) return parsed;
  }
  throw new FieldReferenceError(`@timestamp must be a timestamp, got ${JSON.stringify(toPlain(value))}`);
}
