// Time zones for the date filter: Joda-style zone ids (IANA names, UTC, fixed offsets) resolved once into
// offset lookups backed by Intl, and local date-times turned into instants with Joda's gap and overlap rules.

import { limits } from "../../../../common/limits.js";

const HOUR_MS = 3_600_000;
/** Farther than any zone's offset: the offsets on either side of a local time lie within this window. */
const OFFSET_WINDOW_MS = 14 * HOUR_MS;
/** ECMAScript's time range. */
const DATE_RANGE_MS = 8.64e15;

export interface Zone {
  readonly id: string;
  /** Offset from UTC in milliseconds at an instant. */
  offsetAt(epochMs: number): number;
}

const FIXED_OFFSET = /^([+-])(\d{2})(?::?(\d{2}))?(?::?(\d{2}))?$/;

export const UTC: Zone = { id: "UTC", offsetAt: () => 0 };

const zones = new Map<string, Zone>();

/** The zone for a Joda zone id, or undefined when Joda would not know it. */
export function zoneFor(id: string): Zone | undefined {
  const cached = zones.get(id);
  if (cached !== undefined) return cached;
  const zone = buildZone(id);
  if (zone !== undefined && zones.size < limits.dateFilterZonesMax) zones.set(id, zone);
  return zone;
}

/** The process's zone (Logstash uses the JVM's default zone when `timezone` is not set). */
export function systemZone(): Zone {
  const id = Intl.DateTimeFormat().resolvedOptions().timeZone;
  return zoneFor(id) ?? UTC;
}

function buildZone(id: string): Zone | undefined {
  if (id === "UTC" || id === "Z" || id === "GMT" || id === "Etc/UTC") return UTC;
  const fixed = FIXED_OFFSET.exec(id);
  if (fixed !== null) {
    const [hours, minutes, seconds] = [Number(fixed[2]), Number(fixed[3] ?? 0), Number(fixed[4] ?? 0)];
    if (hours > 23 || minutes > 59 || seconds > 59) return undefined;
    const offset = (fixed[1] === "-" ? -1 : 1) * ((hours * 60 + minutes) * 60 + seconds) * 1000;
    return { id, offsetAt: () => offset };
  }
  if (!/^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(id)) return undefined;
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat("en-US", { timeZone: id, timeZoneName: "longOffset" });
  } catch {
    return undefined;
  }
  return intlZone(id, format);
}

/** An IANA zone: Intl gives the offset; hours whose offset is constant are cached. */
function intlZone(id: string, format: Intl.DateTimeFormat): Zone {
  const byHour = new Map<number, number>();
  const exact = (epochMs: number) => parseLongOffset(format, epochMs);
  return {
    id,
    offsetAt(epochMs) {
      const hour = Math.floor(epochMs / HOUR_MS);
      const cached = byHour.get(hour);
      if (cached !== undefined) return cached;
      const start = exact(hour * HOUR_MS);
      if (start !== exact(hour * HOUR_MS + HOUR_MS - 1)) return exact(epochMs);
      if (byHour.size >= limits.dateFilterZoneOffsetCacheEntriesMax) byHour.clear();
      byHour.set(hour, start);
      return start;
    },
  };
}

function parseLongOffset(format: Intl.DateTimeFormat, epochMs: number): number {
  const name = format.formatToParts(epochMs).find((part) => part.type === "timeZoneName")?.value ?? "GMT";
  const m = /^GMT(?:([+-])(\d{1,2})(?::(\d{2}))?(?::(\d{2}))?)?$/.exec(name);
  if (m === null || m[1] === undefined) return 0;
  const seconds = Number(m[2]) * 3600 + Number(m[3] ?? 0) * 60 + Number(m[4] ?? 0);
  return (m[1] === "-" ? -1 : 1) * seconds * 1000;
}

/**
 * The instant of a local date-time (given as epoch millis read as if UTC) in `zone`. Undefined when the local
 * time falls in a gap (Joda refuses those); in an overlap the earlier instant wins, as in Joda.
 */
export function localToInstant(localMs: number, zone: Zone): number | undefined {
  // Beyond Date's range (a year like 300000) Intl cannot give an offset: no instant, rather than a RangeError.
  if (!(Math.abs(localMs) <= DATE_RANGE_MS - OFFSET_WINDOW_MS)) return undefined;
  const before = zone.offsetAt(localMs - OFFSET_WINDOW_MS);
  const after = zone.offsetAt(localMs + OFFSET_WINDOW_MS);
  let best: number | undefined;
  for (const offset of before === after ? [before] : [before, after]) {
    const instant = localMs - offset;
    if (zone.offsetAt(instant) !== offset) continue;
    if (best === undefined || instant < best) best = instant;
  }
  if (best !== undefined || before !== after) return best;
  // A transition closer than the window on both sides (never in practice): fall back to the direct guess.
  const direct = localMs - zone.offsetAt(localMs - zone.offsetAt(localMs));
  return zone.offsetAt(direct) === localMs - direct ? direct : undefined;
}
