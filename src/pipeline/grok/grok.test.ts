import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  boundRegExp,
  dropAssertions,
  execBounded,
  linearEngineAccepts,
  MatchTimeoutError,
} from "./bounded.js";
import { compileGrok, GrokCompileError } from "./compiler.js";
import { matchGrok, rubyToFloat, rubyToInteger } from "./matcher.js";
import { translateOniguruma } from "./onig.js";
import { parsePatternText, patternFilesFrom } from "./pattern-files.js";

describe("Oniguruma translation", () => {
  it("renames named groups (field references, repeats) and maps \\k backreferences", () => {
    const { regex, groups } = translateOniguruma(
      "(?<[a][b]>x)(?<NUMBER:n:int>\\d)(?<[a][b]>y)\\k<NUMBER:n:int>",
    );
    expect(groups).toEqual([
      { jsName: "g0", name: "[a][b]" },
      { jsName: "g1", name: "NUMBER:n:int" },
      { jsName: "g2", name: "[a][b]" },
    ]);
    expect(regex.exec("x7y7")?.groups).toEqual({ g0: "x", g1: "7", g2: "y" });
    expect(regex.test("x7y8")).toBe(false);
  });

  it("hand-translates the common subset with Ruby's meanings and no unicode flag", () => {
    const cases: [string, string, boolean][] = [
      ["^a.b$", "a\nb", true], // grok compiles with MULTILINE: dot matches newline
      ["^b$", "a\nb\nc", true], // ^ and $ are line anchors
      ["\\Aa", "b\na", false],
      ["a\\z", "a\n", false],
      ["a\\Z", "a\n", true],
      ["^\\h+$", "09afAF", true],
      ["^\\H$", "g", true],
      ["^[[:alpha:][:digit:]]+$", "ab12", true],
      ["^[]a]+$", "]a]", true],
      ["^\\x41$", "A", true],
    ];
    for (const [pattern, text, expected] of cases) {
      const translated = translateOniguruma(pattern);
      expect({ pattern, hand: translated.handTranslated, matched: translated.regex.test(text) }).toEqual({
        pattern,
        hand: true,
        matched: expected,
      });
    }
    expect(translateOniguruma("(?i)abc").regex.test("ABC")).toBe(true);
    expect(translateOniguruma("(?i)abc").handTranslated).toBe(false);
  });

  it("leaves richer syntax to oniguruma-to-es", () => {
    const cases: [string, string, boolean][] = [
      ["^(?>a+)b$", "aab", true],
      ["^a++a$", "aaa", false],
      ["^[[:^digit:]]+$", "abc", true],
      ["^\\p{L}+$", "héllo", true],
      ["^a(?i:B)c$", "abc", true],
      ["^\\x{41}$", "A", true],
      ["(?x) a b # comment", "ab", true],
    ];
    for (const [pattern, text, expected] of cases) {
      const translated = translateOniguruma(pattern);
      expect({ pattern, hand: translated.handTranslated, matched: translated.regex.test(text) }).toEqual({
        pattern,
        hand: false,
        matched: expected,
      });
    }
  });

  it("reports invalid regexes", () => {
    expect(() => translateOniguruma("(a")).toThrow(/invalid regular expression/);
  });
});

describe("grok compiler", () => {
  const library = () =>
    new Map([
      ["WORD", "\\b\\w+\\b"],
      ["INT", "[+-]?[0-9]+"],
      ["PAIR", "%{WORD:key}=%{INT:value:int}"],
      ["SELF", "%{SELF}"],
    ]);

  it("expands references, field names, coercions and inline definitions", () => {
    const grok = compileGrok("%{PAIR} %{INT:n:float} %{WORD:} %{DIGITS=\\d+}", library(), false);
    expect(grok.captures.map((c) => [c.field, c.coerce])).toEqual([
      ["PAIR", undefined],
      ["key", undefined],
      ["value", "int"],
      ["n", "float"],
      ["WORD", undefined],
      ["DIGITS", undefined],
    ]);
    const seen: [string, unknown][] = [];
    expect(matchGrok(grok, "a=5 3 b 77", 0, (f, v) => seen.push([f, v]))).toBe(true);
    expect(seen).toEqual([
      ["PAIR", "a=5"],
      ["key", "a"],
      ["value", 5],
      ["n", 3],
      ["WORD", "b"],
      ["DIGITS", "77"],
    ]);
  });

  it("names without a field are not captured when named_captures_only", () => {
    const grok = compileGrok("%{WORD} %{WORD:w}", library(), true);
    expect(grok.expanded).toBe("(?:\\b\\w+\\b) (?<WORD:w>\\b\\w+\\b)");
    expect(grok.captures.map((c) => c.field)).toEqual(["w"]);
  });

  it("refuses undefined names and cycles", () => {
    expect(() => compileGrok("%{NOPE}", library(), true)).toThrow(GrokCompileError);
    expect(() => compileGrok("%{SELF}", library(), true)).toThrow(/nest deeper/);
  });

  it("caches compiled regexes by expanded text", () => {
    const a = compileGrok("%{INT:x}", library(), true);
    const b = compileGrok("%{INT:x}", library(), true);
    expect(a.bounded).toBe(b.bounded);
  });

  it("coerces like Ruby's to_i and to_f", () => {
    expect([
      rubyToInteger("42abc"),
      rubyToInteger(" -7"),
      rubyToInteger("1_000"),
      rubyToInteger("x"),
    ]).toEqual([42, -7, 1000, 0]);
    expect([rubyToFloat("1.5e2x"), rubyToFloat("-.5"), rubyToFloat("3"), rubyToFloat("")]).toEqual([
      150, 0, 3, 0,
    ]);
  });
});

describe("captures in repeated groups", () => {
  it("keep the value of the last iteration that set them, as Ruby does", () => {
    const grok = compileGrok("^(?:(?<a>a)|(?<b>b)|(?<c>c))*$", new Map(), true);
    const seen: Record<string, unknown> = {};
    expect(matchGrok(grok, "abca", 0, (field, value) => (seen[field] = value))).toBe(true);
    expect(seen).toEqual({ a: "a", b: "b", c: "c" });
    const fields = compileGrok(
      "^(?: %{WORD:k}=%{INT:v:int}| -%{WORD:flag})+$",
      new Map([
        ["WORD", "\\w+"],
        ["INT", "\\d+"],
      ]),
      true,
    );
    const pairs: [string, unknown][] = [];
    matchGrok(fields, " x=1 -f y=2", 0, (field, value) => pairs.push([field, value]));
    expect(pairs).toEqual([
      ["k", "y"],
      ["v", 2],
      ["flag", "f"],
    ]);
  });

  it("leaves regexes without repeated named groups alone", () => {
    const grok = compileGrok("(?<a>x)+y", new Map(), true);
    expect(grok.repeats.map((r) => r.spanName)).toEqual(["r0"]);
    expect(compileGrok("(?<a>x)?(?:y)+", new Map(), true).repeats).toEqual([]);
  });
});

describe("bounded matching", () => {
  it("asks V8 which regexes its linear engine runs", () => {
    expect(linearEngineAccepts("^(\\w+\\s?)*$", "ms")).toBe(true);
    expect(linearEngineAccepts("(?<![0-9])1", "ms")).toBe(false);
    expect(linearEngineAccepts("a{0,62}", "ms")).toBe(false);
    expect(linearEngineAccepts("abc", "msi")).toBe(false);
  });

  it("drops lookarounds, widens counts and backreferences into a linear superset", () => {
    expect(dropAssertions("(?<![0-9])(?:a|b){2,5}(?!x)\\1c{1}[(?=]")).toBe("(?:a|b)+[\\s\\S]*c[(?=]");
    const bounded = boundRegExp(/(?<![0-9])(?<g0>a{0,40})x/ms, ["g0"], true);
    expect(bounded.linear).toBe(false);
    expect(bounded.prefilter?.source).toBe("(?<g0>a*)x");
  });

  it("a regex the linear engine takes runs natively and a catastrophic input ends quickly", () => {
    const bounded = boundRegExp(/^(?<g0>(?:\w+\s?)*)$/ms, ["g0"], true);
    expect(bounded.linear).toBe(true);
    const started = Date.now();
    expect(execBounded(bounded, `${"a".repeat(10_000)}!`, 1000)).toBeNull();
    expect(Date.now() - started).toBeLessThan(2000);
    expect(execBounded(bounded, "ab cd", 1000)).toEqual({ g0: "ab cd" });
  });

  it("other regexes run on the helper thread within the deadline; the thread is replaced after a timeout", () => {
    const bounded = boundRegExp(/^(?<g0>(?:\w+\s?)*)(?<!a)$/ms, ["g0"], true);
    expect(bounded.linear).toBe(false);
    expect(execBounded(bounded, "ab cd", 1000)).toEqual({ g0: "ab cd" });
    expect(execBounded(bounded, "ab!", 1000)).toBeNull(); // ruled out by the prefilter
    const started = Date.now();
    expect(() => execBounded(bounded, "a".repeat(40), 100)).toThrow(MatchTimeoutError);
    expect(Date.now() - started).toBeLessThan(1500);
    expect(execBounded(bounded, "xy", 1000)).toEqual({ g0: "xy" });
  });

  it("text too long for the helper thread runs under a vm timeout", () => {
    const bounded = boundRegExp(/(?<g0>(?:a|aa)+)(?<!a)$/ms, ["g0"], true);
    const started = Date.now();
    expect(() => execBounded(bounded, "a".repeat(1024 * 1024 + 10), 200)).toThrow(MatchTimeoutError);
    expect(Date.now() - started).toBeLessThan(3000);
    const tail = boundRegExp(/(?<g0>a+)(?<=a)$/ms, ["g0"], true);
    expect(execBounded(tail, `${"x".repeat(1024 * 1024 + 10)}a`, 2000)).toEqual({ g0: "a" });
  });
});

describe("pattern files", () => {
  it("parses NAME regex lines, skipping comments and names without a regex", () => {
    const into = new Map<string, string>();
    parsePatternText("# c\n  A  [a-z]+ x \nB\n\tC \\d+\r\n", into);
    expect([...into]).toEqual([
      ["A", "[a-z]+ x "],
      ["C", "\\d+"],
    ]);
  });

  it("finds files by directory plus glob, by glob, recursively with **, skipping directories", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "grok-glob-"));
    mkdirSync(path.join(dir, "sub"));
    for (const name of ["a.grok", "b.txt", "sub/c.grok"]) writeFileSync(path.join(dir, name), "X x\n");
    const rel = (files: string[]) => files.map((f) => path.relative(dir, f));
    expect(rel(patternFilesFrom([dir], "*"))).toEqual(["a.grok", "b.txt"]);
    expect(rel(patternFilesFrom([dir], "*.{grok,none}"))).toEqual(["a.grok"]);
    expect(rel(patternFilesFrom([path.join(dir, "**", "*.grok")], "*"))).toEqual(["a.grok", "sub/c.grok"]);
    expect(rel(patternFilesFrom([path.join(dir, "a.grok")], "*"))).toEqual(["a.grok"]);
    expect(patternFilesFrom([path.join(dir, "missing")], "*")).toEqual([]);
  });
});
