import { describe, expect, it } from "vitest";
import { formatDiagnostic, lineAt } from "./diagnostics.js";
import { parseConfig } from "./parser.js";

describe("formatDiagnostic", () => {
  it("prints file:line:column, the source line, a caret under the column and the hint", () => {
    const text = "filter {\n  grok {\n    match = 1\n  }\n}\n";
    const d = parseConfig(text, "p.conf").diagnostics[0]!;
    const out = formatDiagnostic(d, () => text);
    expect(out.split("\n")).toEqual([
      "p.conf:3:11: error: unexpected `=`, expected `=>` after attribute name `match`",
      "   3 |     match = 1",
      "     |           ^",
      "  hint: attributes are written `name => value`; hash entries the same, without commas",
    ]);
  });

  it("keeps tabs so the caret lines up, and omits the source when it is unknown", () => {
    const d = { severity: "error" as const, code: "x", message: "m", file: "f", line: 1, column: 3 };
    expect(formatDiagnostic(d, () => "\tab").split("\n")[2]).toBe("     | \t ^");
    expect(formatDiagnostic(d, () => undefined)).toBe("f:1:3: error: m");
  });

  it("lineAt strips CR and returns undefined past the end", () => {
    expect(lineAt("a\r\nb", 1)).toBe("a");
    expect(lineAt("a\nb", 2)).toBe("b");
    expect(lineAt("a", 3)).toBeUndefined();
  });
});
