// A regex V8's linear engine refuses, rewritten into one it accepts plus cheap checks on the input that say when
// the rewrite's match is exactly the original's. Guards (`(?<![0-9])`, `(?!\d)`) that context makes redundant are
// dropped; guards at the match's edges are checked after the match; large counted repeats are widened and
// checked against how many iterations the input could possibly feed them.

import { CharSet } from "./charset.js";
import { type Node, parseRegExp } from "./regex-ast.js";

/** Input-level conditions under which the rewrite answers as the original does. */
export interface ExactnessChecks {
  /** The match must not be preceded by one of these (a dropped lookbehind that can sit at the match start). */
  readonly leading: CharSet | undefined;
  /** The match must not be followed by one of these (a dropped lookahead that can sit at the match end). */
  readonly trailing: CharSet | undefined;
  /** Bounds on what the match may hold, one per widened repeat (deduplicated). */
  readonly limits: readonly IterationLimit[];
  /**
   * Finds text that breaks a limit anywhere in the input (outside the match too: a false alarm only costs the
   * slow path). Each alternative starts where a run or the text starts, so the search stays linear.
   */
  readonly breaksLimit: RegExp | undefined;
  /** Count limits on one character, checked with indexOf (the common `(?:\.label){0,63}` case). */
  readonly charCounts: readonly { char: string; max: number }[];
  /** An input no longer than this cannot break any limit. */
  readonly smallestLimit: number;
}

/**
 * A widened repeat's iteration bound, stated on the matched text: no run of more than `max` characters of `set`
 * (`run`), or no more than `max` characters of `set` in all (each iteration starts on a different one).
 */
export interface IterationLimit {
  readonly set: CharSet;
  readonly max: number;
  readonly run: boolean;
}

export interface LinearRewrite {
  readonly regex: RegExp;
  readonly checks: ExactnessChecks;
}

/** The product of nested counts V8's linear engine accepts (measured on Node 20). */
const linearCountMax = 16;

/**
 * The rewrite of `source` (JavaScript syntax, flags without u/v/i), or undefined when some construct has no
 * exact rewrite (backreferences, positive lookarounds, guards context does not settle, ...).
 */
export function linearRewrite(
  source: string,
  flags: string,
  accepts: (s: string) => boolean,
): LinearRewrite | undefined {
  let ast: Node;
  try {
    ast = parseRegExp(source);
  } catch {
    return undefined;
  }
  const edits: Edit[] = [];
  const leading = new CharSet();
  const trailing = new CharSet();
  if (!planGuards(ast, edits, leading, trailing)) return undefined;
  const limits: IterationLimit[] = [];
  if (!planWidening(ast, 1, edits, limits)) return undefined;
  const rewritten = applyEdits(source, edits);
  const distinct = dedupe(limits);
  const charCounts = distinct.filter((l) => !l.run && l.set.single() !== undefined);
  const others = distinct.filter((l) => !charCounts.includes(l));
  if (!accepts(rewritten)) return undefined;
  return {
    regex: new RegExp(rewritten, flags),
    checks: {
      leading: leading.isEmpty() ? undefined : leading,
      trailing: trailing.isEmpty() ? undefined : trailing,
      limits: distinct,
      breaksLimit: others.length === 0 ? undefined : new RegExp(others.map(limitBreaker).join("|")),
      charCounts: charCounts.map((l) => ({ char: String.fromCharCode(l.set.single()!), max: l.max })),
      smallestLimit: Math.min(...distinct.map((l) => l.max)),
    },
  };
}

/** True when the rewrite's match (at `index`, `length` long) is the original's. */
export function checksPass(checks: ExactnessChecks, input: string, index: number, length: number): boolean {
  if (checks.leading !== undefined && index > 0 && checks.leading.has(input.charCodeAt(index - 1)))
    return false;
  const end = index + length;
  if (checks.trailing !== undefined && end < input.length && checks.trailing.has(input.charCodeAt(end)))
    return false;
  if (input.length <= checks.smallestLimit) return true;
  for (const { char, max } of checks.charCounts) if (occursMoreThan(input, char, max)) return false;
  return checks.breaksLimit === undefined || !checks.breaksLimit.test(input);
}

function occursMoreThan(input: string, char: string, max: number): boolean {
  let seen = 0;
  for (let i = input.indexOf(char); i >= 0; i = input.indexOf(char, i + 1)) if (++seen > max) return true;
  return false;
}

/** Regex text matching an input on which `limit` can be broken. */
function limitBreaker(limit: IterationLimit): string {
  const inSet = limit.set.toClass();
  const outside = limit.set.complement().toClass();
  return limit.run
    ? `(?:^|${outside})${inSet}{${limit.max + 1}}`
    : `^(?:${outside}*${inSet}){${limit.max + 1}}`;
}

/** One limit per set and kind, the tightest. */
function dedupe(limits: IterationLimit[]): IterationLimit[] {
  const out: IterationLimit[] = [];
  for (const limit of limits) {
    const i = out.findIndex((o) => o.run === limit.run && o.set.equals(limit.set));
    if (i < 0) out.push(limit);
    else if (limit.max < out[i]!.max) out[i] = limit;
  }
  return out;
}

interface Edit {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

function applyEdits(source: string, edits: Edit[]): string {
  const sorted = [...edits].sort((a, b) => a.start - b.start);
  let out = "";
  let from = 0;
  for (const edit of sorted) {
    out += source.slice(from, edit.start) + edit.text;
    from = edit.end;
  }
  return out + source.slice(from);
}

/** What can surround a point of the regex: the characters next to it, and whether it can be the match's edge. */
interface Side {
  set: CharSet;
  edge: boolean;
}

const join = (a: Side, b: Side): Side => ({ set: a.set.union(b.set), edge: a.edge || b.edge });
const sameSide = (a: Side, b: Side): boolean => a.edge === b.edge && a.set.equals(b.set);

/**
 * Plans the removal of every top-level negative one-character lookaround. Returns false when one of them is not
 * redundant and cannot be checked at the match edge (or when the regex has lookarounds of another kind).
 */
function planGuards(ast: Node, edits: Edit[], leading: CharSet, trailing: CharSet): boolean {
  const before = new Map<Node, Side>();
  const after = new Map<Node, Side>();
  forward(ast, { set: new CharSet(), edge: true }, before);
  backward(ast, { set: new CharSet(), edge: true }, after);
  let ok = true;
  visit(ast, (node) => {
    if (node.kind !== "look") return;
    const guard = node.negative ? guardSet(node.body) : undefined;
    if (guard === undefined) {
      ok = false;
      return;
    }
    const side = (node.behind ? before : after).get(node);
    if (side === undefined || side.set.intersects(guard)) {
      ok = false;
      return;
    }
    if (side.edge) (node.behind ? leading : trailing).addAll(guard);
    edits.push({ start: node.start, end: node.end, text: "" });
  });
  return ok;
}

/** The characters a negative lookaround refuses, when its body is one character test. */
function guardSet(body: Node): CharSet | undefined {
  if (body.kind === "chars") return body.set;
  if (body.kind === "seq" && body.items.length === 1) return guardSet(body.items[0]!);
  return undefined;
}

function visit(node: Node, fn: (node: Node) => void): void {
  fn(node);
  switch (node.kind) {
    case "seq":
      for (const item of node.items) visit(item, fn);
      break;
    case "alt":
      for (const branch of node.branches) visit(branch, fn);
      break;
    case "group":
    case "quant":
      visit(node.body, fn);
      break;
    default:
      break;
  }
}

/** What precedes the end of `node` given what precedes its start; records it at each lookaround on the way. */
function forward(node: Node, into: Side, seen: Map<Node, Side>): Side {
  switch (node.kind) {
    case "chars":
      return { set: node.set, edge: false };
    case "backref":
      return { set: CharSet.all(), edge: into.edge };
    case "assert":
      return into;
    case "look": {
      const known = seen.get(node);
      seen.set(node, known === undefined ? into : join(known, into));
      return into;
    }
    case "seq":
      return node.items.reduce((side, item) => forward(item, side, seen), into);
    case "alt":
      return node.branches.map((b) => forward(b, into, seen)).reduce(join);
    case "group":
      return forward(node.body, into, seen);
    case "quant":
      return repeatFlow(node.body, node.min, node.max, into, (n, s) => forward(n, s, seen));
  }
}

/** What follows the start of `node` given what follows its end; records it at each lookaround on the way. */
function backward(node: Node, from: Side, seen: Map<Node, Side>): Side {
  switch (node.kind) {
    case "chars":
      return { set: node.set, edge: false };
    case "backref":
      return { set: CharSet.all(), edge: from.edge };
    case "assert":
      return from;
    case "look": {
      const known = seen.get(node);
      seen.set(node, known === undefined ? from : join(known, from));
      return from;
    }
    case "seq":
      return node.items.reduceRight((side, item) => backward(item, side, seen), from);
    case "alt":
      return node.branches.map((b) => backward(b, from, seen)).reduce(join);
    case "group":
      return backward(node.body, from, seen);
    case "quant":
      return repeatFlow(node.body, node.min, node.max, from, (n, s) => backward(n, s, seen));
  }
}

/** Flow through a repeat: iterations feed each other until nothing new arrives. */
function repeatFlow(
  body: Node,
  min: number,
  max: number,
  entry: Side,
  flow: (node: Node, side: Side) => Side,
): Side {
  if (max === 0) return entry;
  let into = entry;
  let out = flow(body, into);
  while (max > 1) {
    const next = join(entry, out);
    if (sameSide(next, into)) break;
    into = next;
    out = flow(body, into);
  }
  return min === 0 ? join(entry, out) : out;
}

/**
 * Widens every counted repeat that pushes the nested count product past V8's limit to `{min,}`, with a check
 * that finds inputs able to feed it more than `max` iterations. Returns false when a repeat cannot be bounded.
 */
function planWidening(node: Node, product: number, edits: Edit[], limits: IterationLimit[]): boolean {
  switch (node.kind) {
    case "seq":
      return node.items.every((item) => planWidening(item, product, edits, limits));
    case "alt":
      return node.branches.every((branch) => planWidening(branch, product, edits, limits));
    case "group":
    case "look":
      return planWidening(node.body, product, edits, limits);
    case "quant": {
      if (!node.counted || node.max === Number.POSITIVE_INFINITY || product * node.max <= linearCountMax) {
        const factor = node.max === Number.POSITIVE_INFINITY ? Math.max(node.min, 1) : node.max;
        return planWidening(node.body, product * factor, edits, limits);
      }
      const limit = iterationLimit(node.body, node.max);
      if (limit === undefined) return false;
      limits.push(limit);
      edits.push({ start: node.quantStart, end: node.quantEnd, text: `{${node.min},}` });
      return planWidening(node.body, product * Math.max(node.min, 1), edits, limits);
    }
    default:
      return true;
  }
}

/**
 * How many iterations of `body` the matched text allows: a run of its characters when it is one character test,
 * otherwise a count of the characters it must start with (each iteration starts on a different one).
 */
function iterationLimit(body: Node, max: number): IterationLimit | undefined {
  const single = guardSet(body);
  if (single !== undefined) return { set: single, max, run: true };
  const starts = backward(body, { set: new CharSet(), edge: true }, new Map());
  if (starts.edge || starts.set.isEmpty()) return undefined;
  return { set: starts.set, max, run: false };
}
