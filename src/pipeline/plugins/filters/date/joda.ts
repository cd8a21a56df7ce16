// Joda-Time date patterns compiled once into parsers (DateTimeFormat.forPattern's parsing rules): lenient
// digit counts, case-insensitive literals, short and long names accepted for MMM/MMMM and E/EEEE, offsets
// and zone ids, and the whole text must be consumed.

import { type LocaleNames, localeNames } from "./names.js";
import { type Zone, zoneFor } from "./zones.js";

/** The fields a pattern read from a text; absent ones were not in the pattern. */
export interface ParsedFields {
  era?: number; // 0 BC, 1 AD
  century?: number;
  yearOfEra?: number;
  year?: number;
  weekyear?: number;
  week?: number;
  month?: number;
  dayOfYear?: number;
  day?: number;
  dayOfWeek?: number; // ISO: Monday 1 .. Sunday 7
  halfday?: number; // 0 AM, 1 PM
  hourOfDay?: number;
  clockhourOfDay?: number;
  hourOfHalfday?: number;
  clockhourOfHalfday?: number;
  minute?: number;
  second?: number;
  millis?: number;
  /** A parsed offset (Z, +01:00); wins over any zone. */
  offsetMs?: number;
  /** A parsed zone id or name (ZZZ, z). */
  zone?: Zone;
}

type NumericField = Exclude<keyof ParsedFields, "offsetMs" | "zone">;

/** One piece of a pattern: consumes text at `pos` and returns the new position, or -1 when it does not match. */
export type Element = (text: string, pos: number, fields: ParsedFields) => number;

// Joda's default short zone names, the only ones it parses for `z`.
const SHORT_ZONE_NAMES: Record<string, string> = {
  UT: "UTC",
  UTC: "UTC",
  GMT: "UTC",
  EST: "America/New_York",
  EDT: "America/New_York",
  CST: "America/Chicago",
  CDT: "America/Chicago",
  MST: "America/Denver",
  MDT: "America/Denver",
  PST: "America/Los_Angeles",
  PDT: "America/Los_Angeles",
};

const NUMERIC_LETTERS = new Set("CxyYdhHmsSeDwkK");

/** A compiled Joda pattern. */
export interface JodaPattern {
  readonly elements: readonly Element[];
  /** Joda's textual checks the date filter relies on (a `y`/`Y` or `Z` anywhere, quoted text included). */
  readonly hasYear: boolean;
  readonly hasZone: boolean;
}

/** Compiles a pattern; throws an Error for letters Joda rejects ("Illegal pattern component"). */
export function compileJodaPattern(pattern: string, locale: string | undefined): JodaPattern {
  const tokens = tokenize(pattern);
  const names = localeNames(locale);
  const elements = tokens.map((token, i) => elementFor(token, tokens[i + 1], names));
  return { elements, hasYear: /[yY]/.test(pattern), hasZone: pattern.includes("Z") };
}

/** Runs the elements over the whole text; undefined unless every element matched and nothing is left. */
export function parseWith(elements: readonly Element[], text: string): ParsedFields | undefined {
  const fields: ParsedFields = {};
  let pos = 0;
  for (const element of elements) {
    pos = element(text, pos, fields);
    if (pos < 0) return undefined;
  }
  return pos === text.length ? fields : undefined;
}

export type Token = { kind: "letters"; letter: string; count: number } | { kind: "literal"; text: string };

export function tokenize(pattern: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i]!;
    if (/[A-Za-z]/.test(c)) {
      let count = 1;
      while (pattern[i + count] === c) count++;
      tokens.push({ kind: "letters", letter: c, count });
      i += count;
    } else if (c === "'") {
      const [text, next] = quoted(pattern, i);
      tokens.push({ kind: "literal", text });
      i = next;
    } else {
      tokens.push({ kind: "literal", text: c });
      i++;
    }
  }
  return tokens;
}

/** Text between quotes, `''` standing for one quote; an unclosed quote runs to the end, as in Joda. */
function quoted(pattern: string, start: number): [string, number] {
  if (pattern[start + 1] === "'") return ["'", start + 2];
  let text = "";
  let i = start + 1;
  while (i < pattern.length) {
    if (pattern[i] === "'") {
      if (pattern[i + 1] === "'") {
        text += "'";
        i += 2;
        continue;
      }
      return [text, i + 1];
    }
    text += pattern[i];
    i++;
  }
  return [text, i];
}

export function isNumericToken(token: Token | undefined): boolean {
  if (token === undefined || token.kind !== "letters") return false;
  return NUMERIC_LETTERS.has(token.letter) || (token.letter === "M" && token.count <= 2);
}

function elementFor(token: Token, next: Token | undefined, names: LocaleNames): Element {
  if (token.kind === "literal") return literal(token.text);
  const { letter, count } = token;
  const max = (digits: number) => Math.max(count, digits);
  switch (letter) {
    case "G":
      return text("era", names.eras);
    case "C":
      return number("century", max(count), false);
    case "x":
    case "y":
    case "Y": {
      const field = letter === "x" ? "weekyear" : letter === "y" ? "year" : "yearOfEra";
      if (count === 2) return twoDigitYear(field, !isNumericToken(next));
      return number(field, isNumericToken(next) ? count : max(9), letter !== "Y");
    }
    case "M":
      return count >= 3 ? text("month", names.months) : number("month", max(2), false);
    case "d":
      return number("day", max(2), false);
    case "a":
      return text("halfday", names.halfdays);
    case "h":
      return number("clockhourOfHalfday", max(2), false);
    case "H":
      return number("hourOfDay", max(2), false);
    case "k":
      return number("clockhourOfDay", max(2), false);
    case "K":
      return number("hourOfHalfday", max(2), false);
    case "m":
      return number("minute", max(2), false);
    case "s":
      return number("second", max(2), false);
    case "S":
      return fraction;
    case "e":
      return number("dayOfWeek", max(1), false);
    case "E":
      return text("dayOfWeek", names.weekdays);
    case "D":
      return number("dayOfYear", max(3), false);
    case "w":
      return number("week", max(2), false);
    case "z":
      return zoneName;
    case "Z":
      return count <= 2 ? offset : zoneId;
    default:
      throw new Error(`Illegal pattern component: ${letter.repeat(count)}`);
  }
}

function literal(expected: string): Element {
  const lower = expected.toLowerCase();
  return (text, pos) => {
    const found = text.slice(pos, pos + expected.length);
    return found === expected || found.toLowerCase() === lower ? pos + expected.length : -1;
  };
}

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= "0" && c <= "9";
}

function number(field: NumericField, maxDigits: number, signed: boolean): Element {
  return (text, pos, fields) => {
    let i = pos;
    let negative = false;
    let limit = Math.min(maxDigits, text.length - pos);
    if (signed && (text[i] === "-" || text[i] === "+") && isDigit(text[i + 1])) {
      negative = text[i] === "-";
      i++;
      limit = Math.min(limit + 1, text.length - pos);
    }
    const digitsStart = i;
    while (i - pos < limit && isDigit(text[i])) i++;
    if (i === digitsStart) return -1;
    const value = Number(text.slice(digitsStart, i));
    fields[field] = negative ? -value : value;
    return i;
  };
}

/** `yy`: two digits around a pivot 30 years back (SimpleDateFormat's rule); lenient when a number does not follow. */
function twoDigitYear(field: NumericField, lenient: boolean): Element {
  // Joda fixes the pivot when the pattern is compiled.
  const pivot = new Date().getFullYear() - 30;
  const low = pivot - 50;
  const t = low >= 0 ? low % 100 : 99 + ((low + 1) % 100);
  return (text, pos, fields) => {
    if (lenient) {
      const m = /^[+-]?\d+/.exec(text.slice(pos));
      if (m === null) return -1;
      const written = m[0];
      if (written.length !== 2 || !isDigit(written[0])) {
        fields[field] = Number(written);
        return pos + written.length;
      }
    }
    if (!isDigit(text[pos]) || !isDigit(text[pos + 1])) return -1;
    const twoDigits = Number(text.slice(pos, pos + 2));
    fields[field] = twoDigits + low + (twoDigits < t ? 100 : 0) - t;
    return pos + 2;
  };
}

/** `S...`: up to nine digits of the second's fraction, kept to milliseconds (Joda's precision). */
const fraction: Element = (text, pos, fields) => {
  let i = pos;
  while (i - pos < 9 && isDigit(text[i])) i++;
  if (i === pos) return -1;
  fields.millis = Number(text.slice(pos, Math.min(i, pos + 3)).padEnd(3, "0"));
  return i;
};

function text(field: NumericField, names: ReadonlyMap<string, number>): Element {
  const longest = Math.max(...[...names.keys()].map((name) => name.length));
  return (input, pos, fields) => {
    for (let end = Math.min(input.length, pos + longest); end > pos; end--) {
      const value = names.get(input.slice(pos, end));
      if (value !== undefined) {
        fields[field] = value;
        return end;
      }
    }
    return -1;
  };
}

/** `Z`/`ZZ`: `Z`, or a sign and hh, hhmm, hh:mm (seconds and millis allowed too). */
const offset: Element = (text, pos, fields) => {
  if (text[pos] === "Z" || text[pos] === "z") {
    fields.offsetMs = 0;
    return pos + 1;
  }
  const m = /^([+-])(\d{2})(?:(:?)(\d{2})(?:\3(\d{2})(?:\.(\d{3}))?)?)?/.exec(text.slice(pos));
  if (m === null) return -1;
  const [hours, minutes, seconds, millis] = [
    Number(m[2]),
    Number(m[4] ?? 0),
    Number(m[5] ?? 0),
    Number(m[6] ?? 0),
  ];
  if (hours > 23 || minutes > 59 || seconds > 59) return -1;
  const value = ((hours * 60 + minutes) * 60 + seconds) * 1000 + millis;
  fields.offsetMs = m[1] === "-" ? -value : value;
  return pos + m[0].length;
};

/** `ZZZ`: a zone id such as `Europe/Paris` or `UTC`. */
const zoneId: Element = (text, pos, fields) => {
  const m = /^[A-Za-z][A-Za-z0-9_+\-/]*/.exec(text.slice(pos));
  if (m === null) return -1;
  // Joda matches the longest known id; try shorter prefixes at `/` boundaries when the whole run is unknown.
  let candidate = m[0];
  for (;;) {
    const zone = zoneFor(candidate);
    if (zone !== undefined) {
      fields.zone = zone;
      return pos + candidate.length;
    }
    const cut = candidate.lastIndexOf("/");
    if (cut <= 0) return -1;
    candidate = candidate.slice(0, cut);
  }
};

/** `z`/`zzzz`: the few zone abbreviations Joda knows by default. */
const zoneName: Element = (text, pos, fields) => {
  for (const length of [3, 2]) {
    const id = SHORT_ZONE_NAMES[text.slice(pos, pos + length)];
    if (id !== undefined) {
      fields.zone = zoneFor(id)!;
      return pos + length;
    }
  }
  return -1;
};
