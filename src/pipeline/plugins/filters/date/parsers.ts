// The date filter's parsers, one per `match` format, built once: ISO8601 (Joda's dateTimeParser plus four
// "almost ISO" patterns), UNIX, UNIX_MS, TAI64N and Joda patterns with Logstash's year guessing.

import { compileFastIso, compileFastJoda, type FastParser } from "./fast.js";
import { compileJodaPattern, type JodaPattern, type ParsedFields, parseWith } from "./joda.js";
import {
  FieldRangeError,
  guessYear,
  type ParseContext,
  resolveLocal,
  toInstant,
  withYear,
} from "./resolve.js";

export { guessYear, type ParseContext };

export interface DateParser {
  /** Epoch milliseconds, or undefined when this format does not match the value. */
  parse(value: string | number, context: ParseContext): number | undefined;
}

export interface ParserOptions {
  locale: string | undefined;
  /** The clock's year when the parser is built: Joda's default year for patterns without one. */
  defaultYear: number;
  /** Use the specialised parsers where a format has one (the default); false keeps the general ones only. */
  fast?: boolean;
}

/** The parser for one `match` format; throws an Error for a pattern Joda rejects. */
export function makeParser(format: string, options: ParserOptions): DateParser {
  switch (format) {
    case "ISO8601":
      return options.fast === false ? isoParser(options) : withFastPath(compileFastIso(), isoParser(options));
    case "UNIX":
      return { parse: (value) => (typeof value === "number" ? unixNumber(value) : unixText(value)) };
    case "UNIX_MS":
      return { parse: (value) => (typeof value === "number" ? Math.trunc(value) : javaLong(value)) };
    case "TAI64N":
      return { parse: (value) => (typeof value === "string" ? tai64n(value) : undefined) };
    default: {
      const general = jodaParser(compileJodaPattern(format, options.locale), options.defaultYear);
      const fast =
        options.fast === false ? undefined : compileFastJoda(format, options.locale, options.defaultYear);
      return fast === undefined ? general : withFastPath(fast, general);
    }
  }
}

/** Tries the specialised parser first; what it declines (or refuses) goes to the general one. */
function withFastPath(fast: FastParser, general: DateParser): DateParser {
  return {
    parse(value, context) {
      if (typeof value !== "string") return general.parse(value, context);
      return fast(value, context) ?? general.parse(value, context);
    },
  };
}

// ---------------------------------------------------------------- Joda patterns

function jodaParser(pattern: JodaPattern, defaultYear: number): DateParser {
  return {
    parse(value, context) {
      if (typeof value !== "string") return undefined;
      const fields = parseWith(pattern.elements, value);
      return fields === undefined ? undefined : instantOf(fields, pattern.hasYear, defaultYear, context);
    },
  };
}

function instantOf(
  fields: ParsedFields,
  hasYear: boolean,
  defaultYear: number,
  context: ParseContext,
): number | undefined {
  try {
    let local = resolveLocal(fields, defaultYear);
    if (!hasYear) local = withYear(local, guessYear(local.month, context.now));
    return toInstant(local, fields, context.zone);
  } catch (err) {
    if (err instanceof FieldRangeError) return undefined;
    throw err;
  }
}

// ---------------------------------------------------------------- ISO8601

const ALMOST_ISO = [
  "yyyy-MM-dd HH:mm:ss.SSSZ",
  "yyyy-MM-dd HH:mm:ss.SSS",
  "yyyy-MM-dd HH:mm:ss,SSSZ",
  "yyyy-MM-dd HH:mm:ss,SSS",
];

function isoParser(options: ParserOptions): DateParser {
  const fallbacks = ALMOST_ISO.map((p) => compileJodaPattern(p, "en"));
  return {
    parse(value, context) {
      if (typeof value !== "string") return undefined;
      const iso = parseIsoDateTime(value);
      if (iso !== undefined) {
        const instant = instantOf(iso, true, options.defaultYear, context);
        if (instant !== undefined) return instant;
      }
      for (const pattern of fallbacks) {
        const fields = parseWith(pattern.elements, value);
        const instant = fields && instantOf(fields, true, options.defaultYear, context);
        if (instant !== undefined) return instant;
      }
      return undefined;
    },
  };
}

type Step = (text: string, pos: number, fields: ParsedFields) => number;

/** Joda's ISODateTimeFormat.dateTimeParser: `time | date-opt-time`, the whole text. */
export function parseIsoDateTime(text: string): ParsedFields | undefined {
  const fields: ParsedFields = {};
  const end = longest(text, 0, fields, [isoTime, dateOptionalTime]);
  return end === text.length ? fields : undefined;
}

/** Tries each alternative from `pos` and keeps the one that consumed the most (Joda's MatchingParser). */
function longest(text: string, pos: number, fields: ParsedFields, steps: Step[]): number {
  let best = -1;
  let bestFields: ParsedFields | undefined;
  for (const step of steps) {
    const attempt: ParsedFields = {};
    const end = step(text, pos, attempt);
    if (end > best) {
      best = end;
      bestFields = attempt;
    }
  }
  if (bestFields !== undefined) Object.assign(fields, bestFields);
  return best;
}

function sequence(...steps: Step[]): Step {
  return (text, pos, fields) => {
    let at = pos;
    for (const step of steps) {
      at = step(text, at, fields);
      if (at < 0) return -1;
    }
    return at;
  };
}

function optional(step: Step): Step {
  return (text, pos, fields) => {
    const attempt: ParsedFields = {};
    const end = step(text, pos, attempt);
    if (end < 0) return pos;
    Object.assign(fields, attempt);
    return end;
  };
}

function lit(...choices: string[]): Step {
  return (text, pos) => {
    for (const choice of choices) if (text.startsWith(choice, pos)) return pos + choice.length;
    return -1;
  };
}

function digits(field: keyof ParsedFields, max: number, signed = false): Step {
  return (text, pos, fields) => {
    const m = (signed ? /^[+-]?\d+/ : /^\d+/).exec(text.slice(pos, pos + max + (signed ? 1 : 0)));
    if (m === null) return -1;
    (fields as Record<string, number>)[field] = Number(m[0]);
    return pos + m[0].length;
  };
}

/** A decimal fraction of `unitMs` (hour, minute or second), truncated to milliseconds as Joda does. */
function fractionOf(unitMs: number): Step {
  return (text, pos, fields) => {
    const m = /^\d{1,9}/.exec(text.slice(pos));
    if (m === null) return -1;
    let value = 0;
    let n = unitMs * 10;
    for (const digit of m[0]) {
      n = Math.floor(n / 10);
      value += Number(digit) * n;
    }
    const ms = Math.floor(value / 10);
    if (unitMs === 3_600_000) fields.minute = Math.floor(ms / 60_000);
    if (unitMs >= 60_000) fields.second = Math.floor((ms % 60_000) / 1000);
    fields.millis = ms % 1000;
    return pos + m[0].length;
  };
}

const isoOffset: Step = (text, pos, fields) => {
  if (text[pos] === "Z") {
    fields.offsetMs = 0;
    return pos + 1;
  }
  const m = /^([+-])(\d{2})(?:(:?)(\d{2})(?:\3(\d{2})(?:[.,](\d{3}))?)?)?/.exec(text.slice(pos));
  if (m === null || Number(m[2]) > 23 || Number(m[4] ?? 0) > 59 || Number(m[5] ?? 0) > 59) return -1;
  const value = ((Number(m[2]) * 60 + Number(m[4] ?? 0)) * 60 + Number(m[5] ?? 0)) * 1000 + Number(m[6] ?? 0);
  fields.offsetMs = m[1] === "-" ? -value : value;
  return pos + m[0].length;
};

const decimalPoint = lit(".", ",");
const secondPart = sequence(
  lit(":"),
  digits("second", 2),
  optional(sequence(decimalPoint, fractionOf(1000))),
);
const minutePart = sequence(lit(":"), digits("minute", 2), (text, pos, fields) =>
  longest(text, pos, fields, [secondPart, sequence(decimalPoint, fractionOf(60_000)), (_t, p) => p]),
);
const timeElement = sequence(digits("hourOfDay", 2), (text, pos, fields) =>
  longest(text, pos, fields, [minutePart, sequence(decimalPoint, fractionOf(3_600_000)), (_t, p) => p]),
);
const isoTime = sequence(lit("T"), timeElement, optional(isoOffset));

const standardDate = sequence(
  digits("year", 9, true),
  optional(sequence(lit("-"), digits("month", 2), optional(sequence(lit("-"), digits("day", 2))))),
);
const weekDate = sequence(
  digits("weekyear", 9, true),
  lit("-W"),
  digits("week", 2),
  optional(sequence(lit("-"), digits("dayOfWeek", 1))),
);
const ordinalDate = sequence(digits("year", 9, true), lit("-"), digits("dayOfYear", 3));
const dateElement: Step = (text, pos, fields) =>
  longest(text, pos, fields, [standardDate, weekDate, ordinalDate]);
const dateOptionalTime = sequence(
  dateElement,
  optional(sequence(lit("T"), optional(timeElement), optional(isoOffset))),
);

// ---------------------------------------------------------------- epochs

const MAX_EPOCH_SECONDS = 2_147_483_647;
const LONG_MAX = 2n ** 63n - 1n;

/** Java's Long.parseLong: optional sign and decimal digits; undefined when it would throw or lose precision. */
function javaLong(text: string): number | undefined {
  if (!/^[+-]?\d+$/.test(text)) return undefined;
  // Up to 15 digits fit a double exactly; `+ 0` turns "-0" into 0 as Long does.
  if (text.length <= 15) return Number(text) + 0;
  const big = BigInt(text);
  if (big > LONG_MAX || big < -LONG_MAX - 1n) return undefined;
  const value = Number(big);
  return Number.isSafeInteger(value) ? value : undefined;
}

function unixNumber(value: number): number | undefined {
  if (Number.isInteger(value)) return value > MAX_EPOCH_SECONDS ? undefined : value * 1000;
  return Math.trunc(value) > MAX_EPOCH_SECONDS ? undefined : Math.trunc(value * 1000);
}

/** Seconds as text; at most three digits after the dot count (Logstash keeps milliseconds). */
function unixText(text: string): number | undefined {
  const dot = text.indexOf(".");
  const seconds = javaLong(dot < 0 ? text : text.slice(0, dot));
  if (seconds === undefined || seconds > MAX_EPOCH_SECONDS) return undefined;
  if (dot < 0) return seconds * 1000;
  const subDigits = Math.min(3, text.length - dot - 1);
  if (subDigits === 0) return seconds * 1000;
  const sub = javaLong(text.slice(dot + 1, dot + 1 + subDigits));
  if (sub === undefined) return undefined;
  return seconds * 1000 + sub * [0, 100, 10, 1][subDigits]!;
}

/** TAI64N: 16 hex digits of seconds (epoch at 2^62, 10 s from UTC) and 8 of nanoseconds, after an optional `@`. */
function tai64n(text: string): number | undefined {
  const start = text.startsWith("@") ? 1 : 0;
  const secondsHex = text.slice(start, start + 16);
  const nanosHex = text.slice(start + 16, start + 24);
  if (!/^[0-9a-fA-F]{16}$/.test(secondsHex) || !/^[0-9a-fA-F]{8}$/.test(nanosHex)) return undefined;
  const raw = BigInt(`0x${secondsHex}`);
  const nanos = Number.parseInt(nanosHex, 16);
  if (raw > LONG_MAX || nanos > 0x7fffffff) return undefined;
  const seconds = (raw & ((1n << 62n) - 1n)) - 10n;
  const ms = Number(seconds * 1000n) + Math.floor(nanos / 1_000_000);
  return Number.isSafeInteger(ms) ? ms : undefined;
}
