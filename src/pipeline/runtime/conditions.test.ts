import { describe, expect, it } from "vitest";
import { buildPlan, type PlanCondition, type PlanIf } from "../config/index.js";
import { Event, Timestamp } from "../event/index.js";
import { rubyRegExp } from "../regexp/ruby.js";
import { ConditionEvaluationError, compileCondition } from "./conditions.js";

function parseCondition(text: string): PlanCondition {
  const { plan, diagnostics } = buildPlan([{ file: "t.conf", text: `filter { if ${text} { } }` }]);
  expect(diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return (plan.sections[0]!.body[0] as PlanIf).condition;
}

/** The fields every row's event has; `[missing]` never exists. */
const ts = Timestamp.parse("2024-05-01T10:00:00.000Z")!;
const later = Timestamp.parse("2024-05-02T10:00:00.000Z")!;
function sample(): Event {
  const event = new Event({
    str: "abc",
    str2: "abc",
    sub: "b",
    num: "5",
    int: 5,
    int2: 5,
    float: 5.5,
    yes: true,
    no: false,
    falsestr: "false",
    empty: "",
    nil: null,
    list: ["a", "b", 5],
    list2: ["a", "b", 5],
    emptylist: [],
    hash: { k: "v" },
    hash2: { k: "v" },
    ts: ts.toString(),
    ts2: later.toString(),
    "@metadata": { meta: "m", flag: "yes" },
  });
  event.set("ts", ts);
  event.set("ts2", later);
  return event;
}

type Outcome = boolean | "error";

function evaluate(text: string, event = sample()): Outcome {
  const condition = compileCondition(parseCondition(text));
  try {
    return condition(event);
  } catch (err) {
    if (err instanceof ConditionEvaluationError) return "error";
    throw err;
  }
}

describe('truthiness (a value\'s text: missing, null, "" and "false" are false)', () => {
  const rows: Array<[string, Outcome]> = [
    ["[str]", true],
    ["[empty]", false],
    // Logstash tests toString(): the string "false" is as false as the boolean.
    ["[falsestr]", false],
    ["[yes]", true],
    ["[no]", false],
    ["[int]", true],
    ["[nil]", false],
    ["[missing]", false],
    // An empty list prints as "[]", which is true.
    ["[emptylist]", true],
    ["[hash]", true],
    ["[ts]", true],
    ["[@metadata][meta]", true],
    ["[@metadata][missing]", false],
    ['"abc"', true],
    ['""', false],
    ['"false"', false],
    ["![str]", false],
    ["![missing]", true],
  ];
  it.each(rows)("%s is %s", (text, expected) => {
    expect(evaluate(text)).toBe(expected);
  });
});

describe("== and != (no conversion between types)", () => {
  const rows: Array<[string, Outcome]> = [
    ['[str] == "abc"', true],
    ['"abc" == [str]', true],
    ['[str] == "abd"', false],
    ["[str] == [str2]", true],
    ["[str] == [sub]", false],
    ["[int] == 5", true],
    ["5 == [int]", true],
    ["[int] == 6", false],
    // Strings are not numbers: "5" == 5 is false in Logstash (RubyString.equals needs a string).
    ["[num] == 5", false],
    ['[int] == "5"', false],
    ["[float] == 5.5", true],
    ["[int] == [int2]", true],
    ["[int] == [float]", false],
    // Booleans have no literal; they never equal a string or a number.
    ['[yes] == "true"', false],
    ["[yes] == [yes]", true],
    ["[yes] == [no]", false],
    ['[nil] == ""', false],
    ['[missing] == ""', false],
    // Two missing fields are both Java null: equal.
    ["[missing] == [alsomissing]", true],
    ["[missing] == [nil]", true],
    ['[list] == ["a", "b", 5]', true],
    ['[list] == ["a", "b"]', false],
    ["[list] == [list2]", true],
    ['[str] == ["abc", "x"]', false],
    // Hashes live in identity maps in Logstash: two equal-looking hashes are different.
    ["[hash] == [hash2]", false],
    ["[hash] == [hash]", true],
    ["[ts] == [ts]", true],
    ["[ts] == [ts2]", false],
    ['[ts] == "2024-05-01T10:00:00.000Z"', false],
    ['[@metadata][meta] == "m"', true],
    ['"a" == "a"', true],
    ['"a" == "b"', false],
    ["1 == 1", true],
    ['1 == "1"', false],
    ['[str] != "abc"', false],
    ['[str] != "x"', true],
    ["[missing] != 5", true],
    ["[int] != [float]", true],
  ];
  it.each(rows)("%s is %s", (text, expected) => {
    expect(evaluate(text)).toBe(expected);
  });
});

describe("< > <= >= (Ruby's <=>; no order between types is an evaluation error)", () => {
  const rows: Array<[string, Outcome]> = [
    ['[str] < "abd"', true],
    ['[str] > "abd"', false],
    ['[str] <= "abc"', true],
    ['[str] >= "abc"', true],
    // Byte order, not dictionary order: upper case sorts before lower case.
    ['[str] > "ABC"', true],
    ['"abd" > [str]', true],
    ['"abd" < [str]', false],
    ["[str] < [sub]", true],
    ["[int] < 6", true],
    ["[int] > 6", false],
    ["[int] <= 5", true],
    ["[int] >= 5", true],
    ["[float] > 5", true],
    ["[int] < [float]", true],
    ["6 > [int]", true],
    ["6 <= [int]", false],
    ["[ts] < [ts2]", true],
    ["[ts] >= [ts2]", false],
    ["[yes] >= [yes]", true],
    ["[yes] > [no]", "error"],
    // Mismatched types: Logstash raises (ConditionalEvaluationError).
    ["[str] < 5", "error"],
    ['[int] < "6"', "error"],
    ["[num] < 6", "error"],
    ["[missing] < 5", "error"],
    ['[missing] > "a"', "error"],
    ["[nil] < 5", "error"],
    ["[list] < 5", "error"],
    ["[hash] > 1", "error"],
    ['[ts] < "2030-01-01"', "error"],
    ["[yes] > 1", "error"],
    ["[str] < [int]", "error"],
    ['"a" < "b"', true],
    ["2 < 1", false],
  ];
  it.each(rows)("%s is %s", (text, expected) => {
    expect(evaluate(text)).toBe(expected);
  });

  it("refuses constants of different types at compile time, as Logstash does when it builds the pipeline", () => {
    expect(() => compileCondition(parseCondition('"a" < 1'))).toThrow(ConditionEvaluationError);
  });
});

describe("=~ and !~ (only strings match)", () => {
  const rows: Array<[string, Outcome]> = [
    ["[str] =~ /b/", true],
    ["[str] =~ /^abc$/", true],
    ["[str] =~ /x/", false],
    ["[str] !~ /x/", true],
    ["[str] !~ /b/", false],
    // A string pattern is a regexp too.
    ['[str] =~ "^a"', true],
    ['[str] =~ "^b"', false],
    // A number is not matched against its text.
    ["[int] =~ /5/", false],
    ["[int] !~ /5/", true],
    ["[list] =~ /a/", false],
    ["[missing] =~ /.*/", false],
    ["[missing] !~ /.*/", true],
    ["[nil] =~ /.*/", false],
    ["[yes] =~ /true/", false],
    ["[ts] =~ /2024/", false],
    ["[@metadata][meta] =~ /^m$/", true],
    ['"abc" =~ /b/', true],
    ['"abc" !~ /b/', false],
  ];
  it.each(rows)("%s is %s", (text, expected) => {
    expect(evaluate(text)).toBe(expected);
  });

  it("anchors at line breaks like Ruby, with \\A and \\z for the whole text", () => {
    const event = new Event({ message: "one\ntwo" });
    expect(evaluate("[message] =~ /^two$/", event)).toBe(true);
    expect(evaluate("[message] =~ /\\Atwo/", event)).toBe(false);
    expect(evaluate("[message] =~ /\\Aone/", event)).toBe(true);
    expect(evaluate("[message] =~ /two\\z/", event)).toBe(true);
    expect(evaluate("[message] =~ /one\\z/", event)).toBe(false);
    expect(evaluate("[message] =~ /[[:digit:]]/", event)).toBe(false);
    expect(evaluate("[message] =~ /\\h\\h/", new Event({ message: "zz af" }))).toBe(true);
  });

  it("matches Onigmo's possessive quantifiers, atomic groups and inline options, and refuses invalid ones", () => {
    expect(evaluate("[message] =~ /^a++b$/", new Event({ message: "aaab" }))).toBe(true);
    expect(evaluate("[message] =~ /(?>a+)ab/", new Event({ message: "aaab" }))).toBe(false);
    expect(evaluate('[message] =~ "(?i)^abc"', new Event({ message: "ABCdef" }))).toBe(true);
    expect(evaluate('[message] =~ "(?i:x)Y"', new Event({ message: "xy" }))).toBe(false);
    expect(() => compileCondition(parseCondition("[a] =~ /(/"))).toThrow(/invalid regexp/);
    expect(rubyRegExp("[?+]").test("+")).toBe(true);
  });
});

describe("in and not in", () => {
  const rows: Array<[string, Outcome]> = [
    // field in constant string: the field's text is a substring of the constant.
    ['[sub] in "abc"', true],
    ['[str] in "xabcx"', true],
    ['[str] in "ab"', false],
    ['[int] in "5"', false],
    ['[missing] in "abc"', false],
    // field in constant list: compared as text, so the number 5 is in ["5"] and the string "5" in [5].
    ['[str] in ["abc", "x"]', true],
    ['[str] in ["x", "y"]', false],
    ['[int] in ["5", "x"]', true],
    ["[num] in [5, 6]", true],
    ["[int] in [5, 6]", true],
    ['[yes] in ["true", "x"]', true],
    ['[missing] in ["", "x"]', false],
    ['[list] in ["[a, b, 5]", "x"]', true],
    // constant string in field: substring of a string field, element of a list field.
    ['"b" in [str]', true],
    ['"z" in [str]', false],
    ['"a" in [list]', true],
    ['"c" in [list]', false],
    ['"5" in [list]', false],
    ['"a" in [missing]', false],
    ['"v" in [hash]', false],
    // A number constant is looked for in lists only, without conversion.
    ["5 in [list]", true],
    ["6 in [list]", false],
    ["5 in [int]", false],
    // field in field.
    ["[sub] in [str]", true],
    ["[str] in [sub]", false],
    ["[int] in [list]", true],
    ["[str] in [list]", false],
    ["[int] in [int2]", true],
    ["[list] in [list2]", false],
    ["[hash] in [hash]", false],
    ["[missing] in [alsomissing]", false],
    ["[missing] in [str]", false],
    // Looking for a missing field in a list fails in Logstash (a null comparison).
    ["[missing] in [list]", "error"],
    ["[@metadata][meta] in [@metadata][flag]", false],
    // constants on both sides.
    ['"b" in "abc"', true],
    ['"b" in ["a", "b"]', true],
    ['"c" in ["a", "b"]', false],
    ["1 in 1", true],
    // not in is the negation.
    ['"z" not in [str]', true],
    ['"b" not in [str]', false],
    ['[str] not in ["abc"]', true],
    ["[missing] not in [alsomissing]", true],
    ['!("b" in [str])', false],
  ];
  it.each(rows)("%s is %s", (text, expected) => {
    expect(evaluate(text)).toBe(expected);
  });

  it("refuses a list looked for in a field, as Logstash's compiler does", () => {
    expect(() => compileCondition(parseCondition('["a", "b"] in [list]'))).toThrow(/list/);
  });
});

describe("boolean operators", () => {
  const rows: Array<[string, Outcome]> = [
    ["[str] and [int]", true],
    ["[str] and [missing]", false],
    ["[missing] or [str]", true],
    ["[missing] or [empty]", false],
    ["[str] xor [int]", false],
    ["[str] xor [missing]", true],
    ["[missing] xor [empty]", false],
    ["[str] nand [int]", false],
    ["[str] nand [missing]", true],
    ["[missing] nand [empty]", true],
    ["[missing] and [str] or [int]", true],
    // Logstash's one-pop shunting-yard groups `a and b and c or d` as `a and ((b and c) or d)`.
    ["[missing] and [str] and [str] or [int]", false],
    ["([missing] and [str]) or [int]", true],
    ["!([str] and [missing])", true],
    ['[str] == "abc" and [int] > 4', true],
  ];
  it.each(rows)("%s is %s", (text, expected) => {
    expect(evaluate(text)).toBe(expected);
  });

  it("short-circuits: the right side is not evaluated when the left decides", () => {
    expect(evaluate("[missing] and [missing] < 5")).toBe(false);
    expect(evaluate("[str] or [missing] < 5")).toBe(true);
    expect(evaluate("[str] and [missing] < 5")).toBe("error");
  });
});

describe("compilation", () => {
  it("refuses method calls, which Logstash's compiler does not implement", () => {
    expect(() => compileCondition(parseCondition("length([a]) > 1"))).toThrow(/method calls/);
  });

  it("compares a regexp literal used as a value by its pattern text", () => {
    expect(evaluate("[str] == /abc/")).toBe(true);
  });

  it("reads fields through nested references and arrays", () => {
    const event = new Event({ a: { b: [{ c: "deep" }] } });
    expect(evaluate('[a][b][0][c] == "deep"', event)).toBe(true);
    expect(evaluate('[a][b][-1][c] == "deep"', event)).toBe(true);
  });
});
