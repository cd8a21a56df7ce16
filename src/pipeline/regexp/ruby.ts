// Ruby (Onigmo) regular expressions as JavaScript RegExps, for everything a Logstash config writes as a regexp:
// conditionals' =~, mutate's gsub, kv's split patterns, prune's lists. Shared so they all behave alike.

import { toRegExp } from "oniguruma-to-es";

/** POSIX bracket classes (`[[:alpha:]]`) as the ranges they stand for inside a character class. */
const posixClasses: Record<string, string> = {
  alnum: "a-zA-Z0-9",
  alpha: "a-zA-Z",
  blank: " \\t",
  cntrl: "\\x00-\\x1f\\x7f",
  digit: "0-9",
  graph: "\\x21-\\x7e",
  lower: "a-z",
  print: "\\x20-\\x7e",
  punct: "!-\\/:-@\\[-`{-~",
  space: "\\s",
  upper: "A-Z",
  word: "\\w",
  xdigit: "0-9a-fA-F",
};

/**
 * A Ruby (Onigmo) regexp as a JavaScript RegExp: `^`/`$` match at line breaks as in Ruby, `\A`, `\z`, `\Z`, `\h`
 * and POSIX bracket classes are translated by hand; constructs JavaScript lacks (possessive quantifiers, atomic
 * groups, inline options such as a leading `(?i)`) go through oniguruma-to-es, which emulates them. A pattern
 * neither can compile is refused, as Logstash refuses a pattern Onigmo cannot compile.
 */
export function rubyRegExp(pattern: string): RegExp {
  const hand = handTranslate(pattern);
  if (hand !== null) return hand;
  try {
    // Onigmo's defaults are Ruby's: `^`/`$` at line breaks, `.` not matching a newline.
    return toRegExp(pattern);
  } catch (err) {
    throw new Error(`invalid regexp /${pattern}/: ${(err as Error).message}`);
  }
}

/** The hand translation, or null when the pattern uses what only the full translation handles. */
function handTranslate(pattern: string): RegExp | null {
  let out = "";
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === "\\" && i + 1 < pattern.length) {
      const next = pattern[i + 1]!;
      i++;
      if (next === "A") out += "(?<![\\s\\S])";
      else if (next === "z") out += "(?![\\s\\S])";
      else if (next === "Z") out += "(?=\\n?(?![\\s\\S]))";
      else if (next === "h") out += "[0-9a-fA-F]";
      else if (next === "H") out += "[^0-9a-fA-F]";
      else if ("GKRX".includes(next)) throw new Error(`\\${next} is not supported in regexp /${pattern}/`);
      else out += `\\${next}`;
      continue;
    }
    if (c === "[" && pattern.startsWith("[:", i)) {
      const end = pattern.indexOf(":]", i + 2);
      const name = end > 0 ? pattern.slice(i + 2, end).replace(/^\^/, "") : "";
      const cls = posixClasses[name];
      if (cls !== undefined) {
        if (pattern[i + 2] === "^")
          throw new Error(`negated POSIX classes are not supported in /${pattern}/`);
        out += cls;
        i = end + 1;
        continue;
      }
    }
    if (c === "[") inClass = true;
    else if (c === "]") inClass = false;
    else if (!inClass && c === "(" && pattern[i + 1] === "?" && /^[>imx-]/.test(pattern[i + 2] ?? "")) {
      return null;
    } else if (!inClass && "+*?}".includes(c) && pattern[i + 1] === "+") {
      return null;
    }
    out += c;
  }
  try {
    return new RegExp(out, "m");
  } catch {
    // Onigmo accepts some text JavaScript refuses (`a???` is `(?:a??)?`): the full translation decides.
    return null;
  }
}
