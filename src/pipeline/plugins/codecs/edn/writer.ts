// Writes event values as EDN the way Logstash's edn codecs do (the Ruby `edn` gem's #to_edn): string keys,
// `, ` between map entries, only `"` and `\` escaped, and integers with the `M` suffix the gem gives them.

import type { FieldValue } from "../../../event/index.js";
import { Timestamp } from "../../../event/index.js";
import { rubyNumber } from "../ruby-format.js";

export function writeEdn(value: FieldValue): string {
  if (value === null) return "nil";
  if (typeof value === "string") return ednString(value);
  if (typeof value === "boolean") return String(value);
  if (typeof value === "number") return ednNumber(value);
  // Logstash hands the codec normalized values, where a Timestamp is its ISO-8601 text.
  if (value instanceof Timestamp) return ednString(value.toString());
  if (Array.isArray(value)) return `[${value.map(writeEdn).join(" ")}]`;
  const entries = Object.entries(value).map(([key, child]) => `${ednString(key)} ${writeEdn(child)}`);
  return `{${entries.join(", ")}}`;
}

function ednString(text: string): string {
  return `"${text.replace(/["\\]/g, (char) => `\\${char}`)}"`;
}

/**
 * Ruby 2.4+ made Bignum an alias of Integer, so the gem's Bignum#to_edn (`5M`) covers every Integer in the Ruby
 * Logstash runs; floats print as Float#to_s.
 */
function ednNumber(value: number): string {
  if (Number.isInteger(value) && Math.abs(value) < 1e16) return `${value}M`;
  const text = rubyNumber(value);
  return /[.eE]|NaN|Infinity/.test(text) ? text : `${text}.0`;
}
