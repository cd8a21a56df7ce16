// Reads the first EDN form of a text into event values, as the Ruby `edn` gem Logstash uses reads it: keywords and
// symbols become their names, vectors, lists and sets become arrays, `#inst` a Timestamp, `#_` discards a form.

import { limits } from "../../../../common/limits.js";
import { type FieldMap, type FieldValue, Timestamp } from "../../../event/index.js";
import { rubyNumber } from "../ruby-format.js";

export class EdnSyntaxError extends Error {
  override name = "EdnSyntaxError";
}

/** A keyword or symbol, kept apart from strings until it lands in an event (where it becomes its name). */
class Name {
  constructor(readonly name: string) {}
}

/** Marker for a form that yields nothing (`#_ form`). */
const NOTHING: unique symbol = Symbol("nothing");
type Form = FieldValue | Name | typeof NOTHING;

const DELIMITERS = new Set(["(", ")", "[", "]", "{", "}", '"', ";", "\\"]);
const NAMED_CHARS: Record<string, string> = { newline: "\n", return: "\r", tab: "\t", space: " " };
const STRING_ESCAPES: Record<string, string> = { n: "\n", t: "\t", r: "\r", '"': '"', "\\": "\\" };
const CLOSERS: Record<string, string> = { "[": "]", "(": ")", "{": "}" };

/** The first form of `text` (what `EDN.read` returns); throws EdnSyntaxError when there is none or it is cut short. */
export function readEdn(text: string): FieldValue {
  const reader = new Reader(text);
  const form = reader.readForm(0);
  if (form === NOTHING) throw new EdnSyntaxError("unexpected end of input");
  return fieldValue(form);
}

function fieldValue(form: Form): FieldValue {
  if (form === NOTHING) return null;
  return form instanceof Name ? form.name : (form as FieldValue);
}

/** Map keys are field names: keywords lose their colon, other scalars print as Ruby prints them. */
function keyText(form: Form): string {
  if (form instanceof Name) return form.name;
  if (typeof form === "string") return form;
  if (typeof form === "number") return rubyNumber(form);
  if (form === null) return "";
  if (form instanceof Timestamp) return form.toString();
  return JSON.stringify(form);
}

class Reader {
  private pos = 0;

  constructor(private readonly text: string) {}

  /** One form, NOTHING at the end of the text. */
  readForm(depth: number): Form {
    for (;;) {
      this.skipWhitespace();
      if (this.pos >= this.text.length) return NOTHING;
      const form = this.readOne(depth);
      if (form !== NOTHING) return form;
    }
  }

  private readOne(depth: number): Form {
    if (depth > limits.ednNestingDepthMax) throw new EdnSyntaxError("EDN nested too deeply");
    const char = this.text[this.pos]!;
    switch (char) {
      case '"':
        return this.readString();
      case ":":
        this.pos++;
        return new Name(this.readToken());
      case "\\":
        return this.readChar();
      case "#":
        return this.readDispatch(depth);
      case "^":
        // Metadata applies to the next form; event values cannot carry it.
        this.pos++;
        this.requireForm(depth);
        return this.requireForm(depth);
      case "[":
      case "(":
        this.pos++;
        return this.readSequence(CLOSERS[char]!, depth).map(fieldValue);
      case "{":
        this.pos++;
        return this.readMap(depth);
      case "]":
      case ")":
      case "}":
        throw new EdnSyntaxError(`unexpected '${char}' at offset ${this.pos}`);
      default:
        return this.readAtom();
    }
  }

  private requireForm(depth: number): Form {
    const form = this.readForm(depth + 1);
    if (form === NOTHING) throw new EdnSyntaxError("unexpected end of input");
    return form;
  }

  private skipWhitespace(): void {
    while (this.pos < this.text.length) {
      const char = this.text[this.pos]!;
      if (char === ";") {
        const end = this.text.indexOf("\n", this.pos);
        this.pos = end < 0 ? this.text.length : end + 1;
      } else if (char === "," || /\s/.test(char)) {
        this.pos++;
      } else {
        return;
      }
    }
  }

  private readString(): string {
    this.pos++;
    let out = "";
    for (;;) {
      if (this.pos >= this.text.length) throw new EdnSyntaxError("unterminated string");
      const char = this.text[this.pos++]!;
      if (char === '"') return out;
      if (char !== "\\") {
        out += char;
        continue;
      }
      if (this.pos >= this.text.length) throw new EdnSyntaxError("unterminated string");
      const escaped = this.text[this.pos++]!;
      if (escaped === "u" && /^[0-9a-fA-F]{4}/.test(this.text.slice(this.pos, this.pos + 4))) {
        out += String.fromCharCode(Number.parseInt(this.text.slice(this.pos, this.pos + 4), 16));
        this.pos += 4;
      } else {
        out += STRING_ESCAPES[escaped] ?? escaped;
      }
    }
  }

  private readChar(): string {
    this.pos++;
    if (this.pos >= this.text.length) throw new EdnSyntaxError("unexpected end of input after \\");
    const first = this.text[this.pos++]!;
    let rest = "";
    while (this.pos < this.text.length && /[0-9A-Za-z]/.test(this.text[this.pos]!))
      rest += this.text[this.pos++];
    if (rest === "") return first;
    const word = first + rest;
    if (/^u[0-9a-fA-F]{4}$/.test(word)) return String.fromCharCode(Number.parseInt(word.slice(1), 16));
    const named = NAMED_CHARS[word];
    if (named === undefined) throw new EdnSyntaxError(`unknown character \\${word}`);
    return named;
  }

  private readDispatch(depth: number): Form {
    this.pos++;
    const next = this.text[this.pos];
    if (next === "{") {
      this.pos++;
      return this.readSequence("}", depth).map(fieldValue);
    }
    if (next === "_") {
      this.pos++;
      this.requireForm(depth);
      return NOTHING;
    }
    const tag = this.readToken();
    if (tag === "") throw new EdnSyntaxError(`bad dispatch at offset ${this.pos}`);
    return tagged(tag, this.requireForm(depth));
  }

  private readSequence(closer: string, depth: number): Form[] {
    const items: Form[] = [];
    for (;;) {
      this.skipWhitespace();
      if (this.pos >= this.text.length) throw new EdnSyntaxError(`missing '${closer}'`);
      if (this.text[this.pos] === closer) {
        this.pos++;
        return items;
      }
      const form = this.readOne(depth + 1);
      if (form !== NOTHING) items.push(form);
    }
  }

  private readMap(depth: number): FieldMap {
    const items = this.readSequence("}", depth);
    if (items.length % 2 !== 0) throw new EdnSyntaxError("a map needs an even number of forms");
    const map: FieldMap = {};
    for (let i = 0; i < items.length; i += 2) map[keyText(items[i]!)] = fieldValue(items[i + 1]!);
    return map;
  }

  private readToken(): string {
    const start = this.pos;
    while (this.pos < this.text.length) {
      const char = this.text[this.pos]!;
      if (DELIMITERS.has(char) || char === "," || /\s/.test(char)) break;
      this.pos++;
    }
    return this.text.slice(start, this.pos);
  }

  private readAtom(): Form {
    const token = this.readToken();
    if (token === "") throw new EdnSyntaxError(`unexpected '${this.text[this.pos]}' at offset ${this.pos}`);
    if (token === "nil") return null;
    if (token === "true") return true;
    if (token === "false") return false;
    if (/^[+-]?\d/.test(token)) return numberToken(token);
    return new Name(token);
  }
}

function numberToken(token: string): number {
  const integer = /^([+-]?\d+)[MN]?$/.exec(token);
  if (integer) return Number(integer[1]);
  const float = /^([+-]?\d+(?:\.\d*)?(?:[eE][+-]?\d+)?)M?$/.exec(token);
  if (float) return Number(float[1]);
  throw new EdnSyntaxError(`bad number ${token}`);
}

function tagged(tag: string, form: Form): FieldValue {
  if (tag === "inst") {
    const parsed = typeof form === "string" ? Timestamp.parse(form) : undefined;
    if (parsed === undefined) throw new EdnSyntaxError(`bad #inst ${JSON.stringify(fieldValue(form))}`);
    return parsed;
  }
  // #uuid and tags nobody registered: the value they wrap.
  return fieldValue(form);
}
