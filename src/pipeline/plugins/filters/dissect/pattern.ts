// Dissect patterns: compiling `%{a} %{+a/2} %{?k}=%{&k}` once into fields and delimiters, and the left-to-right
// delimiter scan that cuts a text into values. The scan follows Logstash's Java Dissector step by step, quirks
// included (a delimiter found at offset 0 does not advance, a pattern with no text between two fields never matches).

/** A pattern Logstash refuses at register time. */
export class DissectPatternError extends Error {
  override name = "DissectPatternError";
}

export type DissectFieldKind = "normal" | "skip" | "append" | "indirect";

/** The text between two fields; `greedy` (set by a `->` on the field before it) skips repeats of it. */
interface Delimiter {
  readonly text: string;
  greedy: boolean;
}

export interface DissectField {
  /** Position in the pattern; values are indexed by it. */
  readonly id: number;
  readonly kind: DissectFieldKind;
  /** The key: a field reference, without prefix and suffix. */
  readonly name: string;
  /** Saving order: normal fields first, then appends by their `/n`, then indirect fields. */
  readonly ordinal: number;
  readonly previous: Delimiter;
  readonly next: Delimiter | undefined;
}

const fieldPattern = /([\s\S]*?)%\{([^}]*?)\}/g;
const trailingTextPattern = /[^}]+$/;
const suffixOnlyPattern = /^(\/\d{1,2}|->|\/\d{1,2}->|->\/\d{1,2})?$/;
const nameSuffixPattern = /^(.+?)(\/\d{1,2}|->|\/\d{1,2}->|->\/\d{1,2})?$/;
const greedySuffix = "->";

const ordinals = { skip: 0, normal: 1, appendBase: 100, indirect: 1000 } as const;

/** One compiled pattern: what it is made of, and `match` to cut a text with it. */
export class Dissection {
  /** Every field, the auto-added trailing skip field included, in pattern order. */
  readonly fields: readonly DissectField[];
  /** The fields written to the event, in saving order. */
  readonly saveable: readonly DissectField[];
  /** True when the pattern starts with text, which must then start the value. */
  private readonly anchoredStart: boolean;

  constructor(readonly pattern: string) {
    if (pattern === "") throw new DissectPatternError("The mapping string cannot be empty");
    const { fields, anchoredStart } = compileFields(pattern);
    this.fields = fields;
    this.anchoredStart = anchoredStart;
    // A stable sort: same-ordinal appends keep their written order.
    this.saveable = fields.filter((f) => f.kind !== "skip").sort((a, b) => a.ordinal - b.ordinal);
  }

  /** The value of each field (by id), or undefined when a delimiter is missing. */
  match(source: string): string[] | undefined {
    if (source.length === 0) return undefined;
    const scan = new Scan(source, this.anchoredStart);
    const values: string[] = new Array(this.fields.length).fill("");
    const last = this.fields.length - 1;
    for (let i = 0; i < last; i++) {
      const field = this.fields[i]!;
      if (!scan.skipDelimiter(field.previous)) return undefined;
      const length = scan.findEnd(field.next!);
      if (length === undefined) return undefined;
      values[field.id] = source.slice(scan.start, scan.start + length);
    }
    const lastField = this.fields[last]!;
    if (!scan.skipDelimiter(lastField.previous)) return undefined;
    values[lastField.id] = source.slice(scan.start);
    return values;
  }

  /** The value of the first other field named `name` ("" when none): an indirect field's key source. */
  otherValue(values: readonly string[], name: string, notId: number): string {
    const other = this.fields.find((f) => f.id !== notId && f.name === name);
    return other === undefined ? "" : values[other.id]!;
  }
}

/** The scan's cursor over one source text (Logstash's Dissector.Position). */
class Scan {
  /** Where the next field may begin. */
  private left = 0;
  /** Where the current field begins. */
  start = 0;

  constructor(
    private readonly source: string,
    private readonly anchoredStart: boolean,
  ) {}

  /** Moves past the delimiter before a field; false when leading text does not start the source. */
  skipDelimiter(previous: Delimiter): boolean {
    if (previous.greedy) {
      while (indexOf(this.source, previous, this.left) === this.left) this.left += previous.text.length;
    } else if (this.left === 0 && this.anchoredStart) {
      if (indexOf(this.source, previous, 0) !== 0) return false;
      this.left = previous.text.length;
    }
    this.start = this.left;
    return true;
  }

  /** Finds the delimiter after a field: the field's length, or undefined when it is absent. */
  findEnd(next: Delimiter): number | undefined {
    const at = indexOf(this.source, next, this.left);
    if (at === -1) return undefined;
    // Logstash only advances for a delimiter past offset 0; one found at 0 leaves an empty value and no move.
    if (at === 0) return 0;
    const length = at - this.left;
    this.left = at + next.text.length;
    return length;
  }
}

/** An empty delimiter is never found (two adjacent fields cannot be told apart). */
function indexOf(source: string, delimiter: Delimiter, from: number): number {
  return delimiter.text === "" ? -1 : source.indexOf(delimiter.text, from);
}

interface FieldText {
  text: string;
  previous: Delimiter;
  next: Delimiter | undefined;
}

function compileFields(pattern: string): { fields: DissectField[]; anchoredStart: boolean } {
  const found: FieldText[] = [];
  for (const match of pattern.matchAll(fieldPattern)) {
    const previous: Delimiter = { text: match[1]!, greedy: false };
    const before = found[found.length - 1];
    if (before !== undefined) before.next = previous;
    found.push({ text: match[2]!, previous, next: undefined });
  }
  const trailing = trailingTextPattern.exec(pattern)?.[0];
  if (trailing !== undefined) {
    const before = found[found.length - 1];
    if (before === undefined) throw new DissectPatternError(`the pattern has no %{} field: ${pattern}`);
    const delimiter: Delimiter = { text: trailing, greedy: false };
    before.next = delimiter;
    // The text after the last field must be found; what follows it is skipped.
    found.push({ text: "?auto_added_skip", previous: delimiter, next: undefined });
  }
  if (found.length === 0) throw new DissectPatternError(`the pattern has no %{} field: ${pattern}`);
  const fields = found.map((f, id) => createField(id, f));
  return { fields, anchoredStart: found[0]!.previous.text.length > 0 };
}

function createField(id: number, found: FieldText): DissectField {
  const { text, previous, next } = found;
  const field = (kind: DissectFieldKind, rest: string): DissectField => {
    const [name, suffix] = splitNameSuffix(rest);
    if (next !== undefined) next.greedy = suffix.includes(greedySuffix);
    return { id, kind, name, ordinal: ordinalOf(kind, suffix), previous, next };
  };
  if (text === "" || text.startsWith("?")) return field("skip", text.slice(1));
  if (text.startsWith("+&") || text.startsWith("&+")) {
    throw new DissectPatternError(
      `Field cannot prefix with both Append and Indirect Prefix (${text.slice(0, 2)}): ${text}`,
    );
  }
  if (text.startsWith("+") || text.startsWith("&")) {
    const rest = text.slice(1);
    if (rest === "")
      throw new DissectPatternError("Field cannot be a prefix on its own without further text");
    if (splitNameSuffix(rest)[0] === "")
      throw new DissectPatternError("Field cannot be a prefix and a suffix without a name section");
    return field(text.startsWith("+") ? "append" : "indirect", rest);
  }
  return field("normal", text);
}

/** `name->` → ["name", "->"]; `+a/2` (after the prefix) → ["a", "/2"]. */
function splitNameSuffix(text: string): [string, string] {
  if (suffixOnlyPattern.test(text)) return ["", text];
  const match = nameSuffixPattern.exec(text);
  return match === null ? [text, ""] : [match[1]!, match[2] ?? ""];
}

function ordinalOf(kind: DissectFieldKind, suffix: string): number {
  if (kind !== "append") return ordinals[kind];
  const digits = /\d+/.exec(suffix);
  return ordinals.appendBase + (digits === null ? 0 : Number(digits[0]));
}
