import { describe, expect, it } from "vitest";
import { Timestamp } from "../../event/index.js";
import { CsvError, csvFilter, parseCsvLine, rubyFloat, rubyInteger } from "./csv.js";
import { filterHarness } from "./testing.js";

const SPEC = csvFilter;
const { setup, refused, diagnosticsOf } = filterHarness(SPEC);

describe("Ruby CSV line parsing", () => {
  it("splits, unquotes and tells empty from empty-quoted", () => {
    expect(parseCsvLine('a,"b, c","d ""e""",,""', ",", '"')).toEqual(["a", "b, c", 'd "e"', null, ""]);
    expect(parseCsvLine("", ",", '"')).toBeNull();
    expect(parseCsvLine("\n", ",", '"')).toEqual([]);
    expect(parseCsvLine("a,b\nc,d", ",", '"')).toEqual(["a", "b"]);
    expect(parseCsvLine('"multi\nline",x\nnext', ",", '"')).toEqual(["multi\nline", "x"]);
    expect(parseCsvLine("a||b", "||", '"')).toEqual(["a", "b"]);
    expect(parseCsvLine("a,", ",", '"')).toEqual(["a", null]);
  });

  it("refuses stray and unclosed quotes as Ruby's strict parser does", () => {
    expect(() => parseCsvLine('a,b"c', ",", '"')).toThrow(CsvError);
    expect(() => parseCsvLine('"ab"c,d', ",", '"')).toThrow(/after quoted field/);
    expect(() => parseCsvLine('"abc', ",", '"')).toThrow(/Unclosed/);
    // The first line break decides the row separator, even inside quotes: here "\n", so "x\r" is refused.
    expect(() => parseCsvLine('"multi\nline",x\r\nnext', ",", '"')).toThrow(/new line/);
  });

  it("converts numbers like Ruby's Integer() and Float()", () => {
    expect(rubyInteger(" 12 ")).toBe(12);
    expect(rubyInteger("0x1A")).toBe(26);
    expect(rubyInteger("017")).toBe(15);
    expect(rubyInteger("1_000")).toBe(1000);
    expect(rubyInteger("12.5")).toBeUndefined();
    expect(rubyFloat("12.375")).toBe(12.375);
    expect(rubyFloat("1e3")).toBe(1000);
    expect(rubyFloat("abc")).toBeUndefined();
  });
});

describe("csv filter", () => {
  it("names columns column1.. by default and keeps the source", () => {
    const { run } = setup("");
    const { event, matched } = run({ message: "big,bird,sesame street" });
    expect(matched).toBe(true);
    expect(event.get("column1")).toBe("big");
    expect(event.get("column2")).toBe("bird");
    expect(event.get("column3")).toBe("sesame street");
    expect(event.get("message")).toBe("big,bird,sesame street");
  });

  it("uses separator and quote_char, including NUL written as \\x00", () => {
    expect(setup(`separator => ";"`).run({ message: "big,bird;sesame street" }).event.get("column2")).toBe(
      "sesame street",
    );
    expect(
      setup(`quote_char => "'"`).run({ message: "big,bird,'sesame, street'" }).event.get("column3"),
    ).toBe("sesame, street");
    const nul = setup(`quote_char => "\\x00"`).run({ message: 'big,bird,"sesame" street' });
    expect(nul.event.get("column3")).toBe('"sesame" street');
  });

  it("maps columns, autogenerates the rest unless told not to", () => {
    const { run } = setup(`columns => ["custom1", "custom2"]`);
    const { event } = run({ message: "val1,val2,val3" });
    expect(event.get("custom1")).toBe("val1");
    expect(event.get("custom2")).toBe("val2");
    expect(event.get("column3")).toBe("val3");
    const strict = setup(`columns => ["custom1", "custom2"] autogenerate_column_names => false`);
    expect(strict.run({ message: "val1,val2,val3" }).event.includes("column3")).toBe(false);
  });

  it("reads from source and writes under target (plain or field reference), nested column names too", () => {
    const plain = setup(`source => "datain" target => "data"`).run({ datain: "a,b" });
    expect(plain.event.get("data")).toEqual({ column1: "a", column2: "b" });
    const nested = setup(`target => "[@metadata][one]" columns => ["[test][one]", "two"]`).run({
      message: "hello,world",
    });
    expect(nested.event.get("[@metadata][one][test][one]")).toBe("hello");
    expect(nested.event.get("[@metadata][one][two]")).toBe("world");
  });

  it("keeps empty columns as null unless skip_empty_columns", () => {
    expect(setup("").run({ message: 'val1,,""' }).event.toObject()).toMatchObject({
      column2: null,
      column3: "",
    });
    const skipped = setup(`skip_empty_columns => true columns => ["a", "b", "c"]`).run({
      message: 'val1,,""',
    });
    expect(skipped.event.includes("b")).toBe(false);
    expect(skipped.event.includes("c")).toBe(false);
  });

  it("cancels the header line with skip_header", () => {
    const { run } = setup(`skip_header => true columns => ["first", "second"]`);
    const header = run({ message: "first,second" });
    expect(header.event.cancelled).toBe(true);
    expect(header.matched).toBe(false);
    expect(run({ message: "1,2" }).event.get("first")).toBe("1");
  });

  it("autodetects column names from the first line and drops it", () => {
    const { run } = setup(`autodetect_column_names => true`);
    const header = run({ message: "first,last,address" });
    expect(header.event.cancelled).toBe(true);
    const { event } = run({ message: "big,bird,sesame street" });
    expect(event.get("first")).toBe("big");
    expect(event.get("address")).toBe("sesame street");
  });

  it("an empty line fails, or is tagged _csvskippedemptyfield with skip_empty_rows", () => {
    expect(setup("").run({ message: "" }).event.get("tags")).toEqual(["_csvparsefailure"]);
    const skipped = setup(`skip_empty_rows => true`).run({ message: "" });
    expect(skipped.event.get("tags")).toEqual(["_csvskippedemptyfield"]);
    expect(skipped.event.cancelled).toBe(false);
    expect(skipped.matched).toBe(false);
  });

  it("tags malformed CSV and non-string sources _csvparsefailure", () => {
    const { run, failures, logs } = setup("");
    const { event, matched } = run({ message: 'a,"b' });
    expect(matched).toBe(false);
    expect(event.get("tags")).toEqual(["_csvparsefailure"]);
    expect(run({ message: 5 }).event.get("tags")).toEqual(["_csvparsefailure"]);
    expect(run({}).event.get("tags")).toBeUndefined();
    expect(failures).toEqual(["csv_parse_failure", "csv_parse_failure"]);
    expect(logs.some((l) => l.includes("error parsing csv"))).toBe(true);
  });

  it("converts columns by name", () => {
    const { run } = setup(`convert => { "column1" => "integer" "column3" => "boolean" "column4" => "float"
      "column5" => "date" "column6" => "date_time" "column7" => "date" "column8" => "date_time" "column9" => "date_time" "column2" => "integer" }`);
    const { event } = run({
      message:
        "1234,bird, False ,12.375,2017-06-01,2001-02-03 04:05:06,invalid_date,invalid_date_time,2001-02-03T04:05:06+01:00",
    });
    expect(event.get("column1")).toBe(1234);
    expect(event.get("column2")).toBe("bird");
    expect(event.get("column3")).toBe(false);
    expect(event.get("column4")).toBe(12.375);
    expect(event.get("column5")).toBeInstanceOf(Timestamp);
    expect((event.get("column5") as Timestamp).epochMs).toBe(new Date(2017, 5, 1).getTime());
    expect(event.get("column6")!.toString()).toBe("2001-02-03T04:05:06.000Z");
    expect(event.get("column7")).toBe("invalid_date");
    expect(event.get("column8")).toBe("invalid_date_time");
    expect(event.get("column9")!.toString()).toBe("2001-02-03T03:05:06.000Z");
  });

  it("boolean conversion of an empty column is a parse failure, as in Logstash", () => {
    const { run } = setup(`convert => { "column2" => "boolean" }`);
    expect(run({ message: "a,,c" }).event.get("tags")).toEqual(["_csvparsefailure"]);
  });

  it("refuses unknown conversions and an empty separator", () => {
    expect(refused(`convert => { "a" => "wrong_type" }`)).toMatch(/Invalid conversion types: wrong_type/);
    expect(refused(`separator => ""`)).toMatch(/separator/);
  });

  it("a multi-character quote_char fails every event", () => {
    const { run, logs } = setup(`quote_char => "ab"`);
    expect(logs.some((l) => l.includes("single character"))).toBe(true);
    expect(run({ message: "a,b" }).event.get("tags")).toEqual(["_csvparsefailure"]);
  });

  it("suggests the right name for a misspelt option", () => {
    const [diagnostic] = diagnosticsOf(`seperator => ";"`);
    expect(diagnostic?.code).toBe("unknown-option");
    expect(diagnostic?.hint).toContain("separator");
  });

  it("says when ECS is on and no target is set", () => {
    expect(setup("", "v8").logs.some((l) => l.includes("`target` option was not specified"))).toBe(true);
    expect(setup(`target => "csv"`, "v8").logs).toEqual([]);
  });
});
