// Month, weekday, AM/PM and era names a date pattern accepts, per locale: English built in (Java's names), other
// locales from Intl (CLDR, as Java 9+ uses). Each name is accepted as written, lower case and upper case (Joda).

export interface LocaleNames {
  readonly months: ReadonlyMap<string, number>; // 1..12
  readonly weekdays: ReadonlyMap<string, number>; // ISO 1..7
  readonly halfdays: ReadonlyMap<string, number>; // 0 AM, 1 PM
  readonly eras: ReadonlyMap<string, number>; // 0 BC, 1 AD
}

const ENGLISH = {
  months: [
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
  ],
  shortMonths: ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
  weekdays: ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
  shortWeekdays: ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
  halfdays: ["AM", "PM"],
  eras: ["BC", "AD"],
};

const cache = new Map<string, LocaleNames>();

/** Names for a BCP 47 tag (undefined: English, which Logstash falls back to). */
export function localeNames(locale: string | undefined): LocaleNames {
  const tag = locale === undefined || locale === "" ? "en" : locale;
  const cached = cache.get(tag);
  if (cached !== undefined) return cached;
  const names = /^en(-|$)/i.test(tag) ? english() : fromIntl(tag);
  cache.set(tag, names);
  return names;
}

function english(): LocaleNames {
  const eras = variants([
    [ENGLISH.eras, 0],
    [["BCE", "CE"], 0],
  ]);
  return {
    months: variants([
      [ENGLISH.months, 1],
      [ENGLISH.shortMonths, 1],
    ]),
    weekdays: variants([
      [ENGLISH.weekdays, 1],
      [ENGLISH.shortWeekdays, 1],
    ]),
    halfdays: variants([[ENGLISH.halfdays, 0]]),
    eras,
  };
}

function fromIntl(tag: string): LocaleNames {
  let locale: string;
  try {
    locale = Intl.getCanonicalLocales(tag)[0] ?? "en";
  } catch {
    return english();
  }
  const monthNames = (style: "long" | "short") =>
    Array.from({ length: 12 }, (_, m) =>
      part(locale, { month: style, day: "numeric" }, Date.UTC(2021, m, 15), "month"),
    );
  // 2021-03-01 was a Monday.
  const dayNames = (style: "long" | "short") =>
    Array.from({ length: 7 }, (_, d) =>
      part(locale, { weekday: style }, Date.UTC(2021, 2, 1 + d), "weekday"),
    );
  const halfdays = [Date.UTC(2021, 0, 1, 9), Date.UTC(2021, 0, 1, 15)].map((t) =>
    part(locale, { hour: "numeric", hour12: true }, t, "dayPeriod"),
  );
  const eras = [Date.UTC(-100, 0, 1), Date.UTC(2021, 0, 1)].map((t) =>
    part(locale, { era: "short", year: "numeric" }, t, "era"),
  );
  return {
    months: variants([
      [monthNames("long"), 1],
      [monthNames("short"), 1],
    ]),
    weekdays: variants([
      [dayNames("long"), 1],
      [dayNames("short"), 1],
    ]),
    halfdays: variants([[halfdays, 0]]),
    eras: variants([[eras, 0]]),
  };
}

function part(locale: string, options: Intl.DateTimeFormatOptions, at: number, type: string): string {
  const parts = new Intl.DateTimeFormat(locale, { ...options, timeZone: "UTC" }).formatToParts(at);
  return parts.find((p) => p.type === type)?.value ?? "";
}

/** Each list's names mapped to their index plus `base`; as written, lower and upper case. */
function variants(lists: [readonly string[], number][]): Map<string, number> {
  const map = new Map<string, number>();
  for (const [names, base] of lists) {
    names.forEach((name, i) => {
      if (name === "") return;
      for (const form of [name, name.toLowerCase(), name.toUpperCase()]) map.set(form, i + base);
    });
  }
  return map;
}
