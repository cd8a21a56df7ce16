// The mutate filter: renames, replaces, converts, rewrites and merges fields, in Logstash's fixed order
// (coerce, rename, update, replace, convert, gsub, uppercase, capitalize, lowercase, strip, split, join, merge,
// copy). The first failing operation stops the rest and tags the event, as Logstash 8.14+ does.

import type { Event, FieldValue } from "../../event/index.js";
import { deepCopy, Timestamp } from "../../event/index.js";
import { rubyRegExp } from "../../regexp/ruby.js";
import type { Filter, FilterSpec, PluginContext } from "../api.js";
import type { OptionValue, ResolvedOptions } from "../options.js";

type Operation = (event: Event) => void;

const conversions = ["string", "integer", "float", "boolean", "integer_eu", "float_eu"] as const;
type Conversion = (typeof conversions)[number];

/** Raised by a conversion Logstash's Integer()/Float()/BigDecimal() would refuse; the event gets tag_on_failure. */
class ConversionError extends Error {
  override name = "ConversionError";
}

export const mutateFilter: FilterSpec = {
  kind: "filter",
  name: "mutate",
  doc: "Changes fields in place: rename, replace, update, convert types, regex substitution, case, strip, split, join, merge and copy.",
  options: {
    coerce: {
      type: "hash",
      doc: "Sets a field that exists but is null to a default value (sprintf allowed).",
    },
    rename: { type: "hash", doc: "Renames fields: old name => new name (both sprintf'd)." },
    update: {
      type: "hash",
      doc: "Sets a field to a new value (sprintf allowed), only when the field exists.",
    },
    replace: {
      type: "hash",
      doc: "Sets a field to a new value (sprintf allowed), creating it when missing.",
    },
    convert: {
      type: "hash",
      doc: "Converts field values: integer, integer_eu, float, float_eu, string or boolean.",
    },
    gsub: { type: "array", doc: "Regex substitutions as [field, pattern, replacement] triples." },
    uppercase: { type: "array", doc: "Fields whose strings are uppercased." },
    capitalize: { type: "array", doc: "Fields whose strings are capitalized." },
    lowercase: { type: "array", doc: "Fields whose strings are lowercased." },
    strip: { type: "array", doc: "Fields whose strings lose leading and trailing whitespace." },
    split: { type: "hash", doc: "Splits a string field into an array: field => separator." },
    join: { type: "hash", doc: "Joins an array field into a string: field => separator." },
    merge: { type: "hash", doc: "Merges fields into a destination: destination => added field(s)." },
    copy: { type: "hash", doc: "Copies a field to another (deeply): source => destination." },
    tag_on_failure: {
      type: "string",
      default: "_mutate_error",
      doc: "Tag added when an operation fails; the remaining operations are skipped.",
    },
    remove: { type: "array", obsolete: "use the common option remove_field instead" },
  },
  create: (options, context) => new MutateFilter(options, context),
};

class MutateFilter implements Filter {
  private readonly operations: Operation[];
  private readonly failureTag: string;

  constructor(
    options: ResolvedOptions,
    private readonly context: PluginContext,
  ) {
    this.failureTag = options.string("tag_on_failure");
    this.operations = compileOperations(options, context);
  }

  filter(event: Event): boolean {
    try {
      for (const operation of this.operations) operation(event);
      return true;
    } catch (err) {
      this.context.logger.warn("exception caught while applying mutate filter", {
        plugin: this.context.id,
        exception: (err as Error).message,
      });
      this.context.countFailure("mutate_error");
      event.tag(this.failureTag);
      return false;
    }
  }
}

/** The operations the options ask for, in Logstash's order. */
function compileOperations(options: ResolvedOptions, context: PluginContext): Operation[] {
  const operations: Operation[] = [];
  const hashOf = (name: string): [string, OptionValue][] | undefined =>
    options.has(name) ? Object.entries(options.hash(name)) : undefined;
  const listOf = (name: string): string[] | undefined =>
    options.has(name) ? options.stringArray(name) : undefined;
  const add = <T>(value: T | undefined, build: (value: T) => Operation) => {
    if (value !== undefined) operations.push(build(value));
  };
  add(hashOf("coerce"), coerceOperation);
  add(hashOf("rename"), renameOperation);
  add(hashOf("update"), updateOperation);
  add(hashOf("replace"), replaceOperation);
  add(hashOf("convert"), (pairs) => convertOperation(pairs, context));
  add(options.has("gsub") ? options.stringArray("gsub") : undefined, gsubOperation);
  add(listOf("uppercase"), (fields) => caseOperation(fields, (s) => s.toUpperCase()));
  add(listOf("capitalize"), (fields) => caseOperation(fields, capitalize));
  add(listOf("lowercase"), (fields) => caseOperation(fields, (s) => s.toLowerCase()));
  add(listOf("strip"), stripOperation);
  add(hashOf("split"), splitOperation);
  add(hashOf("join"), joinOperation);
  add(hashOf("merge"), (pairs) => mergeOperation(pairs, context));
  add(hashOf("copy"), copyOperation);
  return operations;
}

/** A hash option's value as the text Logstash would interpolate (numbers and booleans print as written). */
function text(value: OptionValue): string {
  if (Array.isArray(value)) return value.map(text).join(",");
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

function coerceOperation(pairs: [string, OptionValue][]): Operation {
  return (event) => {
    for (const [field, fallback] of pairs) {
      if (event.includes(field) && event.get(field) === null) event.set(field, event.sprintf(text(fallback)));
    }
  };
}

function renameOperation(pairs: [string, OptionValue][]): Operation {
  return (event) => {
    for (const [from, to] of pairs) {
      const source = event.sprintf(from);
      const destination = event.sprintf(text(to));
      if (!event.includes(source)) continue;
      event.set(destination, event.remove(source));
    }
  };
}

function updateOperation(pairs: [string, OptionValue][]): Operation {
  return (event) => {
    for (const [field, value] of pairs) {
      if (event.includes(field)) event.set(field, event.sprintf(text(value)));
    }
  };
}

function replaceOperation(pairs: [string, OptionValue][]): Operation {
  return (event) => {
    for (const [field, value] of pairs) event.set(field, event.sprintf(text(value)));
  };
}

// ---------------------------------------------------------------- convert

function convertOperation(pairs: [string, OptionValue][], context: PluginContext): Operation {
  const plan = pairs.map(([field, type]) => {
    const name = text(type);
    if (!(conversions as readonly string[]).includes(name)) {
      throw new Error(`Invalid conversion type '${name}', expected one of '${conversions.join(",")}'`);
    }
    return { field, convert: converter(name as Conversion, context) };
  });
  return (event) => {
    for (const { field, convert } of plan) {
      if (!event.includes(field)) continue;
      const original = event.get(field);
      if (original === null || original === undefined) continue;
      if (Array.isArray(original)) {
        event.set(
          field,
          original.map((item) => (item === null ? item : convert(item))),
        );
      } else if (typeof original === "object" && !(original instanceof Timestamp)) {
        // Logstash does not convert hashes; it leaves them as they are.
      } else {
        event.set(field, convert(original));
      }
    }
  };
}

function converter(type: Conversion, context: PluginContext): (value: FieldValue) => FieldValue {
  switch (type) {
    case "string":
      return rubyToS;
    case "integer":
      return convertInteger;
    case "float":
      return convertFloat;
    case "integer_eu":
      return (value) => convertInteger(swapEuSeparators(value));
    case "float_eu":
      return (value) => convertFloat(swapEuSeparators(value));
    case "boolean":
      return (value) => convertBoolean(value, context);
  }
}

// Ruby regexps, `$` and `^` per line, and the unescaped dot of "1.0" kept as Logstash has it.
const TRUE_TEXT = /^(true|t|yes|y|1|1.0)$/im;
const FALSE_TEXT = /^(false|f|no|n|0|0.0)$/im;

function convertBoolean(value: FieldValue, context: PluginContext): FieldValue {
  const asText = rubyToS(value);
  if (TRUE_TEXT.test(asText)) return true;
  if (asText === "" || FALSE_TEXT.test(asText)) return false;
  context.logger.warn(`failed to convert ${asText} into boolean`, { plugin: context.id });
  return value;
}

/** What Ruby's `to_s` prints for an event value (floats are indistinguishable from integers here). */
export function rubyToS(value: FieldValue): string {
  if (typeof value === "string") return value;
  if (value === null) return "";
  if (Array.isArray(value) || (typeof value === "object" && !(value instanceof Timestamp))) {
    return rubyInspect(value);
  }
  return String(value);
}

function rubyInspect(value: FieldValue): string {
  if (value === null) return "nil";
  if (typeof value === "string") return JSON.stringify(value);
  if (value instanceof Timestamp) return value.toString();
  if (Array.isArray(value)) return `[${value.map(rubyInspect).join(", ")}]`;
  if (typeof value === "object") {
    const entries = Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}=>${rubyInspect(v)}`);
    return `{${entries.join(", ")}}`;
  }
  return String(value);
}

function swapEuSeparators(value: FieldValue): FieldValue {
  if (typeof value !== "string") return value;
  return value.replace(/[,.]/g, (c) => (c === "," ? "." : ","));
}

/** Ruby's String#strip: ASCII whitespace and NUL at both ends. */
export function rubyStrip(value: string): string {
  return value.replace(/^[\0\t\n\v\f\r ]+|[\0\t\n\v\f\r ]+$/g, "");
}

// Ruby's Float() and BigDecimal() text: sign, digits (underscores between them), fraction, exponent.
const DECIMAL_TEXT = /^[+-]?(?:\d+(?:_\d+)*)?(?:\.\d+(?:_\d+)*)?(?:e[+-]?\d+)?$/;
const HEX_TEXT = /^([+-]?)0x([0-9a-f]+)?(?:\.([0-9a-f]*))?(?:p([+-]?\d+))?$/;

function convertInteger(value: FieldValue): FieldValue {
  if (value === true) return 1;
  if (value === false) return 0;
  if (typeof value === "number") return Math.trunc(value);
  if (value instanceof Timestamp) return value.epochSeconds;
  if (typeof value !== "string") throw new ConversionError(`can't convert ${rubyToS(value)} into Integer`);
  const cleaned = rubyStrip(value).replaceAll(",", "").toLowerCase();
  if (/^[+-]?0x/.test(cleaned)) {
    const hex = parseHexFloat(cleaned);
    if (hex === undefined || (!cleaned.includes(".") && cleaned.includes("p")))
      throw new ConversionError(`invalid value for Integer(): ${JSON.stringify(value)}`);
    return Math.trunc(hex);
  }
  return Math.trunc(parseDecimal(cleaned, value, "BigDecimal"));
}

function convertFloat(value: FieldValue): FieldValue {
  if (value === true) return 1;
  if (value === false) return 0;
  if (typeof value === "number") return value;
  if (value instanceof Timestamp) return value.epochMs / 1000;
  if (typeof value !== "string") throw new ConversionError(`can't convert ${rubyToS(value)} into Float`);
  const cleaned = rubyStrip(value).replaceAll(",", "").toLowerCase();
  if (/^[+-]?0x/.test(cleaned)) {
    const hex = parseHexFloat(cleaned);
    if (hex === undefined) throw new ConversionError(`invalid value for Float(): ${JSON.stringify(value)}`);
    return hex;
  }
  return parseDecimal(cleaned, value, "Float");
}

function parseDecimal(cleaned: string, original: string, kind: string): number {
  if (!DECIMAL_TEXT.test(cleaned) || !/\d/.test(cleaned.split("e")[0]!)) {
    throw new ConversionError(`invalid value for ${kind}(): ${JSON.stringify(original)}`);
  }
  return Number(cleaned.replaceAll("_", ""));
}

/** Ruby's Float() of hexadecimal text: `0x1A`, `-0x1.8p+1`. */
function parseHexFloat(text: string): number | undefined {
  const m = HEX_TEXT.exec(text);
  if (m === null || (m[2] === undefined && !m[3])) return undefined;
  const whole = m[2] === undefined ? 0 : Number.parseInt(m[2], 16);
  const fractionDigits = m[3] ?? "";
  let fraction = 0;
  for (let i = 0; i < fractionDigits.length; i++) {
    fraction += Number.parseInt(fractionDigits[i]!, 16) / 16 ** (i + 1);
  }
  const magnitude = (whole + fraction) * 2 ** Number(m[4] ?? 0);
  return m[1] === "-" ? -magnitude : magnitude;
}

// ---------------------------------------------------------------- gsub

interface Substitution {
  field: string;
  /** Compiled once, unless the pattern holds `%{...}` and is compiled per event. */
  needle: RegExp | string;
  replacement: string;
}

function gsubOperation(items: string[]): Operation {
  if (items.length % 3 !== 0 || items.length === 0) {
    const rest = items.slice(items.length - (items.length % 3 || 3));
    throw new Error(
      `Invalid gsub configuration ${JSON.stringify(rest)}. gsub requires 3 non-nil elements per config entry`,
    );
  }
  const substitutions: Substitution[] = [];
  for (let i = 0; i < items.length; i += 3) {
    const needle = items[i + 1]!;
    substitutions.push({
      field: items[i]!,
      needle: needle.includes("%{") ? needle : globalRegExp(needle),
      replacement: items[i + 2]!,
    });
  }
  return (event) => {
    for (const substitution of substitutions) applySubstitution(event, substitution);
  };
}

function globalRegExp(pattern: string): RegExp {
  const translated = rubyRegExp(pattern);
  return new RegExp(translated.source, `${translated.flags}g`);
}

function applySubstitution(event: Event, { field, needle, replacement }: Substitution): void {
  const value = event.get(field);
  if (typeof value !== "string" && !Array.isArray(value)) return;
  const regex = typeof needle === "string" ? globalRegExp(event.sprintf(needle)) : needle;
  const replace = rubyReplacer(event.sprintf(replacement));
  if (typeof value === "string") {
    event.set(field, value.replace(regex, replace));
    return;
  }
  event.set(
    field,
    value.map((item) => (typeof item === "string" ? item.replace(regex, replace) : item)),
  );
}

type Replacer = (match: string, ...rest: unknown[]) => string;

/**
 * Ruby's gsub replacement text: `\0`/`\&` the match, `\1`..`\9` groups, `\k<name>` named groups, `` \` `` and `\'`
 * the text around the match, `\\` a backslash. `$` has no special meaning (unlike JavaScript's).
 */
export function rubyReplacer(replacement: string): Replacer {
  if (!replacement.includes("\\")) return () => replacement;
  return (match, ...rest) => {
    const namedIndex = typeof rest[rest.length - 1] === "object" ? rest.length - 1 : -1;
    const groups = (namedIndex >= 0 ? rest[namedIndex] : undefined) as Record<string, string> | undefined;
    const stringIndex = namedIndex >= 0 ? namedIndex - 1 : rest.length - 1;
    const input = rest[stringIndex] as string;
    const offset = rest[stringIndex - 1] as number;
    const captures = rest.slice(0, stringIndex - 1) as (string | undefined)[];
    return replacement.replace(/\\(\d|&|`|'|\\|k<([^>]*)>)/g, (_escape, what: string, name?: string) => {
      if (name !== undefined) return groups?.[name] ?? "";
      if (what === "&" || what === "0") return match;
      if (what === "`") return input.slice(0, offset);
      if (what === "'") return input.slice(offset + match.length);
      if (what === "\\") return "\\";
      return captures[Number(what) - 1] ?? "";
    });
  };
}

// ---------------------------------------------------------------- case, strip, split, join

/** Ruby's String#capitalize: the first character upper case, the rest lower case. */
export function capitalize(value: string): string {
  const first = value.codePointAt(0);
  if (first === undefined) return value;
  const head = String.fromCodePoint(first);
  return head.toUpperCase() + value.slice(head.length).toLowerCase();
}

function caseOperation(fields: string[], change: (value: string) => string): Operation {
  return (event) => {
    for (const field of fields) {
      const original = event.get(field);
      if (original === null || original === undefined) continue;
      if (typeof original === "string") event.set(field, change(original));
      else if (Array.isArray(original))
        event.set(
          field,
          original.map((item) => (typeof item === "string" ? change(item) : item)),
        );
    }
  };
}

function stripOperation(fields: string[]): Operation {
  return (event) => {
    for (const field of fields) {
      const value = event.get(field);
      if (typeof value === "string") event.set(field, rubyStrip(value));
      else if (Array.isArray(value)) {
        event.set(
          field,
          value.map((item) => {
            if (typeof item !== "string")
              throw new Error(`undefined method 'strip' for ${rubyInspect(item)}`);
            return rubyStrip(item);
          }),
        );
      }
    }
  };
}

/** Ruby's String#split with a string separator: " " splits on whitespace runs; trailing empty items are dropped. */
export function rubySplit(value: string, separator: string): string[] {
  let parts: string[];
  if (separator === " ") parts = value.replace(/^[\t\n\v\f\r ]+/, "").split(/[\t\n\v\f\r ]+/);
  else if (separator === "") parts = Array.from(value);
  else parts = value.split(separator);
  while (parts.length > 0 && parts[parts.length - 1] === "") parts.pop();
  return parts;
}

function splitOperation(pairs: [string, OptionValue][]): Operation {
  return (event) => {
    for (const [field, separator] of pairs) {
      const value = event.get(field);
      if (typeof value === "string") event.set(field, rubySplit(value, text(separator)));
    }
  };
}

/** Ruby's Array#join: nested arrays are joined with the same separator, nil prints as nothing. */
function rubyJoin(values: FieldValue[], separator: string): string {
  return values
    .map((item) => (Array.isArray(item) ? rubyJoin(item, separator) : rubyToS(item)))
    .join(separator);
}

function joinOperation(pairs: [string, OptionValue][]): Operation {
  return (event) => {
    for (const [field, separator] of pairs) {
      const value = event.get(field);
      if (Array.isArray(value)) event.set(field, rubyJoin(value, text(separator)));
    }
  };
}

// ---------------------------------------------------------------- merge, copy

function isHash(value: FieldValue | undefined): value is { [key: string]: FieldValue } {
  return (
    typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Timestamp)
  );
}

/** Ruby's Kernel#Array for a non-hash value. */
function asArray(value: FieldValue | undefined): FieldValue[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

function mergeOperation(pairs: [string, OptionValue][], context: PluginContext): Operation {
  const plan = pairs.map(([destination, added]) => ({
    destination,
    added: (Array.isArray(added) ? added : [added]).map(text),
  }));
  return (event) => {
    for (const { destination, added } of plan) {
      // Read once, as Logstash does: an array destination grows in place, a scalar one is rebuilt each time.
      const destinationValue = event.get(destination);
      for (const addedField of added) {
        const addedValue = event.get(addedField);
        if (isHash(destinationValue) !== isHash(addedValue)) {
          context.logger.error("not possible to merge an array and a hash", {
            plugin: context.id,
            dest_field: destination,
            added_field: addedField,
          });
          continue;
        }
        if (isHash(destinationValue) && isHash(addedValue)) {
          Object.assign(destinationValue, deepCopy(addedValue));
          event.set(destination, destinationValue);
        } else {
          const merged = asArray(destinationValue);
          merged.push(...asArray(addedValue).map(deepCopy));
          event.set(destination, merged);
        }
      }
    }
  };
}

function copyOperation(pairs: [string, OptionValue][]): Operation {
  return (event) => {
    for (const [source, destination] of pairs) {
      const original = event.get(source);
      if (original === null || original === undefined) continue;
      event.set(text(destination), deepCopy(original));
    }
  };
}
