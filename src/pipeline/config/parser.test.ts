import { describe, expect, it } from "vitest";
import type { AttributeNode, BranchNode, PluginNode } from "./ast.js";
import { parseConfig } from "./parser.js";

const wrap = (body: string) => `filter {\n${body}\n}\n`;

function firstPlugin(text: string): PluginNode {
  const r = parseConfig(text);
  expect(r.diagnostics).toEqual([]);
  return r.ast.sections[0]!.body[0] as PluginNode;
}
function attr(text: string): AttributeNode {
  return firstPlugin(wrap(`p { ${text} }`)).attributes[0]!;
}

describe("parseConfig accepts the grammar", () => {
  it("sections in order, several of each, empty ones, comments everywhere", () => {
    const r = parseConfig("# head\ninput{}filter { } # c\noutput {\n# only a comment\n}\nfilter{}# end");
    expect(r.diagnostics).toEqual([]);
    expect(r.ast.sections.map((s) => s.type)).toEqual(["input", "filter", "output", "filter"]);
    expect(r.ast.sections[1]!.pos).toMatchObject({ line: 2, column: 8 });
  });

  it.each([
    ["bareword", "a => true", { kind: "bareword", value: "true" }],
    ["double-quoted string", 'a => "x y"', { kind: "string", quote: '"', raw: "x y" }],
    ["single-quoted string", "a => 'x'", { kind: "string", quote: "'", raw: "x" }],
    ["escaped quote kept raw", 'a => "say \\"hi\\""', { kind: "string", raw: 'say \\"hi\\"' }],
    ["multi-line string", 'a => "x\ny"', { kind: "string", raw: "x\ny" }],
    ["integer", "a => 42", { kind: "number", value: 42, isFloat: false }],
    ["negative float", "a => -1.5", { kind: "number", value: -1.5, isFloat: true }],
    ["float with trailing dot", "a => 3.", { kind: "number", text: "3.", isFloat: true }],
    ["empty array", "a => []", { kind: "array", elements: [] }],
    [
      "array",
      'a => [ "x", 1 , [b2] ]',
      { kind: "array", elements: [{ raw: "x" }, { value: 1 }, { kind: "array" }] },
    ],
    ["empty hash", "a => {}", { kind: "hash", entries: [] }],
    [
      "hash without commas, keys string/bareword/number",
      'a => { "k" => 1 kk => v1 200 => "ok" }',
      { kind: "hash", entries: [{ key: { raw: "k" } }, { key: { value: "kk" } }, { key: { text: "200" } }] },
    ],
    ["codec plugin as value", "codec => json { charset => 'UTF-8' }", { kind: "plugin", name: "json" }],
    ["quoted plugin as value", 'codec => "json" {}', { kind: "plugin", name: "json" }],
    [
      "comment inside array",
      "a => [ 1, # one\n 2 ]",
      { kind: "array", elements: [{ value: 1 }, { value: 2 }] },
    ],
  ])("%s", (_name, text, shape) => {
    expect(attr(text).value).toMatchObject(shape);
  });

  it("attribute and plugin names may be quoted or contain dashes and digits", () => {
    const p = firstPlugin(wrap(`"my-plugin" { "add-field" => 1 ssl-2 => 2 }`));
    expect(p.name).toBe("my-plugin");
    expect(p.attributes.map((a) => a.name)).toEqual(["add-field", "ssl-2"]);
    expect(p.attributes[1]!.pos).toMatchObject({ line: 2, column: 32 });
  });

  it("if / else if / else with every operator form", () => {
    const text = wrap(
      [
        'if [a][b] == "x" and [c] =~ /re\\/x/ or !([d] in [e]) {',
        "  p1 {}",
        '} else if [f] not in [1, 2] xor [g] !~ "s" nand ![h] {',
        "  if [i] <= 3 { p2 {} } else { p3 {} }",
        "} else if [@metadata][x] { } else {",
        "  p4 {}",
        "}",
      ].join("\n"),
    );
    const r = parseConfig(text);
    expect(r.diagnostics).toEqual([]);
    const branch = r.ast.sections[0]!.body[0] as BranchNode;
    expect(branch.clauses.map((c) => c.keyword)).toEqual(["if", "else if", "else if", "else"]);
    const cond = branch.clauses[0]!.condition!;
    expect(cond.first).toMatchObject({ kind: "compare", operator: "==", left: { elements: ["a", "b"] } });
    expect(cond.rest.map((r) => r.operator)).toEqual(["and", "or"]);
    expect(cond.rest[0]!.expression).toMatchObject({
      kind: "regexMatch",
      pattern: { kind: "regexp", raw: "re\\/x" },
    });
    expect(cond.rest[1]!.expression).toMatchObject({ kind: "not", operand: { kind: "condition" } });
    const second = branch.clauses[1]!.condition!;
    expect(second.first).toMatchObject({ kind: "in", negated: true, right: { kind: "array" } });
    expect(second.rest.map((r) => r.operator)).toEqual(["xor", "nand"]);
    expect(branch.clauses[2]!.condition!.first).toMatchObject({ elements: ["@metadata", "x"] });
  });

  it.each([
    ["number compare", "if 1 < 2 {}", { kind: "compare", operator: "<" }],
    ["string truthiness", 'if "x" {}', { kind: "string" }],
    [
      "method call",
      "if foo([a], 'b') {}",
      { kind: "methodCall", name: "foo", args: [{ kind: "selector" }, { kind: "string" }] },
    ],
    ["regexp alone", "if /x/ {}", { kind: "regexp", raw: "x" }],
    ["no space after if", "if[a]{}", { kind: "selector" }],
    ["field name with spaces", "if [a b] {}", { kind: "selector", elements: ["a b"] }],
    [
      "one-item list is a selector, as in Logstash",
      'if [a] in ["x"] {}',
      { kind: "in", right: { kind: "selector" } },
    ],
    ["parenthesised", "if ([a] > 1) {}", { kind: "paren" }],
  ])("condition: %s", (_name, text, shape) => {
    const r = parseConfig(wrap(text));
    expect(r.diagnostics).toEqual([]);
    expect((r.ast.sections[0]!.body[0] as BranchNode).clauses[0]!.condition!.first).toMatchObject(shape);
  });

  it("takes a lone `else { }` for a plugin named else, as Logstash does", () => {
    expect(firstPlugin(wrap("else { }")).name).toBe("else");
  });

  it("handles CRLF line endings and a comment at the end of input", () => {
    expect(parseConfig("input {\r\n  stdin {}\r\n}\r\n# bye").diagnostics).toEqual([]);
  });
});

describe("parseConfig rejects what Logstash rejects, where Logstash stops", () => {
  it.each([
    ["`=` instead of `=>`", wrap("p { match = 1 }"), 2, 11],
    ["one-letter bareword (tried as a plugin name first)", wrap("p { a => x }"), 2, 12],
    ["dash in a bareword value", wrap("p { a => foo-bar }"), 2, 18],
    ["attributes need whitespace between them", wrap('p { a => "x"b => 1 }'), 2, 13],
    ["comma between hash entries", wrap("p { h => { aa => 1, bb => 2 } }"), 2, 19],
    ["trailing comma in array", wrap("p { a => [1, 2,] }"), 2, 16],
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Logstash's own ${VAR} syntax, not a template
    ["unquoted env reference", wrap("p { a => ${X} }"), 2, 10],
    ["unknown section (`filter` matches, then `{` is missing)", "filters {}", 1, 7],
    ["text after the last section", "input {}\n}", 2, 1],
    ["unterminated string runs to the end", wrap('p { a => "x }'), 4, 1],
    ["backslash before the closing quote escapes it", wrap('p { a => "x\\" }'), 4, 1],
    ["missing closing brace", "filter {\n  p {}\n", 3, 1],
    ["`!` before a string", wrap('if !"x" {}'), 2, 5],
    ["`not` then tab then `in`", wrap("if [a] not\tin [b] {}"), 2, 8],
    ["comma inside a selector", wrap("if [a,b] {}"), 2, 6],
  ])("%s", (_name, text, line, column) => {
    const r = parseConfig(text, "t.conf");
    expect(r.diagnostics.length).toBeGreaterThan(0);
    expect(r.diagnostics[0]).toMatchObject({ severity: "error", file: "t.conf", line, column });
  });

  it("reports every broken statement, not just the first", () => {
    const text = [
      "filter {",
      "  a1 { x = 1 }",
      "  a2 { ok => 1 }",
      "  a3 { y => }",
      "}",
      "output {",
      "  b1 { z => [1 2] }",
      "}",
    ].join("\n");
    const r = parseConfig(text, "m.conf");
    expect(r.diagnostics.map((d) => `${d.line}:${d.column}`)).toEqual(["2:10", "4:13", "7:16"]);
    expect(r.ast.sections.map((s) => s.type)).toEqual(["filter", "output"]);
    expect(r.ast.sections[0]!.body.map((s) => (s as PluginNode).name)).toEqual(["a2"]);
  });

  it("says what was expected and which brace is unclosed", () => {
    const r = parseConfig("filter {\n  mutate {\n    match => 1\n", "u.conf");
    expect(r.diagnostics[0]).toMatchObject({ code: "unclosed-brace", line: 4, column: 1 });
    expect(r.diagnostics[0]!.hint).toContain("opened at 2:10");
    const arrow = parseConfig(wrap("grok { match { } }")).diagnostics[0]!;
    expect(arrow.message).toContain("expected `=>` after attribute name `match`");
  });

  it("names an unterminated string", () => {
    const d = parseConfig(wrap("p { a => 'x }")).diagnostics[0]!;
    expect(d.code).toBe("unterminated-string");
    expect(d.hint).toContain("opened at 2:10");
  });
});
