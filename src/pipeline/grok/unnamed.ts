// A named-group regex as a copy without names, plus each name's capture index: V8 builds a groups object for
// every match of a regex with named groups, and reading captures by index from the copy skips that cost.

export interface UnnamedRegExp {
  readonly regex: RegExp;
  /** Group name to its capture index in `regex`. */
  readonly indexOf: ReadonlyMap<string, number>;
}

/** The copy, or undefined when the source refers to groups by name (`\k<name>`). */
export function unnamedCopy(regex: RegExp): UnnamedRegExp | undefined {
  const source = regex.source;
  if (source.includes("\\k<")) return undefined;
  const indexOf = new Map<string, number>();
  let out = "";
  let captures = 0;
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (c === "\\") {
      out += source.slice(i, i + 2);
      i++;
      continue;
    }
    if (inClass) {
      if (c === "]") inClass = false;
    } else if (c === "[") {
      inClass = true;
    } else if (c === "(") {
      const named = /^\(\?<([A-Za-z_$][\w$]*)>/.exec(source.slice(i, i + 80));
      if (named !== null) {
        indexOf.set(named[1]!, ++captures);
        out += "(";
        i += named[0].length - 1;
        continue;
      }
      if (source[i + 1] !== "?") captures++;
    }
    out += c;
  }
  return { regex: new RegExp(out, regex.flags), indexOf };
}

/** The named captures of an unnamed copy's match, as the named regex would have given them. */
export function namedCaptures(
  match: RegExpExecArray,
  indexOf: ReadonlyMap<string, number>,
): Record<string, string | undefined> {
  const groups: Record<string, string | undefined> = {};
  for (const [name, index] of indexOf) groups[name] = match[index];
  return groups;
}
