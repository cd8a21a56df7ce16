// The character-level half of the LSCL parser: a cursor over one source text that matches the grammar's terminals
// (whitespace and comments, names, barewords, numbers, strings, regexps, selector elements) exactly as Logstash's
// treetop grammar does, and remembers the farthest position where any terminal failed, which is where Logstash
// reports a syntax error.

import type { SourcePosition } from "./ast.js";

/** A `{` (or `[`/`(`) not yet closed, kept so an error at the end of input can say which one is open. */
export interface OpenDelimiter {
  offset: number;
  what: string;
}

const TAB = 9;
const LF = 10;
const CR = 13;
const SPACE = 32;

function isWhitespace(c: number): boolean {
  return c === SPACE || c === TAB || c === LF || c === CR;
}
function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
function isLetterOrUnderscore(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}
/** `[A-Za-z0-9_-]`: what a plugin or attribute name may contain. */
function isNameChar(c: number): boolean {
  return isLetterOrUnderscore(c) || isDigit(c) || c === 45;
}

export class Scanner {
  pos = 0;
  /** Farthest offset where a terminal failed to match, and what was expected there. */
  farthest = -1;
  readonly expected = new Set<string>();
  /** What the parser was doing, and the innermost open delimiter, when the farthest failure happened. */
  failNote: string | undefined;
  failOpen: OpenDelimiter | undefined;
  readonly notes: string[] = [];
  readonly open: OpenDelimiter[] = [];
  private readonly lineStarts: number[] = [0];

  constructor(
    readonly text: string,
    readonly file: string,
  ) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === LF) this.lineStarts.push(i + 1);
  }

  position(offset: number): SourcePosition {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { file: this.file, line: lo + 1, column: offset - this.lineStarts[lo]! + 1, offset };
  }

  atEnd(): boolean {
    return this.pos >= this.text.length;
  }

  /** Records that `label` was expected at `at`; only the farthest such offset is kept. Always returns null. */
  fail(label: string, at = this.pos): null {
    if (at > this.farthest) {
      this.farthest = at;
      this.expected.clear();
      this.failNote = this.notes[this.notes.length - 1];
      this.failOpen = this.open[this.open.length - 1];
    }
    if (at === this.farthest) {
      this.expected.add(label);
      // Several rules fail at one offset; the innermost one that says what it was doing explains it best.
      const note = this.notes[this.notes.length - 1];
      if (note !== undefined) this.failNote = note;
    }
    return null;
  }

  /** Forgets the recorded failure, after the parser has reported it and skipped ahead. */
  resetFailure(): void {
    this.farthest = -1;
    this.expected.clear();
    this.failNote = undefined;
    this.failOpen = undefined;
  }

  /** A literal; like treetop, a mismatch is recorded at the literal's first character. */
  literal(s: string): boolean {
    if (this.text.startsWith(s, this.pos)) {
      this.pos += s.length;
      return true;
    }
    this.fail(`\`${s.trim()}\``);
    return false;
  }

  peekIs(s: string): boolean {
    return this.text.startsWith(s, this.pos);
  }

  /** `[ \t\r\n]+` */
  whitespace(): boolean {
    const start = this.pos;
    while (this.pos < this.text.length && isWhitespace(this.text.charCodeAt(this.pos))) this.pos++;
    if (this.pos === start) this.fail("whitespace");
    return this.pos > start;
  }

  /** `cs`: any run of whitespace and `#` comments (a comment runs to the end of its line). Never fails. */
  skipSpace(): void {
    for (;;) {
      if (this.comment()) continue;
      if (!this.whitespace()) return;
    }
  }

  /** `whitespace? "#" [^\r\n]* ("\r"? "\n" / end)` */
  private comment(): boolean {
    const start = this.pos;
    const text = this.text;
    while (this.pos < text.length && isWhitespace(text.charCodeAt(this.pos))) this.pos++;
    if (text.charCodeAt(this.pos) !== 35) {
      this.fail("`#`");
      this.pos = start;
      return false;
    }
    this.pos++;
    while (this.pos < text.length) {
      const c = text.charCodeAt(this.pos);
      if (c === LF || c === CR) break;
      this.pos++;
    }
    if (this.pos >= text.length) return true;
    if (text.charCodeAt(this.pos) === LF) {
      this.pos++;
      return true;
    }
    if (text.charCodeAt(this.pos + 1) === LF) {
      this.pos += 2;
      return true;
    }
    this.fail("a line break", this.pos + 1);
    this.pos = start;
    return false;
  }

  /** `[A-Za-z0-9_-]+` (the unquoted form of a plugin or attribute name). */
  nameWord(): string | null {
    const start = this.pos;
    while (this.pos < this.text.length && isNameChar(this.text.charCodeAt(this.pos))) this.pos++;
    if (this.pos === start) return this.fail("a name");
    return this.text.slice(start, this.pos);
  }

  /** `[A-Za-z_] [A-Za-z0-9_]+`: note a bareword has at least two characters. */
  bareword(): string | null {
    const start = this.pos;
    if (!isLetterOrUnderscore(this.text.charCodeAt(this.pos))) return this.fail("a bareword");
    this.pos++;
    while (this.pos < this.text.length) {
      const c = this.text.charCodeAt(this.pos);
      if (!isLetterOrUnderscore(c) && !isDigit(c)) break;
      this.pos++;
    }
    if (this.pos - start < 2) {
      this.fail("a bareword");
      this.pos = start;
      return null;
    }
    return this.text.slice(start, this.pos);
  }

  /** `"-"? [0-9]+ ("." [0-9]*)?` */
  number(): string | null {
    const start = this.pos;
    if (this.text.charCodeAt(this.pos) === 45) this.pos++;
    const digitsStart = this.pos;
    while (isDigit(this.text.charCodeAt(this.pos))) this.pos++;
    if (this.pos === digitsStart) {
      this.fail("a number");
      this.pos = start;
      return null;
    }
    if (this.text.charCodeAt(this.pos) === 46) {
      this.pos++;
      while (isDigit(this.text.charCodeAt(this.pos))) this.pos++;
    }
    return this.text.slice(start, this.pos);
  }

  /**
   * A string in `quote`s, or a regexp between slashes: a backslash escapes only the delimiter itself, so `"a\\"`
   * is unterminated, as in Logstash. Returns the text between the delimiters. Strings may span lines.
   */
  delimited(quote: string, label: string): string | null {
    const start = this.pos;
    const q = quote.charCodeAt(0);
    if (this.text.charCodeAt(this.pos) !== q) return this.fail(label);
    let i = this.pos + 1;
    const text = this.text;
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === 92 && text.charCodeAt(i + 1) === q) i += 2;
      else if (c === q) break;
      else i++;
    }
    if (i >= text.length) {
      const where = this.position(start);
      this.notes.push(`unterminated ${label} opened at ${where.line}:${where.column}`);
      this.fail(`closing ${quote}`, text.length);
      this.notes.pop();
      return null;
    }
    this.pos = i + 1;
    return text.slice(start + 1, i);
  }

  /** `"[" [^\][,]+ "]"`: one element of a field reference; anything but brackets and commas, spaces included. */
  selectorElement(): string | null {
    const start = this.pos;
    if (this.text.charCodeAt(this.pos) !== 91) return this.fail("`[`");
    let i = this.pos + 1;
    while (i < this.text.length) {
      const c = this.text.charCodeAt(i);
      if (c === 93 || c === 91 || c === 44) break;
      i++;
    }
    if (i === start + 1) return this.fail("a field name", i);
    if (this.text.charCodeAt(i) !== 93) return this.fail("`]`", i);
    this.pos = i + 1;
    return this.text.slice(start + 1, i);
  }

  /** A short description of what sits at `offset`, for error messages. */
  describeAt(offset: number): string {
    if (offset >= this.text.length) return "end of input";
    let end = offset;
    while (end < this.text.length && end - offset < 30 && isNameChar(this.text.charCodeAt(end))) end++;
    if (end > offset) return `\`${this.text.slice(offset, end)}\``;
    const c = this.text.charCodeAt(offset);
    if (c === LF || c === CR) return "end of line";
    return `\`${this.text[offset]}\``;
  }
}
