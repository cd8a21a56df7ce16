import { describe, expect, it } from "vitest";
import { namedCaptures, unnamedCopy } from "./unnamed.js";

describe("unnamed copy", () => {
  it("numbers named groups among plain ones, skipping escapes, classes and lookarounds", () => {
    const copy = unnamedCopy(/(a)(?<g0>b)\((?:c)[(]y(?<=x|y)(?<g1>d)/ms)!;
    expect(copy.regex.source).toBe("(a)(b)\\((?:c)[(]y(?<=x|y)(d)");
    expect(copy.regex.flags).toBe("ms");
    expect([...copy.indexOf]).toEqual([
      ["g0", 2],
      ["g1", 3],
    ]);
    const match = copy.regex.exec("ab(c(yd")!;
    expect(namedCaptures(match, copy.indexOf)).toEqual({ g0: "b", g1: "d" });
  });

  it("gives a group that took no part as undefined", () => {
    const copy = unnamedCopy(/(?<g0>a)|(?<g1>b)/)!;
    expect(namedCaptures(copy.regex.exec("b")!, copy.indexOf)).toEqual({ g0: undefined, g1: "b" });
  });

  it("leaves a regex that refers to a group by name", () => {
    expect(unnamedCopy(/(?<g0>a)\k<g0>/)).toBeUndefined();
  });
});
