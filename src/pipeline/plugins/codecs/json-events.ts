// JSON text to events the way Logstash's Event.from_json does: an object is one event, an array of objects one
// event each, blank text none; anything else is a parse failure, which codecs turn into a tagged event.

import { Event } from "../../event/index.js";

export const JSON_FAILURE_TAG = "_jsonparsefailure";

export type JsonEventsResult = { events: Event[] } | { error: string };

/**
 * Parses `text` into events; with `target`, each decoded object is placed under that field. Like Jackson (which
 * Logstash uses), text after the first complete JSON value is ignored.
 */
export function eventsFromJson(text: string, target?: string): JsonEventsResult {
  if (text.trim() === "") return { events: [] };
  const parsed = parseFirstValue(text);
  if ("error" in parsed) return parsed;
  const value = parsed.value;
  if (isObject(value)) return { events: [newEvent(value, target)] };
  if (Array.isArray(value)) {
    const events: Event[] = [];
    for (const item of value) {
      if (!isObject(item)) return { error: `incompatible inner json array object type=${typeName(item)}` };
      events.push(newEvent(item, target));
    }
    return { events };
  }
  return { error: `incompatible json object type=${typeName(value)}, only hash map or arrays are supported` };
}

/** The event Logstash makes from undecodable JSON: the text as `message`, tagged `_jsonparsefailure`. */
export function jsonFailureEvent(text: string): Event {
  return new Event({ message: text, tags: [JSON_FAILURE_TAG] });
}

function newEvent(data: Record<string, unknown>, target: string | undefined): Event {
  if (target === undefined) return Event.adopt(data);
  const event = new Event();
  event.set(target, data);
  return event;
}

function parseFirstValue(text: string): { value: unknown } | { error: string } {
  try {
    return { value: JSON.parse(text) };
  } catch (err) {
    const end = firstValueEnd(text);
    if (end !== undefined && text.slice(end).trim() !== "") {
      try {
        return { value: JSON.parse(text.slice(0, end)) };
      } catch {
        // the prefix is no better; report the original error
      }
    }
    return { error: (err as Error).message };
  }
}

/** Where the first object or array in `text` closes (string-aware bracket matching), if it does. */
function firstValueEnd(text: string): number | undefined {
  const start = text.search(/\S/);
  if (start < 0 || (text[start] !== "{" && text[start] !== "[")) return undefined;
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const char = text[i];
    if (inString) {
      if (char === "\\") i++;
      else if (char === '"') inString = false;
    } else if (char === '"') {
      inString = true;
    } else if (char === "{" || char === "[") {
      depth++;
    } else if (char === "}" || char === "]") {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function typeName(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "string") return "String";
  if (typeof value === "number") return Number.isInteger(value) ? "Integer" : "Double";
  if (typeof value === "boolean") return "Boolean";
  return Array.isArray(value) ? "List" : "Map";
}
