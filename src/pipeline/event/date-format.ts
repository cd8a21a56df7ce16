// Date patterns used by sprintf, compiled once into printers, always in UTC: Joda-Time's (`%{+YYYY.MM.dd}`)
// and java.time's (`%{{yyyy-MM-dd}}`). Both calendars are ISO, and weeks are ISO weeks (Monday, 4-day minimum).

import { mod, type Timestamp } from "./timestamp.js";

export type DateDialect = "joda" | "java";

export type DatePrinter = (timestamp: Timestamp) => string;

interface Parts {
  year: number;
  month: number; // 1..12
  day: number;
  dayOfYear: number;
  dayOfWeek: number; // ISO: Monday 1 .. Sunday 7
  weekYear: number;
  week: number;
  hour: number;
  minute: number;
  second: number;
  nanos: number; // of the second
  millisOfDay: number;
}

type Piece = string | ((parts: Parts) => string);

const MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];
const DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
const DAY_MS = 86_400_000;

/** Compiles a pattern; returns an error message for letters the dialect does not define (it would throw too). */
export function compileDatePattern(pattern: string, dialect: DateDialect): DatePrinter | { error: string } {
  const pieces: Piece[] = [];
  let finest = DAY_MS; // the coarsest time unit that changes the output, to reuse the last result
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i]!;
    if (c === "'") {
      const end = quotedEnd(pattern, i);
      const inner = pattern.slice(i + 1, end);
      pieces.push(inner.length === 0 ? "'" : inner.replaceAll("''", "'"));
      i = end + 1;
      continue;
    }
    if (dialect === "java" && (c === "[" || c === "]")) {
      i++; // optional sections: every field is known when printing, so they always print
      continue;
    }
    if (!/[A-Za-z]/.test(c)) {
      if (dialect === "java" && (c === "#" || c === "{" || c === "}"))
        return { error: `reserved character ${c}` };
      pieces.push(c);
      i++;
      continue;
    }
    let count = 1;
    while (pattern[i + count] === c) count++;
    const field = dialect === "joda" ? jodaField(c, count) : javaField(c, count);
    if (field === undefined) return { error: `unknown pattern letter ${c.repeat(count)}` };
    pieces.push(field.print);
    finest = Math.min(finest, field.unitMs);
    i += count;
  }
  return cachedPrinter(pieces, finest);
}

function cachedPrinter(pieces: Piece[], unitMs: number): DatePrinter {
  let lastKey = Number.NaN;
  let lastText = "";
  return (timestamp) => {
    const key = unitMs > 0 ? Math.floor(timestamp.epochMs / unitMs) : Number.NaN;
    if (key === lastKey) return lastText;
    const parts = partsOf(timestamp);
    let text = "";
    for (const piece of pieces) text += typeof piece === "string" ? piece : piece(parts);
    lastKey = key;
    lastText = text;
    return text;
  };
}

function quotedEnd(pattern: string, start: number): number {
  let i = start + 1;
  while (i < pattern.length) {
    if (pattern[i] === "'") {
      if (pattern[i + 1] === "'" && i > start + 1) {
        i += 2;
        continue;
      }
      return i;
    }
    i++;
  }
  return pattern.length;
}

interface Field {
  print: (parts: Parts) => string;
  unitMs: number; // 0: changes faster than any millisecond cache would notice
}

const pad = (value: number, width: number): string =>
  value < 0 ? `-${String(-value).padStart(width, "0")}` : String(value).padStart(width, "0");
const twoDigits = (value: number): string => String(mod(value, 100)).padStart(2, "0");
const yearText = (value: number, count: number): string =>
  count === 2 ? twoDigits(value) : pad(value, count);

function number(get: (p: Parts) => number, count: number, unitMs: number): Field {
  return { print: (p) => pad(get(p), count), unitMs };
}
function text(print: (p: Parts) => string, unitMs: number): Field {
  return { print, unitMs };
}
function monthField(count: number): Field {
  if (count >= 4) return text((p) => MONTHS[p.month - 1]!, DAY_MS);
  if (count === 3) return text((p) => MONTHS[p.month - 1]!.slice(0, 3), DAY_MS);
  return number((p) => p.month, count, DAY_MS);
}
function dayNameField(count: number, narrow: boolean): Field {
  if (narrow) return text((p) => DAYS[p.dayOfWeek - 1]!.slice(0, 1), DAY_MS);
  if (count >= 4) return text((p) => DAYS[p.dayOfWeek - 1]!, DAY_MS);
  return text((p) => DAYS[p.dayOfWeek - 1]!.slice(0, 3), DAY_MS);
}
const halfDay = text((p) => (p.hour < 12 ? "AM" : "PM"), 3_600_000);
const clockHour12 = (p: Parts): number => (p.hour % 12 === 0 ? 12 : p.hour % 12);
const clockHour24 = (p: Parts): number => (p.hour === 0 ? 24 : p.hour);

/** Joda-Time letters; note Joda's `Y` is year-of-era (not week-year, that is `x`), and `S` stops at millis. */
function jodaField(letter: string, count: number): Field | undefined {
  switch (letter) {
    case "G":
      return text((p) => (p.year > 0 ? "AD" : "BC"), DAY_MS);
    case "C":
      return number((p) => Math.floor(Math.abs(p.year) / 100), count, DAY_MS);
    case "Y":
      return text((p) => yearText(p.year > 0 ? p.year : 1 - p.year, count), DAY_MS);
    case "y":
      return text((p) => yearText(p.year, count), DAY_MS);
    case "x":
      return text((p) => yearText(p.weekYear, count), DAY_MS);
    case "w":
      return number((p) => p.week, count, DAY_MS);
    case "e":
      return number((p) => p.dayOfWeek, count, DAY_MS);
    case "E":
      return dayNameField(count, false);
    case "D":
      return number((p) => p.dayOfYear, count, DAY_MS);
    case "M":
      return monthField(count);
    case "d":
      return number((p) => p.day, count, DAY_MS);
    case "a":
      return halfDay;
    case "K":
      return number((p) => p.hour % 12, count, 3_600_000);
    case "h":
      return number(clockHour12, count, 3_600_000);
    case "H":
      return number((p) => p.hour, count, 3_600_000);
    case "k":
      return number(clockHour24, count, 3_600_000);
    case "m":
      return number((p) => p.minute, count, 60_000);
    case "s":
      return number((p) => p.second, count, 1000);
    case "S":
      return text((p) => fraction(Math.floor(p.nanos / 1_000_000) * 1_000_000, count), 1);
    case "z":
      return text(() => (count >= 4 ? "Coordinated Universal Time" : "UTC"), DAY_MS);
    case "Z":
      return text(() => (count === 1 ? "+0000" : count === 2 ? "+00:00" : "UTC"), DAY_MS);
    default:
      return undefined;
  }
}

/** java.time letters; here `Y` is the week-based year and `u` the proleptic year. */
function javaField(letter: string, count: number): Field | undefined {
  switch (letter) {
    case "G":
      return text(
        (p) => (count === 4 ? (p.year > 0 ? "Anno Domini" : "Before Christ") : p.year > 0 ? "AD" : "BC"),
        DAY_MS,
      );
    case "u":
      return text((p) => javaYear(p.year, count), DAY_MS);
    case "y":
      return text((p) => javaYear(p.year > 0 ? p.year : 1 - p.year, count), DAY_MS);
    case "Y":
      return text((p) => javaYear(p.weekYear, count), DAY_MS);
    case "Q":
    case "q": {
      const quarter = (p: Parts): number => Math.ceil(p.month / 3);
      if (count === 3) return text((p) => `Q${quarter(p)}`, DAY_MS);
      if (count >= 4) return text((p) => `${["1st", "2nd", "3rd", "4th"][quarter(p) - 1]} quarter`, DAY_MS);
      return number(quarter, count, DAY_MS);
    }
    case "M":
    case "L":
      return count === 5 ? text((p) => MONTHS[p.month - 1]!.slice(0, 1), DAY_MS) : monthField(count);
    case "w":
      return number((p) => p.week, count, DAY_MS);
    case "d":
      return number((p) => p.day, count, DAY_MS);
    case "D":
      return number((p) => p.dayOfYear, count, DAY_MS);
    case "E":
      return dayNameField(count, count === 5);
    case "e":
    case "c":
      return count <= 2 ? number((p) => p.dayOfWeek, count, DAY_MS) : dayNameField(count, count === 5);
    case "a":
      return halfDay;
    case "H":
      return number((p) => p.hour, count, 3_600_000);
    case "k":
      return number(clockHour24, count, 3_600_000);
    case "K":
      return number((p) => p.hour % 12, count, 3_600_000);
    case "h":
      return number(clockHour12, count, 3_600_000);
    case "m":
      return number((p) => p.minute, count, 60_000);
    case "s":
      return number((p) => p.second, count, 1000);
    case "S":
      return text((p) => fraction(p.nanos, count), 0);
    case "n":
      return number((p) => p.nanos, count, 0);
    case "A":
      return number((p) => p.millisOfDay, count, 1);
    case "N":
      return text((p) => pad(p.millisOfDay * 1_000_000 + (p.nanos % 1_000_000), count), 0);
    case "V":
    case "z":
    case "X":
      return text(() => "Z", DAY_MS);
    case "x":
      return text(() => ["+00", "+0000", "+00:00", "+0000", "+00:00"][Math.min(count, 5) - 1]!, DAY_MS);
    case "Z":
      return text(() => (count <= 3 ? "+0000" : count === 4 ? "GMT" : "Z"), DAY_MS);
    case "O":
      return text(() => "GMT", DAY_MS);
    default:
      return undefined;
  }
}

function javaYear(value: number, count: number): string {
  if (count === 2) return twoDigits(value);
  // java.time prints a `+` on years wider than the pattern when it has four or more letters.
  const digits = pad(value, count);
  return count >= 4 && value > 9999 ? `+${digits}` : digits;
}

function fraction(nanos: number, count: number): string {
  return String(nanos).padStart(9, "0").padEnd(count, "0").slice(0, count);
}

function partsOf(timestamp: Timestamp): Parts {
  const date = new Date(timestamp.epochMs);
  const year = date.getUTCFullYear();
  const month = date.getUTCMonth() + 1;
  const day = date.getUTCDate();
  const dayOfWeek = date.getUTCDay() === 0 ? 7 : date.getUTCDay();
  const dayOfYear = Math.floor((Date.UTC(year, month - 1, day) - utcYearStart(year)) / DAY_MS) + 1;
  const { weekYear, week } = isoWeek(year, dayOfYear, dayOfWeek);
  const millisOfDay = mod(timestamp.epochMs, DAY_MS);
  return {
    year,
    month,
    day,
    dayOfYear,
    dayOfWeek,
    weekYear,
    week,
    hour: date.getUTCHours(),
    minute: date.getUTCMinutes(),
    second: date.getUTCSeconds(),
    nanos: timestamp.nanosOfSecond,
    millisOfDay,
  };
}

function utcYearStart(year: number): number {
  const date = new Date(Date.UTC(2000, 0, 1));
  date.setUTCFullYear(year);
  return date.getTime();
}

function isoWeek(year: number, dayOfYear: number, dayOfWeek: number): { weekYear: number; week: number } {
  // The week containing the year's first Thursday is week 1.
  const week = Math.floor((dayOfYear - dayOfWeek + 10) / 7);
  if (week < 1) return { weekYear: year - 1, week: weeksInYear(year - 1) };
  if (week > weeksInYear(year)) return { weekYear: year + 1, week: 1 };
  return { weekYear: year, week };
}

function weeksInYear(year: number): number {
  const jan1 = new Date(utcYearStart(year)).getUTCDay();
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return jan1 === 4 || (leap && jan1 === 3) ? 53 : 52;
}
