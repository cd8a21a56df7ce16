// CEF time values as the cef codec reads them in ECS mode: epoch milliseconds, or "MMM dd[ yyyy] HH:mm:ss[.fff]
// [ zone]" in the device's zone, with the year guessed (recent past, or next year across New Year) when absent.

import { Timestamp } from "../../../event/index.js";
import { localeNames } from "../../filters/date/names.js";
import { localToInstant, systemZone, type Zone, zoneFor } from "../../filters/date/zones.js";

const DAY_MS = 86_400_000;
const EPOCH_MILLIS = /^[1-9][0-9]*(?:\.[0-9]+)?$/;
// Month name, day, optional year, time, optional fraction of 9, 6 or 3 digits, optional zone.
const CEF_TIME = /^(\S+) (\d{2})(?: (\d{4}))? (\d{2}):(\d{2}):(\d{2})(?:\.(\d{9}|\d{6}|\d{3}))?(?: (\S+))?$/;

export class CefTimestampError extends Error {}

export class CefTimestampNormalizer {
  private readonly months: ReadonlyMap<string, number>;
  private readonly defaultZone: Zone;

  constructor(
    locale: string | undefined,
    timezone: string | undefined,
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.months = localeNames(locale?.replaceAll("_", "-")).months;
    const zone = timezone === undefined ? systemZone() : zoneFor(timezone);
    if (zone === undefined) throw new Error(`unknown time zone '${timezone}' in default_timezone`);
    this.defaultZone = zone;
  }

  /** The instant `text` names; `deviceZone` (the event's dtz) applies to text without a zone. */
  normalize(text: string, deviceZone: string | undefined): Timestamp {
    if (EPOCH_MILLIS.test(text)) return fromMillis(Number(text));
    const parts = CEF_TIME.exec(text);
    if (parts === null) throw new CefTimestampError(`Not a valid CEF timestamp: \`${text}\``);
    const [, monthName, day, year, hour, minute, second, fraction, zoneText] = parts;
    const month = this.months.get(monthName!);
    const zone = this.zoneOf(zoneText ?? deviceZone);
    if (month === undefined || zone === undefined)
      throw new CefTimestampError(`Not a valid CEF timestamp: \`${text}\``);
    const nanos = fraction === undefined ? 0 : Number(fraction.padEnd(9, "0"));
    const time = [Number(hour), Number(minute), Number(second)] as const;
    const at = (y: number) => instant(y, month, Number(day), time, nanos, zone);
    const epochMs = year !== undefined ? at(Number(year)) : this.guessYear(at, zone);
    if (epochMs === undefined) throw new CefTimestampError(`Not a valid CEF timestamp: \`${text}\``);
    return new Timestamp(epochMs, nanos % 1_000_000);
  }

  private zoneOf(name: string | undefined): Zone | undefined {
    return name === undefined ? this.defaultZone : zoneFor(name);
  }

  /** This year, unless that is more than two days ahead (last year) or it is December and January is near. */
  private guessYear(at: (year: number) => number | undefined, zone: Zone): number | undefined {
    const now = this.clock().getTime();
    const local = new Date(now + zone.offsetAt(now));
    const year = local.getUTCFullYear();
    const thisYear = at(year);
    if (thisYear === undefined) return undefined;
    if (thisYear > now + 2 * DAY_MS) return at(year - 1);
    const nextYear = at(year + 1);
    if (local.getUTCMonth() === 11 && nextYear !== undefined && nextYear <= now + 2 * DAY_MS) return nextYear;
    return thisYear;
  }
}

function instant(
  year: number,
  month: number,
  day: number,
  [hour, minute, second]: readonly [number, number, number],
  nanos: number,
  zone: Zone,
): number | undefined {
  if (day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return undefined;
  const local = Date.UTC(year, month - 1, day, hour, minute, second, Math.floor(nanos / 1_000_000));
  if (new Date(local).getUTCDate() !== day) return undefined;
  return localToInstant(local, zone);
}

function fromMillis(millis: number): Timestamp {
  const whole = Math.floor(millis);
  return new Timestamp(whole, Math.round((millis - whole) * 1_000_000) % 1_000_000);
}
