// A compact XPath 1.0 evaluator over the xml filter's tree: location paths with the common axes (child,
// descendant, attribute, parent, self, ancestor, siblings, `//`, `.`, `..`, `@`), name/`*`/text()/node()
// tests with namespace prefixes, predicates, operators, unions and the core string/number/node functions.

import {
  localName,
  namespaceOf,
  textContent,
  type XmlAttribute,
  type XmlElement,
  type XmlNode,
} from "./tree.js";

export type XNode = XmlNode | XmlAttribute;
export type XValue = XNode[] | string | number | boolean;

type Token = { type: "op" | "name" | "literal" | "number"; value: string };

interface Context {
  node: XNode;
  position: number;
  size: number;
}

/** Prefix → namespace URI for prefixed name tests. */
export type Namespaces = Readonly<Record<string, string>>;

export class XPathError extends Error {}

/** Evaluates `expression` against a document (the parse result's document node). */
export function evaluateXPath(expression: string, document: XmlElement, namespaces: Namespaces): XValue {
  const evaluator = new Evaluator(tokenize(expression), document, namespaces);
  const value = evaluator.parseAndEvaluate({ node: document, position: 1, size: 1 });
  return value;
}

/** Ruby's to_s of a number as Nokogiri returns them (always a Float). */
export function formatXPathNumber(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (!Number.isFinite(value)) return value > 0 ? "Infinity" : "-Infinity";
  return Number.isInteger(value) ? `${value}.0` : String(value);
}

const operatorNames = new Set(["and", "or", "div", "mod"]);
const axisNames = new Set([
  "child",
  "descendant",
  "descendant-or-self",
  "attribute",
  "parent",
  "self",
  "ancestor",
  "ancestor-or-self",
  "following-sibling",
  "preceding-sibling",
]);

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  // After an operand, `*` multiplies and and/or/div/mod are operators; elsewhere they are names.
  const precedingAllowsOperator = () => {
    const last = tokens[tokens.length - 1];
    if (last === undefined) return false;
    if (last.type !== "op") return true;
    return [")", "]", ".", "..", "*"].includes(last.value);
  };
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const two = text.slice(i, i + 2);
    if (["//", "::", "!=", "<=", ">=", ".."].includes(two)) {
      tokens.push({ type: "op", value: two });
      i += 2;
      continue;
    }
    if (c === "'" || c === '"') {
      const end = text.indexOf(c, i + 1);
      if (end < 0) throw new XPathError(`unterminated literal in ${text}`);
      tokens.push({ type: "literal", value: text.slice(i + 1, end) });
      i = end + 1;
      continue;
    }
    const number = /^(\d+(\.\d*)?|\.\d+)/.exec(text.slice(i));
    if (number !== null) {
      tokens.push({ type: "number", value: number[0] });
      i += number[0].length;
      continue;
    }
    if (c === "*") {
      tokens.push({ type: "op", value: precedingAllowsOperator() ? "mul" : "*" });
      i++;
      continue;
    }
    if ("/[]()@,|=<>+-.$".includes(c)) {
      tokens.push({ type: "op", value: c });
      i++;
      continue;
    }
    const name = /^[A-Za-z_][\w.-]*(:(\*|[A-Za-z_][\w.-]*))?/.exec(text.slice(i));
    if (name === null) throw new XPathError(`unexpected '${c}' in ${text}`);
    const value = name[0];
    tokens.push({ type: operatorNames.has(value) && precedingAllowsOperator() ? "op" : "name", value });
    i += name[0].length;
  }
  return tokens;
}

class Evaluator {
  private at = 0;
  private readonly order = new Map<XNode, number>();
  private readonly attributeNodes = new WeakMap<XmlElement, XmlAttribute[]>();

  constructor(
    private readonly tokens: Token[],
    private readonly document: XmlElement,
    private readonly namespaces: Namespaces,
  ) {
    let index = 0;
    const number = (node: XmlNode) => {
      this.order.set(node, index++);
      if (node.kind === "element") {
        for (const attribute of this.attributesOf(node)) this.order.set(attribute, index++);
        for (const child of node.children) number(child);
      }
    };
    number(document);
  }

  parseAndEvaluate(context: Context): XValue {
    const expression = this.parseOr();
    if (this.at < this.tokens.length) throw new XPathError(`unexpected '${this.tokens[this.at]!.value}'`);
    return expression(context);
  }

  // ------------------------------------------------------------ parsing into closures

  private peek(value?: string): Token | undefined {
    const token = this.tokens[this.at];
    if (value === undefined) return token;
    return token !== undefined && token.type === "op" && token.value === value ? token : undefined;
  }

  private expect(value: string): void {
    if (this.peek(value) === undefined) throw new XPathError(`expected '${value}'`);
    this.at++;
  }

  private binary(
    next: () => Expr,
    operators: string[],
    apply: (op: string, a: XValue, b: XValue) => XValue,
  ): Expr {
    let left = next();
    for (;;) {
      const token = this.peek();
      if (token === undefined || token.type !== "op" || !operators.includes(token.value)) return left;
      this.at++;
      const right = next();
      const l = left;
      left = (context) => apply(token.value, l(context), right(context));
    }
  }

  private parseOr(): Expr {
    return this.binary(
      () => this.parseAnd(),
      ["or"],
      (_, a, b) => toBoolean(a) || toBoolean(b),
    );
  }

  private parseAnd(): Expr {
    return this.binary(
      () => this.parseEquality(),
      ["and"],
      (_, a, b) => toBoolean(a) && toBoolean(b),
    );
  }

  private parseEquality(): Expr {
    return this.binary(
      () => this.parseRelational(),
      ["=", "!="],
      (op, a, b) => compare(op, a, b),
    );
  }

  private parseRelational(): Expr {
    return this.binary(
      () => this.parseAdditive(),
      ["<", ">", "<=", ">="],
      (op, a, b) => compare(op, a, b),
    );
  }

  private parseAdditive(): Expr {
    return this.binary(
      () => this.parseMultiplicative(),
      ["+", "-"],
      (op, a, b) => (op === "+" ? toNumber(a) + toNumber(b) : toNumber(a) - toNumber(b)),
    );
  }

  private parseMultiplicative(): Expr {
    return this.binary(
      () => this.parseUnary(),
      ["mul", "div", "mod"],
      (op, a, b) => {
        const x = toNumber(a);
        const y = toNumber(b);
        return op === "mul" ? x * y : op === "div" ? x / y : x % y;
      },
    );
  }

  private parseUnary(): Expr {
    if (this.peek("-") !== undefined) {
      this.at++;
      const operand = this.parseUnary();
      return (context) => -toNumber(operand(context));
    }
    return this.binary(
      () => this.parsePath(),
      ["|"],
      (_, a, b) => this.sorted([...asNodes(a), ...asNodes(b)]),
    );
  }

  private parsePath(): Expr {
    const token = this.peek();
    if (token === undefined) throw new XPathError("unexpected end of expression");
    const startsPrimary =
      token.type === "literal" ||
      token.type === "number" ||
      (token.type === "op" && token.value === "(") ||
      (token.type === "name" && this.tokens[this.at + 1]?.value === "(" && !isNodeType(token.value));
    if (!startsPrimary) return this.parseLocationPath();
    let primary = this.parsePrimary();
    while (this.peek("[") !== undefined) {
      const predicate = this.parsePredicate();
      const base = primary;
      primary = (context) => this.filterNodes(asNodes(base(context)), predicate);
    }
    if (this.peek("/") === undefined && this.peek("//") === undefined) return primary;
    const steps = this.parseRelativeSteps(true);
    return (context) => this.applySteps(asNodes(primary(context)), steps);
  }

  private parsePrimary(): Expr {
    const token = this.tokens[this.at++]!;
    if (token.type === "literal") return () => token.value;
    if (token.type === "number") return () => Number(token.value);
    if (token.type === "op") {
      const inner = this.parseOr();
      this.expect(")");
      return inner;
    }
    this.expect("(");
    const args: Expr[] = [];
    while (this.peek(")") === undefined) {
      args.push(this.parseOr());
      if (this.peek(",") !== undefined) this.at++;
      else break;
    }
    this.expect(")");
    return this.functionCall(token.value, args);
  }

  private parseLocationPath(): Expr {
    if (this.peek("/") !== undefined) {
      this.at++;
      const next = this.peek();
      const hasSteps =
        next !== undefined &&
        (next.type === "name" || (next.type === "op" && ["@", ".", "..", "*"].includes(next.value)));
      const steps = hasSteps ? this.parseSteps() : [];
      return () => this.applySteps([this.document], steps);
    }
    if (this.peek("//") !== undefined) {
      const steps = this.parseRelativeSteps(true);
      return () => this.applySteps([this.document], steps);
    }
    const steps = this.parseSteps();
    return (context) => this.applySteps([context.node], steps);
  }

  /** Steps after a leading `/` or `//` (which `leading` says is still to be read). */
  private parseRelativeSteps(leading: boolean): Step[] {
    const steps: Step[] = [];
    if (leading) {
      if (this.peek("//") !== undefined) steps.push(descendantOrSelf);
      else this.expect("/");
      this.at += steps.length > 0 ? 1 : 0;
    }
    steps.push(...this.parseSteps());
    return steps;
  }

  private parseSteps(): Step[] {
    const steps = [this.parseStep()];
    for (;;) {
      if (this.peek("/") !== undefined) this.at++;
      else if (this.peek("//") !== undefined) {
        this.at++;
        steps.push(descendantOrSelf);
      } else return steps;
      steps.push(this.parseStep());
    }
  }

  private parseStep(): Step {
    if (this.peek(".") !== undefined) {
      this.at++;
      return { axis: "self", test: { kind: "node" }, predicates: [] };
    }
    if (this.peek("..") !== undefined) {
      this.at++;
      return { axis: "parent", test: { kind: "node" }, predicates: [] };
    }
    let axis = "child";
    if (this.peek("@") !== undefined) {
      this.at++;
      axis = "attribute";
    } else if (this.tokens[this.at + 1]?.value === "::" && axisNames.has(this.peek()?.value ?? "")) {
      axis = this.tokens[this.at]!.value;
      this.at += 2;
    }
    const test = this.parseNodeTest();
    const predicates: Expr[] = [];
    while (this.peek("[") !== undefined) predicates.push(this.parsePredicate());
    return { axis, test, predicates };
  }

  private parseNodeTest(): NodeTest {
    const token = this.tokens[this.at++];
    if (token === undefined) throw new XPathError("expected a node test");
    if (token.type === "op" && token.value === "*") return { kind: "name", name: "*" };
    if (token.type !== "name") throw new XPathError(`expected a node test, got '${token.value}'`);
    if (isNodeType(token.value) && this.peek("(") !== undefined) {
      this.at++;
      this.expect(")");
      return { kind: token.value as "text" | "node" | "comment" };
    }
    return { kind: "name", name: token.value };
  }

  private parsePredicate(): Expr {
    this.expect("[");
    const predicate = this.parseOr();
    this.expect("]");
    return predicate;
  }

  // ------------------------------------------------------------ evaluation

  private applySteps(start: XNode[], steps: Step[]): XNode[] {
    let nodes = start;
    for (const step of steps) {
      const next: XNode[] = [];
      for (const node of nodes) {
        let selected = this.axis(step.axis, node).filter((candidate) => this.matches(step, candidate));
        for (const predicate of step.predicates) selected = this.filterNodes(selected, predicate);
        next.push(...selected);
      }
      nodes = this.sorted(next);
    }
    return nodes;
  }

  private filterNodes(nodes: XNode[], predicate: Expr): XNode[] {
    return nodes.filter((node, index) => {
      const value = predicate({ node, position: index + 1, size: nodes.length });
      return typeof value === "number" ? value === index + 1 : toBoolean(value);
    });
  }

  private axis(axis: string, node: XNode): XNode[] {
    const element = node.kind === "element" ? node : undefined;
    const parent = node.kind === "element" ? node.parent : node.parent;
    switch (axis) {
      case "child":
        return element?.children ?? [];
      case "attribute":
        return element === undefined ? [] : this.attributesOf(element);
      case "self":
        return [node];
      case "parent":
        return parent === undefined ? [] : [parent];
      case "descendant":
        return element === undefined ? [] : descendants(element);
      case "descendant-or-self":
        return element === undefined ? [node] : [node, ...descendants(element)];
      case "ancestor":
      case "ancestor-or-self": {
        const out: XNode[] = axis === "ancestor-or-self" ? [node] : [];
        for (let at = parent; at !== undefined; at = at.parent) out.push(at);
        return out.reverse();
      }
      case "following-sibling":
      case "preceding-sibling": {
        if (parent === undefined || node.kind === "attribute") return [];
        const index = parent.children.indexOf(node);
        return axis === "following-sibling"
          ? parent.children.slice(index + 1)
          : parent.children.slice(0, index);
      }
      default:
        throw new XPathError(`unsupported axis ${axis}`);
    }
  }

  private matches(step: Step, node: XNode): boolean {
    const test = step.test;
    if (test.kind !== "name") return test.kind === "node" || (test.kind === "text" && node.kind === "text");
    if (step.axis === "attribute" ? node.kind !== "attribute" : node.kind !== "element") return false;
    const named = node as XmlElement | XmlAttribute;
    if (named.kind === "element" && named.name === "") return false;
    if (test.name === "*") return true;
    const owner = named.kind === "attribute" ? named.parent : named;
    const colon = test.name.indexOf(":");
    const wantedUri = colon < 0 ? "" : this.namespaces[test.name.slice(0, colon)];
    if (wantedUri === undefined) throw new XPathError(`undefined namespace prefix in ${test.name}`);
    const wantedLocal = colon < 0 ? test.name : test.name.slice(colon + 1);
    if (wantedLocal !== "*" && localName(named.name) !== wantedLocal) return false;
    return namespaceOf(named.name, owner, named.kind === "attribute") === wantedUri;
  }

  private attributesOf(element: XmlElement): XmlAttribute[] {
    let nodes = this.attributeNodes.get(element);
    if (nodes === undefined) {
      nodes = element.attributes
        .filter(([name]) => name !== "xmlns" && !name.startsWith("xmlns:"))
        .map(([name, value]) => ({ kind: "attribute", name, value, parent: element }));
      this.attributeNodes.set(element, nodes);
    }
    return nodes;
  }

  private sorted(nodes: XNode[]): XNode[] {
    return [...new Set(nodes)].sort((a, b) => (this.order.get(a) ?? 0) - (this.order.get(b) ?? 0));
  }

  private functionCall(name: string, args: Expr[]): Expr {
    const str = (context: Context, i: number) =>
      args[i] === undefined ? textContent(context.node) : toStringValue(args[i]!(context));
    const nodesArg = (context: Context) =>
      args[0] === undefined ? [context.node] : asNodes(args[0](context));
    switch (name) {
      case "last":
        return (context) => context.size;
      case "position":
        return (context) => context.position;
      case "count":
        return (context) => asNodes(args[0]!(context)).length;
      case "name":
        return (context) => nameOf(nodesArg(context)[0]);
      case "local-name":
        return (context) => localName(nameOf(nodesArg(context)[0]));
      case "string":
        return (context) => str(context, 0);
      case "concat":
        return (context) => args.map((arg) => toStringValue(arg(context))).join("");
      case "contains":
        return (context) => str(context, 0).includes(str(context, 1));
      case "starts-with":
        return (context) => str(context, 0).startsWith(str(context, 1));
      case "substring-before":
        return (context) => {
          const [s, t] = [str(context, 0), str(context, 1)];
          return s.includes(t) ? s.slice(0, s.indexOf(t)) : "";
        };
      case "substring-after":
        return (context) => {
          const [s, t] = [str(context, 0), str(context, 1)];
          return s.includes(t) ? s.slice(s.indexOf(t) + t.length) : "";
        };
      case "normalize-space":
        return (context) => str(context, 0).trim().replace(/\s+/g, " ");
      case "string-length":
        return (context) => [...str(context, 0)].length;
      case "not":
        return (context) => !toBoolean(args[0]!(context));
      case "true":
        return () => true;
      case "false":
        return () => false;
      case "boolean":
        return (context) => toBoolean(args[0]!(context));
      case "number":
        return (context) => toNumber(args[0] === undefined ? textContent(context.node) : args[0](context));
      case "sum":
        return (context) =>
          asNodes(args[0]!(context)).reduce((acc, node) => acc + toNumber(textContent(node)), 0);
      default:
        throw new XPathError(`unsupported function ${name}()`);
    }
  }
}

type Expr = (context: Context) => XValue;
type NodeTest = { kind: "name"; name: string } | { kind: "text" | "node" | "comment" };
interface Step {
  axis: string;
  test: NodeTest;
  predicates: Expr[];
}

const descendantOrSelf: Step = { axis: "descendant-or-self", test: { kind: "node" }, predicates: [] };

function isNodeType(name: string): boolean {
  return name === "text" || name === "node" || name === "comment";
}

function descendants(element: XmlElement): XmlNode[] {
  const out: XmlNode[] = [];
  for (const child of element.children) {
    out.push(child);
    if (child.kind === "element") out.push(...descendants(child));
  }
  return out;
}

function nameOf(node: XNode | undefined): string {
  if (node === undefined || node.kind === "text") return "";
  return node.name;
}

function asNodes(value: XValue): XNode[] {
  if (!Array.isArray(value)) throw new XPathError("expected a node-set");
  return value;
}

function toStringValue(value: XValue): string {
  if (Array.isArray(value)) return value[0] === undefined ? "" : textContent(value[0]);
  if (typeof value === "number") return Number.isInteger(value) ? String(value) : String(value);
  return String(value);
}

function toNumber(value: XValue): number {
  if (typeof value === "number") return value;
  if (typeof value === "boolean") return value ? 1 : 0;
  const text = toStringValue(value).trim();
  return text === "" ? Number.NaN : Number(text);
}

function toBoolean(value: XValue): boolean {
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === "number") return value !== 0 && !Number.isNaN(value);
  if (typeof value === "string") return value.length > 0;
  return value;
}

/** XPath comparison: node-sets compare by any member's string value. */
function compare(op: string, a: XValue, b: XValue): boolean {
  if (Array.isArray(a)) return a.some((node) => compare(op, textContent(node), b));
  if (Array.isArray(b)) return b.some((node) => compare(op, a, textContent(node)));
  if (op === "=" || op === "!=") {
    let equal: boolean;
    if (typeof a === "boolean" || typeof b === "boolean") equal = toBoolean(a) === toBoolean(b);
    else if (typeof a === "number" || typeof b === "number") equal = toNumber(a) === toNumber(b);
    else equal = a === b;
    return op === "=" ? equal : !equal;
  }
  const x = toNumber(a);
  const y = toNumber(b);
  return op === "<" ? x < y : op === ">" ? x > y : op === "<=" ? x <= y : x >= y;
}
