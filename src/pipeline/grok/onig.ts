// Oniguruma (Ruby/Joni) regex text, as grok expands it, to a JavaScript RegExp: named groups get generated names
// (grok's group names are field references), simple syntax is translated by hand into a flag set V8's linear
// engine accepts, and anything richer (atomic groups, possessive quantifiers, inline flag groups, \p{..}) goes
// through oniguruma-to-es.

import { toRegExp } from "oniguruma-to-es";

/** A named group of the source: its generated JavaScript name and the name written in the pattern. */
export interface NamedGroup {
  readonly jsName: string;
  readonly name: string;
}

export interface TranslatedRegExp {
  readonly regex: RegExp;
  readonly groups: readonly NamedGroup[];
  /** True when the regex is hand-translated without flags `u`/`v`/`i`, so V8 can run it in its linear engine. */
  readonly handTranslated: boolean;
}

/** POSIX bracket classes as the ASCII ranges Ruby gives them inside a character class. */
const posixClasses: Readonly<Record<string, string>> = {
  alnum: "a-zA-Z0-9",
  alpha: "a-zA-Z",
  ascii: "\\x00-\\x7f",
  blank: " \\t",
  cntrl: "\\x00-\\x1f\\x7f",
  digit: "0-9",
  graph: "\\x21-\\x7e",
  lower: "a-z",
  print: "\\x20-\\x7e",
  punct: "!-\\/:-@\\[-`{-~",
  space: " \\t\\r\\n\\v\\f",
  upper: "A-Z",
  word: "\\w",
  xdigit: "0-9a-fA-F",
};

/** Signals syntax the hand translation leaves to oniguruma-to-es. */
class NeedsFullTranslation extends Error {}

/**
 * Translates `source` (Oniguruma syntax, Ruby semantics: `.` matches newlines as grok compiles with MULTILINE,
 * `^`/`$` match at line breaks). Throws an Error naming the pattern when it is not a valid regex.
 */
export function translateOniguruma(source: string): TranslatedRegExp {
  const { text, groups } = renameGroups(source);
  try {
    const hand = handTranslate(text);
    return { regex: new RegExp(hand.source, hand.flags), groups, handTranslated: !hand.flags.includes("i") };
  } catch (err) {
    if (!(err instanceof NeedsFullTranslation) && !(err instanceof SyntaxError)) throw err;
  }
  try {
    return { regex: toRegExp(text, { flags: "m" }), groups, handTranslated: false };
  } catch (err) {
    throw new Error(`invalid regular expression ${JSON.stringify(source)}: ${(err as Error).message}`);
  }
}

/**
 * Replaces every `(?<name>` and `(?'name'` with `(?<gN>` and `\k<name>` with the last group of that name, so
 * that names like `[http][method]` or `NUMBER:bytes:int` and repeated names are valid JavaScript.
 */
function renameGroups(source: string): { text: string; groups: NamedGroup[] } {
  const groups: NamedGroup[] = [];
  const lastByName = new Map<string, string>();
  let out = "";
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (c === "\\") {
      const named = /^\\k<([^>]+)>/.exec(source.slice(i, i + 200));
      if (named !== null && !inClass) {
        const target = lastByName.get(named[1]!);
        out += target === undefined ? named[0] : `\\k<${target}>`;
        i += named[0].length - 1;
        continue;
      }
      out += source.slice(i, i + 2);
      i++;
      continue;
    }
    if (inClass) {
      if (c === "]") inClass = false;
      out += c;
      continue;
    }
    if (c === "[") {
      inClass = true;
      out += c;
      if (source[i + 1] === "^") out += source[++i];
      if (source[i + 1] === "]") out += source[++i];
      continue;
    }
    const group = c === "(" ? /^\(\?(?:<([^>=!][^>]*)>|'([^']+)')/.exec(source.slice(i, i + 300)) : null;
    if (group !== null) {
      const name = group[1] ?? group[2]!;
      const jsName = `g${groups.length}`;
      groups.push({ jsName, name });
      lastByName.set(name, jsName);
      out += `(?<${jsName}>`;
      i += group[0].length - 1;
      continue;
    }
    out += c;
  }
  return { text: out, groups };
}

/** Oniguruma to JavaScript for the common subset; throws NeedsFullTranslation past it. */
function handTranslate(pattern: string): { source: string; flags: string } {
  let flags = "ms";
  let start = 0;
  const leading = /^\(\?([imx]+)\)/.exec(pattern);
  if (leading !== null) {
    if (leading[1]!.includes("x")) throw new NeedsFullTranslation();
    if (leading[1]!.includes("i")) flags += "i";
    start = leading[0].length;
  }
  let out = "";
  let inClass = false;
  for (let i = start; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === "\\") {
      // Two-digit \xHH means the same in both; only Onig's \x{...} needs the full translation.
      const hexByte = pattern[i + 1] === "x" && /^[0-9a-fA-F]{2}$/.test(pattern.slice(i + 2, i + 4));
      out += hexByte ? "\\x" : translateEscape(pattern[i + 1] ?? "", inClass);
      i++;
      continue;
    }
    if (inClass) {
      if (c === "[") {
        const posix = /^\[:(\^?)([a-z]+):\]/.exec(pattern.slice(i, i + 12));
        const range = posix === null ? undefined : posixClasses[posix[2]!];
        if (posix === null || range === undefined || posix[1] === "^") throw new NeedsFullTranslation();
        out += range;
        i += posix[0].length - 1;
        continue;
      }
      if (c === "&" && pattern[i + 1] === "&") throw new NeedsFullTranslation();
      if (c === "]") inClass = false;
      out += c;
      continue;
    }
    if (c === "[") {
      inClass = true;
      out += c;
      if (pattern[i + 1] === "^") out += pattern[++i];
      if (pattern[i + 1] === "]") {
        out += "\\]";
        i++;
      }
      continue;
    }
    if (
      c === "(" &&
      pattern[i + 1] === "?" &&
      !/^\(\?(?::|=|!|<=|<!|<g\d+>)/.test(pattern.slice(i, i + 12))
    ) {
      throw new NeedsFullTranslation();
    }
    if ("+*?}".includes(c) && pattern[i + 1] === "+") throw new NeedsFullTranslation();
    out += c;
  }
  return { source: out, flags };
}

/** One escape (`\` then `next`) as JavaScript text. */
function translateEscape(next: string, inClass: boolean): string {
  switch (next) {
    case "A":
      return inClass ? "A" : "(?<![\\s\\S])";
    case "z":
      return inClass ? "z" : "(?![\\s\\S])";
    case "Z":
      return inClass ? "Z" : "(?=\\n?(?![\\s\\S]))";
    case "h":
      return inClass ? "0-9a-fA-F" : "[0-9a-fA-F]";
    case "H":
      if (inClass) throw new NeedsFullTranslation();
      return "[^0-9a-fA-F]";
    case "e":
      return "\\x1b";
    case "a":
      return "\\x07";
    case "G":
    case "K":
    case "R":
    case "X":
    case "p":
    case "P":
    case "x":
    case "g":
    case "Q":
      throw new NeedsFullTranslation();
    default:
      return `\\${next}`;
  }
}
