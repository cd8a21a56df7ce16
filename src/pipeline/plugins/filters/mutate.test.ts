import { describe, expect, it } from "vitest";
import { capitalize, mutateFilter, rubySplit } from "./mutate.js";
import { filterHarness } from "./testing.js";

const SPEC = mutateFilter;
const { setup, refused, diagnosticsOf } = filterHarness(SPEC);

describe("mutate: simple field operations", () => {
  it("coerce sets only present null fields, interpolated", () => {
    const { run } = setup(
      `coerce => { "a" => "Hello" "b" => 5 "c" => false "d" => "%{x}" "missing" => "no" }`,
    );
    const { event, matched } = run({ a: null, b: null, c: true, d: null, x: "X" });
    expect(matched).toBe(true);
    expect(event.get("a")).toBe("Hello");
    expect(event.get("b")).toBe("5");
    expect(event.get("c")).toBe(true);
    expect(event.get("d")).toBe("X");
    expect(event.includes("missing")).toBe(false);
  });

  it("rename moves values, with sprintf on both names and nested references", () => {
    const { run } = setup(
      `rename => { "field_%{x}" => "destination" "[a][b]" => "[c][d]" "nosuch" => "hello" }`,
    );
    const { event } = run({ field_one: "value", x: "one", a: { b: 1, keep: 2 } });
    expect(event.includes("field_one")).toBe(false);
    expect(event.get("destination")).toBe("value");
    expect(event.get("[c][d]")).toBe(1);
    expect(event.get("a")).toEqual({ keep: 2 });
    expect(event.includes("hello")).toBe(false);
  });

  it("rename accepts the array form and moves null values too", () => {
    const { run } = setup(`rename => [ "rename1", "rename2", "n", "m" ]`);
    const { event } = run({ rename1: ["hello world"], n: null });
    expect(event.get("rename2")).toEqual(["hello world"]);
    expect(event.includes("m")).toBe(true);
    expect(event.includes("n")).toBe(false);
  });

  it("update changes only existing fields; replace creates them", () => {
    const { run } = setup(`update => { "nosuchfield" => "weee" "updateme" => "updated %{v}" }
      replace => { "replaceme" => "hello world" "newfield" => "newnew" }`);
    const { event } = run({ updateme: ["who cares"], replaceme: "x", v: 1 });
    expect(event.includes("nosuchfield")).toBe(false);
    expect(event.get("updateme")).toBe("updated 1");
    expect(event.get("replaceme")).toBe("hello world");
    expect(event.get("newfield")).toBe("newnew");
  });

  it("copy deep-copies and skips missing or null sources", () => {
    const { run } = setup(`copy => { "h" => "t" "nothing" => "t2" "n" => "t3" }`);
    const { event } = run({ h: { foo: "bar" }, n: null });
    expect(event.get("t")).toEqual({ foo: "bar" });
    event.set("[h][foo]", "baz");
    expect(event.get("[t][foo]")).toBe("bar");
    expect(event.includes("t2")).toBe(false);
    expect(event.includes("t3")).toBe(false);
  });
});

describe("mutate: convert", () => {
  it("converts integers with Logstash's text rules", () => {
    const { run } =
      setup(`convert => { "[foo][0]" => "integer" "[foo][1]" => "integer" "[foo][2]" => "integer"
      "[foo][3]" => "integer" "[foo][4]" => "integer" "[foo][5]" => "integer" "[foo][6]" => "integer" "[foo][7]" => "integer" }`);
    const { event } = run({
      foo: ["1,000", "1,234,567.8", " 123.4 ", "0x7b", "1.234500e+02", "-0x1.edcdp6", true, 123.45],
    });
    expect(event.get("foo")).toEqual([1000, 1234567, 123, 123, 123, -123, 1, 123]);
  });

  it("converts floats, including hex and booleans", () => {
    const { run } = setup(
      `convert => { "a" => "float" "b" => "float" "c" => "float" "d" => "float" "e" => "float" }`,
    );
    const { event } = run({ a: "3,141.5926", b: "0x1.edcdp6", c: false, d: 3, e: "1_000.5" });
    expect(event.get("a")).toBeCloseTo(3141.5926);
    expect(event.get("b")).toBe(123.4501953125);
    expect(event.get("c")).toBe(0);
    expect(event.get("d")).toBe(3);
    expect(event.get("e")).toBe(1000.5);
  });

  it("converts European number formats", () => {
    const { run } =
      setup(`convert => { "[i][0]" => "integer_eu" "[i][1]" => "integer_eu" "[i][2]" => "integer_eu"
      "[f][0]" => "float_eu" "[f][1]" => "float_eu" "[f][2]" => "float_eu" }`);
    const { event } = run({ i: ["1.000", "1.234.567,8", "123,4"], f: ["1.000", "1.234.567,8", "123,4"] });
    expect(event.get("i")).toEqual([1000, 1234567, 123]);
    expect(event.get("f")).toEqual([1000, 1234567.8, 123.4]);
  });

  it("converts to string and to boolean, arrays element by element, hashes and nulls left alone", () => {
    const { run, logs } = setup(
      `convert => { "s" => "string" "t" => "string" "b" => "boolean" "h" => "integer" "n" => "integer" }`,
    );
    const { event } = run({
      s: 1234,
      t: true,
      b: ["1", "0", 0, 1, 2, "Yes", "N", "", "none", 1.0, null],
      h: { a: "1" },
      n: null,
    });
    expect(event.get("s")).toBe("1234");
    expect(event.get("t")).toBe("true");
    expect(event.get("b")).toEqual([true, false, false, true, 2, true, false, false, "none", true, null]);
    expect(event.get("h")).toEqual({ a: "1" });
    expect(event.get("n")).toBeNull();
    expect(logs.some((l) => l.includes("failed to convert none into boolean"))).toBe(true);
  });

  it("an unconvertible number tags _mutate_error, stops later operations and is not a match", () => {
    const { run, failures } = setup(`convert => { "a" => "integer" } uppercase => [ "u" ]`);
    const { event, matched } = run({ a: "abc", u: "x" });
    expect(matched).toBe(false);
    expect(event.get("tags")).toEqual(["_mutate_error"]);
    expect(event.get("a")).toBe("abc");
    expect(event.get("u")).toBe("x");
    expect(failures).toEqual(["mutate_error"]);
  });

  it("tag_on_failure names the tag", () => {
    const { run } = setup(`convert => { "a" => "float" } tag_on_failure => "my_tag"`);
    expect(run({ a: "12abc" }).event.get("tags")).toEqual(["my_tag"]);
  });

  it("refuses an unknown conversion type", () => {
    expect(refused(`convert => [ "message", "int" ]`)).toMatch(/Invalid conversion type 'int'/);
  });
});

describe("mutate: gsub", () => {
  it("substitutes in strings and arrays of strings, several triples, Ruby regex", () => {
    const { run } = setup(
      `gsub => [ "colors", "\\d$", "blue", "shapes", "square", "circle", "list", "extinct", "common" ]`,
    );
    const { event } = run({
      colors: "red3",
      shapes: "Four red squares",
      list: ["extinct animals", 5, "extinct ideas"],
    });
    expect(event.get("colors")).toBe("redblue");
    expect(event.get("shapes")).toBe("Four red circles");
    expect(event.get("list")).toEqual(["common animals", 5, "common ideas"]);
  });

  it("interpolates %{} in the pattern and the replacement", () => {
    const { run } = setup(`gsub => [ "u", "of type %{color}", "%{color} and green" ]`);
    const { event } = run({ u: "Unicorns of type blue are common", color: "blue" });
    expect(event.get("u")).toBe("Unicorns blue and green are common");
  });

  it("uses Ruby's replacement escapes, not JavaScript's", () => {
    const { run } = setup(`gsub => [ "a", "(\\w+)@(?<host>\\w+)", "\\2-\\1-\\k<host>-$1-\\0" ]`);
    expect(run({ a: "me@here" }).event.get("a")).toBe("here-me-here-$1-me@here");
  });

  it("leaves non-string fields alone and refuses incomplete triples", () => {
    const { run } = setup(`gsub => [ "n", "1", "2" ]`);
    expect(run({ n: 1 }).event.get("n")).toBe(1);
    expect(refused(`gsub => [ "message", "toreplace" ]`)).toMatch(/Invalid gsub configuration/);
    expect(refused(`gsub => [ "message", "(", "x" ]`)).toMatch(/regexp/);
  });
});

describe("mutate: case, strip, split, join, merge", () => {
  it("uppercases, capitalizes and lowercases strings and string elements (Unicode), skipping missing fields", () => {
    const { run } = setup(`uppercase => [ "u", "missing" ] capitalize => [ "c" ] lowercase => [ "l" ]`);
    const { event } = run({ u: ["a", 2, "xYzółć"], c: ["ab", 2, "CDE", "nÎcË gÛŸ"], l: "АБВГД" });
    expect(event.get("u")).toEqual(["A", 2, "XYZÓŁĆ"]);
    expect(event.get("c")).toEqual(["Ab", 2, "Cde", "Nîcë gûÿ"]);
    expect(event.get("l")).toBe("абвгд");
    expect(event.includes("missing")).toBe(false);
    expect(capitalize("")).toBe("");
  });

  it("runs the operations in Logstash's order, whatever order they are written in", () => {
    // uppercase (earlier) then lowercase (later): the result is lower case; rename happens before replace.
    const { run } = setup(
      `lowercase => [ "a" ] uppercase => [ "a" ] replace => { "b" => "new" } rename => { "x" => "b" }`,
    );
    const { event } = run({ a: "MiXeD", x: "old" });
    expect(event.get("a")).toBe("mixed");
    expect(event.get("b")).toBe("new");
  });

  it("strips strings and arrays; a non-string element is an error", () => {
    const { run } = setup(`strip => [ "a", "b" ]`);
    const { event } = run({ a: " /store.php \t", b: [" x ", "y "] });
    expect(event.get("a")).toBe("/store.php");
    expect(event.get("b")).toEqual(["x", "y"]);
    expect(run({ a: "x", b: [" x", 1] }).event.get("tags")).toEqual(["_mutate_error"]);
  });

  it("splits strings like Ruby's String#split and leaves other types alone", () => {
    const { run } = setup(`split => { "a" => "," "b" => "," "c" => "," "d" => " " }`);
    const { event } = run({ a: "foo,bar,baz", b: "foo,", c: ["foo", "bar"], d: "  one  two " });
    expect(event.get("a")).toEqual(["foo", "bar", "baz"]);
    expect(event.get("b")).toEqual(["foo"]);
    expect(event.get("c")).toEqual(["foo", "bar"]);
    expect(event.get("d")).toEqual(["one", "two"]);
    expect(rubySplit("abc", "")).toEqual(["a", "b", "c"]);
    expect(rubySplit("", ",")).toEqual([]);
  });

  it("joins arrays (nested ones too) and leaves strings alone", () => {
    const { run } = setup(`join => { "a" => "," "s" => "," }`);
    const { event } = run({ a: ["x", 1, null, ["y", "z"]], s: "already" });
    expect(event.get("a")).toBe("x,1,,y,z");
    expect(event.get("s")).toBe("already");
  });

  it("merges strings and arrays into arrays and hashes into hashes", () => {
    const { run, logs } = setup(
      `merge => { "list" => "foo" "str" => "foo" "h" => "h2" "bad" => "h2" "none" => "nothing" }`,
    );
    const { event } = run({ foo: ["bar"], list: ["baz"], str: "baz", h: { a: 1 }, h2: { b: 2 }, bad: ["x"] });
    expect(event.get("list")).toEqual(["baz", "bar"]);
    expect(event.get("str")).toEqual(["baz", "bar"]);
    expect(event.get("foo")).toEqual(["bar"]);
    expect(event.get("h")).toEqual({ a: 1, b: 2 });
    expect(event.get("bad")).toEqual(["x"]);
    expect(event.get("none")).toEqual([]);
    expect(logs.some((l) => l.includes("not possible to merge"))).toBe(true);
  });

  it("merges a string into a missing field and several fields into an array", () => {
    const { run } = setup(`merge => { "list" => "foo" "many" => ["x", "y"] }`);
    const { event } = run({ foo: "bar", many: [], x: "1", y: ["2", "3"] });
    expect(event.get("list")).toEqual(["bar"]);
    expect(event.get("many")).toEqual(["1", "2", "3"]);
  });

  it("refuses the removed `remove` option", () => {
    const diagnostics = diagnosticsOf(`remove => [ "a" ]`);
    expect(diagnostics.map((d) => d.code)).toEqual(["obsolete-option"]);
  });
});
