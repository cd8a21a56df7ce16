// Logstash's "friendly durations" for the file input: "250ms", "5 sec", "1 hour", "14 days", or a bare number
// in the option's own unit (seconds, or days for sincedb_clean_after).

const durationPattern =
  /^(\d+(?:\.\d+)?)\s?(s(?:(?:ec)?(?:ond)?)s?|m(?:(?:in)?(?:ute)?)s?|h(?:our)?s?|d(?:ay)?s?|w(?:eek)?s?|us(?:ec)?s?|ms(?:ec)?s?)?$/;

const secondsPerUnit: Record<string, number> = {
  s: 1,
  m: 60,
  h: 3600,
  d: 86_400,
  w: 7 * 86_400,
  ms: 1e-3,
  us: 1e-6,
};

/** Seconds in `value`; a bare number counts in `defaultUnit`. Throws with Logstash's wording when unparseable. */
export function parseDurationSeconds(value: string | number, defaultUnit: "s" | "d" = "s"): number {
  const text = String(value).trim();
  const match = durationPattern.exec(text);
  if (match === null)
    throw new Error(
      `Value '${text}' is not a valid duration string e.g. 200 usec, 250ms, 60 sec, 18h, 21.5d, 1 day, 2w, 6 weeks`,
    );
  return Number(match[1]) * secondsPerUnit[unitKey(match[2] ?? defaultUnit)]!;
}

function unitKey(unit: string): string {
  if (unit.startsWith("ms")) return "ms";
  if (unit.startsWith("us")) return "us";
  return unit[0]!;
}
