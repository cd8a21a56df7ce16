import { describe, expect, it } from "vitest";
import { Event } from "../../event/index.js";
import { guessYear, makeParser, parseIsoDateTime } from "./date/parsers.js";
import { localToInstant, UTC, zoneFor } from "./date/zones.js";
import { createDateFilterWithClock, dateFilter } from "./date.js";
import { filterHarness } from "./testing.js";

const SPEC = dateFilter;
const { configure, setup, refused, diagnosticsOf } = filterHarness(SPEC);

/** The ISO text @timestamp gets from `value`, or the tags when parsing failed. */
function parsed(body: string, value: unknown, clock?: Date): string {
  const configured = configure(body);
  const filter = clock
    ? createDateFilterWithClock(configured.options, configured.context, () => clock)
    : SPEC.create(configured.options, configured.context);
  const event = new Event({ d: value });
  const matched = filter.filter(event, () => {}) as boolean;
  return matched ? event.timestamp!.toString() : `failed ${JSON.stringify(event.get("tags"))}`;
}

describe("date filter: ISO8601", () => {
  const iso = (value: string, tz = "UTC") => parsed(`match => ["d", "ISO8601"] timezone => "${tz}"`, value);

  it("parses ISO-8601 with offsets, Z, commas and missing parts", () => {
    expect(iso("2001-01-01T00:00:00-0800")).toBe("2001-01-01T08:00:00.000Z");
    expect(iso("2010-05-03T08:18:18+00:00")).toBe("2010-05-03T08:18:18.000Z");
    expect(iso("2001-12-07T23:54:54Z")).toBe("2001-12-07T23:54:54.000Z");
    expect(iso("2001-09-05T16:36:36.123+0700")).toBe("2001-09-05T09:36:36.123Z");
    expect(iso("2001-12-07T23:54:54,123Z")).toBe("2001-12-07T23:54:54.123Z");
    expect(iso("2001-12-07T23:54:54.123456789Z")).toBe("2001-12-07T23:54:54.123Z");
    expect(iso("2001-12-07")).toBe("2001-12-07T00:00:00.000Z");
    expect(iso("2001-12-07T10")).toBe("2001-12-07T10:00:00.000Z");
    expect(iso("2001-12-07T10.5")).toBe("2001-12-07T10:30:00.000Z");
    expect(iso("2020-123")).toBe("2020-05-02T00:00:00.000Z");
    expect(iso("2020-W01-1")).toBe("2019-12-30T00:00:00.000Z");
  });

  it("accepts the 'almost ISO' space forms, which need milliseconds", () => {
    expect(iso("2001-11-06 20:45:45.123-0000")).toBe("2001-11-06T20:45:45.123Z");
    expect(iso("2001-12-07 23:54:54,123Z")).toBe("2001-12-07T23:54:54.123Z");
    expect(iso("2001-11-06 20:45:45.123")).toBe("2001-11-06T20:45:45.123Z");
    expect(iso("2001-11-06 20:45:45")).toBe('failed ["_dateparsefailure"]');
  });

  it("reads zone-less text in `timezone`", () => {
    expect(iso("2013-06-24T01:29:01", "America/Los_Angeles")).toBe("2013-06-24T08:29:01.000Z");
    expect(iso("2013-11-24T01:29:01", "America/Los_Angeles")).toBe("2013-11-24T09:29:01.000Z");
    expect(iso("2013-11-24T01:29:01", "+05:30")).toBe("2013-11-23T19:59:01.000Z");
  });

  it("refuses what is not ISO", () => {
    expect(parseIsoDateTime("2001-12-07Z")).toBeUndefined();
    expect(parseIsoDateTime("2001-13-07")).toBeDefined(); // syntactically fine, refused when resolved
    expect(iso("2001-13-07")).toBe('failed ["_dateparsefailure"]');
    expect(iso("not a date")).toBe('failed ["_dateparsefailure"]');
  });
});

describe("date filter: epochs", () => {
  const unix = (value: unknown) => parsed(`match => ["d", "UNIX"]`, value);
  const unixMs = (value: unknown) => parsed(`match => ["d", "UNIX_MS"]`, value);

  it("UNIX takes seconds as text or numbers, keeping milliseconds", () => {
    expect(unix("0")).toBe("1970-01-01T00:00:00.000Z");
    expect(unix("1478207457")).toBe("2016-11-03T21:10:57.000Z");
    expect(unix(1000000000)).toBe("2001-09-09T01:46:40.000Z");
    expect(unix("1350414944.123456")).toBe("2012-10-16T19:15:44.123Z");
    expect(unix(1478207457.456)).toBe("2016-11-03T21:10:57.456Z");
    expect(unix("1478207457.4")).toBe("2016-11-03T21:10:57.400Z");
    expect(unix("3000000000")).toBe('failed ["_dateparsefailure"]');
    expect(unix("12a")).toBe('failed ["_dateparsefailure"]');
  });

  it("UNIX_MS takes milliseconds", () => {
    expect(unixMs("456")).toBe("1970-01-01T00:00:00.456Z");
    expect(unixMs("1000000000123")).toBe("2001-09-09T01:46:40.123Z");
    expect(unixMs(1000000000123)).toBe("2001-09-09T01:46:40.123Z");
    expect(unixMs("1.5")).toBe('failed ["_dateparsefailure"]');
  });

  it("TAI64N, with or without @", () => {
    expect(parsed(`match => ["d", "TAI64N"]`, "4000000050d506482dbdf024")).toBe("2012-12-22T01:00:46.767Z");
    expect(parsed(`match => ["d", "TAI64N"]`, "@4000000050d506482dbdf024")).toBe("2012-12-22T01:00:46.767Z");
    expect(parsed(`match => ["d", "TAI64N"]`, "@40000000")).toBe('failed ["_dateparsefailure"]');
  });

  it("text formats refuse numbers, epoch formats refuse other types", () => {
    expect(parsed(`match => ["d", "yyyy"]`, 2001)).toBe('failed ["_dateparsefailure"]');
    expect(unix(true)).toBe('failed ["_dateparsefailure"]');
    expect(unix(["1"])).toBe('failed ["_dateparsefailure"]');
  });
});

describe("date filter: Joda patterns", () => {
  const joda = (pattern: string, value: string, extra = `timezone => "UTC"`) =>
    parsed(`match => ["d", "${pattern}"] locale => "en" ${extra}`, value);

  it("parses numbers, names, offsets and literals", () => {
    expect(joda("dd/MMM/yyyy:HH:mm:ss Z", "25/Mar/2013:20:33:56 +0000")).toBe("2013-03-25T20:33:56.000Z");
    expect(joda("yyyy MMM dd HH:mm:ss", "2013 Nov 24 01:29:01", `timezone => "America/Los_Angeles"`)).toBe(
      "2013-11-24T09:29:01.000Z",
    );
    expect(joda("yyyy-MM-dd'T'HH:mm:ss.SSSZZ", "2014-03-01T10:11:12.345-05:00")).toBe(
      "2014-03-01T15:11:12.345Z",
    );
    expect(joda("EEEE, MMMM d, yyyy h:mm a", "Tuesday, March 4, 2014 3:05 PM")).toBe(
      "2014-03-04T15:05:00.000Z",
    );
    expect(joda("MMM d yyyy hh:mm a", "MAR 4 2014 12:05 am")).toBe("2014-03-04T00:05:00.000Z");
    expect(joda("yyyyMMddHHmmss", "20140304150500")).toBe("2014-03-04T15:05:00.000Z");
    expect(joda("M/d/yy H:m:s", "3/4/14 5:6:7")).toBe("2014-03-04T05:06:07.000Z");
    expect(joda("yyyy-MM-dd HH:mm:ss,SSS", "2014-03-04 05:06:07,8")).toBe("2014-03-04T05:06:07.800Z");
    expect(joda("yyyy.DDD", "2020.060")).toBe("2020-02-29T00:00:00.000Z");
    expect(joda("yyyy-MM-dd HH:mm:ss ZZZ", "2014-07-01 12:00:00 Europe/Paris")).toBe(
      "2014-07-01T10:00:00.000Z",
    );
    expect(joda("yyyy-MM-dd HH:mm:ss z", "2014-07-01 12:00:00 PDT")).toBe("2014-07-01T19:00:00.000Z");
    expect(joda("yyyy-MM-dd G", "2014-07-01 AD")).toBe("2014-07-01T00:00:00.000Z");
  });

  it("is strict about the whole text and ranges, lenient about case of names and literals", () => {
    expect(joda("yyyy/MM/dd", "2013/Apr/21")).toBe('failed ["_dateparsefailure"]');
    expect(joda("yyyy/MM/dd", "2013/04/21 extra")).toBe('failed ["_dateparsefailure"]');
    expect(joda("yyyy-MM-dd", "2013-02-30")).toBe('failed ["_dateparsefailure"]');
    expect(joda("HH:mm", "24:00")).toBe('failed ["_dateparsefailure"]');
    expect(joda("MMM", "jAn")).toBe('failed ["_dateparsefailure"]');
    expect(joda("yyyy'T'MM", "2013t04")).toBe("2013-04-01T00:00:00.000Z");
    expect(joda("yyyy MMM", "2013 april")).toBe("2013-04-01T00:00:00.000Z");
  });

  it("reads two-digit years around a pivot 30 years back, and longer years when lenient", () => {
    const pivotLow = new Date().getFullYear() - 80;
    const nextCentury = String((pivotLow % 100) - 1).padStart(2, "0");
    expect(joda("yy-MM-dd", `${nextCentury}-01-01`).slice(0, 4)).toBe(
      String(pivotLow - (pivotLow % 100) + 100 + Number(nextCentury)),
    );
    expect(joda("yy-MM-dd", "2014-01-01")).toBe("2014-01-01T00:00:00.000Z");
    expect(joda("yyMMdd", "140101")).toBe("2014-01-01T00:00:00.000Z");
  });

  it("a weekday that disagrees with the date moves it within its week, as Joda does", () => {
    expect(joda("EEE yyyy-MM-dd", "Mon 2020-03-04")).toBe("2020-03-02T00:00:00.000Z");
  });

  it("uses locale names (BCP 47, underscores accepted)", () => {
    expect(parsed(`match => ["d", "dd MMMM yyyy"] locale => "fr" timezone => "UTC"`, "14 juillet 1789")).toBe(
      "1789-07-14T00:00:00.000Z",
    );
    const { logs, filter } = setup(`match => ["d", "dd MMMM yyyy"] locale => "fr_FR" timezone => "UTC"`);
    const event = new Event({ d: "14 juillet 1789" });
    expect(filter.filter(event, () => {})).toBe(true);
    expect(logs.some((l) => l.includes("BCP47"))).toBe(true);
  });

  it("guesses the year: this year, last year for December in January, next year for January in December", () => {
    const pattern = `match => ["d", "MMM dd HH:mm:ss"] timezone => "UTC"`;
    expect(parsed(pattern, "Dec 31 23:59:00", new Date(2014, 0, 1, 0, 30))).toBe("2013-12-31T23:59:00.000Z");
    expect(parsed(pattern, "Jan 01 01:00:00", new Date(2013, 11, 31, 23, 59))).toBe(
      "2014-01-01T01:00:00.000Z",
    );
    expect(parsed(pattern, "Jun 02 20:38:03", new Date(2016, 2, 29))).toBe("2016-06-02T20:38:03.000Z");
    expect(parsed(`match => ["d", "MMM dd HH:mm:ss Z"]`, "Nov 24 01:29:01 -0800", new Date(2016, 5, 1))).toBe(
      "2016-11-24T09:29:01.000Z",
    );
    expect(guessYear(6, new Date(2020, 0, 1))).toBe(2020);
  });

  it("fails for local times in a DST gap", () => {
    const cet = `match => ["d", "MMM dd HH:mm:ss"] timezone => "CET"`;
    const clock = new Date(2016, 2, 29, 23, 59, 50);
    expect(parsed(cet, "Mar 27 01:59:59", clock)).toBe("2016-03-27T00:59:59.000Z");
    expect(parsed(cet, "Mar 27 02:00:01", clock)).toBe('failed ["_dateparsefailure"]');
    expect(parsed(cet, "Mar 27 03:00:01", clock)).toBe("2016-03-27T01:00:01.000Z");
  });

  it("takes the earlier instant in a DST overlap", () => {
    const paris = zoneFor("Europe/Paris")!;
    // 2016-10-30 02:30 happened twice in Paris: first at +02:00.
    expect(localToInstant(Date.UTC(2016, 9, 30, 2, 30), paris)).toBe(Date.UTC(2016, 9, 30, 0, 30));
    expect(localToInstant(Date.UTC(2016, 9, 30, 2, 30), UTC)).toBe(Date.UTC(2016, 9, 30, 2, 30));
  });

  it("refuses patterns Joda refuses", () => {
    expect(() => makeParser("yyyy-qq", { locale: "en", defaultYear: 2020 })).toThrow(
      /Illegal pattern component: qq/,
    );
    expect(refused(`match => ["d", "yyyy-qq"]`)).toMatch(/Illegal pattern/);
  });
});

describe("date filter: options and outcomes", () => {
  it("sets @timestamp, keeps the source and matches", () => {
    const { filter } = setup(`match => ["d", "ISO8601"]`);
    const event = new Event({ d: "2001-09-09T01:46:40.000Z" });
    expect(filter.filter(event, () => {})).toBe(true);
    expect(event.get("d")).toBe("2001-09-09T01:46:40.000Z");
    expect(event.timestamp!.toString()).toBe("2001-09-09T01:46:40.000Z");
  });

  it("tries formats in order and stores in target", () => {
    const { filter } = setup(`match => ["[data][deep]", "yyyy/MM/dd", "UNIX"] target => "[out][when]"`);
    const event = new Event({ data: { deep: "1000000000" } });
    const before = event.timestamp!.toString();
    expect(filter.filter(event, () => {})).toBe(true);
    expect(event.get("[out][when]")!.toString()).toBe("2001-09-09T01:46:40.000Z");
    expect(event.timestamp!.toString()).toBe(before);
  });

  it("tags failures with tag_on_failure and counts them", () => {
    const { filter, failures } = setup(`match => ["d", "yyyy"] tag_on_failure => ["date_failed", "x"]`);
    const event = new Event({ d: "not really a year" });
    expect(filter.filter(event, () => {})).toBe(false);
    expect(event.get("tags")).toEqual(["date_failed", "x"]);
    expect(failures).toEqual(["date_parse_failure"]);
  });

  it("ignores missing and null fields and cancelled events", () => {
    const { filter } = setup(`match => ["d", "yyyy"] timezone => "UTC"`);
    const missing = new Event({});
    expect(filter.filter(missing, () => {})).toBe(false);
    expect(missing.get("tags")).toBeUndefined();
    expect(filter.filter(new Event({ d: null }), () => {})).toBe(false);
    const cancelled = new Event({ d: "1999" });
    cancelled.cancel();
    const before = cancelled.timestamp!.toString();
    expect(filter.filter(cancelled, () => {})).toBe(false);
    expect(cancelled.timestamp!.toString()).toBe(before);
  });

  it("resolves a %{field} timezone per event; an unknown zone is a failure", () => {
    const body = `match => ["d", "yyyy MMM dd HH:mm:ss"] timezone => "%{tz}"`;
    const { filter } = setup(body);
    const la = new Event({ d: "2013 Jun 24 01:29:01", tz: "America/Los_Angeles" });
    filter.filter(la, () => {});
    expect(la.timestamp!.toString()).toBe("2013-06-24T08:29:01.000Z");
    const caracas = new Event({ d: "2007 Dec 09 01:00:00", tz: "America/Caracas" });
    filter.filter(caracas, () => {});
    expect(caracas.timestamp!.toString()).toBe("2007-12-09T05:00:00.000Z");
    const unknown = new Event({ d: "2013 Jun 24 01:29:01", tz: "Mars/Olympus" });
    expect(filter.filter(unknown, () => {})).toBe(false);
    expect(unknown.get("tags")).toEqual(["_dateparsefailure"]);
    const absent = new Event({ d: "2013 Jun 24 01:29:01" });
    expect(filter.filter(absent, () => {})).toBe(false);
  });

  it("target takes a single string", () => {
    expect(diagnosticsOf(`match => ["d", "ISO8601"] target => ["a", "b"]`).map((d) => d.code)).toEqual([
      "invalid-option",
    ]);
  });

  it("refuses a match without formats and an unknown timezone", () => {
    expect(refused(`match => ["d"]`)).toMatch(/at least one date format/);
    expect(refused(``)).toMatch(/at least one date format/);
    expect(refused(`match => ["d", "ISO8601"] timezone => "Nowhere/Land"`)).toMatch(/not recognised/);
  });
});
