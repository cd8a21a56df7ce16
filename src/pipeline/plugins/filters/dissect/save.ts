// Writing a matched dissection into an event, in Logstash's saving order: normal fields, then appends (by their
// `/n` ordinal), then indirect fields, so an append or indirect field sees what the earlier ones wrote.

import type { Event } from "../../../event/index.js";
import type { DissectField, Dissection } from "./pattern.js";
import { javaString } from "./values.js";

/** Saves every non-skip field of `dissection`; throws (as Logstash does) on an unusable field reference. */
export function saveDissection(event: Event, dissection: Dissection, values: readonly string[]): void {
  for (const field of dissection.saveable) {
    const value = values[field.id]!;
    if (field.kind === "normal") event.set(field.name, value);
    else if (field.kind === "append") appendValue(event, field, value);
    else if (field.kind === "indirect") {
      const key = indirectKey(event, dissection, values, field);
      if (key !== "") event.set(key, value);
    }
  }
}

function appendValue(event: Event, field: DissectField, value: string): void {
  if (!event.includes(field.name)) {
    event.set(field.name, value);
    return;
  }
  const old = event.get(field.name);
  // Logstash calls toString on the old value: a null there is a NullPointerException, i.e. a dissect failure.
  if (old === null || old === undefined) throw new Error(`cannot append to the null value of ${field.name}`);
  // An empty delimiter before the field (pattern start) joins with one space.
  const join = field.previous.text === "" ? " " : field.previous.text;
  event.set(field.name, javaString(old) + join + value);
}

/** An indirect field's key: the event's value of its name, else the value of another field of that name. */
function indirectKey(event: Event, dissection: Dissection, values: readonly string[], field: DissectField) {
  if (event.includes(field.name)) return javaString(event.get(field.name) ?? null);
  return dissection.otherValue(values, field.name, field.id);
}
