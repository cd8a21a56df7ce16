// An event as Logstash's Event#to_s prints it (`<@timestamp> <host> <message>`, what plain and line encode
// without `format`), and the event's fields with their Timestamps intact for the printers.

import { type Event, type FieldValue, Timestamp } from "../../event/index.js";

/**
 * Logstash's Event#toString: `@timestamp host message`, with `%{host}` / `%{message}` standing for a missing
 * field and Java's Map/List toString for structured values (an ECS host prints as `{name=web-1}`).
 */
export function eventToString(event: Event): string {
  const host = event.get("host");
  const message = event.get("message");
  const hostText = host === undefined || host === null ? "%{host}" : javaToString(host);
  const messageText = message === undefined || message === null ? "%{message}" : javaToString(message);
  const timestamp = event.timestamp;
  const rest = `${hostText} ${messageText}`;
  return timestamp === undefined ? rest : `${timestamp.toString()} ${rest}`;
}

/** Java's toString of a value in a Logstash event: `{k=v, k2=v2}`, `[a, b]`, `null`, Double's own format. */
export function javaToString(value: FieldValue): string {
  if (value === null) return "null";
  if (typeof value === "string") return value;
  if (typeof value === "boolean") return String(value);
  if (typeof value === "number") return javaNumber(value);
  if (value instanceof Timestamp) return value.toString();
  if (Array.isArray(value)) return `[${value.map(javaToString).join(", ")}]`;
  return `{${Object.entries(value)
    .map(([key, child]) => `${key}=${javaToString(child)}`)
    .join(", ")}}`;
}

/** Long prints as digits; Double.toString switches to `1.0E-4` below 1e-3 and from 1e7. */
function javaNumber(value: number): string {
  if (Number.isInteger(value) && Math.abs(value) < 1e16) return String(value);
  if (!Number.isFinite(value)) return Number.isNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity";
  const magnitude = Math.abs(value);
  if (magnitude >= 1e-3 && magnitude < 1e7) return String(value);
  const [mantissa, exponent] = value.toExponential().split("e") as [string, string];
  return `${mantissa.includes(".") ? mantissa : `${mantissa}.0`}E${exponent.replace("+", "")}`;
}

/** The event's top-level fields (no [@metadata] unless asked) with Timestamps kept as Timestamps. */
export function eventFields(event: Event, includeMetadata = false): { [key: string]: FieldValue } {
  const fields: { [key: string]: FieldValue } = {};
  for (const [key, plain] of Object.entries(event.toObject({ includeMetadata }))) {
    fields[key] = liveValue(event, key) ?? plain;
  }
  return fields;
}

function liveValue(event: Event, key: string): FieldValue | undefined {
  if (/[[\]]/.test(key)) return undefined; // not addressable as a field reference; the plain copy will do
  try {
    return event.get(`[${key}]`);
  } catch {
    return undefined;
  }
}
