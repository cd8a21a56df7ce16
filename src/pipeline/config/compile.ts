// Turns a parsed configuration into a plan: sections in order, each plugin with its attributes merged by Logstash's
// rules for repeated attributes, conditionals as expression trees with Logstash's precedence, field references as
// paths, strings with escapes (optional) and `${VAR}` substitution applied. No plugin registry is consulted yet.

import { assert } from "../../common/assert.js";
import type {
  BooleanOperator,
  CompareOperator,
  ConditionNode,
  ConfigNode,
  ExpressionNode,
  PluginNode,
  RValueNode,
  SectionType,
  SelectorNode,
  SourcePosition,
  StatementNode,
  StringNode,
  ValueNode,
} from "./ast.js";
import type { Diagnostic } from "./diagnostics.js";
import { type Environment, processEscapes, substituteVariables } from "./substitute.js";

export type PlanValue = string | number | PlanValue[] | PlanHash | PlanPlugin;
export type PlanHash = Map<string, PlanValue>;

export interface PlanPlugin {
  kind: "plugin";
  /** `codec` for a plugin given as an attribute value. */
  type: SectionType | "codec";
  name: string;
  attributes: Map<string, PlanValue>;
  /** Where each attribute was first written (its name), for diagnostics about its value. */
  attributePositions?: Map<string, SourcePosition>;
  pos: SourcePosition;
}

export interface PlanIf {
  kind: "if";
  condition: PlanCondition;
  thenBody: PlanStatement[];
  /** An `else if` becomes a single nested PlanIf here. */
  elseBody: PlanStatement[];
  pos: SourcePosition;
}

export type PlanStatement = PlanPlugin | PlanIf;

export interface PlanSection {
  type: SectionType;
  body: PlanStatement[];
  pos: SourcePosition;
}

export interface PipelinePlan {
  sections: PlanSection[];
}

export type PlanOperand =
  | { kind: "field"; path: string[] }
  | { kind: "value"; value: PlanValue }
  | { kind: "regexp"; pattern: string }
  | { kind: "call"; name: string; args: PlanOperand[] };

export type PlanCondition =
  | { kind: BooleanOperator; left: PlanCondition; right: PlanCondition }
  | { kind: "not"; operand: PlanCondition }
  | { kind: "compare"; operator: CompareOperator; left: PlanOperand; right: PlanOperand }
  | { kind: "regex"; operator: "=~" | "!~"; left: PlanOperand; pattern: string }
  | { kind: "in"; left: PlanOperand; right: PlanOperand }
  | { kind: "truthy"; operand: PlanOperand };

export interface CompileOptions {
  /** Logstash's `config.support_escapes` (off by default). */
  supportEscapes?: boolean;
  /** Where `${VAR}` values come from; defaults to process.env. */
  env?: Environment;
}

export interface CompileResult {
  plan: PipelinePlan;
  diagnostics: Diagnostic[];
}

/**
 * Logstash ranks only `and` above `or`; it has no rank for `xor` or `nand`, so it rejects a condition where either
 * stands beside another operator at the same parenthesis level (alone, `a xor b`, they are fine).
 */
const logstashRank: Partial<Record<BooleanOperator, number>> = { and: 2, or: 1 };

export function compileConfig(ast: ConfigNode, options: CompileOptions = {}): CompileResult {
  const compiler = new Compiler(options.supportEscapes ?? false, options.env ?? process.env);
  const sections = ast.sections.map((section) => ({
    type: section.type,
    body: compiler.statements(section.body, section.type),
    pos: section.pos,
  }));
  return { plan: { sections }, diagnostics: compiler.diagnostics };
}

/**
 * Groups a flat `operand (operator operand)*` list the way Logstash's shunting-yard does, quirks included: a waiting
 * operator is moved to the output only when strictly higher-ranked than the incoming one, and at most one at a time.
 * So equal operators group to the right (`a or (b or c)`) and `a and b and c or d` is `a and ((b and c) or d)`.
 * Callers have rejected `xor`/`nand` unless they are the only operator, when no rank is ever asked for.
 */
function groupLikeLogstash(operands: PlanCondition[], operators: BooleanOperator[]): PlanCondition {
  assert(operands.length === operators.length + 1, "a condition has one more operand than operators");
  const postfix: Array<PlanCondition | BooleanOperator> = [operands[0]!];
  const waiting: BooleanOperator[] = [];
  operators.forEach((operator, i) => {
    const top = waiting.at(-1);
    if (top !== undefined && rankOf(top) > rankOf(operator)) postfix.push(waiting.pop()!);
    waiting.push(operator);
    postfix.push(operands[i + 1]!);
  });
  postfix.push(...waiting.reverse());
  const stack: PlanCondition[] = [];
  for (const item of postfix) {
    if (typeof item !== "string") {
      stack.push(item);
      continue;
    }
    const right = stack.pop();
    const left = stack.pop();
    assert(left !== undefined && right !== undefined, "postfix operator without two operands");
    stack.push({ kind: item, left, right });
  }
  assert(stack.length === 1, "postfix condition did not reduce to one tree");
  return stack[0]!;
}

function rankOf(operator: BooleanOperator): number {
  const rank = logstashRank[operator];
  assert(rank !== undefined, `no rank for \`${operator}\`; it should have been rejected`);
  return rank;
}

/**
 * A field reference as Logstash writes them: `[a][b]` → ["a", "b"], a bare `a` → ["a"]. Returns an error message
 * for malformed ones (unbalanced or empty brackets, text between or after the bracketed parts).
 */
export function parseFieldReference(text: string): { path: string[] } | { error: string } {
  if (text.length === 0) return { error: "empty field reference" };
  if (!text.includes("[") && !text.includes("]")) return { path: [text] };
  // Logstash's strict reading: `[a][b]`, and embedded references that fill a whole element (`[[a][b]]` is
  // `[a][b]`); text beside brackets, empty elements and unbalanced brackets are errors.
  const bad = (why: string) => ({ error: `malformed field reference \`${text}\`: ${why}` });
  const path: string[] = [];
  let depth = 0;
  let start = 0;
  let previous = "";
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c === "[") {
      if (start !== i) return bad(`unexpected \`[\` at character ${i + 1}`);
      depth++;
      start = i + 1;
    } else if (c === "]") {
      if (depth === 0) return bad(`unmatched \`]\` at character ${i + 1}`);
      if (start === i && previous !== "]") return bad(`empty element at character ${i + 1}`);
      if (start < i) path.push(text.slice(start, i));
      depth--;
      start = i + 1;
    } else if (previous === "]") return bad(`text after \`]\` at character ${i + 1}`);
    previous = c;
  }
  if (depth > 0) return bad("unclosed `[`");
  return { path };
}

class Compiler {
  readonly diagnostics: Diagnostic[] = [];

  constructor(
    private readonly supportEscapes: boolean,
    private readonly env: Environment,
  ) {}

  statements(nodes: StatementNode[], section: SectionType): PlanStatement[] {
    return nodes.map((node) =>
      node.kind === "plugin" ? this.plugin(node, section) : this.branch(node, section),
    );
  }

  private branch(node: Extract<StatementNode, { kind: "branch" }>, section: SectionType): PlanStatement {
    // Built from the last clause backwards so each `else if` nests inside the previous clause's else.
    let elseBody: PlanStatement[] = [];
    for (let i = node.clauses.length - 1; i >= 0; i--) {
      const clause = node.clauses[i]!;
      const body = this.statements(clause.body, section);
      if (clause.condition === null) {
        elseBody = body;
        continue;
      }
      const condition = this.condition(clause.condition);
      elseBody = [{ kind: "if", condition, thenBody: body, elseBody, pos: clause.pos }];
    }
    return elseBody[0]!;
  }

  private plugin(node: PluginNode, type: PlanPlugin["type"]): PlanPlugin {
    const attributes = new Map<string, PlanValue>();
    const attributePositions = new Map<string, SourcePosition>();
    for (const attribute of node.attributes) {
      const value = this.value(attribute.value);
      const existing = attributes.get(attribute.name);
      if (existing === undefined) attributePositions.set(attribute.name, attribute.pos);
      attributes.set(attribute.name, existing === undefined ? value : mergeRepeated(existing, value));
      if (attribute.name === "codec" && existing !== undefined && (type === "input" || type === "output")) {
        this.error(attribute.pos, "duplicate-codec", `plugin \`${node.name}\` has more than one \`codec\``, {
          hint: "an input or output takes one codec; remove all but one",
        });
      }
    }
    return { kind: "plugin", type, name: node.name, attributes, attributePositions, pos: node.pos };
  }

  private value(node: ValueNode): PlanValue {
    switch (node.kind) {
      case "plugin":
        return this.plugin(node, "codec");
      case "bareword":
        return node.value;
      case "string":
        return this.string(node, true);
      case "number":
        return node.value;
      case "array":
        return node.elements.map((element) => this.value(element));
      case "hash":
        return this.hash(node);
    }
  }

  private hash(node: Extract<ValueNode, { kind: "hash" }>): PlanHash {
    const result: PlanHash = new Map();
    const seen = new Set<string>();
    for (const entry of node.entries) {
      // Logstash compares keys as written, quotes included, so `a` and `"a"` are different keys to it as well.
      const written = sourceText(entry.key);
      if (seen.has(written)) {
        this.error(entry.pos, "duplicate-key", `duplicate hash key \`${written}\``, {
          hint: "each key may appear once in a hash (repeating the whole attribute merges hashes instead)",
        });
      }
      seen.add(written);
      const key = entry.key.kind === "string" ? this.string(entry.key, false) : String(entry.key.value);
      result.set(key, this.value(entry.value));
    }
    return result;
  }

  /** Escapes (when enabled), then `${VAR}` substitution where Logstash applies it (values, not hash keys). */
  private string(node: StringNode, substitute: boolean): string {
    const text = this.supportEscapes ? processEscapes(node.raw) : node.raw;
    if (!substitute) return text;
    const { value, undefinedVariables } = substituteVariables(text, this.env);
    for (const missing of undefinedVariables) {
      const pos = positionInside(node, missing.index);
      this.error(pos, "env-undefined", `environment variable \`${missing.name}\` is not defined`, {
        hint: `set ${missing.name}, or give a default: \${${missing.name}:default}`,
      });
    }
    return value;
  }

  // ---- conditions ----

  condition(node: ConditionNode): PlanCondition {
    const operands = [this.expression(node.first)];
    for (const r of node.rest) operands.push(this.expression(r.expression));
    const operators = node.rest.map((r) => r.operator);
    const unranked = node.rest.length > 1 ? node.rest.find((r) => !(r.operator in logstashRank)) : undefined;
    if (unranked === undefined) return groupLikeLogstash(operands, operators);
    this.error(
      unranked.operatorPos,
      "unranked-boolean-operator",
      `\`${unranked.operator}\` cannot be combined with other boolean operators without parentheses`,
      {
        hint: `Logstash gives \`${unranked.operator}\` no precedence and refuses to load this pipeline; wrap the \`${unranked.operator}\` and its two operands in parentheses`,
      },
    );
    // The plan is unusable anyway; a plain left-to-right tree keeps the later stages from tripping over it.
    return operators.reduce<PlanCondition>(
      (left, kind, i) => ({ kind, left, right: operands[i + 1]! }),
      operands[0]!,
    );
  }

  private expression(node: ExpressionNode): PlanCondition {
    switch (node.kind) {
      case "paren":
        return this.condition(node.condition);
      case "not":
        return {
          kind: "not",
          operand:
            node.operand.kind === "selector"
              ? { kind: "truthy", operand: this.operand(node.operand) }
              : this.condition(node.operand),
        };
      case "in": {
        const test: PlanCondition = {
          kind: "in",
          left: this.operand(node.left),
          right: this.operand(node.right),
        };
        return node.negated ? { kind: "not", operand: test } : test;
      }
      case "compare":
        return {
          kind: "compare",
          operator: node.operator,
          left: this.operand(node.left),
          right: this.operand(node.right),
        };
      case "regexMatch": {
        // The pattern is taken as written: Logstash turns a string pattern into a regexp without substitution.
        const pattern = node.pattern.kind === "string" ? this.patternString(node.pattern) : node.pattern.raw;
        return { kind: "regex", operator: node.operator, left: this.operand(node.left), pattern };
      }
      default:
        return { kind: "truthy", operand: this.operand(node) };
    }
  }

  private patternString(node: StringNode): string {
    return this.supportEscapes ? processEscapes(node.raw) : node.raw;
  }

  private operand(node: RValueNode): PlanOperand {
    switch (node.kind) {
      case "selector":
        return { kind: "field", path: this.selectorPath(node) };
      case "string":
        return { kind: "value", value: this.string(node, true) };
      case "number":
        return { kind: "value", value: node.value };
      case "array":
        return { kind: "value", value: node.elements.map((e) => this.value(e)) };
      case "regexp":
        return { kind: "regexp", pattern: node.raw };
      case "methodCall":
        return { kind: "call", name: node.name, args: node.args.map((a) => this.operand(a)) };
    }
  }

  private selectorPath(node: SelectorNode): string[] {
    const first = node.elements[0]!;
    if (node.elements.length === 1 && /^\s*(["']).*\1\s*$/s.test(first)) {
      this.warning(
        node.pos,
        "quoted-field-name",
        `\`${node.text}\` is a field reference, not a list of strings`,
        {
          hint: 'Logstash reads `in ["a"]` as the field named `"a"` (quotes included); a one-item list needs a comma-free workaround such as `== "a"`',
        },
      );
    }
    if (node.elements.some((e) => e.includes("\n"))) {
      this.warning(node.pos, "multiline-field-name", `field reference \`${node.text}\` spans lines`, {
        hint: "a field name cannot sensibly contain a line break; is a `]` missing?",
      });
    }
    return node.elements;
  }

  private error(pos: SourcePosition, code: string, message: string, extra: { hint?: string } = {}): void {
    this.diagnostics.push({
      severity: "error",
      code,
      message,
      file: pos.file,
      line: pos.line,
      column: pos.column,
      ...extra,
    });
  }

  private warning(pos: SourcePosition, code: string, message: string, extra: { hint?: string } = {}): void {
    this.diagnostics.push({
      severity: "warning",
      code,
      message,
      file: pos.file,
      line: pos.line,
      column: pos.column,
      ...extra,
    });
  }
}

/** Logstash's rule for an attribute given twice: hashes merge, arrays concatenate, scalars become an array. */
export function mergeRepeated(existing: PlanValue, value: PlanValue): PlanValue {
  if (existing instanceof Map && value instanceof Map) return mergeHashesWithDuplicates(existing, value);
  if (Array.isArray(existing)) return Array.isArray(value) ? [...existing, ...value] : [...existing, value];
  return planEquals(existing, value) ? existing : [existing, value];
}

/** Logstash's hash_merge_with_dups: nested hashes merge, arrays append, differing scalars collect into an array. */
function mergeHashesWithDuplicates(dst: PlanHash, src: PlanHash): PlanHash {
  const result: PlanHash = new Map(dst);
  for (const [key, sv] of src) {
    const dv = result.get(key);
    if (dv === undefined) result.set(key, sv);
    else if (dv instanceof Map && sv instanceof Map) result.set(key, mergeHashesWithoutDuplicates(dv, sv));
    else if (Array.isArray(sv)) result.set(key, Array.isArray(dv) ? [...dv, ...sv] : [dv, ...sv]);
    else if (Array.isArray(dv)) result.set(key, dv.some((x) => planEquals(x, sv)) ? dv : [...dv, sv]);
    else if (!planEquals(dv, sv)) result.set(key, [dv, sv]);
  }
  return result;
}

/** Logstash's hash_merge (used one level down): like the above, but arrays merge as sets. */
function mergeHashesWithoutDuplicates(dst: PlanHash, src: PlanHash): PlanHash {
  const result: PlanHash = new Map(dst);
  for (const [key, sv] of src) {
    const dv = result.get(key);
    if (dv === undefined) result.set(key, sv);
    else if (dv instanceof Map && sv instanceof Map) result.set(key, mergeHashesWithoutDuplicates(dv, sv));
    else if (Array.isArray(sv)) result.set(key, union(Array.isArray(dv) ? dv : [dv], sv));
    else if (Array.isArray(dv)) result.set(key, dv.some((x) => planEquals(x, sv)) ? dv : [...dv, sv]);
    else if (!planEquals(dv, sv)) result.set(key, [dv, sv]);
  }
  return result;
}

function union(a: PlanValue[], b: PlanValue[]): PlanValue[] {
  const out: PlanValue[] = [];
  for (const x of [...a, ...b]) if (!out.some((y) => planEquals(x, y))) out.push(x);
  return out;
}

export function planEquals(a: PlanValue, b: PlanValue): boolean {
  if (typeof a !== "object" || typeof b !== "object") return a === b;
  if (Array.isArray(a))
    return Array.isArray(b) && a.length === b.length && a.every((x, i) => planEquals(x, b[i]!));
  if (a instanceof Map) {
    if (!(b instanceof Map) || a.size !== b.size) return false;
    for (const [k, v] of a) if (!b.has(k) || !planEquals(v, b.get(k)!)) return false;
    return true;
  }
  return a === b;
}

function sourceText(
  key: { kind: string } & ({ raw: string; quote: string } | { text: string } | { value: string }),
): string {
  if ("raw" in key) return `${key.quote}${key.raw}${key.quote}`;
  if ("text" in key) return key.text;
  return key.value;
}

/** The position of character `index` of a string's body (after the opening quote). */
function positionInside(node: StringNode, index: number): SourcePosition {
  const before = node.raw.slice(0, index);
  const nl = before.lastIndexOf("\n");
  const offset = node.pos.offset + 1 + index;
  if (nl < 0) return { ...node.pos, column: node.pos.column + 1 + index, offset };
  const lines = before.split("\n").length - 1;
  return { file: node.pos.file, line: node.pos.line + lines, column: index - nl, offset };
}
