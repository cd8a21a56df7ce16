// Ruby (Onigmo) regular expressions as JavaScript RegExps, for everything a Logstash config writes as a regexp:
// conditionals' =~, mutate's gsub, kv's split patterns, prune's lists. Shared so they all behave alike.

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
 * and POSIX bracket classes are translated; constructs JavaScript lacks (possessive quantifiers, atomic groups,
 * inline options) are refused, as Logstash refuses a pattern it cannot compile.
 */
export function rubyRegExp(pattern: string): RegExp {
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
      throw new Error(`atomic groups and inline options are not supported in regexp /${pattern}/`);
    } else if (!inClass && "+*?}".includes(c) && pattern[i + 1] === "+") {
      throw new Error(`possessive quantifiers are not supported in regexp /${pattern}/`);
    }
    out += c;
  }
  try {
    return new RegExp(out, "m");
  } catch (err) {
    throw new Error(`invalid regexp /${pattern}/: ${(err as Error).message}`);
  }
}
