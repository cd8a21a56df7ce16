import { describe, expect, it } from "vitest";
import { parseYaml, YamlError } from "./yaml.js";

describe("parseYaml", () => {
  it("reads block mappings and sequences, nested and at a key's own indentation", () => {
    const text = [
      "---",
      "input_plugin: input # trailing comment",
      "ignore:",
      '  - "@timestamp"',
      "  - type",
      "fields:",
      "  a: 1",
      "  b:",
      "    c: x",
      "list:",
      "- one",
      "- two",
      "",
      "# a comment line",
      "testcases:",
      "  - input:",
      "      - Test",
      "    expected:",
      "      - message: Test",
      "        n: 2",
      "      -",
      "        message: other",
      "  - - nested",
      "    - list",
    ].join("\n");
    expect(parseYaml(text)).toEqual({
      input_plugin: "input",
      ignore: ["@timestamp", "type"],
      fields: { a: 1, b: { c: "x" } },
      list: ["one", "two"],
      testcases: [
        { input: ["Test"], expected: [{ message: "Test", n: 2 }, { message: "other" }] },
        ["nested", "list"],
      ],
    });
  });

  it("resolves plain scalars as go-yaml v2 does", () => {
    const text = [
      "a: 12",
      "b: -1.5",
      "c: true",
      "d: yes",
      "e: off",
      "f: ~",
      "g:",
      "h: null",
      "i: 1e3",
      "j: 0x1f",
      "k: 12abc",
      "l: .inf",
      "m: a: b",
    ].join("\n");
    expect(parseYaml(text)).toEqual({
      a: 12,
      b: -1.5,
      c: true,
      d: true,
      e: false,
      f: null,
      g: null,
      h: null,
      i: 1000,
      j: 31,
      k: "12abc",
      l: Infinity,
      m: "a: b",
    });
  });

  it("reads quoted scalars with escapes and folded line breaks", () => {
    const text = [
      'a: "tab\\there \\"q\\" \\u00e9 \\x41"',
      "b: 'it''s # not a comment'",
      'c: "line one',
      '  line two"',
      'd: "keeps\\nescaped break"',
      '"quoted key": 1',
      "'@metadata': {}",
    ].join("\n");
    expect(parseYaml(text)).toEqual({
      a: 'tab\there "q" é A',
      b: "it's # not a comment",
      c: "line one line two",
      d: "keeps\nescaped break",
      "quoted key": 1,
      "@metadata": {},
    });
  });

  it("reads flow collections, also across lines", () => {
    const text = [
      "tags: [",
      '  "tag",',
      "  other",
      "]",
      "m: {a: 1, b: [x, 'y'], c: {d: e}}",
      "empty: []",
    ].join("\n");
    expect(parseYaml(text)).toEqual({
      tags: ["tag", "other"],
      m: { a: 1, b: ["x", "y"], c: { d: "e" } },
      empty: [],
    });
  });

  it("reads literal and folded block scalars with chomping", () => {
    const text = [
      "literal: |",
      "  line 1",
      "    indented",
      "",
      "  line 3",
      "folded: >",
      "  {",
      '    "test": "Test 1"',
      "  }",
      "prose: >",
      "  one",
      "  two",
      "",
      "  three",
      "strip: >-",
      "  Test",
      "keep: |+",
      "  kept",
      "",
      "seq:",
      "  - >",
      "    Test message",
      "  - |-",
      "    x",
    ].join("\n");
    expect(parseYaml(text)).toEqual({
      literal: "line 1\n  indented\n\nline 3\n",
      folded: '{\n  "test": "Test 1"\n}\n',
      prose: "one two\nthree\n",
      strip: "Test",
      keep: "kept\n\n",
      seq: ["Test message\n", "x"],
    });
  });

  it("joins indented continuation lines of a plain scalar with spaces", () => {
    expect(parseYaml("a: one\n  two\nb: 3")).toEqual({ a: "one two", b: 3 });
  });

  it("reads a top-level sequence and an empty document", () => {
    expect(parseYaml('- pipeline.id: main\n  path.config: "*.conf"\n\n- pipeline.id: b')).toEqual([
      { "pipeline.id": "main", "path.config": "*.conf" },
      { "pipeline.id": "b" },
    ]);
    expect(parseYaml("# nothing\n")).toBeNull();
  });

  const refusals: Array<[string, string, number, RegExp]> = [
    ["anchor", "a: &x 1", 1, /anchors/],
    ["alias", "a: 1\nb: *x", 2, /aliases/],
    ["tag", "a: !!str 1", 1, /tags/],
    ["second document", "a: 1\n---\nb: 2", 2, /more than one/],
    ["complex key", "? a\n: b", 1, /unexpected content|complex/],
    ["duplicate key", "a: 1\na: 2", 2, /duplicate key/],
    ["bad indentation", "a:\n    b: 1\n  c: 2", 3, /indentation/],
    ["tab indentation", "a:\n\tb: 1", 2, /tabs/],
    ["unterminated quote", 'a: "open', 1, /unterminated/],
    ["unterminated flow", "a: [1, 2", 1, /unterminated/],
    ["bad escape", 'a: "\\q"', 1, /unknown escape/],
  ];
  it.each(refusals)("refuses %s with its line", (_name, text, line, message) => {
    let error: unknown;
    try {
      parseYaml(text);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(YamlError);
    expect((error as YamlError).message).toMatch(message);
    expect((error as YamlError).line).toBe(line);
  });
});
