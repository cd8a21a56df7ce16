// Dissect's `convert_datatype`: turning a field's text into an integer or a float the way Logstash's Java
// converters do (BigDecimal parsing; int truncates toward zero), with its two failure tags.

import type { Event, FieldValue } from "../../../event/index.js";

export type DissectDatatype = "int" | "float";

// What java.math.BigDecimal(String) accepts.
const decimalText = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** The datatype a `convert_datatype` value names (case-insensitive, as Logstash), or undefined. */
export function parseDatatype(text: string): DissectDatatype | undefined {
  const lower = text.toLowerCase();
  return lower === "int" || lower === "float" ? lower : undefined;
}

export type ConversionOutcome = "converted" | "missing" | "uncoercible";

/** Converts `field` in place; on failure tags the event as Logstash does and says why. */
export function convertField(event: Event, field: string, type: DissectDatatype): ConversionOutcome {
  const value = event.get(field);
  if (value === undefined || value === null) {
    event.tag(`_dataconversionnullvalue_${field}_${type}`);
    return "missing";
  }
  const text = numericText(value);
  if (text === undefined || !decimalText.test(text)) {
    event.tag(`_dataconversionuncoercible_${field}_${type}`);
    return "uncoercible";
  }
  const number = Number(text);
  // `|| 0` keeps -0 (from e.g. "-0.5") out of events: Java's BigInteger has no negative zero.
  event.set(field, type === "int" ? Math.trunc(number) || 0 : number);
  return "converted";
}

function numericText(value: FieldValue): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "number") return String(value);
  return undefined; // booleans, timestamps, arrays and maps are not numbers
}
