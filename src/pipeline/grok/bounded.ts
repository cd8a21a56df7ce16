// Regex matching whose time is bounded, so a catastrophic pattern cannot stall a pipeline worker. Regexes V8's
// linear-time engine accepts run natively: V8 switches them to that engine after too many backtracks. Others
// (lookarounds, backreferences, case folding, large counted repeats) are first tried against a linear superset
// (lookarounds dropped, counts widened) that rules out non-matching text cheaply; text that passes is matched on
// a helper thread with a deadline (or, when it does not fit there, under a vm timeout).

import v8 from "node:v8";
import vm from "node:vm";
import { IsolatedMatchTimeout, isolatedMatcher } from "./isolated.js";
import { checksPass, type LinearRewrite, linearRewrite } from "./linearize.js";
import { namedCaptures, type UnnamedRegExp, unnamedCopy } from "./unnamed.js";

// Both flags must be set before the regexes they apply to are created: this module is imported by the grok
// compiler, which creates all grok regexes. `--enable-experimental-regexp-engine` only makes the `l` flag
// available, which is how we ask V8 whether a regex can run in the linear engine.
v8.setFlagsFromString("--enable-experimental-regexp-engine-on-excessive-backtracks");
v8.setFlagsFromString("--enable-experimental-regexp-engine");

/** Raised when a match ran past its time budget. */
export class MatchTimeoutError extends Error {}

/** Group name to captured text (undefined for a group that took no part). */
export type MatchGroups = Record<string, string | undefined>;

/** A match as the native paths give it (captures by index, see `unnamed`) or by name. */
export type Captures = RegExpExecArray | MatchGroups;

/** How a compiled regex is run. */
export interface BoundedRegExp {
  readonly regex: RegExp;
  /** The named groups callers read. */
  readonly names: readonly string[];
  /** V8 falls back to its linear engine for this one: no timer needed. */
  readonly linear: boolean;
  /** For a regex that is not linear: a linear superset to rule out non-matching input cheaply. */
  readonly prefilter: RegExp | undefined;
  /**
   * For a regex that is not linear: a linear rewrite whose match is the original's whenever its checks pass
   * (guards settled by context, edge guards and widened repeats checked on the input). Its "no" is final.
   */
  readonly rewrite: LinearRewrite | undefined;
  /** Copies of `regex` and of the rewrite without group names, for the native paths (see unnamed.ts). */
  readonly unnamed: UnnamedRegExp | undefined;
  readonly rewriteUnnamed: RegExp | undefined;
  /** Its id on the helper thread, once registered there. */
  isolatedId?: number;
}

/** True when V8's linear engine can run `source` with `flags` (it refuses u, v, i, lookarounds, backrefs). */
export function linearEngineAccepts(source: string, flags: string): boolean {
  if (/[uvi]/.test(flags)) return false;
  try {
    new RegExp(source, `${flags}l`);
    return true;
  } catch {
    return false;
  }
}

export function boundRegExp(regex: RegExp, names: readonly string[], handTranslated: boolean): BoundedRegExp {
  const unnamed = handTranslated ? unnamedCopy(regex) : undefined;
  if (handTranslated && linearEngineAccepts(regex.source, regex.flags)) {
    return {
      regex,
      names,
      linear: true,
      prefilter: undefined,
      rewrite: undefined,
      unnamed,
      rewriteUnnamed: undefined,
    };
  }
  const flags = regex.flags.replace(/[^ms]/g, "");
  const rewrite = handTranslated
    ? linearRewrite(regex.source, flags, (source) => linearEngineAccepts(source, flags))
    : undefined;
  const relaxed = handTranslated ? dropAssertions(regex.source) : undefined;
  const prefilter =
    relaxed !== undefined && linearEngineAccepts(relaxed, flags) ? new RegExp(relaxed, flags) : undefined;
  const rewriteUnnamed =
    rewrite !== undefined && unnamed !== undefined ? unnamedCopy(rewrite.regex)?.regex : undefined;
  return { regex, names, linear: false, prefilter, rewrite, unnamed, rewriteUnnamed };
}

/**
 * Runs `bounded` on `input`, giving up after `timeoutMs` (0: no limit). Returns the named groups, or null for no
 * match. Throws MatchTimeoutError when the budget runs out.
 */
export function execBounded(bounded: BoundedRegExp, input: string, timeoutMs: number): MatchGroups | null {
  const found = execBoundedCaptures(bounded, input, timeoutMs);
  if (found === null || !Array.isArray(found)) return found;
  return namedCaptures(found, bounded.unnamed!.indexOf);
}

/**
 * As execBounded, but a match found natively comes back as the unnamed copy's RegExpExecArray when there is one
 * (read it with the indexes of `bounded.unnamed`), which saves building a groups object per match.
 */
export function execBoundedCaptures(
  bounded: BoundedRegExp,
  input: string,
  timeoutMs: number,
): Captures | null {
  if (bounded.linear || timeoutMs <= 0) {
    return bounded.unnamed !== undefined
      ? bounded.unnamed.regex.exec(input)
      : groupsOf(bounded.regex.exec(input));
  }
  if (bounded.rewrite !== undefined) {
    const match = (bounded.rewriteUnnamed ?? bounded.rewrite.regex).exec(input);
    if (match === null) return null;
    if (checksPass(bounded.rewrite.checks, input, match.index, match[0].length)) {
      return bounded.rewriteUnnamed !== undefined ? match : groupsOf(match);
    }
  }
  if (bounded.prefilter !== undefined && !bounded.prefilter.test(input)) return null;
  if (isolatedMatcher.accepts(input, bounded.names) && reproducible(bounded.regex)) {
    bounded.isolatedId ??= isolatedMatcher.register(bounded.regex, bounded.names);
    try {
      return isolatedMatcher.exec(bounded.isolatedId, input, timeoutMs);
    } catch (err) {
      if (err instanceof IsolatedMatchTimeout) throw new MatchTimeoutError(err.message);
      throw err;
    }
  }
  return groupsOf(execInVm(bounded.regex, input, timeoutMs));
}

function groupsOf(match: RegExpExecArray | null): MatchGroups | null {
  return match === null ? null : (match.groups ?? {});
}

/** A regex the helper thread can rebuild from source and flags (oniguruma-to-es's \G emulation cannot be). */
function reproducible(regex: RegExp): boolean {
  const options = (regex as { rawOptions?: { strategy?: unknown } }).rawOptions;
  return options?.strategy === undefined;
}

const sandbox = vm.createContext({ regex: /$/, input: "", result: null as RegExpExecArray | null });
const execScript = new vm.Script("result = regex.exec(input)");

/** A match under vm's watchdog: costs a thread start per call, so only for text the helper thread cannot take. */
function execInVm(regex: RegExp, input: string, timeoutMs: number): RegExpExecArray | null {
  sandbox.regex = regex;
  sandbox.input = input;
  try {
    execScript.runInContext(sandbox, { timeout: Math.max(1, Math.ceil(timeoutMs)) });
    return sandbox.result as RegExpExecArray | null;
  } catch (err) {
    if ((err as { code?: string }).code === "ERR_SCRIPT_EXECUTION_TIMEOUT") {
      throw new MatchTimeoutError(`regex ran longer than ${timeoutMs} ms`);
    }
    throw err;
  } finally {
    sandbox.result = null;
    sandbox.input = "";
  }
}

/**
 * A JavaScript regex source with its lookarounds removed, counted repeats widened to `*`/`+` and backreferences
 * to "anything": it matches every string the original matches (and more), which makes it a sound pre-check.
 */
export function dropAssertions(source: string): string {
  let out = "";
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (c === "\\") {
      const backref = /^\\(?:k<[^>]+>|[1-9][0-9]*)/.exec(source.slice(i, i + 40));
      if (backref !== null && !inClass) {
        out += "[\\s\\S]*";
        i += backref[0].length - 1;
      } else {
        out += source.slice(i, i + 2);
        i++;
      }
      continue;
    }
    if (inClass) {
      if (c === "]") inClass = false;
      out += c;
      continue;
    }
    if (c === "[") inClass = true;
    const counted = c === "{" ? /^\{(\d+)(,\d*)?\}/.exec(source.slice(i, i + 24)) : null;
    if (counted !== null) {
      // V8's linear engine refuses large counted repeats; `*` and `+` accept all they accept and more.
      out += counted[1] === "0" ? "*" : counted[2] === undefined && counted[1] === "1" ? "" : "+";
      i += counted[0].length - 1;
      continue;
    }
    if (c === "(" && /^\(\?(?:=|!|<=|<!)/.test(source.slice(i, i + 4))) {
      i = closingParen(source, i);
      continue;
    }
    out += c;
  }
  return out;
}

/** Index of the `)` closing the group that opens at `open`. */
function closingParen(source: string, open: number): number {
  let depth = 0;
  let inClass = false;
  for (let i = open; i < source.length; i++) {
    const c = source[i]!;
    if (c === "\\") {
      i++;
    } else if (inClass) {
      if (c === "]") inClass = false;
    } else if (c === "[") {
      inClass = true;
    } else if (c === "(") {
      depth++;
    } else if (c === ")") {
      depth--;
      if (depth === 0) return i;
    }
  }
  return source.length;
}
