import { describe, expect, it } from "vitest";
import { Timestamp } from "../../../event/index.js";
import { EdnSyntaxError, readEdn } from "./reader.js";
import { writeEdn } from "./writer.js";

describe("EDN reader", () => {
  it("reads maps with keyword, string and symbol keys; commas are whitespace", () => {
    expect(readEdn('{:test "foo", :value 0, "s" 1 sym 2}')).toEqual({ test: "foo", value: 0, s: 1, sym: 2 });
  });

  it("reads scalars: nil, booleans, integers (M/N suffixes), floats, keywords and symbols as names", () => {
    expect(readEdn("[nil true false -3 42N 7M 1.5 -2.5e3 1E2 2.M :kw ns/sym]")).toEqual([
      null,
      true,
      false,
      -3,
      42,
      7,
      1.5,
      -2500,
      100,
      2,
      "kw",
      "ns/sym",
    ]);
  });

  it("reads vectors, lists and sets as arrays, nested", () => {
    expect(readEdn('{:a [1 (2 3) #{4}] :b {:c "d"}}')).toEqual({ a: [1, [2, 3], [4]], b: { c: "d" } });
  });

  it("reads string escapes and characters", () => {
    expect(readEdn('"a\\"b\\\\c\\nd\\te\\rf\\u00e9"')).toBe('a"b\\c\nd\te\rf\u00e9');
    expect(readEdn("[\\a \\newline \\space \\tab \\return \\u0041]")).toEqual([
      "a",
      "\n",
      " ",
      "\t",
      "\r",
      "A",
    ]);
  });

  it("skips comments, discarded forms and metadata; reads only the first form", () => {
    expect(readEdn("; a comment\n{:a #_ :gone 1 ;more\n :b 2} {:ignored 1}")).toEqual({ a: 1, b: 2 });
    expect(readEdn("^{:meta 1} [1]")).toEqual([1]);
  });

  it("reads #inst as a Timestamp and unknown tags as their value", () => {
    const value = readEdn(
      '{:t #inst "2014-05-30T02:52:17.929Z" :u #uuid "f81d4fae-7dec-11d0-a765-00a0c91e6bf6" :x #my/tag [1]}',
    );
    expect((value as Record<string, unknown>).t).toBeInstanceOf(Timestamp);
    expect(((value as Record<string, unknown>).t as Timestamp).toString()).toBe("2014-05-30T02:52:17.929Z");
    expect((value as Record<string, unknown>).u).toBe("f81d4fae-7dec-11d0-a765-00a0c91e6bf6");
    expect((value as Record<string, unknown>).x).toEqual([1]);
  });

  it("refuses broken input", () => {
    for (const text of ["", "   ", "{:a 1", '"open', "{:a}", "]", "\\bogus", "1x", '#inst "nope"', "#_"]) {
      expect(() => readEdn(text), text).toThrow(EdnSyntaxError);
    }
    expect(() => readEdn("[".repeat(5000))).toThrow(/deeply/);
  });
});

describe("EDN writer", () => {
  it("writes what the Ruby gem writes", () => {
    expect(
      writeEdn({ foo: "bar", baz: { bah: ["a", "b", "c"] }, n: 5, f: 1.5, big: 1e20, ok: true, no: null }),
    ).toBe('{"foo" "bar", "baz" {"bah" ["a" "b" "c"]}, "n" 5M, "f" 1.5, "big" 1.0e+20, "ok" true, "no" nil}');
    expect(writeEdn('q"b\\s\n')).toBe('"q\\"b\\\\s\n"');
    expect(writeEdn(new Timestamp(0))).toBe('"1970-01-01T00:00:00.000Z"');
  });

  it("round-trips through the reader", () => {
    const value = { a: [1, 2.5, 'x"y'], b: { c: null, d: false }, "e f": -7 };
    expect(readEdn(writeEdn(value))).toEqual(value);
  });
});
