// Ruby keeps, for each named group inside a repeated group, the value of the last iteration that set it;
// JavaScript clears a repeated group's captures at every iteration. This module finds repeated groups that hold
// named groups, captures each repetition's whole text, and afterwards walks that text one iteration at a time to
// recover the values Ruby would report.

/** One repeated group: its whole text is captured as `spanName`; `body` matches one iteration (sticky). */
export interface RepeatedGroup {
  readonly spanName: string;
  readonly body: RegExp;
  /** Named groups (generated names) inside the repeated group. */
  readonly names: readonly string[];
}

export interface RepeatRewrite {
  readonly source: string;
  readonly repeats: readonly RepeatedGroup[];
}

/**
 * Wraps each outermost group that holds named groups and is followed by a quantifier allowing more than one
 * iteration in a `(?<rN>...)` capture. Returns undefined when there is none.
 */
export function captureRepeats(source: string, flags: string): RepeatRewrite | undefined {
  const found = repeatedGroupsIn(source).filter(
    (g, i, all) => !all.some((o, j) => j !== i && o.start < g.start && g.end <= o.end),
  );
  if (found.length === 0) return undefined;
  let rewritten = source;
  const repeats: RepeatedGroup[] = [];
  for (const [index, group] of [...found].reverse().entries()) {
    const spanName = `r${found.length - 1 - index}`;
    const body = source.slice(group.start, group.groupEnd);
    rewritten = `${rewritten.slice(0, group.start)}(?<${spanName}>${rewritten.slice(group.start, group.end)})${rewritten.slice(group.end)}`;
    const names = [...body.matchAll(/\(\?<(g\d+)>/g)].map((m) => m[1]!);
    repeats.unshift({ spanName, body: new RegExp(body, `${flags.replace(/[gy]/g, "")}y`), names });
  }
  return { source: rewritten, repeats };
}

/** Replaces the repeated groups' values in `groups` with the last value each took in any iteration. */
export function restoreRepeatedCaptures(
  groups: Record<string, string | undefined>,
  repeats: readonly RepeatedGroup[],
): void {
  for (const repeat of repeats) {
    const span = groups[repeat.spanName];
    if (span === undefined || span === "") continue;
    let at = 0;
    while (at < span.length) {
      repeat.body.lastIndex = at;
      const iteration = repeat.body.exec(span);
      if (iteration === null || iteration[0] === "") break;
      for (const name of repeat.names) {
        const value = iteration.groups?.[name];
        if (value !== undefined) groups[name] = value;
      }
      at += iteration[0].length;
    }
  }
}

interface GroupSpan {
  start: number;
  /** Index after the group's `)`. */
  groupEnd: number;
  /** Index after its quantifier. */
  end: number;
}

/** Groups followed by `*`, `+`, `{n,}` or `{n,m}` with m > 1 that contain a generated named group. */
function repeatedGroupsIn(source: string): GroupSpan[] {
  const found: GroupSpan[] = [];
  const open: number[] = [];
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (c === "\\") {
      i++;
    } else if (inClass) {
      if (c === "]") inClass = false;
    } else if (c === "[") {
      inClass = true;
    } else if (c === "(") {
      open.push(i);
    } else if (c === ")") {
      const start = open.pop();
      if (start === undefined) continue;
      const quantifier = /^(?:[*+]|\{(\d+)(,(\d*))?\})\??/.exec(source.slice(i + 1, i + 24));
      const repeats = quantifier !== null && allowsSeveral(quantifier);
      if (repeats && /\(\?<g\d+>/.test(source.slice(start, i))) {
        found.push({ start, groupEnd: i + 1, end: i + 1 + quantifier[0].length });
      }
    }
  }
  return found;
}

/** `*`, `+`, `{n}` with n > 1, `{n,}`, `{n,m}` with m > 1. */
function allowsSeveral(quantifier: RegExpExecArray): boolean {
  const [, exact, comma, max] = quantifier;
  if (exact === undefined) return true;
  if (comma === undefined) return Number(exact) > 1;
  return max === "" || Number(max) > 1;
}
