import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compileFastIso, compileFastJoda, daysFromCivil } from "./fast.js";
import { tokenize } from "./joda.js";
import { makeParser, type ParseContext } from "./parsers.js";
import { UTC, zoneFor } from "./zones.js";

const PATTERNS = [
  "dd/MMM/yyyy:HH:mm:ss Z",
  "MMM dd HH:mm:ss",
  "MMM  d HH:mm:ss",
  "yyyy-MM-dd HH:mm:ss",
  "yyyy-MM-dd HH:mm:ss.SSS",
  "yyyy-MM-dd'T'HH:mm:ss.SSSZZ",
  "yyyy-MM-dd HH:mm:ss,SSS Z",
  "yyyyMMddHHmmss",
  "dd.MM.yyyy",
  "HH:mm:ss",
  "MMMM d, yyyy",
  "d MMM y H:m:s",
];

const ZONES = [UTC, zoneFor("Europe/Paris")!, zoneFor("America/New_York")!, zoneFor("+05:30")!];
/** A January clock (December dates go back a year) and one in a common year (29 February moves). */
const CLOCKS = [new Date(2024, 0, 15), new Date(2023, 5, 1)];

const digits = (min: number, max: number) =>
  fc.array(fc.constantFrom(..."0123456789"), { minLength: min, maxLength: max }).map((d) => d.join(""));

const monthNames = fc
  .constantFrom(
    "Jan",
    "Feb",
    "Mar",
    "May",
    "Sep",
    "Oct",
    "Dec",
    "September",
    "February",
    "June",
    "July",
    "Sept",
  )
  .chain((name) => fc.constantFrom(name, name.toLowerCase(), name.toUpperCase(), name.slice(0, 2)));

const pad2 = (max: number) => fc.integer({ min: 0, max }).map((n) => String(n).padStart(2, "0"));
const offsets = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .tuple(fc.constantFrom("+", "-"), pad2(23), fc.constantFrom("", ":"), pad2(59))
      .map(([sign, h, sep, m]) => sign + h + sep + m),
  },
  fc.constantFrom("Z", "z", "+", "-0", "UTC", ""),
  fc
    .tuple(
      fc.constantFrom("+", "-"),
      digits(2, 2),
      fc.constantFrom("", ":", "::"),
      digits(0, 2),
      digits(0, 2),
    )
    .map(([sign, h, sep, m, s]) => `${sign}${h}${m === "" ? "" : sep + m}${s === "" ? "" : sep + s}`),
  fc
    .tuple(fc.constantFrom("+", "-"), digits(2, 2), digits(2, 2), digits(2, 2), digits(3, 3))
    .map(([sign, h, m, s, ms]) => `${sign}${h}:${m}:${s}.${ms}`),
);

/** Text for one token of a pattern: mostly plausible, sometimes off (short, long, signed, other case). */
function pieceFor(token: ReturnType<typeof tokenize>[number]): fc.Arbitrary<string> {
  if (token.kind === "literal") {
    return fc.oneof(
      { weight: 8, arbitrary: fc.constant(token.text) },
      fc.constantFrom(token.text.toLowerCase(), token.text.toUpperCase(), "", "-", " "),
    );
  }
  switch (token.letter) {
    case "y":
      return fc.oneof(
        { weight: 6, arbitrary: fc.integer({ min: 1990, max: 2030 }).map(String) },
        digits(1, 10),
        fc.tuple(fc.constantFrom("-", "+"), digits(1, 5)).map(([s, d]) => s + d),
      );
    case "M":
      return token.count >= 3
        ? monthNames
        : fc.oneof({ weight: 6, arbitrary: fc.integer({ min: 1, max: 12 }).map(String) }, digits(0, 3));
    case "S":
      return digits(0, 11);
    case "Z":
      return offsets;
    default:
      return fc.oneof(
        {
          weight: 4,
          arbitrary: fc.integer({ min: 0, max: 31 }).map((n) => String(n).padStart(token.count, "0")),
        },
        digits(0, 3),
      );
  }
}

function textFor(pattern: string): fc.Arbitrary<string> {
  return fc.tuple(...tokenize(pattern).map(pieceFor)).map((pieces) => pieces.join(""));
}

const contexts = fc
  .tuple(fc.constantFrom(...ZONES), fc.constantFrom(...CLOCKS))
  .map(([zone, now]): ParseContext => ({ zone, now }));

describe("date fast paths agree with the general parsers", () => {
  for (const pattern of PATTERNS) {
    it(`compiles and agrees on generated text for ${pattern}`, () => {
      for (const now of CLOCKS) {
        const options = { locale: undefined, defaultYear: now.getFullYear() };
        const fast = compileFastJoda(pattern, undefined, options.defaultYear);
        expect(fast).toBeDefined();
        const general = makeParser(pattern, { ...options, fast: false });
        const combined = makeParser(pattern, options);
        let handled = 0;
        fc.assert(
          fc.property(textFor(pattern), contexts, (text, context) => {
            const expected = general.parse(text, { ...context, now });
            const got = fast!(text, { ...context, now });
            // The fast parser may decline, never disagree; the combined parser always agrees.
            if (got !== undefined) {
              handled++;
              expect(got).toBe(expected);
            }
            expect(combined.parse(text, { ...context, now })).toBe(expected);
          }),
          { numRuns: 1500 },
        );
        expect(handled).toBeGreaterThan(50);
      }
    });
  }

  it("handles well-formed text itself instead of declining it", () => {
    const context: ParseContext = { zone: zoneFor("Europe/Paris")!, now: CLOCKS[1]! };
    const fast = compileFastJoda("dd/MMM/yyyy:HH:mm:ss Z", undefined, 2023)!;
    expect(fast("10/Oct/2023:13:55:36 -0700", context)).toBe(Date.UTC(2023, 9, 10, 20, 55, 36));
    const syslog = compileFastJoda("MMM dd HH:mm:ss", undefined, 2023)!;
    expect(syslog("Jul 01 12:00:00", context)).toBe(Date.UTC(2023, 6, 1, 10));
    const iso = compileFastIso();
    expect(iso("2023-03-26T02:30:00", context)).toBeUndefined(); // a DST gap in Paris: refused as Joda does
    expect(iso("2023-10-29T02:30:00", context)).toBe(Date.UTC(2023, 9, 29, 0, 30)); // overlap: the earlier
    expect(iso("2001-09-05T16:36:36,123456+0700", context)).toBe(Date.UTC(2001, 8, 5, 9, 36, 36, 123));
  });

  it("refuses years beyond Date's range instead of throwing, in both parsers", () => {
    const context: ParseContext = { zone: zoneFor("Europe/Paris")!, now: CLOCKS[0]! };
    for (const fast of [true, false]) {
      const parser = makeParser("yyyy-MM-dd", { locale: undefined, defaultYear: 2024, fast });
      expect(parser.parse("600000-01-01", context)).toBeUndefined();
    }
  });

  it("leaves patterns with other letters to the general parser", () => {
    for (const pattern of ["yy-MM-dd", "EEE MMM dd", "yyyy ZZZ", "hh:mm a", "dd z", "YYYY-ww", "D"]) {
      expect(compileFastJoda(pattern, undefined, 2024)).toBeUndefined();
    }
  });

  it("ISO8601: agrees with the general parser on generated text", () => {
    const general = makeParser("ISO8601", { locale: undefined, defaultYear: 2024, fast: false });
    const fast = compileFastIso();
    const two = fc.oneof(
      { weight: 5, arbitrary: fc.integer({ min: 0, max: 31 }).map((n) => String(n).padStart(2, "0")) },
      digits(0, 3),
    );
    const isoText = fc
      .tuple(
        fc.oneof({ weight: 5, arbitrary: fc.integer({ min: 1900, max: 2100 }).map(String) }, digits(0, 6)),
        two,
        two,
        fc.constantFrom("T", "T", "T", "t", " "),
        two,
        two,
        two,
        fc.oneof(
          fc.constant(""),
          fc.tuple(fc.constantFrom(".", ",", ":"), digits(0, 11)).map(([p, d]) => p + d),
        ),
        fc.oneof(fc.constant(""), offsets),
      )
      .map(([y, mo, d, t, h, mi, s, frac, off]) => `${y}-${mo}-${d}${t}${h}:${mi}:${s}${frac}${off}`);
    let handled = 0;
    fc.assert(
      fc.property(isoText, contexts, (text, context) => {
        const got = fast(text, context);
        if (got !== undefined) {
          handled++;
          expect(got).toBe(general.parse(text, context));
        }
      }),
      { numRuns: 5000 },
    );
    expect(handled).toBeGreaterThan(100);
  });

  it("counts days like Date.UTC, negative years included", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -5000, max: 12000 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 28 }),
        (year, month, day) => {
          const date = new Date(Date.UTC(2000, month - 1, day));
          date.setUTCFullYear(year);
          expect(daysFromCivil(year, month, day) * 86_400_000).toBe(date.getTime());
        },
      ),
    );
  });
});
