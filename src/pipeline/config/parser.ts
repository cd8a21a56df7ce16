// Recursive-descent parser for the Logstash configuration language, rule for rule after Logstash's treetop grammar
// (lscl_grammar.treetop), ordered choices and backtracking included, so it accepts and rejects what Logstash does.
// On an error it reports the farthest failure (where Logstash stops), skips the broken statement and goes on, so one
// run reports every problem.

import { limits } from "../../common/limits.js";
import type {
  ArrayNode,
  AttributeNode,
  BooleanOperator,
  BranchNode,
  ClauseNode,
  CompareOperator,
  ConditionNode,
  ConfigNode,
  ExpressionNode,
  HashEntryNode,
  HashNode,
  MethodCallNode,
  NumberNode,
  PluginNode,
  PluginSectionNode,
  RValueNode,
  SectionType,
  SelectorNode,
  StatementNode,
  StringNode,
  ValueNode,
} from "./ast.js";
import type { Diagnostic } from "./diagnostics.js";
import { Scanner } from "./lexer.js";

export interface ParseResult {
  ast: ConfigNode;
  diagnostics: Diagnostic[];
}

const sectionTypes: SectionType[] = ["input", "filter", "output"];
const booleanOperators: BooleanOperator[] = ["and", "or", "xor", "nand"];
const compareOperators: CompareOperator[] = ["==", "!=", "<=", ">=", "<", ">"];

/** Parses one configuration text; `file` names it in positions and diagnostics. */
export function parseConfig(text: string, file = "config"): ParseResult {
  return new Parser(text, file).parseConfig();
}

class Parser {
  private readonly s: Scanner;
  private readonly diagnostics: Diagnostic[] = [];
  private lastReportedOffset = -1;
  /** The last string that spanned lines: a likely culprit when a later error is a missing quote. */
  private lastMultilineString: { start: number; end: number } | undefined;

  constructor(text: string, file: string) {
    this.s = new Scanner(text, file);
  }

  parseConfig(): ParseResult {
    const s = this.s;
    const sections: PluginSectionNode[] = [];
    for (;;) {
      const save = s.pos;
      s.skipSpace();
      const section = this.pluginSection();
      if (section) {
        sections.push(section);
        continue;
      }
      s.pos = save;
      s.skipSpace();
      if (s.atEnd()) break;
      this.report(s.pos);
      if (!this.skipToNextSection()) break;
    }
    const ast: ConfigNode = { kind: "config", pos: s.position(0), end: s.text.length, sections };
    return { ast, diagnostics: this.diagnostics };
  }

  // ---- error reporting and recovery ----

  /** Reports the farthest failure (at or after `from`) as one diagnostic, then forgets it. */
  private report(from: number): void {
    const s = this.s;
    const at = Math.max(s.farthest, from);
    if (at !== this.lastReportedOffset && this.diagnostics.length < limits.configDiagnosticsMax) {
      this.lastReportedOffset = at;
      this.diagnostics.push(this.describeFailure(at));
    }
    s.resetFailure();
  }

  private describeFailure(at: number): Diagnostic {
    const s = this.s;
    const where = s.position(at);
    const expected = [...s.expected].filter((e) => e !== "whitespace" && e !== "`#`" && e !== "a line break");
    const found = s.describeAt(at);
    const note = s.failNote;
    let code = "syntax";
    let message = `unexpected ${found}`;
    if (expected.length > 0) message += `, expected ${joinAlternatives(expected)}`;
    if (note) message += ` ${note}`;
    let hint: string | undefined;
    if (note?.startsWith("unterminated")) {
      code = "unterminated-string";
      message = `${note.replace(/ opened at .*/, "")}: no closing delimiter before the end of input`;
      hint = `the ${note.replace(/^unterminated /, "")}; add the closing quote`;
    } else if (at >= s.text.length && s.failOpen) {
      code = "unclosed-brace";
      const open = s.position(s.failOpen.offset);
      hint = `unclosed \`${s.text[s.failOpen.offset]}\` of ${s.failOpen.what} opened at ${open.line}:${open.column}`;
    } else if (expected.includes("`=>`")) {
      hint = "attributes are written `name => value`; hash entries the same, without commas";
    } else if (s.text.startsWith("${", at)) {
      // biome-ignore lint/suspicious/noTemplateCurlyInString: Logstash's own ${VAR} syntax, not a template
      hint = '`${VAR}` is substituted only inside quoted strings (as in Logstash): write it as "${...}"';
    } else if (expected.includes("`input`")) {
      hint = "only `input { }`, `filter { }` and `output { }` sections may appear at the top level";
    }
    const multi = this.lastMultilineString;
    if (code === "syntax" && multi && multi.end <= at) {
      const a = s.position(multi.start);
      const b = s.position(multi.end - 1);
      hint = `the string opened at ${a.line}:${a.column} runs to ${b.line}:${b.column}; is a closing quote missing?`;
    }
    return {
      severity: "error",
      code,
      message,
      file: where.file,
      line: where.line,
      column: where.column,
      hint,
    };
  }

  /** After a broken top-level item: resume at the next line that starts a section, or give up. */
  private skipToNextSection(): boolean {
    const s = this.s;
    const re = /^[ \t]*(input|filter|output)\s*\{/gm;
    re.lastIndex = s.pos + 1;
    const m = re.exec(s.text);
    if (!m) return false;
    s.pos = m.index;
    this.lastMultilineString = undefined;
    return true;
  }

  /**
   * After a broken statement that began at `start`: find how many braces were open where parsing failed, then skip
   * raw text (strings are not trusted: a missing quote is a common error) until those braces close.
   */
  private skipStatement(start: number, failedAt: number): void {
    const s = this.s;
    let depth = braceDepth(s.text, start, failedAt);
    let i = failedAt;
    if (depth <= 0) {
      const nl = s.text.indexOf("\n", failedAt);
      s.pos = nl < 0 ? s.text.length : nl + 1;
      return;
    }
    for (; i < s.text.length && depth > 0; i++) {
      const c = s.text[i];
      if (c === "#") {
        const nl = s.text.indexOf("\n", i);
        i = nl < 0 ? s.text.length : nl;
      } else if (c === "{") depth++;
      else if (c === "}") depth--;
    }
    s.pos = i;
    this.lastMultilineString = undefined;
  }

  // ---- sections and statements ----

  private pluginSection(): PluginSectionNode | null {
    const s = this.s;
    const start = s.pos;
    const type = sectionTypes.find((t) => s.literal(t));
    if (!type) return null;
    s.skipSpace();
    const brace = s.pos;
    if (!s.literal("{")) {
      s.pos = start;
      return null;
    }
    const body = this.body(brace, `\`${type}\` section`);
    return { kind: "section", type, body, pos: s.position(start), end: s.pos };
  }

  /** `cs (branch_or_plugin cs)* "}"`, recovering from broken statements; a missing `}` at the end is reported. */
  private body(brace: number, what: string): StatementNode[] {
    const s = this.s;
    s.open.push({ offset: brace, what });
    const statements: StatementNode[] = [];
    s.skipSpace();
    for (;;) {
      const start = s.pos;
      const statement = this.branch() ?? this.plugin();
      if (statement) {
        statements.push(statement);
        s.skipSpace();
        continue;
      }
      s.pos = start;
      if (s.literal("}")) break;
      const failedAt = Math.max(s.farthest, start);
      this.report(start);
      if (s.atEnd()) break;
      this.skipStatement(start, failedAt);
      s.skipSpace();
    }
    s.open.pop();
    return statements;
  }

  private plugin(): PluginNode | null {
    const s = this.s;
    const start = s.pos;
    const name = this.name();
    if (name === null) return null;
    s.skipSpace();
    const brace = s.pos;
    if (!s.literal("{")) {
      s.pos = start;
      return null;
    }
    const attributes = this.enclosed(start, brace, `plugin \`${name}\``, "}", () =>
      this.list(
        () => this.attribute(),
        () => this.blank(),
      ),
    );
    if (!attributes) return null;
    return { kind: "plugin", name, attributes, pos: s.position(start), end: s.pos };
  }

  /** `[A-Za-z0-9_-]+` or a quoted string (its body taken as written). */
  private name(): string | null {
    const s = this.s;
    const word = s.nameWord();
    if (word !== null) return word;
    const str = this.string();
    return str === null ? null : str.raw;
  }

  private attribute(): AttributeNode | null {
    const s = this.s;
    const start = s.pos;
    const name = this.name();
    if (name === null) return null;
    s.skipSpace();
    s.notes.push(`after attribute name \`${name}\``);
    const arrow = s.literal("=>");
    s.notes.pop();
    if (!arrow) {
      s.pos = start;
      return null;
    }
    s.skipSpace();
    s.notes.push(`in the value of \`${name}\``);
    const value = this.value();
    s.notes.pop();
    if (!value) {
      s.pos = start;
      return null;
    }
    return { kind: "attribute", name, value, pos: s.position(start), end: s.pos };
  }

  // ---- values ----

  /** `plugin / bareword / string / number / array / hash`, in that order. */
  private value(): ValueNode | null {
    const s = this.s;
    const start = s.pos;
    const plugin = this.plugin();
    if (plugin) return plugin;
    const word = s.bareword();
    if (word !== null) return { kind: "bareword", value: word, pos: s.position(start), end: s.pos };
    return this.string() ?? this.number() ?? this.array() ?? this.hash();
  }

  private string(): StringNode | null {
    const s = this.s;
    const start = s.pos;
    const c = s.text[start];
    if (c !== '"' && c !== "'") {
      s.fail("a string");
      return null;
    }
    const raw = s.delimited(c, "string");
    if (raw === null) return null;
    if (raw.includes("\n")) this.lastMultilineString = { start, end: s.pos };
    return { kind: "string", quote: c, raw, pos: s.position(start), end: s.pos };
  }

  private number(): NumberNode | null {
    const s = this.s;
    const start = s.pos;
    const text = s.number();
    if (text === null) return null;
    const isFloat = text.includes(".");
    return { kind: "number", text, value: Number(text), isFloat, pos: s.position(start), end: s.pos };
  }

  /** `"[" cs (value (cs "," cs value)*)? cs "]"`: commas between elements, none trailing. */
  private array(): ArrayNode | null {
    const s = this.s;
    const start = s.pos;
    if (!s.literal("[")) return null;
    const elements = this.enclosed(start, start, "array", "]", () =>
      this.list(
        () => this.value(),
        () => this.comma(),
      ),
    );
    if (!elements) return null;
    return { kind: "array", elements, pos: s.position(start), end: s.pos };
  }

  /** `"{" cs (hashentry (cs hashentry)*)? cs "}"`: entries separated by whitespace only. */
  private hash(): HashNode | null {
    const s = this.s;
    const start = s.pos;
    if (!s.literal("{")) return null;
    const entries = this.enclosed(start, start, "hash", "}", () =>
      this.list(
        () => this.hashEntry(),
        () => this.space(),
      ),
    );
    if (!entries) return null;
    return { kind: "hash", entries, pos: s.position(start), end: s.pos };
  }

  private hashEntry(): HashEntryNode | null {
    const s = this.s;
    const start = s.pos;
    let key: HashEntryNode["key"] | null = this.number();
    if (!key) {
      const word = s.bareword();
      if (word !== null) key = { kind: "bareword", value: word, pos: s.position(start), end: s.pos };
    }
    key ??= this.string();
    if (!key) return null;
    s.skipSpace();
    const keyText = key.kind === "string" ? key.raw : key.kind === "number" ? key.text : key.value;
    s.notes.push(`after hash key \`${keyText}\``);
    const arrow = s.literal("=>");
    s.notes.pop();
    if (!arrow) {
      s.pos = start;
      return null;
    }
    s.skipSpace();
    const value = this.value();
    if (!value) {
      s.pos = start;
      return null;
    }
    return { kind: "hashEntry", key, value, pos: s.position(start), end: s.pos };
  }

  // ---- repetition ----

  /**
   * After `open` (already read at `brace`; the node began at `start`): `cs inner cs close`. Null, and back at `start`,
   * when `close` is missing; `what` names the open bracket in an unclosed-bracket diagnostic.
   */
  private enclosed<T>(start: number, brace: number, what: string, close: string, inner: () => T): T | null {
    const s = this.s;
    s.open.push({ offset: brace, what });
    s.skipSpace();
    const result = inner();
    s.skipSpace();
    const closed = s.literal(close);
    s.open.pop();
    if (closed) return result;
    s.pos = start;
    return null;
  }

  /** `(item (separator item)*)?` */
  private list<T>(item: () => T | null, separator: () => boolean): T[] {
    const first = item();
    return first ? this.more([first], item, separator) : [];
  }

  /** `(separator item)*` after `items`; a separator not followed by an item is given back. */
  private more<T>(items: T[], item: () => T | null, separator: () => boolean): T[] {
    const s = this.s;
    for (;;) {
      const save = s.pos;
      const next = separator() ? item() : null;
      if (!next) {
        s.pos = save;
        return items;
      }
      items.push(next);
    }
  }

  /** `cs`, as a separator that always matches. */
  private space(): boolean {
    this.s.skipSpace();
    return true;
  }

  /** `whitespace cs`: Logstash's grammar wants a blank between two attributes (`a => "x"b => 1` is refused). */
  private blank(): boolean {
    if (!this.s.whitespace()) return false;
    this.s.skipSpace();
    return true;
  }

  /** `cs "," cs` */
  private comma(): boolean {
    const s = this.s;
    s.skipSpace();
    if (!s.literal(",")) return false;
    s.skipSpace();
    return true;
  }

  // ---- conditionals ----

  /** `if (cs else_if)* (cs else)?` */
  private branch(): BranchNode | null {
    const s = this.s;
    const start = s.pos;
    const first = this.clause("if");
    if (!first) return null;
    const clauses = this.more(
      [first],
      () => this.clause("else if"),
      () => this.space(),
    );
    const save = s.pos;
    s.skipSpace();
    const last = this.clause("else");
    if (last) clauses.push(last);
    else s.pos = save;
    return { kind: "branch", clauses, pos: s.position(start), end: s.pos };
  }

  private clause(keyword: ClauseNode["keyword"]): ClauseNode | null {
    const s = this.s;
    const start = s.pos;
    let condition: ConditionNode | null = null;
    if (keyword === "if") {
      if (!s.literal("if")) return null;
    } else {
      if (!s.literal("else")) return null;
      s.skipSpace();
      if (keyword === "else if" && !s.literal("if")) {
        s.pos = start;
        return null;
      }
    }
    if (keyword !== "else") {
      s.skipSpace();
      condition = this.condition();
      if (!condition) {
        s.pos = start;
        return null;
      }
      s.skipSpace();
    }
    const brace = s.pos;
    if (!s.literal("{")) {
      s.pos = start;
      return null;
    }
    const body = this.body(brace, `\`${keyword}\` block`);
    return { kind: "clause", keyword, condition, body, pos: s.position(start), end: s.pos };
  }

  /** `expression (cs boolean_operator cs expression)*` */
  private condition(): ConditionNode | null {
    const s = this.s;
    const start = s.pos;
    const first = this.expression();
    if (!first) return null;
    const rest = this.more<ConditionNode["rest"][number]>(
      [],
      () => {
        const operatorStart = s.pos;
        const operator = booleanOperators.find((op) => s.literal(op));
        if (!operator) return null;
        s.skipSpace();
        const expression = this.expression();
        return expression && { operator, operatorPos: s.position(operatorStart), expression };
      },
      () => this.space(),
    );
    return { kind: "condition", first, rest, pos: s.position(start), end: s.pos };
  }

  /**
   * `( condition ) / negative / in / not in / compare / regexp match / rvalue`. The four binary forms all start with
   * an rvalue, which parses the same whichever form is tried, so it is parsed once and the operators tried in order.
   */
  private expression(): ExpressionNode | null {
    const s = this.s;
    const start = s.pos;
    if (s.literal("(")) {
      const inner = this.parenthesised(start);
      if (inner) return { kind: "paren", condition: inner, pos: s.position(start), end: s.pos };
    }
    s.pos = start;
    const negative = this.negative();
    if (negative) return negative;
    const left = this.rvalue();
    if (!left) return null;
    const afterLeft = s.pos;
    s.skipSpace();
    const node = (rest: object) => ({ ...rest, left, pos: s.position(start), end: s.pos });
    if (s.literal("in")) {
      s.skipSpace();
      const right = this.rvalue();
      if (right) return node({ kind: "in", negated: false, right }) as ExpressionNode;
    }
    s.pos = afterLeft;
    s.skipSpace();
    if (s.literal("not ")) {
      s.skipSpace();
      if (s.literal("in")) {
        s.skipSpace();
        const right = this.rvalue();
        if (right) return node({ kind: "in", negated: true, right }) as ExpressionNode;
      }
    }
    s.pos = afterLeft;
    s.skipSpace();
    const operator = compareOperators.find((op) => s.literal(op));
    if (operator) {
      s.skipSpace();
      const right = this.rvalue();
      if (right) return node({ kind: "compare", operator, right }) as ExpressionNode;
    }
    s.pos = afterLeft;
    s.skipSpace();
    const matchOperator = (["=~", "!~"] as const).find((op) => s.literal(op));
    if (matchOperator) {
      s.skipSpace();
      const patternStart = s.pos;
      const pattern = this.string() ?? this.regexp(patternStart);
      if (pattern) return node({ kind: "regexMatch", operator: matchOperator, pattern }) as ExpressionNode;
    }
    s.pos = afterLeft;
    return left;
  }

  /** After `(`: `cs condition cs ")"`. */
  private parenthesised(open: number): ConditionNode | null {
    const s = this.s;
    s.open.push({ offset: open, what: "parenthesis" });
    s.skipSpace();
    const inner = this.condition();
    let ok = false;
    if (inner) {
      s.skipSpace();
      ok = s.literal(")");
    }
    s.open.pop();
    return ok ? inner : null;
  }

  /** `"!" cs "(" cs condition cs ")"` or `"!" cs selector`. */
  private negative(): ExpressionNode | null {
    const s = this.s;
    const start = s.pos;
    if (!s.literal("!")) return null;
    s.skipSpace();
    const open = s.pos;
    if (s.literal("(")) {
      const inner = this.parenthesised(open);
      if (inner) return { kind: "not", operand: inner, pos: s.position(start), end: s.pos };
    }
    s.pos = open;
    const selector = this.selector();
    if (selector) return { kind: "not", operand: selector, pos: s.position(start), end: s.pos };
    s.pos = start;
    return null;
  }

  /** `string / number / selector / array / method_call / regexp` */
  private rvalue(): RValueNode | null {
    const s = this.s;
    const start = s.pos;
    return (
      this.string() ??
      this.number() ??
      this.selector() ??
      this.array() ??
      this.methodCall() ??
      this.regexp(start)
    );
  }

  private selector(): SelectorNode | null {
    const s = this.s;
    const start = s.pos;
    const elements: string[] = [];
    for (;;) {
      const element = s.selectorElement();
      if (element === null) break;
      elements.push(element);
    }
    if (elements.length === 0) return null;
    return {
      kind: "selector",
      text: s.text.slice(start, s.pos),
      elements,
      pos: s.position(start),
      end: s.pos,
    };
  }

  /** `bareword cs "(" cs (rvalue (cs "," cs rvalue)*)? cs ")"`: parsed as Logstash does, though it evaluates none. */
  private methodCall(): MethodCallNode | null {
    const s = this.s;
    const start = s.pos;
    const name = s.bareword();
    if (name === null) return null;
    s.skipSpace();
    if (!s.literal("(")) {
      s.pos = start;
      return null;
    }
    s.skipSpace();
    const args = this.list(
      () => this.rvalue(),
      () => this.comma(),
    );
    s.skipSpace();
    if (!s.literal(")")) {
      s.pos = start;
      return null;
    }
    return { kind: "methodCall", name, args, pos: s.position(start), end: s.pos };
  }

  private regexp(start: number): RValueNode | null {
    const s = this.s;
    const raw = s.delimited("/", "regexp");
    if (raw === null) return null;
    return { kind: "regexp", raw, pos: s.position(start), end: s.pos };
  }
}

/** Net `{` minus `}` between two offsets of text the parser accepted (so its strings and comments are sound). */
function braceDepth(text: string, from: number, to: number): number {
  let depth = 0;
  for (let i = from; i < to; i++) {
    const c = text[i];
    if (c === '"' || c === "'") {
      for (i++; i < to && text[i] !== c; i++) if (text[i] === "\\" && text[i + 1] === c) i++;
    } else if (c === "#") {
      while (i < to && text[i] !== "\n") i++;
    } else if (c === "{") depth++;
    else if (c === "}") depth--;
  }
  return depth;
}

function joinAlternatives(items: string[]): string {
  if (items.length === 1) return items[0]!;
  return `${items.slice(0, -1).join(", ")} or ${items[items.length - 1]}`;
}
