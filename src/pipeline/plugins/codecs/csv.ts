// The `csv` codec: each chunk an input reads is one CSV row, its fields named by `columns` (or column1, column2,
// ...), optionally converted; a malformed row becomes an event tagged `_csvparsefailure`. Encoding writes one
// row per event (the header row first with include_headers).

import { Event, type FieldValue, Timestamp } from "../../event/index.js";
import type { Codec, CodecSpec, Decoder, PluginContext } from "../api.js";
import { charsetOption, createTextConverter, type TextConverter } from "./charset.js";
import { generateCsvRow, MalformedCsvError, parseCsvRow } from "./csv-text.js";
import { eventFields } from "./event-text.js";
import { rubyToS } from "./ruby-format.js";

export const CSV_FAILURE_TAG = "_csvparsefailure";

type Converter = (value: string) => FieldValue;

/** Ruby's Integer(text): sign, 0x/0b/0o/0 prefixes and `_` between digits; anything else is not a number. */
function rubyInteger(text: string): number | undefined {
  const match =
    /^\s*([+-]?)(?:0[xX]([0-9a-fA-F]+(?:_[0-9a-fA-F]+)*)|0[bB]([01]+(?:_[01]+)*)|0[oO]?([0-7]+(?:_[0-7]+)*)|0[dD]?(\d+(?:_\d+)*)|([1-9]\d*(?:_\d+)*|0))\s*$/.exec(
      text,
    );
  if (match === null) return undefined;
  const [, sign, hex, bin, oct, dec, plain] = match;
  const digits = (hex ?? bin ?? oct ?? dec ?? plain ?? "").replaceAll("_", "");
  const radix = hex !== undefined ? 16 : bin !== undefined ? 2 : oct !== undefined ? 8 : 10;
  const value = Number.parseInt(digits, radix);
  return sign === "-" ? -value : value;
}

/** Ruby's Float(text) for decimal notation (with `_` between digits) and Integer's hex form. */
function rubyFloat(text: string): number | undefined {
  if (/^\s*[+-]?(?:\d+(?:_\d+)*)?(?:\.\d+(?:_\d+)*)?(?:[eE][+-]?\d+)?\s*$/.test(text) && /\d/.test(text)) {
    if (/^\s*[+-]?\./.test(text)) return undefined; // Ruby wants a digit before the point
    return Number(text.trim().replaceAll("_", ""));
  }
  const hex = /^\s*[+-]?0[xX]/.test(text) ? rubyInteger(text) : undefined;
  return hex;
}

function localMidnight(year: number, month: number, day: number): Timestamp | undefined {
  const date = new Date(year, month - 1, day);
  if (date.getFullYear() !== year || date.getMonth() !== month - 1 || date.getDate() !== day)
    return undefined;
  return new Timestamp(date.getTime());
}

/** CSV's :date converter: ISO dates and "Month d, yyyy" forms become local midnight; others stay text. */
function csvDate(text: string): FieldValue {
  const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (iso !== null) return localMidnight(Number(iso[1]), Number(iso[2]), Number(iso[3])) ?? text;
  if (!/^(?:\w+,?\s+)?\w+\s+\d{1,2},?\s+\d{2,4}$/.test(text)) return text;
  const parsed = new Date(text);
  if (Number.isNaN(parsed.getTime())) return text;
  return localMidnight(parsed.getFullYear(), parsed.getMonth() + 1, parsed.getDate()) ?? text;
}

/** CSV's :date_time converter for ISO-8601 text (no zone means UTC, as DateTime.parse reads it). */
function csvDateTime(text: string): FieldValue {
  if (!/^\d{4}-\d{2}-\d{2}(?:[T\s]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?(?:[+-]\d{2}(?::\d{2})|Z)?)?)?$/.test(text))
    return text;
  return Timestamp.parse(text) ?? text;
}

const converters: Record<string, Converter> = {
  integer: (value) => rubyInteger(value) ?? value,
  float: (value) => rubyFloat(value) ?? value,
  date: csvDate,
  date_time: csvDateTime,
  // Logstash's own: compares the stripped, lower-cased text and returns that text when it is neither.
  boolean: (value) => {
    const word = value.trim().toLowerCase();
    return word === "true" ? true : word === "false" ? false : word;
  },
};

export interface CsvSettings {
  columns: string[];
  separator: string;
  quoteChar: string;
  includeHeaders: boolean;
  autogenerateColumnNames: boolean;
  skipEmptyColumns: boolean;
  autodetectColumnNames: boolean;
  convert: Record<string, string>;
  charset: string;
  target: string | undefined;
}

export class CsvCodec implements Codec {
  private readonly converter: TextConverter;
  /** Grows once when autodetect_column_names reads the header row (shared by every source, as in Logstash). */
  private columns: string[];
  private headersPending: boolean;

  constructor(
    private readonly settings: CsvSettings,
    private readonly context: PluginContext,
  ) {
    this.converter = createTextConverter(settings.charset, context.logger);
    this.columns = [...settings.columns];
    this.headersPending = settings.includeHeaders;
  }

  createDecoder(emit: (event: Event) => void): Decoder {
    return { write: (data) => this.decode(this.converter.convert(data), emit), end: () => {} };
  }

  encode(event: Event): string {
    const { separator, quoteChar } = this.settings;
    const fields = eventFields(event);
    let header = "";
    if (this.headersPending) {
      this.headersPending = false;
      header = generateCsvRow(
        this.columns.length === 0 ? Object.keys(fields) : this.columns,
        separator,
        quoteChar,
      );
    }
    const values =
      this.columns.length === 0
        ? Object.values(fields)
        : this.columns.map((column) => this.lookup(event, column));
    const texts = values.map((value) => (value === undefined || value === null ? null : rubyToS(value)));
    return header + generateCsvRow(texts, separator, quoteChar);
  }

  private lookup(event: Event, column: string): FieldValue | undefined {
    try {
      return event.get(column);
    } catch {
      return undefined; // a column name that is no valid field reference names no field
    }
  }

  private decode(text: string, emit: (event: Event) => void): void {
    let values: Array<string | null> | undefined;
    try {
      values = parseCsvRow(text, this.settings.separator, this.settings.quoteChar);
    } catch (err) {
      if (!(err instanceof MalformedCsvError)) throw err;
      this.context.logger.warn("CSV parse failure. Falling back to plain-text", {
        plugin: this.context.id,
        error: err.message,
        data: text,
      });
      this.context.countFailure("csv_parse");
      emit(new Event({ message: text, tags: [CSV_FAILURE_TAG] }));
      return;
    }
    if (values === undefined) return; // empty input: no row
    if (this.settings.autodetectColumnNames && this.columns.length === 0) {
      this.columns = values.map((value) => value ?? "");
      return;
    }
    emit(this.rowEvent(values, text));
  }

  private rowEvent(values: Array<string | null>, text: string): Event {
    const decoded: Record<string, FieldValue> = {};
    values.forEach((value, i) => {
      if (this.settings.skipEmptyColumns && (value === null || value === "")) return;
      const column = this.columns[i];
      if (column === undefined && !this.settings.autogenerateColumnNames) return;
      const name = column ?? `column${i + 1}`;
      const convert = converters[this.settings.convert[name] ?? ""];
      decoded[name] = value !== null && convert !== undefined ? convert(value) : value;
    });
    const event = this.settings.target === undefined ? new Event(decoded) : new Event();
    if (this.settings.target !== undefined) event.set(this.settings.target, decoded);
    if (this.context.ecsCompatibility !== "disabled") event.set("[event][original]", text);
    return event;
  }
}

export const csvCodec: CodecSpec = {
  kind: "codec",
  name: "csv",
  doc: "Reads one CSV row per chunk into named fields and writes events as CSV rows.",
  options: {
    columns: { type: "array", default: [], doc: "Field names for the columns, in order." },
    separator: { type: "string", default: ",", doc: "Column separator." },
    quote_char: { type: "string", default: '"', doc: "Character that quotes a field." },
    include_headers: { type: "boolean", default: false, doc: "Write the header row before the first event." },
    autogenerate_column_names: {
      type: "boolean",
      default: true,
      doc: "Name columns without a configured name column1, column2, ... (else drop them).",
    },
    skip_empty_columns: { type: "boolean", default: false, doc: "Leave out empty fields." },
    autodetect_column_names: {
      type: "boolean",
      default: false,
      doc: "Take the column names from the first row read (when `columns` is empty).",
    },
    convert: { type: "hash", default: {}, doc: "Column => integer, float, date, date_time or boolean." },
    charset: charsetOption,
    target: {
      type: "field_reference",
      doc: "Field to put the row's columns under (default: the event root).",
    },
  },
  create(options, context) {
    const convert: Record<string, string> = {};
    for (const [column, type] of Object.entries(options.hash("convert"))) convert[column] = String(type);
    const bad = [...new Set(Object.values(convert).filter((type) => converters[type] === undefined))];
    if (bad.length > 0) throw new Error(`Invalid conversion types: ${bad.join(", ")}`);
    const rawQuote = options.string("quote_char");
    const quoteChar = rawQuote === "\\x00" ? "\x00" : rawQuote;
    if ([...quoteChar].length !== 1) throw new Error("quote_char has to be a single character");
    const separator = options.string("separator");
    if (separator === "") throw new Error("separator cannot be empty");
    return new CsvCodec(
      {
        columns: options.stringArray("columns"),
        separator,
        quoteChar,
        includeHeaders: options.boolean("include_headers"),
        autogenerateColumnNames: options.boolean("autogenerate_column_names"),
        skipEmptyColumns: options.boolean("skip_empty_columns"),
        autodetectColumnNames: options.boolean("autodetect_column_names"),
        convert,
        charset: options.string("charset"),
        target: options.optionalString("target"),
      },
      context,
    );
  },
};
