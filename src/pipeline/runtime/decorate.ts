// The common options Logstash applies around plugins: an input's decoration of every event it reads (type, then
// add_field, then tags) and a filter's `filter_matched` (add_field, remove_field, add_tag, remove_tag), with
// sprintf on names and values, an existing field turned into an array by add_field, duplicate tags kept.

import { type Event, type FieldValue, TAGS } from "../event/index.js";
import type { OptionHash, OptionValue, ResolvedOptions } from "../plugins/index.js";

/** Applies a plugin's common options to one event; throws FieldReferenceError for a bad field name. */
export type Decoration = (event: Event) => void;

type FieldAdditions = ReadonlyArray<readonly [name: string, values: readonly string[]]>;

/** What an input does to each event it produces; undefined when it has nothing to do. */
export function inputDecoration(options: ResolvedOptions): Decoration | undefined {
  const type = options.optionalString("type");
  const fields = fieldAdditions(options.hash("add_field"));
  const tags = options.stringArray("tags");
  if (type === undefined && fields.length === 0 && tags.length === 0) return undefined;
  return (event) => {
    // An event that already has a type (from a shipper, say) keeps it.
    if (type !== undefined && !event.includes("type")) event.set("type", type);
    addFields(event, fields);
    addTags(event, tags);
  };
}

/** What a filter does to an event it matched (Logstash's filter_matched); undefined when nothing. */
export function filterDecoration(options: ResolvedOptions): Decoration | undefined {
  const fields = fieldAdditions(options.hash("add_field"));
  const removeFields = options.stringArray("remove_field");
  const addTagList = options.stringArray("add_tag");
  const removeTagList = options.stringArray("remove_tag");
  if (fields.length + removeFields.length + addTagList.length + removeTagList.length === 0) return undefined;
  return (event) => {
    addFields(event, fields);
    for (const name of removeFields) event.remove(event.sprintf(name));
    addTags(event, addTagList);
    removeTags(event, removeTagList);
  };
}

function fieldAdditions(hash: OptionHash): FieldAdditions {
  return Object.entries(hash).map(([name, value]) => [name, valuesOf(value)] as const);
}

function valuesOf(value: OptionValue): string[] {
  const items = Array.isArray(value) ? value : [value];
  return items.map((item) => (typeof item === "string" ? item : JSON.stringify(item)));
}

function addFields(event: Event, fields: FieldAdditions): void {
  for (const [template, values] of fields) {
    const name = event.sprintf(template);
    for (const template of values) {
      const value = event.sprintf(template);
      if (event.includes(name)) event.set(name, [...asArray(event.get(name)), value]);
      else event.set(name, value);
    }
  }
}

function addTags(event: Event, tags: readonly string[]): void {
  if (tags.length === 0) return;
  const current = asArray(event.get(TAGS));
  for (const tag of tags) current.push(event.sprintf(tag));
  event.set(TAGS, current);
}

function removeTags(event: Event, tags: readonly string[]): void {
  if (tags.length === 0) return;
  const existing = event.get(TAGS);
  if (existing === undefined || existing === null) return;
  let current = asArray(existing);
  for (const tag of tags) {
    if (current.length === 0) break;
    const name = event.sprintf(tag);
    current = current.filter((t) => t !== name);
  }
  event.set(TAGS, current);
}

/** Ruby's Array(): nil is [], an array is copied, anything else is wrapped. */
function asArray(value: FieldValue | undefined): FieldValue[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? [...value] : [value];
}
