// Specialised parsers for the date shapes logs use most (numeric fields, month names, fractions, offsets; ISO 8601's
// usual form): a char scan into reused slots and calendar arithmetic, giving exactly the general parsers' instants.

import { isNumericToken, type Token, tokenize } from "./joda.js";
import { localeNames } from "./names.js";
import { guessYear, isLeap, type ParseContext } from "./resolve.js";
import { localToInstant } from "./zones.js";

const YEAR = 0;
const MONTH = 1;
const DAY = 2;
const HOUR = 3;
const MINUTE = 4;
const SECOND = 5;
const MILLIS = 6;
const OFFSET = 7;
const SLOT_COUNT = 8;

const DAY_MS = 86_400_000;
/** ECMAScript's time range; the general parser's Date arithmetic gives NaN beyond it. */
const DATE_RANGE_MS = 8.64e15;
const CHAR_0 = 48;
const CHAR_9 = 57;

/** Reads text at `pos` into `slots`; returns the new position or -1. */
type Scan = (text: string, pos: number, slots: Float64Array) => number;

export type FastParser = (text: string, context: ParseContext) => number | undefined;

/** Which fields a pattern sets, fixed when it is compiled: each scan always sets its slot. */
interface Shape {
  year: boolean;
  month: boolean;
  day: boolean;
  hour: boolean;
  minute: boolean;
  second: boolean;
  millis: boolean;
  offset: boolean;
  /** Joda's textual test the date filter relies on: a `y` or `Y` anywhere in the pattern. */
  yearInText: boolean;
}

/**
 * A fast parser for a Joda pattern, or undefined when it uses letters the fast path does not cover (those keep
 * the general parser). `defaultYear` is Joda's year for a pattern with a month or day but no year.
 */
export function compileFastJoda(
  pattern: string,
  locale: string | undefined,
  defaultYear: number,
): FastParser | undefined {
  const tokens = tokenize(pattern);
  const shape: Shape = {
    year: false,
    month: false,
    day: false,
    hour: false,
    minute: false,
    second: false,
    millis: false,
    offset: false,
    yearInText: /[yY]/.test(pattern),
  };
  const scans: Scan[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const scan = scanFor(tokens[i]!, tokens[i + 1], shape, locale);
    if (scan === undefined) return undefined;
    scans.push(scan);
  }
  const slots = new Float64Array(SLOT_COUNT);
  return (text, context) => {
    let pos = 0;
    for (let i = 0; i < scans.length; i++) {
      pos = scans[i]!(text, pos, slots);
      if (pos < 0) return undefined;
    }
    if (pos !== text.length) return undefined;
    return instantOf(slots, shape, defaultYear, context);
  };
}

function scanFor(
  token: Token,
  next: Token | undefined,
  shape: Shape,
  locale: string | undefined,
): Scan | undefined {
  if (token.kind === "literal") return literal(token.text);
  const { letter, count } = token;
  const width = Math.max(count, 2);
  switch (letter) {
    case "y":
      if (count === 2) return undefined; // the two-digit pivot stays with the general parser
      shape.year = true;
      return number(YEAR, isNumericToken(next) ? count : Math.max(count, 9), true);
    case "M":
      shape.month = true;
      return count >= 3 ? monthName(locale) : number(MONTH, width, false);
    case "d":
      shape.day = true;
      return number(DAY, width, false);
    case "H":
      shape.hour = true;
      return number(HOUR, width, false);
    case "m":
      shape.minute = true;
      return number(MINUTE, width, false);
    case "s":
      shape.second = true;
      return number(SECOND, width, false);
    case "S":
      shape.millis = true;
      return fraction;
    case "Z":
      if (count > 2) return undefined;
      shape.offset = true;
      return offset;
    default:
      return undefined;
  }
}

function isDigitAt(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  return c >= CHAR_0 && c <= CHAR_9;
}

/** Case-insensitive literal text, as Joda matches it. */
function literal(expected: string): Scan {
  const lower = expected.toLowerCase();
  const length = expected.length;
  return (text, pos) => {
    if (text.startsWith(expected, pos)) return pos + length;
    return text.slice(pos, pos + length).toLowerCase() === lower ? pos + length : -1;
  };
}

/** Up to `maxDigits` digits (after a sign when `signed`), Joda's lenient numeric field. */
function number(slot: number, maxDigits: number, signed: boolean): Scan {
  return (text, pos, slots) => {
    let i = pos;
    let negative = false;
    let limit = Math.min(maxDigits, text.length - pos);
    if (signed && isDigitAt(text, i + 1)) {
      const sign = text.charCodeAt(i);
      if (sign === 45 || sign === 43) {
        negative = sign === 45;
        i++;
        limit = Math.min(limit + 1, text.length - pos);
      }
    }
    const digitsStart = i;
    let value = 0;
    while (i - pos < limit && isDigitAt(text, i)) {
      value = value * 10 + text.charCodeAt(i) - CHAR_0;
      i++;
    }
    if (i === digitsStart) return -1;
    slots[slot] = negative ? -value : value;
    return i;
  };
}

/** Up to nine digits of the second's fraction, kept to milliseconds. */
const fraction: Scan = (text, pos, slots) => {
  let i = pos;
  let millis = 0;
  while (i - pos < 9 && isDigitAt(text, i)) {
    if (i - pos < 3) millis = millis * 10 + text.charCodeAt(i) - CHAR_0;
    i++;
  }
  if (i === pos) return -1;
  for (let digits = i - pos; digits < 3; digits++) millis *= 10;
  slots[MILLIS] = millis;
  return i;
};

/** Two digits at `i` as a number, or -1. */
function twoDigits(text: string, i: number): number {
  if (!isDigitAt(text, i) || !isDigitAt(text, i + 1)) return -1;
  return (text.charCodeAt(i) - CHAR_0) * 10 + text.charCodeAt(i + 1) - CHAR_0;
}

/** `Z`/`ZZ`: `Z`, or a sign and hh, then optionally mm, ss and .SSS with one separator (`:` or none). */
const offset: Scan = (text, pos, slots) => {
  const first = text.charCodeAt(pos);
  if (first === 90 || first === 122) {
    slots[OFFSET] = 0;
    return pos + 1;
  }
  if (first !== 43 && first !== 45) return -1;
  const hours = twoDigits(text, pos + 1);
  if (hours < 0) return -1;
  let end = pos + 3;
  let minutes = 0;
  let seconds = 0;
  let millis = 0;
  const separator = text.charCodeAt(end) === 58 ? 1 : 0;
  const m = twoDigits(text, end + separator);
  if (m >= 0) {
    minutes = m;
    end += separator + 2;
    const s = separator === 1 && text.charCodeAt(end) !== 58 ? -1 : twoDigits(text, end + separator);
    if (s >= 0) {
      seconds = s;
      end += separator + 2;
      if (text.charCodeAt(end) === 46 && isDigitAt(text, end + 1) && twoDigits(text, end + 2) >= 0) {
        millis = (text.charCodeAt(end + 1) - CHAR_0) * 100 + twoDigits(text, end + 2);
        end += 4;
      }
    }
  }
  if (hours > 23 || minutes > 59 || seconds > 59) return -1;
  const value = ((hours * 60 + minutes) * 60 + seconds) * 1000 + millis;
  slots[OFFSET] = first === 45 ? -value : value;
  return end;
};

/** Month names of the locale, longest match first (as the general parser's longest-slice lookup). */
function monthName(locale: string | undefined): Scan {
  const byFirstChar = new Map<number, [string, number][]>();
  for (const [name, month] of localeNames(locale).months) {
    const list = byFirstChar.get(name.charCodeAt(0)) ?? [];
    list.push([name, month]);
    byFirstChar.set(name.charCodeAt(0), list);
  }
  for (const list of byFirstChar.values()) list.sort((a, b) => b[0].length - a[0].length);
  return (text, pos, slots) => {
    const candidates = byFirstChar.get(text.charCodeAt(pos));
    if (candidates === undefined) return -1;
    for (const [name, month] of candidates) {
      if (text.startsWith(name, pos)) {
        slots[MONTH] = month;
        return pos + name.length;
      }
    }
    return -1;
  };
}

/**
 * ISO 8601 in its usual shape: `yyyy-MM-ddTHH:mm:ss`, an optional `.` or `,` fraction of 1 to 9 digits, and an
 * optional `Z`, `±HH`, `±HHMM` or `±HH:MM`. Any other text is declined, for the general parser.
 */
export function compileFastIso(): FastParser {
  const slots = new Float64Array(SLOT_COUNT);
  const shape: Shape = {
    year: true,
    month: true,
    day: true,
    hour: true,
    minute: true,
    second: true,
    millis: true,
    offset: true,
    yearInText: true,
  };
  const zoneless: Shape = { ...shape, offset: false };
  return (text, context) => {
    const end = scanIso(text, slots);
    if (end < 0) return undefined;
    return instantOf(slots, end === 0 ? zoneless : shape, 0, context);
  };
}

/** Fills the slots from ISO text; returns 0 when no offset was written, 1 when one was, -1 to decline. */
function scanIso(text: string, slots: Float64Array): number {
  if (text.length < 19) return -1;
  const high = twoDigits(text, 0);
  const low = twoDigits(text, 2);
  if (high < 0 || low < 0) return -1;
  if (text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45 || text.charCodeAt(10) !== 84) return -1;
  if (text.charCodeAt(13) !== 58 || text.charCodeAt(16) !== 58) return -1;
  slots[YEAR] = high * 100 + low;
  slots[MONTH] = twoDigits(text, 5);
  slots[DAY] = twoDigits(text, 8);
  slots[HOUR] = twoDigits(text, 11);
  slots[MINUTE] = twoDigits(text, 14);
  slots[SECOND] = twoDigits(text, 17);
  for (let slot = MONTH; slot <= SECOND; slot++) if (slots[slot]! < 0) return -1;
  let pos = 19;
  slots[MILLIS] = 0;
  const point = text.charCodeAt(pos);
  if (point === 46 || point === 44) {
    pos = fraction(text, pos + 1, slots);
    if (pos < 0 || isDigitAt(text, pos)) return -1;
  }
  if (pos === text.length) return 0;
  return isoOffset(text, pos, slots) ? 1 : -1;
}

/** `Z`, `±HH`, `±HHMM` or `±HH:MM` ending the text. */
function isoOffset(text: string, pos: number, slots: Float64Array): boolean {
  const sign = text.charCodeAt(pos);
  if (sign === 90) {
    slots[OFFSET] = 0;
    return pos + 1 === text.length;
  }
  if (sign !== 43 && sign !== 45) return false;
  const hours = twoDigits(text, pos + 1);
  let minutes = 0;
  const rest = text.length - pos - 3;
  if (rest === 2) minutes = twoDigits(text, pos + 3);
  else if (rest === 3 && text.charCodeAt(pos + 3) === 58) minutes = twoDigits(text, pos + 4);
  else if (rest !== 0) return false;
  if (hours < 0 || hours > 23 || minutes < 0 || minutes > 59) return false;
  const value = (hours * 60 + minutes) * 60_000;
  slots[OFFSET] = sign === 45 ? -value : value;
  return true;
}

/** The instant of the parsed slots with Joda's range checks; undefined for impossible dates and DST gaps. */
function instantOf(
  slots: Float64Array,
  shape: Shape,
  defaultYear: number,
  context: ParseContext,
): number | undefined {
  let year = shape.year ? slots[YEAR]! : shape.month || shape.day ? defaultYear : 1970;
  const month = shape.month ? slots[MONTH]! : 1;
  if (month < 1 || month > 12) return undefined;
  let day = shape.day ? slots[DAY]! : 1;
  if (day < 1 || day > daysInMonth(year, month)) return undefined;
  const hour = shape.hour ? slots[HOUR]! : 0;
  const minute = shape.minute ? slots[MINUTE]! : 0;
  const second = shape.second ? slots[SECOND]! : 0;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  if (!shape.yearInText) {
    year = guessYear(month, context.now);
    if (month === 2 && day === 29 && !isLeap(year)) day = 28;
  }
  const millis = shape.millis ? slots[MILLIS]! : 0;
  const local =
    daysFromCivil(year, month, day) * DAY_MS + ((hour * 60 + minute) * 60 + second) * 1000 + millis;
  if (!(Math.abs(local) <= DATE_RANGE_MS)) return undefined;
  return shape.offset ? local - slots[OFFSET]! : localToInstant(local, context.zone);
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeap(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Days from 1970-01-01 to a proleptic Gregorian date (any year, negative included). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146097 + dayOfEra - 719468;
}
