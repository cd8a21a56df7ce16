// Compiles a plan's `if` conditions into closures that test an event, with the semantics of Logstash's Java
// execution engine (org.logstash.config.ir.compiler.EventCondition), quirks included.

import type { PlanCondition, PlanOperand, PlanValue } from "../config/index.js";
import { type Event, type FieldValue, Timestamp } from "../event/index.js";
import { rubyRegExp } from "../regexp/ruby.js";

export type CompiledCondition = (event: Event) => boolean;

/** A condition that cannot be decided for this event (Logstash: ConditionalEvaluationError), e.g. `"a" < 1`. */
export class ConditionEvaluationError extends Error {
  override name = "ConditionEvaluationError";
}

/** A constant operand as Logstash's ValueExpression holds it: a string, a number or a list of those. */
type Constant = string | number | Constant[];

type Operand = { kind: "field"; reference: string } | { kind: "constant"; value: Constant };

/** Compiles once; throws an Error for conditions Logstash refuses when it builds the pipeline. */
export function compileCondition(condition: PlanCondition): CompiledCondition {
  switch (condition.kind) {
    case "and": {
      const [left, right] = [compileCondition(condition.left), compileCondition(condition.right)];
      return (event) => left(event) && right(event);
    }
    case "or": {
      const [left, right] = [compileCondition(condition.left), compileCondition(condition.right)];
      return (event) => left(event) || right(event);
    }
    case "xor": {
      const [left, right] = [compileCondition(condition.left), compileCondition(condition.right)];
      return (event) => left(event) !== right(event);
    }
    case "nand": {
      const [left, right] = [compileCondition(condition.left), compileCondition(condition.right)];
      return (event) => !(left(event) && right(event));
    }
    case "not": {
      const inner = compileCondition(condition.operand);
      return (event) => !inner(event);
    }
    case "truthy":
      return compileTruthy(operand(condition.operand));
    case "compare":
      return compileCompare(condition.operator, operand(condition.left), operand(condition.right));
    case "regex": {
      const test = compileRegex(operand(condition.left), condition.pattern);
      return condition.operator === "=~" ? test : (event) => !test(event);
    }
    case "in":
      return compileIn(operand(condition.left), operand(condition.right));
  }
}

// ---------------------------------------------------------------- operands

function operand(node: PlanOperand): Operand {
  switch (node.kind) {
    case "field":
      return { kind: "field", reference: node.path.map((element) => `[${element}]`).join("") };
    case "value":
      return { kind: "constant", value: constant(node.value) };
    case "regexp":
      // Outside `=~`, Logstash's RegexValueExpression is just its pattern text.
      return { kind: "constant", value: node.pattern };
    case "call":
      // Logstash's grammar accepts method calls but its compiler has no implementation for them.
      throw new Error(`method calls such as \`${node.name}(...)\` are not supported in conditions`);
  }
}

function constant(value: PlanValue): Constant {
  if (typeof value === "string" || typeof value === "number") return value;
  if (Array.isArray(value)) return value.map(constant);
  throw new Error("a condition operand must be a string, a number or a list");
}

const constantCondition =
  (value: boolean): CompiledCondition =>
  () =>
    value;

function read(event: Event, reference: string): FieldValue | undefined {
  return event.get(reference);
}

// ---------------------------------------------------------------- truthiness

/** Logstash tests the value's text: nothing, "" and "false" are false (so is the string "false"). */
function isTruthy(value: FieldValue | Constant | undefined): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value === "string") return value !== "" && value !== "false";
  if (typeof value === "boolean") return value;
  return true; // numbers, lists, hashes and timestamps never print as "" or "false"
}

function compileTruthy(target: Operand): CompiledCondition {
  if (target.kind === "constant") return constantCondition(isTruthy(target.value));
  const { reference } = target;
  return (event) => isTruthy(read(event, reference));
}

// ---------------------------------------------------------------- equality and ordering

/**
 * `==` as Logstash's Java objects define it: no conversion between types (a string "1" is not the number 1,
 * true is not "true"); lists compare element by element; two hashes are equal only when they are the same
 * object (Logstash keeps hashes in identity maps). JavaScript numbers cannot tell 1 from 1.0, so they are equal.
 */
function strictEquals(a: FieldValue | Constant | undefined, b: FieldValue | Constant | undefined): boolean {
  if (a === undefined || a === null) return b === undefined || b === null;
  if (a instanceof Timestamp) return b instanceof Timestamp && a.equals(b);
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((x, i) => strictEquals(x, b[i]));
  }
  return a === b;
}

/** Ruby's `==` between a constant and a field: like strictEquals, but a constant list compares with Ruby's Array#==. */
function constantEqualsField(value: Constant, found: FieldValue | undefined): boolean {
  if (!Array.isArray(value)) return value === found;
  return (
    Array.isArray(found) &&
    found.length === value.length &&
    value.every((x, i) => constantEqualsField(x, found[i]))
  );
}

type CompareOperator = "==" | "!=" | "<" | ">" | "<=" | ">=";

const orderTests: Record<"<" | ">" | "<=" | ">=", (order: number) => boolean> = {
  "<": (order) => order < 0,
  ">": (order) => order > 0,
  "<=": (order) => order <= 0,
  ">=": (order) => order >= 0,
};

/** `a >= b` becomes `b <= a` when the constant is on the left: Logstash always asks the field to compare. */
const converse: Record<"<" | ">" | "<=" | ">=", "<" | ">" | "<=" | ">="> = {
  "<": ">",
  ">": "<",
  "<=": ">=",
  ">=": "<=",
};

function compileCompare(operator: CompareOperator, left: Operand, right: Operand): CompiledCondition {
  if (operator === "==" || operator === "!=") {
    const equal = compileEquals(left, right);
    return operator === "==" ? equal : (event) => !equal(event);
  }
  if (left.kind === "field") return compileOrder(left, right, orderTests[operator]);
  if (right.kind === "field") return compileOrder(right, left, orderTests[converse[operator]]);
  return constantCondition(orderTests[operator](orderOf(left.value, right.value)));
}

function compileEquals(left: Operand, right: Operand): CompiledCondition {
  if (left.kind === "field") {
    if (right.kind === "field") {
      return (event) => strictEquals(read(event, left.reference), read(event, right.reference));
    }
    return (event) => constantEqualsField(right.value, read(event, left.reference));
  }
  if (right.kind === "field") return (event) => constantEqualsField(left.value, read(event, right.reference));
  return constantCondition(strictEquals(left.value, right.value));
}

function compileOrder(
  field: Extract<Operand, { kind: "field" }>,
  other: Operand,
  test: (order: number) => boolean,
): CompiledCondition {
  if (other.kind === "constant") {
    const value = other.value;
    return (event) => test(orderOf(read(event, field.reference), value));
  }
  return (event) => test(orderOf(read(event, field.reference), read(event, other.reference)));
}

/**
 * Ruby's `<=>` as Logstash calls it (left.compareTo(right)): strings by bytes, numbers by value, timestamps by
 * instant, and equal booleans are 0; anything else, a missing field included, has no order and fails.
 */
function orderOf(left: FieldValue | Constant | undefined, right: FieldValue | Constant | undefined): number {
  if (typeof left === "string" && typeof right === "string") return compareCodePoints(left, right);
  if (typeof left === "number" && typeof right === "number") return Math.sign(left - right);
  if (left instanceof Timestamp && right instanceof Timestamp) {
    return Math.sign(left.epochMs - right.epochMs || left.nanosOfMilli - right.nanosOfMilli);
  }
  if (typeof left === "boolean" && left === right) return 0;
  throw new ConditionEvaluationError(`cannot order ${describe(left)} against ${describe(right)}`);
}

/** UTF-8 byte order, which is code point order (JavaScript's `<` orders UTF-16 units instead). */
function compareCodePoints(a: string, b: string): number {
  if (a === b) return 0;
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x < y ? -1 : 1;
  }
  return a.length < b.length ? -1 : 1;
}

function describe(value: FieldValue | Constant | undefined): string {
  if (value === undefined) return "a missing field";
  if (value === null) return "null";
  if (value instanceof Timestamp) return `timestamp ${value.toString()}`;
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a hash";
  return `${typeof value} ${JSON.stringify(value)}`;
}

// ---------------------------------------------------------------- regular expressions

function compileRegex(left: Operand, pattern: string): CompiledCondition {
  const regex = rubyRegExp(pattern);
  if (left.kind === "constant") {
    return constantCondition(typeof left.value === "string" && regex.test(left.value));
  }
  const { reference } = left;
  // Only strings match; a number, a list or a missing field never does (so `!~` is true for them).
  return (event) => {
    const value = read(event, reference);
    return typeof value === "string" && regex.test(value);
  };
}

// ---------------------------------------------------------------- in

/** Java's toString of a Logstash value, which `in` against a constant list compares. */
function javaText(value: FieldValue | Constant): string {
  if (value === null) return "";
  if (Array.isArray(value)) return `[${value.map(javaText).join(", ")}]`;
  if (value instanceof Timestamp) return value.toString();
  if (typeof value === "object") {
    return `{${Object.entries(value)
      .map(([k, v]) => `${k}=${javaText(v)}`)
      .join(", ")}}`;
  }
  return String(value);
}

function compileIn(left: Operand, right: Operand): CompiledCondition {
  if (left.kind === "field") {
    if (right.kind === "field") return fieldInField(left.reference, right.reference);
    return fieldInConstant(left.reference, right.value);
  }
  if (right.kind === "field") return constantInField(left.value, right.reference);
  return constantCondition(constantInConstant(left.value, right.value));
}

function fieldInConstant(reference: string, haystack: Constant): CompiledCondition {
  if (Array.isArray(haystack)) {
    // Compared as text: the number 1 is in ["1"], and the string "1" in [1].
    const texts = haystack.map(javaText);
    return (event) => {
      const found = read(event, reference);
      return found !== undefined && found !== null && texts.includes(javaText(found));
    };
  }
  const text = String(haystack);
  return (event) => {
    const found = read(event, reference);
    return typeof found === "string" && text.includes(found);
  };
}

function constantInField(needle: Constant, reference: string): CompiledCondition {
  if (Array.isArray(needle)) {
    throw new Error("a list cannot be looked for `in` a field (Logstash refuses this condition)");
  }
  if (typeof needle === "string") {
    return (event) => {
      const found = read(event, reference);
      if (typeof found === "string") return found.includes(needle);
      return Array.isArray(found) && found.includes(needle);
    };
  }
  // Logstash's number-in-field looks only into lists (its other branch compares against the field's name).
  return (event) => {
    const found = read(event, reference);
    return Array.isArray(found) && found.includes(needle);
  };
}

function fieldInField(leftReference: string, rightReference: string): CompiledCondition {
  return (event) => {
    const needle = read(event, leftReference);
    const haystack = read(event, rightReference);
    if (Array.isArray(needle) || (typeof needle === "object" && needle !== null && !isTimestamp(needle))) {
      return false;
    }
    if (typeof needle === "string" && typeof haystack === "string") return haystack.includes(needle);
    if (Array.isArray(haystack)) {
      if (needle === undefined || needle === null) {
        throw new ConditionEvaluationError(`cannot look for ${describe(needle)} in a list`);
      }
      return haystack.some((element) => strictEquals(needle, element));
    }
    return needle !== undefined && needle !== null && strictEquals(needle, haystack);
  };
}

function isTimestamp(value: unknown): value is Timestamp {
  return value instanceof Timestamp;
}

function constantInConstant(needle: Constant, haystack: Constant): boolean {
  if (Array.isArray(haystack) && typeof needle === "string") {
    return haystack.some((item) => javaText(item) === needle);
  }
  if (typeof haystack === "string" && typeof needle === "string") return haystack.includes(needle);
  if (typeof haystack === "string" && Array.isArray(needle)) {
    return needle.some((item) => javaText(item) === haystack);
  }
  return strictEquals(haystack, needle);
}
