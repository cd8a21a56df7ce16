import { describe, expect, it } from "vitest";
import { Event, Timestamp } from "../../event/index.js";
import { CSV_FAILURE_TAG, csvCodec } from "./csv.js";
import { generateCsvRow, parseCsvRow } from "./csv-text.js";
import { decodeAll, makeCodec, recordingContext } from "./test-support.js";

describe("CSV rows (Ruby's CSV rules)", () => {
  it("parses quoted, doubled-quote, empty and trailing fields", () => {
    expect(parseCsvRow('a,"b,c","d""e",,""\n', ",", '"')).toEqual(["a", "b,c", 'd"e', null, ""]);
    expect(parseCsvRow("a,", ",", '"')).toEqual(["a", null]);
    expect(parseCsvRow("\n", ",", '"')).toEqual([]);
    expect(parseCsvRow("", ",", '"')).toBeUndefined();
    expect(parseCsvRow('"multi\nline",x\r\nnext', ",", '"')).toEqual(["multi\nline", "x"]);
    expect(parseCsvRow("a;b", ";", '"')).toEqual(["a", "b"]);
    expect(parseCsvRow("'a;b';c", ";", "'")).toEqual(["a;b", "c"]);
  });

  it("refuses what Ruby refuses", () => {
    expect(() => parseCsvRow('a"b,c', ",", '"')).toThrow(/Illegal quoting/);
    expect(() => parseCsvRow('"a"b,c', ",", '"')).toThrow(/Any value after quoted field/);
    expect(() => parseCsvRow('"abc', ",", '"')).toThrow(/Unclosed quoted field/);
  });

  it("generates rows like generate_line", () => {
    expect(generateCsvRow(["a", null, "", "b,c", 'd"e', "x\ny"], ",", '"')).toBe(
      'a,,"","b,c","d""e","x\ny"\n',
    );
  });
});

describe("csv codec", () => {
  it("names columns from `columns`, then column<n>, and sets [event][original]", () => {
    const [event] = decodeAll(makeCodec(csvCodec, { columns: ["first", "second"] }), ["1,2,3\n"]);
    expect(event!.get("first")).toBe("1");
    expect(event!.get("second")).toBe("2");
    expect(event!.get("column3")).toBe("3");
    expect(event!.get("[event][original]")).toBe("1,2,3\n");
  });

  it("drops unnamed columns without autogenerate_column_names, and empty ones with skip_empty_columns", () => {
    const [event] = decodeAll(
      makeCodec(csvCodec, {
        columns: ["a", "b"],
        autogenerate_column_names: false,
        skip_empty_columns: true,
      }),
      ["x,,z"],
    );
    expect(event!.get("a")).toBe("x");
    expect(event!.includes("b")).toBe(false);
    expect(event!.includes("column3")).toBe(false);
    const [kept] = decodeAll(makeCodec(csvCodec), ["x,,z"]);
    expect(kept!.get("column2")).toBeNull();
  });

  it("takes the first row as column names with autodetect_column_names", () => {
    const events = decodeAll(makeCodec(csvCodec, { autodetect_column_names: true }), ["name,age", "bob,42"]);
    expect(events).toHaveLength(1);
    expect(events[0]!.get("name")).toBe("bob");
    expect(events[0]!.get("age")).toBe("42");
  });

  it("uses separator, quote_char and target", () => {
    const [event] = decodeAll(makeCodec(csvCodec, { separator: ";", quote_char: "'", target: "[row]" }), [
      "'a;b';c",
    ]);
    expect(event!.get("[row][column1]")).toBe("a;b");
    expect(event!.get("[row][column2]")).toBe("c");
  });

  it("converts integer, float, boolean, date and date_time", () => {
    const codec = makeCodec(csvCodec, {
      columns: ["i", "hex", "f", "b", "d", "dt", "bad"],
      convert: {
        i: "integer",
        hex: "integer",
        f: "float",
        b: "boolean",
        d: "date",
        dt: "date_time",
        bad: "integer",
      },
    });
    const [event] = decodeAll(codec, ["1_000,0x1A,2.5, TRUE ,2024-01-02,2024-01-02T03:04:05Z,12x"]);
    expect(event!.get("i")).toBe(1000);
    expect(event!.get("hex")).toBe(26);
    expect(event!.get("f")).toBe(2.5);
    expect(event!.get("b")).toBe(true);
    expect(event!.get("d")).toBeInstanceOf(Timestamp);
    expect((event!.get("dt") as Timestamp).toString()).toBe("2024-01-02T03:04:05.000Z");
    expect(event!.get("bad")).toBe("12x");
  });

  it("refuses unknown conversion types and bad quote_char", () => {
    expect(() => makeCodec(csvCodec, { convert: { a: "nope" } })).toThrow(/Invalid conversion types: nope/);
    expect(() => makeCodec(csvCodec, { quote_char: "ab" })).toThrow(/single character/);
  });

  it("tags a malformed row _csvparsefailure with the text as message", () => {
    const context = recordingContext();
    const [event] = decodeAll(makeCodec(csvCodec, {}, context), ['a"b,c']);
    expect(event!.get("message")).toBe('a"b,c');
    expect(event!.get("tags")).toEqual([CSV_FAILURE_TAG]);
    expect(context.failures).toEqual(["csv_parse"]);
  });

  it("encodes the configured columns, with a header row once when asked", () => {
    const codec = makeCodec(csvCodec, { columns: ["a", "[n][x]", "missing"], include_headers: true });
    const event = new Event({ a: "1,2", n: { x: 5 } });
    expect(codec.encode(event)).toBe('a,[n][x],missing\n"1,2",5,\n');
    expect(codec.encode(event)).toBe('"1,2",5,\n');
  });

  it("encodes every field when no columns are given, structured values as Ruby prints them", () => {
    const event = new Event({ "@timestamp": "2024-01-02T03:04:05.000Z", h: { k: [1, "x"] } });
    const codec = makeCodec(csvCodec, { include_headers: true, separator: "|" });
    expect(codec.encode(event)).toBe(
      '@timestamp|h|@version\n2024-01-02T03:04:05.000Z|"{""k""=>[1, ""x""]}"|1\n',
    );
  });
});
