// A YAML subset parser for test-case files: block mappings and sequences, flow `[]`/`{}`, plain and quoted
// scalars, `|`/`>` block scalars and comments. Anchors, aliases, tags, complex keys and multiple documents are
// refused with a line:column error. Plain scalars resolve as go-yaml v2 (LFV's parser) does, so `yes` is true.

export class YamlError extends Error {
  override name = "YamlError";
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(message);
  }
}

export type YamlValue = string | number | boolean | null | YamlValue[] | { [key: string]: YamlValue };

interface Line {
  /** 1-based line number in the file. */
  number: number;
  /** Column (0-based) of the first non-space character. */
  indent: number;
  /** The text from `indent` on. */
  text: string;
  raw: string;
}

export function parseYaml(source: string): YamlValue {
  return new YamlParser(source).document();
}

class YamlParser {
  private readonly lines: Line[];
  private index = 0;

  constructor(source: string) {
    this.lines = source
      .replace(/^\uFEFF/, "")
      .split(/\r?\n/)
      .map((raw, i) => {
        const indent = raw.length - raw.trimStart().length;
        if (/^ *\t/.test(raw) && raw.trim() !== "") {
          throw new YamlError("tabs cannot indent YAML", i + 1, indent + 1);
        }
        return { number: i + 1, indent, text: raw.slice(indent), raw };
      });
  }

  document(): YamlValue {
    this.skipBlank();
    const first = this.current();
    if (first !== undefined && /^---(\s|$)/.test(first.text)) {
      const rest = first.text.slice(3).trim();
      if (rest !== "" && !rest.startsWith("#")) this.fail(first, "content after `---` is not supported");
      this.index++;
    }
    this.skipBlank();
    const value = this.current() === undefined ? null : this.node(-1);
    this.skipBlank();
    const next = this.current();
    if (next?.text.startsWith("...")) {
      this.index++;
      this.skipBlank();
    }
    const extra = this.current();
    if (extra !== undefined) {
      if (extra.text.startsWith("---")) this.fail(extra, "more than one YAML document");
      this.fail(extra, "unexpected content (check the indentation)");
    }
    return value;
  }

  // ---- block structure ----

  /** The node starting at the current line, which must be indented more than `parentIndent`. */
  private node(parentIndent: number): YamlValue {
    this.skipBlank();
    const line = this.current();
    if (line === undefined || line.indent <= parentIndent) return null;
    if (isSequenceItem(line.text)) return this.sequence(line.indent);
    if (keyEnd(line.text) !== undefined) return this.mapping(line.indent);
    return this.inlineValue(line, line.text, parentIndent);
  }

  private sequence(indent: number): YamlValue[] {
    const items: YamlValue[] = [];
    for (;;) {
      this.skipBlank();
      const line = this.current();
      if (line === undefined || line.indent !== indent || !isSequenceItem(line.text)) break;
      const rest = line.text.slice(1).trimStart();
      const contentColumn = indent + line.text.length - rest.length;
      if (rest === "" || rest.startsWith("#")) {
        this.index++;
        items.push(this.node(indent));
        continue;
      }
      // `- key: value` or `- - x`: the rest of the line is a node at its own column.
      this.lines[this.index] = { ...line, indent: contentColumn, text: rest };
      if (isSequenceItem(rest) || keyEnd(rest) !== undefined) items.push(this.node(indent));
      else items.push(this.inlineValue(this.lines[this.index]!, rest, indent));
    }
    return items;
  }

  private mapping(indent: number): { [key: string]: YamlValue } {
    const map: { [key: string]: YamlValue } = {};
    for (;;) {
      this.skipBlank();
      const line = this.current();
      if (line === undefined || line.indent !== indent || isDocumentMarker(line)) break;
      const end = keyEnd(line.text);
      if (end === undefined) {
        if (isSequenceItem(line.text)) break;
        this.fail(line, "expected `key: value`");
      }
      const key = this.key(line, line.text.slice(0, end));
      if (Object.hasOwn(map, key)) this.fail(line, `duplicate key \`${key}\``);
      const rest = line.text.slice(end + 1).trimStart();
      map[key] = this.valueAfterKey(line, rest, indent);
    }
    return map;
  }

  private valueAfterKey(line: Line, rest: string, indent: number): YamlValue {
    if (rest === "" || rest.startsWith("#")) {
      this.index++;
      this.skipBlank();
      const next = this.current();
      // A sequence may sit at its key's own indentation.
      if (next !== undefined && next.indent === indent && isSequenceItem(next.text))
        return this.sequence(indent);
      return this.node(indent);
    }
    return this.inlineValue(line, rest, indent);
  }

  private key(line: Line, text: string): string {
    const trimmed = text.trim();
    if (trimmed.startsWith("? ")) this.fail(line, "complex mapping keys (`? `) are not supported");
    if (trimmed.startsWith('"') || trimmed.startsWith("'")) {
      const cursor = new FlowCursor(trimmed, line, this);
      const key = cursor.quoted();
      cursor.skipSpace();
      if (!cursor.atEnd()) this.fail(line, "unexpected text after a quoted key");
      return key;
    }
    this.refuseSpecial(line, trimmed);
    return trimmed;
  }

  /** A value that starts on `line` at `text`: block scalar, flow collection, quoted or plain scalar. */
  private inlineValue(line: Line, text: string, parentIndent: number): YamlValue {
    this.refuseSpecial(line, text);
    const head = text[0];
    if (head === "|" || head === ">") return this.blockScalar(line, text, parentIndent);
    if (head === "[" || head === "{" || head === '"' || head === "'") {
      const joined = this.flowText(line, text);
      const cursor = new FlowCursor(joined, line, this);
      const value = head === "[" || head === "{" ? cursor.flowValue() : cursor.quoted();
      cursor.skipSpace();
      if (!cursor.atEnd() && !cursor.rest().startsWith("#")) this.fail(line, "unexpected text after a value");
      return value;
    }
    this.index++;
    return resolvePlain(this.plainContinuation(stripComment(text), parentIndent));
  }

  /** Lines more indented than the parent continue a plain scalar, folded with spaces. */
  private plainContinuation(first: string, parentIndent: number): string {
    const parts = [first.trim()];
    for (;;) {
      const line = this.current();
      if (line === undefined || line.indent <= parentIndent || line.text === "") break;
      if (line.text.startsWith("#") || keyEnd(line.text) !== undefined || isSequenceItem(line.text)) break;
      parts.push(stripComment(line.text).trim());
      this.index++;
    }
    return parts.join(" ");
  }

  /** The text of a flow collection or quoted scalar, joining lines until it closes. */
  private flowText(line: Line, text: string): string {
    let joined = text;
    this.index++;
    while (!flowComplete(joined)) {
      const next = this.current();
      if (next === undefined) this.fail(line, "unterminated flow collection or quoted string");
      joined += `\n${next.raw.trim()}`;
      this.index++;
    }
    return joined;
  }

  private blockScalar(line: Line, header: string, parentIndent: number): string {
    const match = /^([|>])([-+]?)([1-9]?)([-+]?)\s*(#.*)?$/.exec(header);
    if (match === null) this.fail(line, "malformed block scalar header");
    const folded = match[1] === ">";
    const chomping = match[2] || match[4];
    this.index++;
    const body: string[] = [];
    let blockIndent = match[3] ? Math.max(parentIndent, 0) + Number(match[3]) : undefined;
    for (;;) {
      const next = this.current();
      if (next === undefined) break;
      if (next.text === "") {
        body.push("");
        this.index++;
        continue;
      }
      blockIndent ??= next.indent;
      if (next.indent < blockIndent || next.indent <= parentIndent) break;
      body.push(next.raw.slice(blockIndent));
      this.index++;
    }
    let trailing = 0;
    while (body.length > 0 && body[body.length - 1]!.trim() === "") {
      body.pop();
      trailing++;
    }
    const content = folded ? foldLines(body) : body.join("\n");
    if (content === "") return chomping === "+" ? "\n".repeat(trailing) : "";
    if (chomping === "-") return content;
    if (chomping === "+") return `${content}\n${"\n".repeat(trailing)}`;
    return `${content}\n`;
  }

  // ---- helpers ----

  private refuseSpecial(line: Line, text: string): void {
    if (/^[&*!]/.test(text)) this.fail(line, "anchors, aliases and tags are not supported");
    if (/^\?(\s|$)/.test(text)) this.fail(line, "complex mapping keys (`? `) are not supported");
    if (/^[%@`]/.test(text)) this.fail(line, `a plain value cannot start with \`${text[0]}\``);
  }

  private current(): Line | undefined {
    return this.lines[this.index];
  }

  private skipBlank(): void {
    while (this.index < this.lines.length) {
      const text = this.lines[this.index]!.text;
      if (text !== "" && !text.startsWith("#")) break;
      this.index++;
    }
  }

  fail(line: Line, message: string): never {
    throw new YamlError(message, line.number, line.indent + 1);
  }
}

function isDocumentMarker(line: Line): boolean {
  return line.indent === 0 && /^(---|\.\.\.)(\s|$)/.test(line.text);
}

function isSequenceItem(text: string): boolean {
  return text === "-" || text.startsWith("- ");
}

/** Index of the `:` ending a block mapping key on this line, if the line is `key: ...`. */
function keyEnd(text: string): number | undefined {
  if (/^[[{]/.test(text) || text.startsWith("- ")) return undefined;
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote !== undefined) {
      if (c === "\\" && quote === '"') i++;
      else if (c === quote) quote = undefined;
      continue;
    }
    if (i === 0 && (c === '"' || c === "'")) {
      quote = c;
      continue;
    }
    if (c === "#" && i > 0 && text[i - 1] === " ") return undefined;
    if (c === ":" && (i + 1 === text.length || text[i + 1] === " ")) return i;
  }
  return undefined;
}

function stripComment(text: string): string {
  const at = text.search(/(^|\s)#/);
  return at < 0 ? text : text.slice(0, at);
}

function flowComplete(text: string): boolean {
  let depth = 0;
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote !== undefined) {
      if (c === "\\" && quote === '"') i++;
      else if (c === quote) {
        if (quote === "'" && text[i + 1] === "'") i++;
        else quote = undefined;
      }
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === "[" || c === "{") depth++;
    else if (c === "]" || c === "}") depth--;
    if (depth === 0 && quote === undefined && (c === "]" || c === "}")) return true;
  }
  return quote === undefined && depth === 0;
}

/** `>` folding: single breaks between normal lines become spaces; more-indented lines and blank lines keep theirs. */
function foldLines(lines: string[]): string {
  let out = "";
  let blanks = 0;
  let first = true;
  let previousMoreIndented = false;
  for (const line of lines) {
    if (line === "") {
      blanks++;
      continue;
    }
    const moreIndented = /^[ \t]/.test(line);
    if (first) out += "\n".repeat(blanks);
    else if (moreIndented || previousMoreIndented) out += "\n".repeat(blanks + 1);
    else out += blanks > 0 ? "\n".repeat(blanks) : " ";
    out += line;
    blanks = 0;
    first = false;
    previousMoreIndented = moreIndented;
  }
  return out;
}

const trueWords = new Set(["y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"]);
const falseWords = new Set(["n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"]);

/** go-yaml v2's resolution of an unquoted scalar. */
function resolvePlain(text: string): YamlValue {
  if (text === "" || text === "~" || text === "null" || text === "Null" || text === "NULL") return null;
  if (trueWords.has(text)) return true;
  if (falseWords.has(text)) return false;
  if (/^[-+]?(0|[1-9][0-9_]*)$/.test(text)) return Number(text.replace(/_/g, ""));
  if (/^0x[0-9a-fA-F]+$/.test(text)) return Number.parseInt(text.slice(2), 16);
  if (/^[-+]?(\.[0-9]+|[0-9][0-9_]*(\.[0-9_]*)?)([eE][-+]?[0-9]+)?$/.test(text)) {
    return Number(text.replace(/_/g, ""));
  }
  if (/^[-+]?\.(inf|Inf|INF)$/.test(text)) return text.startsWith("-") ? -Infinity : Infinity;
  if (/^\.(nan|NaN|NAN)$/.test(text)) return Number.NaN;
  return text;
}

const escapes: Record<string, string> = {
  "0": "\0",
  a: "\x07",
  b: "\b",
  t: "\t",
  "\t": "\t",
  n: "\n",
  v: "\v",
  f: "\f",
  r: "\r",
  e: "\x1b",
  " ": " ",
  '"': '"',
  "/": "/",
  "\\": "\\",
  N: "\u0085",
  _: "\u00a0",
  L: "\u2028",
  P: "\u2029",
};

/** Reads flow collections and quoted scalars from one (possibly joined) piece of text. */
class FlowCursor {
  private pos = 0;

  constructor(
    private readonly text: string,
    private readonly line: Line,
    private readonly parser: { fail(line: Line, message: string): never },
  ) {}

  atEnd(): boolean {
    return this.pos >= this.text.length;
  }

  rest(): string {
    return this.text.slice(this.pos);
  }

  skipSpace(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos]!)) this.pos++;
  }

  flowValue(): YamlValue {
    this.skipSpace();
    const c = this.text[this.pos];
    if (c === "[") return this.flowSequence();
    if (c === "{") return this.flowMapping();
    if (c === '"' || c === "'") return this.quoted();
    return this.flowPlain();
  }

  quoted(): string {
    const quote = this.text[this.pos];
    this.pos++;
    let out = "";
    while (this.pos < this.text.length) {
      const c = this.text[this.pos]!;
      if (quote === "'" && c === "'") {
        if (this.text[this.pos + 1] === "'") {
          out += "'";
          this.pos += 2;
          continue;
        }
        this.pos++;
        return out;
      }
      if (quote === '"' && c === '"') {
        this.pos++;
        return out;
      }
      if (c === "\n") {
        out = out.trimEnd() + this.lineBreaks();
        continue;
      }
      if (quote === '"' && c === "\\") {
        out += this.escape();
        continue;
      }
      out += c;
      this.pos++;
    }
    return this.parser.fail(this.line, "unterminated quoted string");
  }

  /** Line breaks inside a quoted scalar fold like plain text: one break is a space, blank lines are newlines. */
  private lineBreaks(): string {
    let breaks = 0;
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos]!)) {
      if (this.text[this.pos] === "\n") breaks++;
      this.pos++;
    }
    return breaks === 1 ? " " : "\n".repeat(breaks - 1);
  }

  private escape(): string {
    const code = this.text[this.pos + 1] ?? "";
    const hexLength = { x: 2, u: 4, U: 8 }[code];
    if (hexLength !== undefined) {
      const hex = this.text.slice(this.pos + 2, this.pos + 2 + hexLength);
      if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== hexLength) {
        this.parser.fail(this.line, `bad escape \\${code}${hex}`);
      }
      this.pos += 2 + hexLength;
      return String.fromCodePoint(Number.parseInt(hex, 16));
    }
    const simple = escapes[code];
    if (simple === undefined) this.parser.fail(this.line, `unknown escape \\${code}`);
    this.pos += 2;
    return simple;
  }

  private flowSequence(): YamlValue[] {
    this.pos++;
    const items: YamlValue[] = [];
    for (;;) {
      this.skipSpace();
      if (this.text[this.pos] === "]") {
        this.pos++;
        return items;
      }
      items.push(this.flowValue());
      this.skipSpace();
      if (this.text[this.pos] === ",") this.pos++;
      else if (this.text[this.pos] !== "]")
        this.parser.fail(this.line, "expected `,` or `]` in a flow sequence");
    }
  }

  private flowMapping(): { [key: string]: YamlValue } {
    this.pos++;
    const map: { [key: string]: YamlValue } = {};
    for (;;) {
      this.skipSpace();
      if (this.text[this.pos] === "}") {
        this.pos++;
        return map;
      }
      const key = this.flowValue();
      this.skipSpace();
      let value: YamlValue = null;
      if (this.text[this.pos] === ":") {
        this.pos++;
        value = this.flowValue();
        this.skipSpace();
      }
      map[String(key)] = value;
      if (this.text[this.pos] === ",") this.pos++;
      else if (this.text[this.pos] !== "}")
        this.parser.fail(this.line, "expected `,` or `}` in a flow mapping");
    }
  }

  private flowPlain(): YamlValue {
    const start = this.pos;
    while (this.pos < this.text.length) {
      const c = this.text[this.pos]!;
      if (c === "," || c === "]" || c === "}") break;
      if (c === ":" && /[\s,\]}]/.test(this.text[this.pos + 1] ?? " ")) break;
      this.pos++;
    }
    const text = this.text.slice(start, this.pos).replace(/\s+/g, " ").trim();
    if (/^[&*!]/.test(text)) this.parser.fail(this.line, "anchors, aliases and tags are not supported");
    return resolvePlain(text);
  }
}
