// Just enough grok for the multiline codec's `pattern`: `%{NAME}` / `%{NAME:field}` expand from a small table of
// the common core patterns plus `patterns_dir` files, and Oniguruma syntax is rewritten into a JavaScript RegExp.
// Captures are not kept: the codec only asks whether a line matches.

import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { limits } from "../../../common/limits.js";

/** The core grok patterns multiline configurations use most, in grok's own (Oniguruma) syntax. */
const corePatterns: Record<string, string> = {
  USERNAME: "[a-zA-Z0-9._-]+",
  USER: "%{USERNAME}",
  INT: "(?:[+-]?(?:[0-9]+))",
  BASE10NUM: "(?<![0-9.+-])(?>[+-]?(?:(?:[0-9]+(?:\\.[0-9]+)?)|(?:\\.[0-9]+)))",
  NUMBER: "(?:%{BASE10NUM})",
  BASE16NUM: "(?<![0-9A-Fa-f])(?:[+-]?(?:0x)?(?:[0-9A-Fa-f]+))",
  POSINT: "\\b(?:[1-9][0-9]*)\\b",
  NONNEGINT: "\\b(?:[0-9]+)\\b",
  WORD: "\\b\\w+\\b",
  NOTSPACE: "\\S+",
  SPACE: "\\s*",
  DATA: ".*?",
  GREEDYDATA: ".*",
  QUOTEDSTRING: `(?:"(?:\\\\.|[^\\\\"])*"|'(?:\\\\.|[^\\\\'])*'|\`(?:\\\\.|[^\\\\\`])*\`)`,
  QS: "%{QUOTEDSTRING}",
  UUID: "[A-Fa-f0-9]{8}-(?:[A-Fa-f0-9]{4}-){3}[A-Fa-f0-9]{12}",
  IPV4: "(?<![0-9])(?:(?:[0-1]?[0-9]{1,2}|2[0-4][0-9]|25[0-5])[.](?:[0-1]?[0-9]{1,2}|2[0-4][0-9]|25[0-5])[.](?:[0-1]?[0-9]{1,2}|2[0-4][0-9]|25[0-5])[.](?:[0-1]?[0-9]{1,2}|2[0-4][0-9]|25[0-5]))(?![0-9])",
  IPV6: "(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?:%.+)?",
  IP: "(?:%{IPV6}|%{IPV4})",
  HOSTNAME: "\\b(?:[0-9A-Za-z][0-9A-Za-z-]{0,62})(?:\\.(?:[0-9A-Za-z][0-9A-Za-z-]{0,62}))*(?:\\.?|\\b)",
  IPORHOST: "(?:%{IP}|%{HOSTNAME})",
  HOSTPORT: "%{IPORHOST}:%{POSINT}",
  MONTH:
    "\\b(?:[Jj]an(?:uary|uar)?|[Ff]eb(?:ruary|ruar)?|[Mm](?:a|ä)?r(?:ch|z)?|[Aa]pr(?:il)?|[Mm]a(?:y|i)?|[Jj]un(?:e|i)?|[Jj]ul(?:y|i)?|[Aa]ug(?:ust)?|[Ss]ep(?:tember)?|[Oo](?:c|k)?t(?:ober)?|[Nn]ov(?:ember)?|[Dd]e(?:c|z)(?:ember)?)\\b",
  MONTHNUM: "(?:0?[1-9]|1[0-2])",
  MONTHNUM2: "(?:0[1-9]|1[0-2])",
  MONTHDAY: "(?:(?:0[1-9])|(?:[12][0-9])|(?:3[01])|[1-9])",
  DAY: "(?:Mon(?:day)?|Tue(?:sday)?|Wed(?:nesday)?|Thu(?:rsday)?|Fri(?:day)?|Sat(?:urday)?|Sun(?:day)?)",
  YEAR: "(?>\\d\\d){1,2}",
  HOUR: "(?:2[0123]|[01]?[0-9])",
  MINUTE: "(?:[0-5][0-9])",
  SECOND: "(?:(?:[0-5]?[0-9]|60)(?:[:.,][0-9]+)?)",
  TIME: "(?!<[0-9])%{HOUR}:%{MINUTE}(?::%{SECOND})(?![0-9])",
  DATE_US: "%{MONTHNUM}[/-]%{MONTHDAY}[/-]%{YEAR}",
  DATE_EU: "%{MONTHDAY}[./-]%{MONTHNUM}[./-]%{YEAR}",
  ISO8601_TIMEZONE: "(?:Z|[+-]%{HOUR}(?::?%{MINUTE}))",
  ISO8601_SECOND: "%{SECOND}",
  TIMESTAMP_ISO8601:
    "%{YEAR}-%{MONTHNUM}-%{MONTHDAY}[T ]%{HOUR}:?%{MINUTE}(?::?%{SECOND})?%{ISO8601_TIMEZONE}?",
  DATE: "%{DATE_US}|%{DATE_EU}",
  DATESTAMP: "%{DATE}[- ]%{TIME}",
  TZ: "(?:[APMCE][SD]T|UTC)",
  DATESTAMP_RFC822: "%{DAY} %{MONTH} %{MONTHDAY} %{YEAR} %{TIME} %{TZ}",
  DATESTAMP_RFC2822: "%{DAY}, %{MONTHDAY} %{MONTH} %{YEAR} %{TIME} %{ISO8601_TIMEZONE}",
  DATESTAMP_OTHER: "%{DAY} %{MONTH} %{MONTHDAY} %{TIME} %{TZ} %{YEAR}",
  SYSLOGTIMESTAMP: "%{MONTH} +%{MONTHDAY} %{TIME}",
  HTTPDATE: "%{MONTHDAY}/%{MONTH}/%{YEAR}:%{TIME} %{INT}",
  LOGLEVEL:
    "(?:[Aa]lert|ALERT|[Tt]race|TRACE|[Dd]ebug|DEBUG|[Nn]otice|NOTICE|[Ii]nfo?(?:rmation)?|INFO?(?:RMATION)?|[Ww]arn?(?:ing)?|WARN?(?:ING)?|[Ee]rr?(?:or)?|ERR?(?:OR)?|[Cc]rit?(?:ical)?|CRIT?(?:ICAL)?|[Ff]atal|FATAL|[Ss]evere|SEVERE|EMERG(?:ENCY)?|[Ee]merg(?:ency)?)",
  JAVACLASS: "(?:[a-zA-Z$_][a-zA-Z$_0-9]*\\.)*[a-zA-Z$_][a-zA-Z$_0-9]*",
  JAVAFILE: "(?:[a-zA-Z$_0-9. -]+)",
  JAVAMETHOD: "(?:(?:<init>)|(?:<clinit>)|[a-zA-Z$_][a-zA-Z$_0-9]*)",
  JAVASTACKTRACEPART: "%{SPACE}at %{JAVACLASS}\\.%{JAVAMETHOD}\\(%{JAVAFILE}(?::%{NUMBER})?\\)",
  JAVATHREAD: "(?:[A-Z]{2}-Processor[\\d]+)",
  CATALINA_DATESTAMP: "%{MONTH} %{MONTHDAY}, %{YEAR} %{HOUR}:%{MINUTE}:%{SECOND} (?:AM|PM)",
  TOMCAT_DATESTAMP: "%{YEAR}-%{MONTHNUM}-%{MONTHDAY} %{HOUR}:%{MINUTE}:%{SECOND}(?: %{ISO8601_TIMEZONE})?",
};

/** The names of the built-in table (for docs and messages). */
export const grokLiteNames: readonly string[] = Object.keys(corePatterns);

/**
 * Reads grok pattern files (`NAME regex` per line, `#` comments) from each path: a directory means every file
 * in it, a path with `*` the files its last segment matches. Throws when a file cannot be read.
 */
export function loadPatternFiles(paths: readonly string[]): Record<string, string> {
  const patterns: Record<string, string> = {};
  for (const path of paths) {
    for (const file of expandPatternPath(path)) {
      for (const line of readFileSync(file, "utf8").split(/\r?\n/)) {
        const match = /^\s*([A-Za-z0-9_]+)\s+(.*)$/.exec(line);
        if (match !== null && !line.trimStart().startsWith("#")) patterns[match[1]!] = match[2]!;
      }
    }
  }
  return patterns;
}

/** Like Ruby's Dir.glob, which Logstash uses: a path that matches nothing adds nothing. */
function expandPatternPath(path: string): string[] {
  if (path.includes("*")) {
    if (!existsSync(dirname(path))) return [];
    const glob = new RegExp(
      `^${basename(path)
        .replace(/[.+?^${}()|[\]\\]/g, "\\$&")
        .replace(/\*/g, ".*")}$`,
    );
    const dir = dirname(path);
    return readdirSync(dir)
      .filter((name) => glob.test(name))
      .map((name) => join(dir, name));
  }
  if (!existsSync(path)) return [];
  if (statSync(path).isDirectory()) {
    return readdirSync(path)
      .map((name) => join(path, name))
      .filter((file) => statSync(file).isFile());
  }
  return [path];
}

/**
 * Compiles a grok pattern into a RegExp that answers "does this line match" (unanchored, like grok's match).
 * `extra` patterns (from patterns_dir) override the built-in ones. Throws with a clear message for an unknown
 * `%{NAME}`, a reference cycle or syntax JavaScript cannot express.
 */
export function compileGrokLite(pattern: string, extra: Record<string, string> = {}): RegExp {
  const table = { ...corePatterns, ...extra };
  const expanded = expand(pattern, table, 0);
  const { source, flags } = onigurumaToJs(expanded);
  try {
    return new RegExp(source, flags);
  } catch (err) {
    throw new Error(
      `pattern ${JSON.stringify(pattern)} is not a valid regular expression: ${(err as Error).message}`,
    );
  }
}

function expand(pattern: string, table: Record<string, string>, depth: number): string {
  if (depth > limits.multilinePatternExpansionDepthMax)
    throw new Error(
      `grok pattern references nest deeper than ${limits.multilinePatternExpansionDepthMax} (a cycle?)`,
    );
  return pattern.replace(/%\{(\w+)(?::[^}]*)?\}/g, (_whole, name: string) => {
    const definition = table[name];
    if (definition === undefined)
      throw new Error(
        `grok pattern %{${name}} is not defined (built in: ${grokLiteNames.join(", ")}; add others with patterns_dir)`,
      );
    return `(?:${expand(definition, table, depth + 1)})`;
  });
}

const posixClasses: Record<string, string> = {
  alnum: "a-zA-Z0-9",
  alpha: "a-zA-Z",
  digit: "0-9",
  xdigit: "0-9A-Fa-f",
  upper: "A-Z",
  lower: "a-z",
  space: "\\s",
  blank: " \\t",
  word: "\\w",
  punct: "!-\\/:-@\\[-`{-~",
  cntrl: "\\x00-\\x1f\\x7f",
  print: "\\x20-\\x7e",
  graph: "\\x21-\\x7e",
};

/**
 * Rewrites the Oniguruma constructs grok patterns use into JavaScript: `\A` `\z` `\Z` anchors, `\h` hex digits,
 * atomic groups and possessive quantifiers (made ordinary: same matches for these patterns), POSIX bracket
 * classes, named groups (made plain, so repeated names do not clash) and leading `(?i)` / `(?m)` flags.
 */
export function onigurumaToJs(pattern: string): { source: string; flags: string } {
  let flags = "";
  let rest = pattern;
  for (let lead = /^\(\?([imx]+)\)/.exec(rest); lead !== null; lead = /^\(\?([imx]+)\)/.exec(rest)) {
    if (lead[1]!.includes("i") && !flags.includes("i")) flags += "i";
    if (lead[1]!.includes("m") && !flags.includes("s")) flags += "s"; // Ruby's m is JavaScript's s (dotall)
    if (lead[1]!.includes("x")) throw new Error("extended (?x) patterns are not supported");
    rest = rest.slice(lead[0].length);
  }
  let out = "";
  let inClass = false;
  for (let i = 0; i < rest.length; i++) {
    const char = rest[i]!;
    if (char === "\\") {
      const next = rest[i + 1] ?? "";
      i++;
      out += escapeToJs(next, inClass);
      continue;
    }
    if (inClass) {
      const posix = /^\[:(\^?)(\w+):\]/.exec(rest.slice(i));
      if (posix !== null && posixClasses[posix[2]!] !== undefined && posix[1] === "") {
        out += posixClasses[posix[2]!];
        i += posix[0].length - 1;
      } else {
        if (char === "]") inClass = false;
        out += char;
      }
      continue;
    }
    if (char === "[") {
      inClass = true;
      out += char;
      if (rest[i + 1] === "^") out += rest[++i];
      if (rest[i + 1] === "]") out += `\\${rest[++i]}`; // a leading ] is a literal in Oniguruma
      continue;
    }
    if (char === "(" && rest[i + 1] === "?") {
      const group = /^\(\?(?:>|<(?![=!])\w+>|'\w+')/.exec(rest.slice(i));
      if (group !== null) {
        out += group[0] === "(?>" ? "(?:" : "(";
        i += group[0].length - 1;
        continue;
      }
      if (/^\(\?[imx-]+[:)]/.test(rest.slice(i)))
        throw new Error("inline flags inside a pattern are not supported; use (?i) at its start");
    }
    if ((char === "+" || char === "*" || char === "?") && rest[i + 1] === "+") {
      out += char; // possessive: drop the second +
      i++;
      continue;
    }
    out += char;
  }
  return { source: out, flags };
}

function escapeToJs(next: string, inClass: boolean): string {
  switch (next) {
    case "A":
      return inClass ? "A" : "^";
    case "z":
      return inClass ? "z" : "$";
    case "Z":
      return inClass ? "Z" : "(?=\\n?$)";
    case "h":
      return inClass ? "0-9a-fA-F" : "[0-9a-fA-F]";
    case "H":
      return "[^0-9a-fA-F]";
    default:
      return `\\${next}`;
  }
}
