// What the http output sends for an event or a batch: the `format` (json, json_batch, form, message), with the
// event or its `mapping` (a hash whose leaf values are sprintf templates) as the content.

import type { Event, PlainValue } from "../../../event/index.js";
import type { OptionHash, OptionValue } from "../../options.js";

export type BodyFormat = "json" | "json_batch" | "form" | "message";

export interface BodySettings {
  format: BodyFormat;
  mapping: OptionHash | undefined;
  message: string | undefined;
}

/** The Content-Type Logstash uses for a format when `content_type` is not given. */
export function defaultContentType(format: BodyFormat): string {
  switch (format) {
    case "form":
      return "application/x-www-form-urlencoded";
    case "message":
      return "text/plain";
    default:
      return "application/json";
  }
}

/** The request body for one event (json, form, message) or a whole batch (json_batch). */
export function requestBody(settings: BodySettings, events: readonly Event[]): string {
  switch (settings.format) {
    case "json_batch":
      return JSON.stringify(events.map((event) => mapEvent(settings.mapping, event)));
    case "json":
      return JSON.stringify(mapEvent(settings.mapping, events[0]!));
    case "message":
      return events[0]!.sprintf(settings.message ?? "");
    case "form":
      return formEncode(mapEvent(settings.mapping, events[0]!));
  }
}

function mapEvent(mapping: OptionHash | undefined, event: Event): PlainValue {
  return mapping === undefined ? event.toObject() : interpolate(mapping, event);
}

/** Every leaf of the mapping interpolated against the event (numbers too: they become text, as in Logstash). */
function interpolate(value: OptionValue, event: Event): PlainValue {
  if (Array.isArray(value)) return value.map((item) => interpolate(item, event));
  if (typeof value === "object") {
    const out: { [key: string]: PlainValue } = {};
    for (const [key, child] of Object.entries(value)) out[key] = interpolate(child, event);
    return out;
  }
  return event.sprintf(String(value));
}

/** `key=value&...` with Ruby's CGI.escape rules: space as '+', everything but [A-Za-z0-9_.~-] percent-encoded. */
export function formEncode(value: PlainValue): string {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return "";
  return Object.entries(value)
    .map(([key, child]) => `${cgiEscape(key)}=${cgiEscape(rubyText(child))}`)
    .join("&");
}

function cgiEscape(text: string): string {
  return encodeURIComponent(text)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, "+");
}

/** Ruby's `to_s` of a value: nil is empty, arrays and hashes print as Ruby literals. */
function rubyText(value: PlainValue): string {
  if (value === null) return "";
  if (typeof value === "object") return rubyInspect(value);
  return String(value);
}

function rubyInspect(value: PlainValue): string {
  if (value === null) return "nil";
  if (typeof value === "string") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(rubyInspect).join(", ")}]`;
  if (typeof value === "object")
    return `{${Object.entries(value)
      .map(([k, v]) => `${JSON.stringify(k)}=>${rubyInspect(v)}`)
      .join(", ")}}`;
  return String(value);
}
