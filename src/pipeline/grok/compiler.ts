// Grok expressions to regexes: expands `%{NAME}`, `%{NAME:field}`, `%{NAME:field:int}` and `%{NAME=regex}`
// against a pattern library as Logstash's grok does, and describes which regex group fills which field.

import { limits } from "../../common/limits.js";
import { type BoundedRegExp, boundRegExp } from "./bounded.js";
import { translateOniguruma } from "./onig.js";
import { captureRepeats, type RepeatedGroup } from "./repeats.js";

export type Coercion = "int" | "float" | undefined;

/** Where one named group's text goes. */
export interface CaptureTarget {
  readonly field: string;
  readonly coerce: Coercion;
  /** Generated group names holding this capture, in pattern order (a name used twice fills an array). */
  readonly jsNames: readonly string[];
  /** The same groups' capture indexes in `bounded.unnamed` (empty when there is no unnamed copy). */
  readonly indexes: readonly number[];
}

export interface CompiledGrok {
  /** The expression as written, for messages. */
  readonly pattern: string;
  /** The expression with every `%{...}` expanded (Oniguruma syntax). */
  readonly expanded: string;
  readonly bounded: BoundedRegExp;
  /** In Logstash's order: by first appearance of each group name. */
  readonly captures: readonly CaptureTarget[];
  /** Repeated groups whose inner captures are recovered per iteration, as Ruby reports them. */
  readonly repeats: readonly RepeatedGroup[];
}

/** Thrown for an expression Logstash refuses at register time. */
export class GrokCompileError extends Error {}

const cache = new Map<
  string,
  { bounded: BoundedRegExp; captures: CaptureTarget[]; repeats: readonly RepeatedGroup[] }
>();

/**
 * Compiles `pattern` against `library` (name to regex text). `namedCapturesOnly` leaves `%{NAME}` without a
 * field uncaptured. Inline definitions `%{NAME=regex}` are added to `library`, which is therefore per filter.
 */
export function compileGrok(
  pattern: string,
  library: Map<string, string>,
  namedCapturesOnly: boolean,
): CompiledGrok {
  const expanded = expand(pattern, library, namedCapturesOnly, 0);
  let compiled = cache.get(expanded);
  if (compiled === undefined) {
    let translated: ReturnType<typeof translateOniguruma>;
    try {
      translated = translateOniguruma(expanded);
    } catch (err) {
      throw new GrokCompileError(
        `cannot compile grok pattern ${JSON.stringify(pattern)}: ${(err as Error).message}`,
      );
    }
    const names = translated.groups.map((g) => g.jsName);
    const rewrite = translated.handTranslated
      ? captureRepeats(translated.regex.source, translated.regex.flags)
      : undefined;
    const regex =
      rewrite === undefined ? translated.regex : new RegExp(rewrite.source, translated.regex.flags);
    const repeats = rewrite?.repeats ?? [];
    const bounded = boundRegExp(
      regex,
      [...names, ...repeats.map((r) => r.spanName)],
      translated.handTranslated,
    );
    const indexOf = bounded.unnamed?.indexOf;
    compiled = {
      bounded,
      captures: captureTargets(translated.groups).map((target) => ({
        ...target,
        indexes: indexOf === undefined ? [] : target.jsNames.map((name) => indexOf.get(name)!),
      })),
      repeats,
    };
    if (cache.size >= limits.grokCompiledPatternCacheEntriesMax) cache.clear();
    cache.set(expanded, compiled);
  }
  return { pattern, expanded, ...compiled };
}

/** One `%{...}` reference found in an expression. */
interface Reference {
  start: number;
  end: number;
  patternName: string;
  /** `NAME:field[:type]`, or just `NAME`. */
  captureName: string;
  hasField: boolean;
  definition: string | undefined;
}

function expand(
  text: string,
  library: Map<string, string>,
  namedCapturesOnly: boolean,
  depth: number,
): string {
  if (depth > limits.grokPatternExpansionDepthMax) {
    throw new GrokCompileError(
      `grok patterns nest deeper than ${limits.grokPatternExpansionDepthMax} levels (a pattern that refers to itself?)`,
    );
  }
  let out = "";
  let from = 0;
  for (let ref = findReference(text, 0); ref !== undefined; ref = findReference(text, ref.end)) {
    out += text.slice(from, ref.start);
    from = ref.end;
    if (ref.definition !== undefined) library.set(ref.patternName, ref.definition);
    const body = library.get(ref.patternName);
    if (body === undefined)
      throw new GrokCompileError(`pattern ${text.slice(ref.start, ref.end)} not defined`);
    const inner = expand(body, library, namedCapturesOnly, depth + 1);
    out += namedCapturesOnly && !ref.hasField ? `(?:${inner})` : `(?<${ref.captureName}>${inner})`;
  }
  return out + text.slice(from);
}

const nameChar = /[A-Za-z0-9_[\]\\^`]/;
const fieldChar = /[@[\]A-Za-z0-9_:.\\^`-]/;

/** The next `%{...}` at or after `from`, read with the character sets of Logstash's grok. */
function findReference(text: string, from: number): Reference | undefined {
  for (let start = text.indexOf("%{", from); start >= 0; start = text.indexOf("%{", start + 1)) {
    let i = start + 2;
    while (i < text.length && nameChar.test(text[i]!) && text[i] !== "]" && text[i] !== "[") i++;
    if (i === start + 2) continue;
    const patternName = text.slice(start + 2, i);
    let hasField = false;
    if (text[i] === ":") {
      const fieldStart = ++i;
      while (i < text.length && fieldChar.test(text[i]!)) i++;
      hasField = i > fieldStart;
      if (!hasField) i = fieldStart - 1;
    }
    const captureName = text.slice(start + 2, i);
    let definition: string | undefined;
    if (text[i] === "=") {
      const close = balancedClose(text, i + 1);
      if (close < 0) continue;
      definition = text.slice(i + 1, close);
      i = close;
    }
    const end = text.indexOf("}", i);
    if (end < 0) return undefined;
    return { start, end: end + 1, patternName, captureName, hasField, definition };
  }
  return undefined;
}

/** Index of the `}` that ends an inline definition starting at `from`, skipping escapes and nested braces. */
function balancedClose(text: string, from: number): number {
  let depth = 0;
  for (let i = from; i < text.length; i++) {
    const c = text[i]!;
    if (c === "\\") i++;
    else if (c === "{") depth++;
    else if (c === "}") {
      if (depth === 0) return i;
      depth--;
    }
  }
  return -1;
}

/**
 * Groups named groups by their written name, in order of first appearance (Ruby's named_captures), and reads
 * the field and coercion from `NAME:field:type` the way Logstash does: a name without `:` is its own field.
 */
function captureTargets(
  groups: readonly { jsName: string; name: string }[],
): Omit<CaptureTarget, "indexes">[] {
  const byName = new Map<string, string[]>();
  for (const group of groups) {
    const names = byName.get(group.name);
    if (names === undefined) byName.set(group.name, [group.jsName]);
    else names.push(group.jsName);
  }
  return [...byName].map(([name, jsNames]) => {
    const [first, field, type] = name.split(":");
    const coerce: Coercion = type === "int" || type === "float" ? type : undefined;
    return { field: field === undefined || field === "" ? first! : field, coerce, jsNames };
  });
}
