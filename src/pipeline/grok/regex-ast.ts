// JavaScript regex source (no u/v flag) read into a tree with source positions, for analysing which characters
// can sit next to an assertion and which repeats can be rewritten. Character tests are kept only as sets.

import { CharSet } from "./charset.js";

export type Node =
  | { kind: "chars"; set: CharSet }
  | { kind: "backref" }
  | { kind: "assert" }
  | { kind: "look"; behind: boolean; negative: boolean; body: Node; start: number; end: number }
  | { kind: "seq"; items: Node[] }
  | { kind: "alt"; branches: Node[] }
  | { kind: "group"; body: Node }
  | {
      kind: "quant";
      body: Node;
      min: number;
      max: number;
      /** Written as `{...}` (not `*`, `+`, `?`). */
      counted: boolean;
      /** Where the quantifier text (without a lazy `?`) sits in the source. */
      quantStart: number;
      quantEnd: number;
    };

const range = (from: number, to: number) => {
  const set = new CharSet();
  set.addRange(from, to);
  return set;
};
const digit = () => range(48, 57);
const word = () => {
  const set = range(48, 57);
  set.addRange(65, 90);
  set.addRange(97, 122);
  set.addRange(95, 95);
  return set;
};
const space = () => {
  const set = range(9, 13);
  set.addRange(32, 32);
  set.addRange(0xa0, 0xffff);
  return set;
};
const classEscapes: Readonly<Record<string, () => CharSet>> = {
  d: digit,
  D: () => digit().complement(),
  w: word,
  W: () => word().complement(),
  s: space,
  S: () => space().complement(),
};
const controlEscapes: Readonly<Record<string, number>> = { t: 9, n: 10, v: 11, f: 12, r: 13, "0": 0 };

/** Parses `source`; throws on syntax it does not know (callers then leave the regex alone). */
export function parseRegExp(source: string): Node {
  const parser = new Parser(source);
  const node = parser.alternation();
  if (parser.pos !== source.length) throw new Error(`unexpected ${source[parser.pos]} at ${parser.pos}`);
  return node;
}

class Parser {
  pos = 0;
  constructor(private readonly src: string) {}

  alternation(): Node {
    const branches = [this.sequence()];
    while (this.src[this.pos] === "|") {
      this.pos++;
      branches.push(this.sequence());
    }
    return branches.length === 1 ? branches[0]! : { kind: "alt", branches };
  }

  private sequence(): Node {
    const items: Node[] = [];
    while (this.pos < this.src.length && this.src[this.pos] !== "|" && this.src[this.pos] !== ")") {
      items.push(this.quantified(this.atom()));
    }
    return { kind: "seq", items };
  }

  private quantified(body: Node): Node {
    const start = this.pos;
    const c = this.src[start];
    let min: number;
    let max: number;
    let counted = false;
    if (c === "*" || c === "+" || c === "?") {
      min = c === "+" ? 1 : 0;
      max = c === "?" ? 1 : Number.POSITIVE_INFINITY;
      this.pos++;
    } else {
      const braces = c === "{" ? /^\{(\d+)(,(\d*))?\}/.exec(this.src.slice(start, start + 24)) : null;
      if (braces === null) return body;
      min = Number(braces[1]);
      max = braces[2] === undefined ? min : braces[3] === "" ? Number.POSITIVE_INFINITY : Number(braces[3]);
      counted = true;
      this.pos += braces[0].length;
    }
    const end = this.pos;
    if (this.src[this.pos] === "?") this.pos++;
    if (body.kind === "assert" || body.kind === "look") throw new Error("quantified assertion");
    return this.quantified({ kind: "quant", body, min, max, counted, quantStart: start, quantEnd: end });
  }

  private atom(): Node {
    const c = this.src[this.pos]!;
    if (c === "(") return this.group();
    if (c === "[") return { kind: "chars", set: this.charClass() };
    if (c === "\\") return this.escape();
    this.pos++;
    if (c === "^" || c === "$") return { kind: "assert" };
    if (c === ".") return { kind: "chars", set: CharSet.all() };
    if ("*+?)".includes(c)) throw new Error(`nothing to repeat at ${this.pos - 1}`);
    return { kind: "chars", set: CharSet.of(c.charCodeAt(0)) };
  }

  private group(): Node {
    const start = this.pos;
    const head = /^\((?:\?(?::|=|!|<=|<!|<[A-Za-z_$][\w$]*>))?/.exec(this.src.slice(start, start + 80))![0];
    this.pos += head.length;
    const body = this.alternation();
    if (this.src[this.pos] !== ")") throw new Error(`unclosed group at ${start}`);
    this.pos++;
    if (head === "(?=" || head === "(?!" || head === "(?<=" || head === "(?<!") {
      const behind = head.startsWith("(?<");
      return { kind: "look", behind, negative: head.endsWith("!"), body, start, end: this.pos };
    }
    if (head === "(?") throw new Error(`unknown group at ${start}`);
    return { kind: "group", body };
  }

  private escape(): Node {
    const next = this.src[this.pos + 1];
    if (next === undefined) throw new Error("trailing backslash");
    if (next === "b" || next === "B") {
      this.pos += 2;
      return { kind: "assert" };
    }
    const backref = /^\\(?:[1-9]\d*|k<[^>]+>)/.exec(this.src.slice(this.pos, this.pos + 40));
    if (backref !== null) {
      this.pos += backref[0].length;
      return { kind: "backref" };
    }
    return { kind: "chars", set: this.escapedChars(false) };
  }

  /** One escape at `pos` (inside a class when `inClass`: `\b` is a backspace there). */
  private escapedChars(inClass: boolean): CharSet {
    const next = this.src[this.pos + 1]!;
    this.pos += 2;
    const named = classEscapes[next];
    if (named !== undefined) return named();
    if (inClass && next === "b") return CharSet.of(8);
    const control = controlEscapes[next];
    if (control !== undefined && !(next === "0" && /\d/.test(this.src[this.pos] ?? "")))
      return CharSet.of(control);
    const hex = next === "x" ? 2 : next === "u" ? 4 : 0;
    if (hex > 0) {
      const digits = this.src.slice(this.pos, this.pos + hex);
      if (new RegExp(`^[0-9a-fA-F]{${hex}}$`).test(digits)) {
        this.pos += hex;
        return CharSet.of(Number.parseInt(digits, 16));
      }
    }
    if (next === "c" || /\d/.test(next)) throw new Error(`escape \\${next} not handled`);
    return CharSet.of(next.charCodeAt(0));
  }

  private charClass(): CharSet {
    const start = this.pos;
    this.pos++;
    const negated = this.src[this.pos] === "^";
    if (negated) this.pos++;
    const set = new CharSet();
    while (this.src[this.pos] !== "]") {
      if (this.pos >= this.src.length) throw new Error(`unclosed class at ${start}`);
      const from = this.classAtom();
      if (this.src[this.pos] === "-" && this.src[this.pos + 1] !== "]" && from.single !== undefined) {
        const save = this.pos;
        this.pos++;
        const to = this.classAtom();
        if (to.single !== undefined) {
          if (to.single < from.single) throw new Error(`bad range at ${save}`);
          set.addRange(from.single, to.single);
          continue;
        }
        set.addAll(to.set);
        set.addRange(45, 45);
      }
      set.addAll(from.set);
    }
    this.pos++;
    return negated ? set.complement() : set;
  }

  /** One class member: its set, and its code when it is a single character (a range end). */
  private classAtom(): { set: CharSet; single: number | undefined } {
    if (this.src[this.pos] === "\\") {
      const next = this.src[this.pos + 1]!;
      const set = this.escapedChars(true);
      return { set, single: next in classEscapes ? undefined : set.single() };
    }
    const code = this.src.charCodeAt(this.pos++);
    return { set: CharSet.of(code), single: code };
  }
}
