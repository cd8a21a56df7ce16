import { describe, expect, it } from "vitest";
import { rubyRegExp } from "./ruby.js";

describe("Ruby regexps", () => {
  it("keeps Ruby's defaults on both translations: ^ and $ at line breaks, . not across a newline", () => {
    for (const prefix of ["", "(?>)"]) {
      expect(rubyRegExp(`${prefix}^b$`).test("a\nb\nc")).toBe(true);
      expect(rubyRegExp(`${prefix}a.b`).test("a\nb")).toBe(false);
      expect(rubyRegExp(`${prefix}\\Ab`).test("a\nb")).toBe(false);
    }
  });

  it("translates what JavaScript lacks: inline options, atomic groups, possessive quantifiers", () => {
    expect(
      rubyRegExp("(?i)^(.*?\\|)?([0-9A-F]{2}[:-]){5}([0-9A-F]{2})(\\|.*?)?$").test("aa:bb:cc:dd:ee:ff"),
    ).toBe(true);
    expect(rubyRegExp("(?m)a.b").test("a\nb")).toBe(true);
    expect(rubyRegExp("x(?i:Y)z").test("xyz")).toBe(true);
    expect(rubyRegExp("x(?i:Y)z").test("xyZ")).toBe(false);
    expect(rubyRegExp('"[^"]*+"').test('"quoted"')).toBe(true);
    expect(rubyRegExp("(?>ab|a)c").test("ac")).toBe(true);
    expect(rubyRegExp("(?>a|ab)c").test("abc")).toBe(false);
    // Onigmo reads a repeat of a lazy optional as an optional group; JavaScript refuses the text as written.
    expect(rubyRegExp("call stack|# ???\\(\\)").test("# ?()")).toBe(false);
    expect(rubyRegExp("x???y").test("xy")).toBe(true);
  });

  it("refuses a pattern Onigmo would refuse", () => {
    expect(() => rubyRegExp("(")).toThrow(/invalid regexp/);
    expect(() => rubyRegExp("(?i")).toThrow(/invalid regexp/);
  });
});
