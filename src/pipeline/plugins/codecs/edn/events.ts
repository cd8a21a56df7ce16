// What the edn and edn_lines codecs share: EDN text to an event (the root or `target`), Logstash's plain-text
// fallback when that fails, and an event to the EDN text Logstash writes.

import { Event, type FieldMap, type FieldValue, Timestamp } from "../../../event/index.js";
import type { PluginContext } from "../../api.js";
import { readEdn } from "./reader.js";
import { writeEdn } from "./writer.js";

/**
 * The event for one EDN document. Logstash does not tag a failure: it logs a warning and makes an event whose
 * `message` is the text (under the root even with a target).
 */
export function ednEvent(text: string, target: string | undefined, context: PluginContext): Event {
  try {
    return eventFromValue(readEdn(text), target);
  } catch (err) {
    context.logger.warn("EDN parse failure. Falling back to plain-text", {
      plugin: context.id,
      error: (err as Error).message,
      data: text,
    });
    context.countFailure("edn_parse");
    return new Event({ message: text });
  }
}

function eventFromValue(value: FieldValue, target: string | undefined): Event {
  if (target !== undefined) {
    const event = new Event();
    event.adoptField(target, value);
    return event;
  }
  // Logstash's Event.new refuses anything but a Hash.
  if (!isMap(value)) throw new Error(`wrong argument type ${describe(value)} (expected Hash)`);
  return Event.adopt(value);
}

function isMap(value: FieldValue): value is FieldMap {
  return (
    typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Timestamp)
  );
}

function describe(value: FieldValue): string {
  if (value === null) return "NilClass";
  if (Array.isArray(value)) return "Array";
  return typeof value === "object" ? "Timestamp" : typeof value;
}

/** The event's fields (without [@metadata]) with @timestamp as ISO-8601 text, as EDN. */
export function eventToEdn(event: Event): string {
  const fields = event.toObject();
  const timestamp = event.timestamp;
  if (timestamp !== undefined) fields["@timestamp"] = timestamp.toString();
  return writeEdn(fields);
}
