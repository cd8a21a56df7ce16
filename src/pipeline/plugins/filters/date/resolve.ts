// Turns the fields a Joda pattern parsed into an instant, setting them in Joda's order (years, months, days,
// weekdays, halfdays, hours, minutes, ...) with its range checks, then applying the offset or zone.

import type { ParsedFields } from "./joda.js";
import { localToInstant, type Zone } from "./zones.js";

/** What a parser gets besides the value: the zone for zone-less text and the clock for year guessing. */
export interface ParseContext {
  zone: Zone;
  /** Now, or where to ask for it: only dates without a year need it, so a function keeps the rest clock-free. */
  now: Date | (() => Date);
}

/** Logstash's guess for a date without a year: this year, except December seen in January and the reverse. */
export function guessYear(month: number, now: Date | (() => Date)): number {
  const at = typeof now === "function" ? now() : now;
  const year = at.getFullYear();
  const nowMonth = at.getMonth() + 1;
  if (month === 12 && nowMonth === 1) return year - 1;
  if (month === 1 && nowMonth === 12) return year + 1;
  return year;
}

const DAY_MS = 86_400_000;

/** A local date-time being built. */
interface Local {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millis: number;
}

/** Why the fields cannot make a date (Joda's IllegalFieldValueException). */
export class FieldRangeError extends Error {}

function check(value: number, min: number, max: number, name: string): number {
  if (value < min || value > max) throw new FieldRangeError(`${name} ${value} must be in [${min},${max}]`);
  return value;
}

export function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function daysInMonth(year: number, month: number): number {
  return [31, isLeap(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
}

/** Epoch millis of a local date-time read as UTC (years 0..99 included). */
export function localMillis(l: Local): number {
  const date = new Date(Date.UTC(2000, l.month - 1, l.day, l.hour, l.minute, l.second, l.millis));
  date.setUTCFullYear(l.year);
  return date.getTime();
}

function fromMillis(ms: number): Local {
  const d = new Date(ms);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    millis: d.getUTCMilliseconds(),
  };
}

/** ISO day of week (Monday 1) of a local date. */
function isoDayOfWeek(l: Local): number {
  const day = new Date(localMillis({ ...l, hour: 0, minute: 0, second: 0, millis: 0 })).getUTCDay();
  return day === 0 ? 7 : day;
}

/** Whether Joda would give a pattern without a year its default year: when its largest field is a month or day. */
function usesDefaultYear(f: ParsedFields): boolean {
  const hasYearish =
    f.year !== undefined ||
    f.yearOfEra !== undefined ||
    f.weekyear !== undefined ||
    f.era !== undefined ||
    f.century !== undefined ||
    f.week !== undefined;
  const hasMonthOrDay =
    f.month !== undefined || f.dayOfYear !== undefined || f.day !== undefined || f.dayOfWeek !== undefined;
  return !hasYearish && hasMonthOrDay;
}

/** The local date-time the fields describe; throws FieldRangeError for impossible values. */
export function resolveLocal(f: ParsedFields, defaultYear: number): Local {
  const l: Local = {
    year: usesDefaultYear(f) ? defaultYear : 1970,
    month: 1,
    day: 1,
    hour: 0,
    minute: 0,
    second: 0,
    millis: 0,
  };
  setYears(l, f);
  if (f.weekyear !== undefined || f.week !== undefined) setWeekDate(l, f);
  if (f.month !== undefined) {
    l.month = check(f.month, 1, 12, "monthOfYear");
    l.day = Math.min(l.day, daysInMonth(l.year, l.month));
  }
  if (f.dayOfYear !== undefined) {
    check(f.dayOfYear, 1, isLeap(l.year) ? 366 : 365, "dayOfYear");
    Object.assign(l, fromMillis(localMillis({ ...l, month: 1, day: 1 }) + (f.dayOfYear - 1) * DAY_MS));
  }
  if (f.day !== undefined) l.day = check(f.day, 1, daysInMonth(l.year, l.month), "dayOfMonth");
  if (f.dayOfWeek !== undefined) {
    // Joda sets the weekday last among date fields: the date moves within its Monday-to-Sunday week.
    const shift = check(f.dayOfWeek, 1, 7, "dayOfWeek") - isoDayOfWeek(l);
    Object.assign(l, fromMillis(localMillis(l) + shift * DAY_MS));
  }
  setTime(l, f);
  return l;
}

function setYears(l: Local, f: ParsedFields): void {
  if (f.year !== undefined) l.year = f.year;
  if (f.century !== undefined) l.year = check(f.century, 0, 2922789, "centuryOfEra") * 100 + (l.year % 100);
  if (f.yearOfEra !== undefined) l.year = check(f.yearOfEra, 1, 292278993, "yearOfEra");
  if (f.era === 0 && l.year > 0) l.year = 1 - l.year;
}

/** ISO week date: weekyear, week and weekday (the current weekday when not given). */
function setWeekDate(l: Local, f: ParsedFields): void {
  const weekyear = f.weekyear ?? l.year;
  const jan4 = localMillis({
    ...l,
    year: weekyear,
    month: 1,
    day: 4,
    hour: 0,
    minute: 0,
    second: 0,
    millis: 0,
  });
  const jan4Weekday = isoDayOfWeek(fromMillis(jan4));
  const week1Monday = jan4 - (jan4Weekday - 1) * DAY_MS;
  const week = check(f.week ?? 1, 1, 53, "weekOfWeekyear");
  const weekday = f.dayOfWeek ?? isoDayOfWeek(l);
  const date = fromMillis(week1Monday + ((week - 1) * 7 + (weekday - 1)) * DAY_MS);
  l.year = date.year;
  l.month = date.month;
  l.day = date.day;
}

function setTime(l: Local, f: ParsedFields): void {
  if (f.halfday !== undefined) l.hour = (l.hour % 12) + 12 * check(f.halfday, 0, 1, "halfdayOfDay");
  if (f.hourOfDay !== undefined) l.hour = check(f.hourOfDay, 0, 23, "hourOfDay");
  if (f.clockhourOfDay !== undefined) l.hour = check(f.clockhourOfDay, 1, 24, "clockhourOfDay") % 24;
  const halfStart = l.hour >= 12 ? 12 : 0;
  if (f.hourOfHalfday !== undefined) l.hour = halfStart + check(f.hourOfHalfday, 0, 11, "hourOfHalfday");
  if (f.clockhourOfHalfday !== undefined)
    l.hour = halfStart + (check(f.clockhourOfHalfday, 1, 12, "clockhourOfHalfday") % 12);
  if (f.minute !== undefined) l.minute = check(f.minute, 0, 59, "minuteOfHour");
  if (f.second !== undefined) l.second = check(f.second, 0, 59, "secondOfMinute");
  if (f.millis !== undefined) l.millis = f.millis;
}

/** Replaces the year as Joda's withYear does (29 February becomes the 28th in a common year). */
export function withYear(l: Local, year: number): Local {
  const day = l.month === 2 && l.day === 29 && !isLeap(year) ? 28 : l.day;
  return { ...l, year, day };
}

/** The instant: a parsed offset wins, then a parsed zone, then `zone`. Undefined in a DST gap. */
export function toInstant(l: Local, f: ParsedFields, zone: Zone): number | undefined {
  const local = localMillis(l);
  if (f.offsetMs !== undefined) return local - f.offsetMs;
  return localToInstant(local, f.zone ?? zone);
}
