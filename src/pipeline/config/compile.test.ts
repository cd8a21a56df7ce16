import { describe, expect, it } from "vitest";
import {
  type CompileOptions,
  compileConfig,
  type PlanCondition,
  type PlanIf,
  type PlanPlugin,
  parseFieldReference,
} from "./compile.js";
import { parseConfig } from "./parser.js";

function compile(text: string, options: CompileOptions = {}) {
  const parsed = parseConfig(text, "c.conf");
  expect(parsed.diagnostics).toEqual([]);
  return compileConfig(parsed.ast, { env: {}, ...options });
}
function plugin(body: string, section = "filter", options: CompileOptions = {}): PlanPlugin {
  const r = compile(`${section} { ${body} }`, options);
  return r.plan.sections[0]!.body[0] as PlanPlugin;
}

/** A condition as a compact s-expression, to compare trees at a glance. */
function show(c: PlanCondition): string {
  switch (c.kind) {
    case "and":
    case "or":
    case "xor":
    case "nand":
      return `(${show(c.left)} ${c.kind} ${show(c.right)})`;
    case "not":
      return `!${show(c.operand)}`;
    case "truthy":
      return c.operand.kind === "field" ? c.operand.path.join(".") : JSON.stringify(c.operand);
    default:
      return c.kind;
  }
}
function condition(expr: string): PlanCondition {
  const r = compile(`filter { if ${expr} { p {} } }`);
  return (r.plan.sections[0]!.body[0] as PlanIf).condition;
}

describe("compileConfig", () => {
  // Logstash's grouping, traced by hand through its shunting-yard: `and` outranks `or`, but a waiting operator leaves
  // the stack only for a strictly lower-ranked one and only one at a time. So operators of equal rank group to the
  // right, and a run of `and`s before an `or` keeps all but its last `and` outside the `or`. Surprising, but this is
  // the tree Logstash evaluates, and we must evaluate the same one.
  it.each([
    ["[a] and [b]", "(a and b)"],
    ["[a] xor [b]", "(a xor b)"],
    ["[a] nand [b]", "(a nand b)"],
    ["[a] and [b] or [c]", "((a and b) or c)"],
    ["[a] or [b] and [c]", "(a or (b and c))"],
    // Surprising: equal operators group to the right.
    ["[a] or [b] or [c]", "(a or (b or c))"],
    ["[a] and [b] and [c]", "(a and (b and c))"],
    ["[a] and [b] and [c] and [d]", "(a and (b and (c and d)))"],
    // Surprising: `a` stays outside the `or`, not `((a and b) and c) or d`.
    ["[a] and [b] and [c] or [d]", "(a and ((b and c) or d))"],
    ["[a] and [b] and [c] and [d] or [e]", "(a and (b and ((c and d) or e)))"],
    ["[a] and [b] and [c] or [d] or [e]", "(a and ((b and c) or (d or e)))"],
    ["[a] and [b] or [c] or [d]", "((a and b) or (c or d))"],
    ["[a] and [b] or [c] and [d]", "((a and b) or (c and d))"],
    ["[a] or [b] and [c] or [d]", "(a or ((b and c) or d))"],
    ["[a] or [b] and [c] and [d]", "(a or (b and (c and d)))"],
    ["[a] or [b] and [c] or [d] and [e]", "(a or ((b and c) or (d and e)))"],
    // Parentheses start a fresh condition, grouped by the same rules.
    ["([a] or [b]) and [c]", "((a or b) and c)"],
    ["[a] and ([b] and [c] or [d])", "(a and ((b and c) or d))"],
    ["([a] xor [b]) and ([c] nand [d])", "((a xor b) and (c nand d))"],
    ["![a] and !([b] or [c])", "(!a and !(b or c))"],
  ])("groups like Logstash: %s", (expr, tree) => {
    const r = compile(`filter { if ${expr} { p {} } }`);
    expect(r.diagnostics).toEqual([]);
    expect(show((r.plan.sections[0]!.body[0] as PlanIf).condition)).toBe(tree);
  });

  // Logstash has no precedence for `xor` and `nand` and refuses to load a pipeline that puts either beside another
  // operator without parentheses; we report it at the first such operator, as Logstash fails on that one.
  it.each([
    ["[a] xor [b] and [c]", 17, "xor"],
    ["[a] and [b] nand [c]", 25, "nand"],
    ["[a] or [b] or [c] xor [d]", 31, "xor"],
    ["[a] nand [b] xor [c]", 17, "nand"],
    ["[a] xor [b] xor [c]", 17, "xor"],
    ["!([a] and [b] nand [c])", 27, "nand"],
  ])("rejects xor/nand mixed with other operators: %s (column %i)", (expr, column, operator) => {
    const r = compile(`filter { if ${expr} { p {} } }`);
    expect(r.diagnostics).toHaveLength(1);
    expect(r.diagnostics[0]).toMatchObject({
      severity: "error",
      code: "unranked-boolean-operator",
      line: 1,
      column,
    });
    expect(r.diagnostics[0]!.message).toContain(`\`${operator}\``);
    expect(r.diagnostics[0]!.hint).toContain("parentheses");
  });

  it("builds comparisons, regex matches, `in` and `not in` with field paths", () => {
    expect(condition('[a][b] == "x"')).toEqual({
      kind: "compare",
      operator: "==",
      left: { kind: "field", path: ["a", "b"] },
      right: { kind: "value", value: "x" },
    });
    expect(condition("[m] =~ /a\\/b/")).toMatchObject({ kind: "regex", operator: "=~", pattern: "a\\/b" });
    expect(condition("[t] not in [1, 2]")).toEqual({
      kind: "not",
      operand: { kind: "in", left: { kind: "field", path: ["t"] }, right: { kind: "value", value: [1, 2] } },
    });
  });

  it("nests else-if chains into else branches", () => {
    const r = compile("filter { if [a] { p1 {} } else if [b] { p2 {} } else { p3 {} } }");
    const top = r.plan.sections[0]!.body[0] as PlanIf;
    expect((top.thenBody[0] as PlanPlugin).name).toBe("p1");
    const inner = top.elseBody[0] as PlanIf;
    expect(inner.kind).toBe("if");
    expect((inner.thenBody[0] as PlanPlugin).name).toBe("p2");
    expect((inner.elseBody[0] as PlanPlugin).name).toBe("p3");
  });

  it("repeated attributes: hashes merge, arrays concatenate, scalars become arrays, equal scalars stay one", () => {
    const p = plugin(
      'm { h => { "a" => 1 } h => { "b" => 2 "a" => 3 } l => [1] l => [2, 3] l => 4 s => x1 s => x2 e => q1 e => q1 }',
    );
    expect(p.attributes.get("h")).toEqual(
      new Map<string, unknown>([
        ["a", [1, 3]],
        ["b", 2],
      ]),
    );
    expect(p.attributes.get("l")).toEqual([1, 2, 3, 4]);
    expect(p.attributes.get("s")).toEqual(["x1", "x2"]);
    expect(p.attributes.get("e")).toBe("q1");
  });

  it("two codecs in an input or output are an error, with the position of the second", () => {
    const r = compile("input { stdin { codec => json {} codec => plain {} } }");
    expect(r.diagnostics).toMatchObject([
      { severity: "error", code: "duplicate-codec", line: 1, column: 34 },
    ]);
    const codec = (r.plan.sections[0]!.body[0] as PlanPlugin).attributes;
    expect(codec.has("codec")).toBe(true);
  });

  it("a codec plugin value becomes a plugin of type codec", () => {
    const codec = plugin("stdin { codec => json { charset => 'x' } }", "input").attributes.get("codec");
    expect(codec).toMatchObject({ kind: "plugin", type: "codec", name: "json" });
  });

  it("duplicate keys in one hash literal are an error", () => {
    const r = compile('filter { m { h => { "a" => 1 "a" => 2 } } }');
    expect(r.diagnostics).toMatchObject([{ code: "duplicate-key", column: 30 }]);
  });

  it("escapes are off by default and processed when support_escapes is on", () => {
    const raw = 'm { a => "x\\ty\\"z\\q" }';
    expect(plugin(raw).attributes.get("a")).toBe('x\\ty\\"z\\q');
    expect(plugin(raw, "filter", { supportEscapes: true }).attributes.get("a")).toBe('x\ty"z\\q');
  });

  // biome-ignore lint/suspicious/noTemplateCurlyInString: Logstash's own ${VAR} syntax, not a template
  it("substitutes ${VAR} and ${VAR:default} in values, not in hash keys", () => {
    const p = plugin(
      // biome-ignore lint/suspicious/noTemplateCurlyInString: Logstash's own ${VAR} syntax, not a template
      'm { a => "${HOST}:${PORT:9200}" b => ["${HOST}"] h => { "${HOST}" => "${HOST}" } }',
      "filter",
      {
        env: { HOST: "es" },
      },
    );
    expect(p.attributes.get("a")).toBe("es:9200");
    expect(p.attributes.get("b")).toEqual(["es"]);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Logstash's own ${VAR} syntax, not a template
    expect(p.attributes.get("h")).toEqual(new Map([["${HOST}", "es"]]));
  });

  it("an undefined variable without default is an error at its position", () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Logstash's own ${VAR} syntax, not a template
    const r = compile('filter {\n  m { a => "x ${NOPE} y" }\n}');
    expect(r.diagnostics).toMatchObject([{ code: "env-undefined", line: 2, column: 15 }]);
    expect(r.diagnostics[0]!.message).toContain("NOPE");
  });

  it('warns about `in ["x"]`, which Logstash reads as a field reference', () => {
    const r = compile('filter { if [a] in ["x"] { p {} } }');
    expect(r.diagnostics).toMatchObject([{ severity: "warning", code: "quoted-field-name" }]);
  });
});

describe("parseFieldReference", () => {
  it.each([
    ["[a][b]", ["a", "b"]],
    ["a", ["a"]],
    ["[@metadata][x]", ["@metadata", "x"]],
    ["[a]", ["a"]],
    // Embedded references filling a whole element, as Logstash's strict tokenizer reads them.
    ["[[a][b]]", ["a", "b"]],
    ["[a][[b]]", ["a", "b"]],
    ["[[rule][id]]", ["rule", "id"]],
  ])("%s", (text, path) => {
    expect(parseFieldReference(text)).toEqual({ path });
  });

  it.each(["", "[a", "[a]b", "[]", "a[b]", "[a]]", "[[]]", "[[a]b]", "a]"])("rejects %j", (text) => {
    expect(parseFieldReference(text)).toHaveProperty("error");
  });
});
