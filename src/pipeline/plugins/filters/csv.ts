// The csv filter: parses one CSV line from a field into named columns, with Ruby CSV's quoting rules
// (strict: a stray quote is an error) and its type converters.

import { type Event, ecsEnabled, type FieldValue, Timestamp } from "../../event/index.js";
import type { Filter, FilterSpec, PluginContext } from "../api.js";
import type { ResolvedOptions } from "../options.js";

export const CSV_PARSE_FAILURE_TAG = "_csvparsefailure";
export const CSV_SKIPPED_EMPTY_TAG = "_csvskippedemptyfield";

const converterNames = ["integer", "float", "date", "date_time", "boolean"] as const;
type ConverterName = (typeof converterNames)[number];
type Converter = (value: string | null) => FieldValue;

export const csvFilter: FilterSpec = {
  kind: "filter",
  name: "csv",
  doc: "Parses comma-separated values from a field into named fields.",
  options: {
    source: { type: "string", default: "message", doc: "The field holding the CSV text." },
    columns: { type: "array", default: [], doc: "Column names, in order; missing ones are named columnN." },
    separator: { type: "string", default: ",", doc: "The column separator (one or more characters)." },
    quote_char: { type: "string", default: '"', doc: "The character that quotes a column." },
    target: { type: "field_reference", doc: "Where the columns go; the event's root when unset." },
    autogenerate_column_names: {
      type: "boolean",
      default: true,
      doc: "Names columns without a configured name column1, column2, ...; when false they are dropped.",
    },
    skip_header: {
      type: "boolean",
      default: false,
      doc: "Drops an event whose values equal the configured column names.",
    },
    skip_empty_columns: { type: "boolean", default: false, doc: "Leaves out empty columns." },
    skip_empty_rows: {
      type: "boolean",
      default: false,
      doc: "Tags an empty line `_csvskippedemptyfield` instead of failing.",
    },
    convert: {
      type: "hash",
      default: {},
      doc: "Column conversions: integer, float, date, date_time or boolean.",
    },
    autodetect_column_names: {
      type: "boolean",
      default: false,
      doc: "Takes the column names from the first line seen (and drops it); needs pipeline.workers 1.",
    },
  },
  create: (options, context) => new CsvFilter(options, context),
};

class CsvFilter implements Filter {
  private readonly source: string;
  /** Column names; filled from the first event when autodetecting (state of this filter instance). */
  private columns: (string | null)[];
  private readonly separator: string;
  private readonly quote: string;
  private readonly target: string;
  private readonly autogenerate: boolean;
  private readonly skipHeader: boolean;
  private readonly skipEmptyColumns: boolean;
  private readonly skipEmptyRows: boolean;
  private readonly autodetect: boolean;
  private readonly converters: Map<string, Converter>;

  constructor(
    options: ResolvedOptions,
    private readonly context: PluginContext,
  ) {
    this.source = options.string("source");
    this.columns = options.stringArray("columns");
    this.separator = options.string("separator");
    const quote = options.string("quote_char");
    this.quote = quote === "\\x00" ? "\0" : quote;
    const target = options.optionalString("target");
    this.target = target === undefined ? "" : target.startsWith("[") ? target : `[${target}]`;
    this.autogenerate = options.boolean("autogenerate_column_names");
    this.skipHeader = options.boolean("skip_header");
    this.skipEmptyColumns = options.boolean("skip_empty_columns");
    this.skipEmptyRows = options.boolean("skip_empty_rows");
    this.autodetect = options.boolean("autodetect_column_names");
    this.converters = compileConverters(options.hash("convert"));
    if (this.separator === "") throw new Error("separator must not be empty");
    if ([...this.quote].length !== 1) {
      context.logger.warn(":quote_char has to be a single character String; every event will fail to parse", {
        plugin: context.id,
      });
    }
    if (target === undefined && ecsEnabled(context.ecsCompatibility)) {
      context.logger.info(
        "ECS compatibility is enabled but `target` option was not specified. This may cause fields to be set at the top-level of the event where they are likely to clash with the Elastic Common Schema. It is recommended to set the `target` option to avoid potential schema conflicts (if your data is ECS compliant or non-conflicting, feel free to ignore this message)",
        { plugin: context.id },
      );
    }
  }

  filter(event: Event): boolean {
    const source = event.get(this.source);
    if (source === undefined || source === null || source === false) return false;
    try {
      if (typeof source !== "string") throw new CsvError(`cannot parse CSV from ${JSON.stringify(source)}`);
      if ([...this.quote].length !== 1) throw new CsvError(":quote_char has to be a single character String");
      return this.apply(event, parseCsvLine(source, this.separator, this.quote));
    } catch (err) {
      event.tag(CSV_PARSE_FAILURE_TAG);
      this.context.logger.warn("error parsing csv", {
        plugin: this.context.id,
        field: this.source,
        source: typeof source === "string" ? source : JSON.stringify(source),
        exception: (err as Error).message,
      });
      this.context.countFailure("csv_parse_failure");
      return false;
    }
  }

  private apply(event: Event, values: (string | null)[] | null): boolean {
    if (this.autodetect && this.columns.length === 0) {
      this.columns = values ?? [];
      event.cancel();
      return false;
    }
    if (this.skipHeader && this.columns.length > 0 && sameValues(this.columns, values)) {
      event.cancel();
      return false;
    }
    if (this.skipEmptyRows && values === null) {
      event.tag(CSV_SKIPPED_EMPTY_TAG);
      return false;
    }
    if (values === null) throw new CsvError("undefined method 'each_index' for nil (empty line)");
    for (let i = 0; i < values.length; i++) {
      const value = values[i]!;
      if (this.skipEmptyColumns && (value === null || value === "")) continue;
      const column = this.columns[i];
      if ((column === undefined || column === null) && !this.autogenerate) continue;
      const name = column ?? `column${i + 1}`;
      const convert = this.converters.get(name);
      event.set(this.fieldReference(name), convert === undefined ? value : convert(value));
    }
    return true;
  }

  private fieldReference(name: string): string {
    return name.startsWith("[") ? `${this.target}${name}` : `${this.target}[${name}]`;
  }
}

function sameValues(columns: (string | null)[], values: (string | null)[] | null): boolean {
  return values !== null && columns.length === values.length && columns.every((c, i) => c === values[i]);
}

function compileConverters(convert: Record<string, unknown>): Map<string, Converter> {
  const bad = [
    ...new Set(
      Object.values(convert)
        .map(String)
        .filter((t) => !(converterNames as readonly string[]).includes(t)),
    ),
  ];
  if (bad.length > 0) throw new Error(`Invalid conversion types: ${bad.join(", ")}`);
  const converters = new Map<string, Converter>();
  for (const [column, type] of Object.entries(convert)) {
    converters.set(column, converterFor(String(type) as ConverterName));
  }
  return converters;
}

// ---------------------------------------------------------------- Ruby CSV parsing

export class CsvError extends Error {
  override name = "CsvError";
}

/**
 * Ruby's `CSV.parse_line`: the first row of `text` (row separator auto-detected: \r\n, \n or \r), as strings,
 * with null for an empty unquoted column and "" for an empty quoted one. Empty text gives null.
 */
export function parseCsvLine(text: string, separator: string, quote: string): (string | null)[] | null {
  if (text === "") return null;
  const rowSeparator = detectRowSeparator(text);
  const values: (string | null)[] = [];
  let i = 0;
  for (;;) {
    if (text.startsWith(quote, i)) {
      const [value, next] = quotedValue(text, i, quote);
      values.push(value);
      i = next;
    } else {
      const end = unquotedEnd(text, i, separator, rowSeparator);
      const value = text.slice(i, end);
      if (value.includes(quote)) throw new CsvError(`Illegal quoting in line 1.`);
      if (/[\r\n]/.test(value)) throw new CsvError(`Unquoted fields do not allow new line in line 1.`);
      values.push(value === "" ? null : value);
      i = end;
    }
    if (i >= text.length || text.startsWith(rowSeparator, i)) break;
    if (!text.startsWith(separator, i))
      throw new CsvError("Any value after quoted field isn't allowed in line 1.");
    i += separator.length;
  }
  // A line holding only the row separator is an empty row, not a row with one empty column.
  return values.length === 1 && values[0] === null && text.startsWith(rowSeparator) ? [] : values;
}

/** Ruby CSV's `row_sep: :auto`: the first line break in the text, quoted or not. */
function detectRowSeparator(text: string): string {
  const at = text.search(/[\r\n]/);
  if (at < 0) return "\n";
  if (text[at] === "\n") return "\n";
  return text[at + 1] === "\n" ? "\r\n" : "\r";
}

function quotedValue(text: string, start: number, quote: string): [string, number] {
  let value = "";
  let i = start + quote.length;
  for (;;) {
    const close = text.indexOf(quote, i);
    if (close < 0) throw new CsvError("Unclosed quoted field in line 1.");
    value += text.slice(i, close);
    if (text.startsWith(quote, close + quote.length)) {
      value += quote;
      i = close + 2 * quote.length;
      continue;
    }
    return [value, close + quote.length];
  }
}

function unquotedEnd(text: string, start: number, separator: string, rowSeparator: string): number {
  const bySeparator = text.indexOf(separator, start);
  const byRow = text.indexOf(rowSeparator, start);
  const candidates = [bySeparator, byRow, text.length].filter((p) => p >= 0);
  return Math.min(...candidates);
}

// ---------------------------------------------------------------- Ruby CSV converters

function converterFor(name: ConverterName): Converter {
  switch (name) {
    case "integer":
      return (value) => (value === null ? null : (rubyInteger(value) ?? value));
    case "float":
      return (value) => (value === null ? null : (rubyFloat(value) ?? value));
    case "date":
      return (value) => (value === null ? null : (parseCsvDate(value) ?? value));
    case "date_time":
      return (value) => (value === null ? null : (parseCsvDateTime(value) ?? value));
    case "boolean":
      return (value) => {
        if (value === null) throw new CsvError("undefined method 'strip' for nil");
        const word = value.trim().toLowerCase();
        if (word === "false") return false;
        if (word === "true") return true;
        return word;
      };
  }
}

/** Ruby's Integer() of text: whitespace around, sign, 0x/0b/0o/0 prefixes, underscores between digits. */
export function rubyInteger(text: string): number | undefined {
  const m =
    /^\s*([+-]?)(0x[0-9a-f]+(?:_[0-9a-f]+)*|0b[01]+(?:_[01]+)*|0o?[0-7]+(?:_[0-7]+)*|\d+(?:_\d+)*)\s*$/i.exec(
      text,
    );
  if (m === null) return undefined;
  const digits = m[2]!.replaceAll("_", "").toLowerCase();
  let magnitude: number;
  if (digits.startsWith("0x")) magnitude = Number.parseInt(digits.slice(2), 16);
  else if (digits.startsWith("0b")) magnitude = Number.parseInt(digits.slice(2), 2);
  else if (digits.startsWith("0o")) magnitude = Number.parseInt(digits.slice(2), 8);
  else if (digits.length > 1 && digits.startsWith("0")) magnitude = Number.parseInt(digits.slice(1), 8);
  else magnitude = Number(digits);
  return m[1] === "-" ? -magnitude : magnitude;
}

/** Ruby's Float() of decimal text: whitespace around, sign, digits, fraction, exponent, underscores. */
export function rubyFloat(text: string): number | undefined {
  const trimmed = text.trim();
  if (!/^[+-]?(?:\d+(?:_\d+)*)?(?:\.\d+(?:_\d+)*)?(?:[eE][+-]?\d+)?$/.test(trimmed)) {
    const hex = rubyInteger(trimmed);
    return hex !== undefined && /^[+-]?0x/i.test(trimmed) ? hex : undefined;
  }
  if (!/\d/.test(trimmed.split(/[eE]/)[0]!)) return undefined;
  return Number(trimmed.replaceAll("_", ""));
}

const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

// Ruby CSV's DateMatcher and DateTimeMatcher: what its :date and :date_time converters try to parse.
const DATE_ISO = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_WORDS = /^(?:\w+,?\s+)?(\w+)\s+(\d{1,2}),?\s+(\d{2,4})$/;
const DATE_TIME_ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T\s](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?([+-]\d{2}(?::\d{2})|Z)?)?)?$/;
const DATE_TIME_WORDS = /^(?:\w+,?\s+)?(\w+)\s+(\d{1,2})\s+(\d{1,2}):(\d{1,2}):(\d{1,2}),?\s+(\d{2,4})$/;

function monthNumber(word: string): number | undefined {
  const index = MONTHS.indexOf(word.slice(0, 3).toLowerCase());
  return index < 0 ? undefined : index + 1;
}

function fullYear(text: string): number {
  const year = Number(text);
  // Ruby's Date.parse completes two-digit years into 1969..2068.
  if (text.length === 2) return year >= 69 ? 1900 + year : 2000 + year;
  return year;
}

/** `:date`: a calendar date at local midnight (Ruby's Date#to_time), or undefined to keep the text. */
export function parseCsvDate(text: string): Timestamp | undefined {
  let parts: [number, number, number] | undefined;
  const iso = DATE_ISO.exec(text);
  if (iso !== null) parts = [Number(iso[1]), Number(iso[2]), Number(iso[3])];
  const words = iso === null ? DATE_WORDS.exec(text) : null;
  if (words !== null) {
    const month = monthNumber(words[1]!);
    if (month !== undefined) parts = [fullYear(words[3]!), month, Number(words[2])];
  }
  if (parts === undefined || !validDate(...parts)) return undefined;
  const local = new Date(parts[0], parts[1] - 1, parts[2]);
  local.setFullYear(parts[0]);
  return new Timestamp(local.getTime());
}

/** `:date_time`: Ruby's DateTime.parse (UTC unless an offset is written), or undefined to keep the text. */
export function parseCsvDateTime(text: string): Timestamp | undefined {
  const iso = DATE_TIME_ISO.exec(text);
  if (iso !== null) {
    const [y, mo, d] = [Number(iso[1]), Number(iso[2]), Number(iso[3])];
    const [h, mi, s] = [Number(iso[4] ?? 0), Number(iso[5] ?? 0), Number(iso[6] ?? 0)];
    if (!validDate(y, mo, d) || h > 23 || mi > 59 || s > 59) return undefined;
    const millis = Number((iso[7] ?? "").padEnd(3, "0").slice(0, 3));
    return utcTimestamp(y, mo, d, h, mi, s, millis, offsetMinutes(iso[8]));
  }
  const words = DATE_TIME_WORDS.exec(text);
  if (words === null) return undefined;
  const month = monthNumber(words[1]!);
  const [d, h, mi, s] = [Number(words[2]), Number(words[3]), Number(words[4]), Number(words[5])];
  const year = fullYear(words[6]!);
  if (month === undefined || !validDate(year, month, d) || h > 23 || mi > 59 || s > 59) return undefined;
  return utcTimestamp(year, month, d, h, mi, s, 0, 0);
}

function offsetMinutes(zone: string | undefined): number {
  if (zone === undefined || zone === "Z") return 0;
  const sign = zone.startsWith("-") ? -1 : 1;
  return sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6) || 0));
}

function utcTimestamp(
  y: number,
  mo: number,
  d: number,
  h: number,
  mi: number,
  s: number,
  ms: number,
  offset: number,
): Timestamp {
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s, ms));
  date.setUTCFullYear(y);
  return new Timestamp(date.getTime() - offset * 60_000);
}

function validDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return day <= [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
}
