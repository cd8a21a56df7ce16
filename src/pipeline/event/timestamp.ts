// An event's instant: epoch milliseconds plus the sub-millisecond nanoseconds a parsed text carried,
// printed as ISO-8601 in UTC exactly as Logstash prints its Timestamp (java.time Instant rules).

import { assert } from "../../common/assert.js";

const NANOS_PER_MILLI = 1_000_000;

// YYYY-MM-DD, then optionally T or space, HH:MM[:SS[.fraction]] and a zone (Z, ±HH, ±HHMM, ±HH:MM).
const ISO_PATTERN =
  /^([+-]?\d{4,6})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9})\d*)?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;

/** The instant `now()` returned last; events stamped within the same millisecond share it (it is immutable). */
let lastNow: Timestamp | undefined;

export class Timestamp {
  /** The printed form, computed on first use (events are usually printed once or never). */
  private text: string | undefined;

  /**
   * @param epochMs whole milliseconds since 1970-01-01T00:00:00Z
   * @param nanosOfMilli extra nanoseconds (0..999_999) kept from a parsed text
   */
  constructor(
    readonly epochMs: number,
    readonly nanosOfMilli = 0,
  ) {
    assert(Number.isSafeInteger(epochMs), `epochMs must be an integer: ${epochMs}`);
    assert(Number.isInteger(nanosOfMilli) && nanosOfMilli >= 0 && nanosOfMilli < NANOS_PER_MILLI);
  }

  static now(): Timestamp {
    const ms = Date.now();
    if (lastNow === undefined || lastNow.epochMs !== ms) lastNow = new Timestamp(ms);
    return lastNow;
  }

  /** Parses ISO-8601 text; a missing zone means UTC (as Logstash assumes). Returns undefined if malformed. */
  static parse(text: string): Timestamp | undefined {
    const m = ISO_PATTERN.exec(text.trim());
    if (m === null) return undefined;
    const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
    const [hour, minute, second] = [Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0)];
    if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
    if (hour > 23 || minute > 59 || second > 59) return undefined;
    const fraction = (m[7] ?? "").padEnd(9, "0");
    const nanosOfSecond = Number(fraction);
    const utc = Date.UTC(year, month - 1, day, hour, minute, second);
    const date = new Date(utc);
    // Date.UTC maps years 0..99 onto 1900..1999; undo that.
    if (year >= 0 && year < 100) date.setUTCFullYear(year);
    const epochMs = date.getTime() - zoneOffsetMs(m[8]) + Math.floor(nanosOfSecond / NANOS_PER_MILLI);
    if (!Number.isSafeInteger(epochMs)) return undefined;
    return new Timestamp(epochMs, nanosOfSecond % NANOS_PER_MILLI);
  }

  /** Nanoseconds within the current second (0..999_999_999). */
  get nanosOfSecond(): number {
    return mod(this.epochMs, 1000) * NANOS_PER_MILLI + this.nanosOfMilli;
  }

  /** Seconds since the epoch, rounded down (what `%{+%s}` prints). */
  get epochSeconds(): number {
    return Math.floor(this.epochMs / 1000);
  }

  /**
   * Logstash prints at least milliseconds, and otherwise java.time's Instant form: the fraction in groups of
   * three digits, as many groups as needed (`.123`, `.123400`, `.123456789`).
   */
  toString(): string {
    if (this.text === undefined) this.text = formatInstant(this.epochMs, this.nanosOfMilli);
    return this.text;
  }

  toJSON(): string {
    return this.toString();
  }

  equals(other: Timestamp): boolean {
    return this.epochMs === other.epochMs && this.nanosOfMilli === other.nanosOfMilli;
  }
}

const DAY_MS = 86_400_000;
const TWO_DIGITS = Array.from({ length: 60 }, (_, n) => String(n).padStart(2, "0"));
const THREE_DIGITS = Array.from({ length: 1000 }, (_, n) => String(n).padStart(3, "0"));
/** The `yyyy-MM-ddT` of the day printed last: events of one stream mostly share their day. */
let lastDay = Number.NaN;
let lastDayPrefix = "";

/** `yyyy-MM-ddTHH:mm:ss.fffZ`: the day's prefix from Date once per day, the time of day from tables. */
function formatInstant(epochMs: number, nanosOfMilli: number): string {
  const day = Math.floor(epochMs / DAY_MS);
  if (day !== lastDay) {
    lastDayPrefix = new Date(day * DAY_MS).toISOString().slice(0, -13);
    lastDay = day;
  }
  const msOfDay = epochMs - day * DAY_MS;
  const seconds = Math.floor(msOfDay / 1000);
  const millis = msOfDay - seconds * 1000;
  const fraction =
    nanosOfMilli === 0 ? THREE_DIGITS[millis]! : fractionDigits(millis * NANOS_PER_MILLI + nanosOfMilli);
  return `${lastDayPrefix}${TWO_DIGITS[Math.floor(seconds / 3600)]}:${TWO_DIGITS[Math.floor(seconds / 60) % 60]}:${TWO_DIGITS[seconds % 60]}.${fraction}Z`;
}

function fractionDigits(nanos: number): string {
  const nine = String(nanos).padStart(9, "0");
  if (nanos % 1_000_000 === 0) return nine.slice(0, 3);
  if (nanos % 1000 === 0) return nine.slice(0, 6);
  return nine;
}

function zoneOffsetMs(zone: string | undefined): number {
  if (zone === undefined || zone.toUpperCase() === "Z") return 0;
  const sign = zone.startsWith("-") ? -1 : 1;
  const digits = zone.slice(1).replace(":", "");
  const hours = Number(digits.slice(0, 2));
  const minutes = Number(digits.slice(2, 4) || "0");
  return sign * (hours * 60 + minutes) * 60_000;
}

function daysInMonth(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
}

export function mod(a: number, b: number): number {
  return ((a % b) + b) % b;
}
