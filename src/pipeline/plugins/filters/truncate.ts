// The truncate filter: cuts string fields to at most `length_bytes` bytes of UTF-8 without splitting a
// character; arrays have their strings cut, hashes are walked; by default every top-level field is.

import { Buffer } from "node:buffer";
import type { Event, FieldMap, FieldValue } from "../../event/index.js";
import { Timestamp } from "../../event/index.js";
import type { Filter, FilterSpec } from "../api.js";

export class TruncateFilter implements Filter {
  constructor(
    /** Field references; undefined means every top-level field ([@metadata] aside). */
    private readonly fields: readonly string[] | undefined,
    private readonly lengthBytes: number,
  ) {}

  filter(event: Event): boolean {
    const fields = this.fields ?? Object.keys(event.toObject()).map((key) => `[${key}]`);
    let truncated = false;
    for (const field of fields) {
      const value = event.get(field);
      if (value === undefined) continue;
      const cut = truncateValue(value, this.lengthBytes);
      if (cut === value) continue;
      event.set(field, cut);
      truncated = true;
    }
    // Logstash decorates only events where something was cut.
    return truncated;
  }
}

/** The value with its strings cut; the same object when nothing needed cutting. */
function truncateValue(value: FieldValue, lengthBytes: number): FieldValue {
  if (typeof value === "string") return truncateText(value, lengthBytes);
  if (Array.isArray(value)) {
    // Only the array's own strings: nested arrays and hashes inside arrays stay as they are, as in Logstash.
    const items = value.map((item) => (typeof item === "string" ? truncateText(item, lengthBytes) : item));
    return items.some((item, i) => item !== value[i]) ? items : value;
  }
  if (value !== null && typeof value === "object" && !(value instanceof Timestamp)) {
    let changed = false;
    const copy: FieldMap = {};
    for (const [key, child] of Object.entries(value)) {
      copy[key] = truncateValue(child, lengthBytes);
      if (copy[key] !== child) changed = true;
    }
    return changed ? copy : value;
  }
  return value;
}

/**
 * At most `lengthBytes` bytes of UTF-8, ending on a character boundary. A negative length gives null, as
 * Logstash's nil (a string that fits is kept whatever the length).
 */
export function truncateText(text: string, lengthBytes: number): string | null {
  const limit = Math.floor(lengthBytes);
  // Each UTF-16 unit is at most 3 bytes of UTF-8: short strings fit without encoding them.
  if (text.length * 3 <= limit) return text;
  const bytes = Buffer.from(text, "utf8");
  if (bytes.length <= limit) return text;
  if (limit < 0) return null;
  let end = limit;
  // A continuation byte (10xxxxxx) at the cut means the cut is inside a character: back off to its start.
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--;
  return bytes.toString("utf8", 0, end);
}

export const truncateFilter: FilterSpec = {
  kind: "filter",
  name: "truncate",
  doc:
    "Cuts strings to at most `length_bytes` bytes (UTF-8 safe: never inside a character), in the listed " +
    "fields or in every top-level field; arrays of strings and nested hashes are handled too.",
  options: {
    fields: {
      type: "string",
      list: true,
      doc: "Fields to truncate; all top-level fields when not given.",
    },
    length_bytes: { type: "number", required: true, doc: "Largest size in bytes a string may keep." },
  },
  create: (options) =>
    new TruncateFilter(
      options.raw("fields") === undefined ? undefined : options.stringArray("fields"),
      options.number("length_bytes"),
    ),
};
