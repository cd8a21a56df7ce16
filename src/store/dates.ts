// Date parsing and date math as Elasticsearch's date fields accept them: strict_date_optional_time,
// epoch_millis, and `now-1d/d`-style expressions; every date is held as epoch milliseconds (UTC).

const isoPattern =
  /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:[T ](\d{2})(?::(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?)?)?$/;

/** Epoch millis of an ISO-8601 date (strict_date_optional_time); null when it is not one. */
export function parseIsoDate(text: string, roundUp = false): number | null {
  const m = isoPattern.exec(text);
  if (!m) return null;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const month = Number(mo ?? 1);
  const day = Number(d ?? 1);
  if (month < 1 || month > 12 || day < 1 || day > 31) return null;
  // ES fills components missing from an upper bound (lte, gt) with their last value: 23:59:59.999.
  const ms = frac ? Number(frac.padEnd(3, "0").slice(0, 3)) : roundUp ? 999 : 0;
  const fill = (part: string | undefined, last: number) =>
    part === undefined ? (roundUp ? last : 0) : Number(part);
  let t = Date.UTC(Number(y), month - 1, day, fill(h, 23), fill(mi, 59), fill(s, 59), ms);
  if (zone && zone !== "Z") {
    const sign = zone[0] === "-" ? -1 : 1;
    const digits = zone.slice(1).replace(":", "");
    t -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || 0)) * 60_000;
  }
  return Number.isFinite(t) ? t : null;
}

/** True when dynamic mapping would detect `text` as a date (ES's default dynamic_date_formats). */
export function looksLikeDate(text: string): boolean {
  if (text.length < 10 || !/^\d{4}[-/]\d{2}[-/]\d{2}/.test(text)) return false;
  return parseIsoDate(text.replace(/\//g, "-")) !== null;
}

/** A date value from a document or a query: ISO string, epoch-millis number or digit string. */
export function parseDateValue(value: unknown, roundUp = false): number | null {
  if (typeof value === "number") return Number.isFinite(value) ? Math.trunc(value) : null;
  if (typeof value !== "string") return null;
  if (/^-?\d+$/.test(value) && value.length !== 4 && value.length !== 8) return Number(value);
  return parseIsoDate(value, roundUp);
}

const unitMs: Record<string, number> = {
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  H: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/**
 * Resolves date math (`now-1d/d`, `2024-01-01||+1M/M`); `roundUp` gives the last millisecond of a
 * rounded unit, as ES does for `lte`/`gt` bounds. Null when the expression is not valid.
 */
export function resolveDateMath(expr: string, nowMs: number, roundUp = false): number | null {
  let base: number | null;
  let rest: string;
  if (expr.startsWith("now")) {
    base = nowMs;
    rest = expr.slice(3);
  } else {
    const sep = expr.indexOf("||");
    base = parseDateValue(sep < 0 ? expr : expr.slice(0, sep), roundUp && sep < 0);
    rest = sep < 0 ? "" : expr.slice(sep + 2);
  }
  if (base === null) return null;
  let t = base;
  const ops = /([+-])(\d+)([yMwdhHms])|\/([yMwdhHms])/gy;
  let consumed = 0;
  for (let m = ops.exec(rest); m; m = ops.exec(rest)) {
    consumed = ops.lastIndex;
    if (m[4]) t = roundDate(t, m[4], roundUp);
    else t = addUnits(t, (m[1] === "-" ? -1 : 1) * Number(m[2]), m[3] as string);
  }
  return consumed === rest.length ? t : null;
}

function addUnits(t: number, n: number, unit: string): number {
  const d = new Date(t);
  if (unit === "y") return d.setUTCFullYear(d.getUTCFullYear() + n);
  if (unit === "M") return d.setUTCMonth(d.getUTCMonth() + n);
  return t + n * (unitMs[unit] as number);
}

/** Start (or last millisecond, when roundUp) of the calendar unit holding `t`. */
export function roundDate(t: number, unit: string, roundUp = false): number {
  const start = truncateDate(t, unit);
  return roundUp ? addUnits(start, 1, unit) - 1 : start;
}

export function truncateDate(t: number, unit: string): number {
  const d = new Date(t);
  switch (unit) {
    case "y":
      return Date.UTC(d.getUTCFullYear(), 0, 1);
    case "q":
      return Date.UTC(d.getUTCFullYear(), Math.floor(d.getUTCMonth() / 3) * 3, 1);
    case "M":
      return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
    case "w": {
      const day = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
      return day - ((d.getUTCDay() + 6) % 7) * 86_400_000; // ISO weeks start on Monday
    }
    default: {
      const ms = unitMs[unit];
      if (ms === undefined) throw new Error(`unknown date unit [${unit}]`);
      return Math.floor(t / ms) * ms;
    }
  }
}

/** Adds one calendar unit (y, q, M, w, d, h, m, s) to a bucket start. */
export function nextCalendarBucket(t: number, unit: string): number {
  if (unit === "q") return addUnits(t, 3, "M");
  return addUnits(t, 1, unit);
}

/** ES's default output format for dates: strict_date_optional_time with milliseconds, UTC. */
export function formatDate(ms: number): string {
  return new Date(ms).toISOString();
}
