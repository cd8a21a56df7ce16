// The common syntax of `query_string` (terms, "phrases", field:value, AND/OR/NOT, +/-, parentheses,
// wildcards, [a TO b] ranges, field:>n, _exists_:field) rewritten into ordinary query DSL.

import { parsingError } from "./errors.js";

type Q = Record<string, unknown>;

interface Token {
  kind: "word" | "phrase" | "op" | "open" | "close" | "range";
  text: string;
  field?: string;
  prefix?: "+" | "-";
}

const tokenPattern =
  /\s*(?:(\(|\))|(AND\b|OR\b|NOT\b|&&|\|\||!)|([+-])?(?:([\w.@*-]+):)?(?:"((?:[^"\\]|\\.)*)"|([[{])\s*(\S+)\s+TO\s+(\S+?)\s*([\]}])|((?:[^\s()"\\:]|\\.)+)))/y;

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  tokenPattern.lastIndex = 0;
  let pos = 0;
  while (pos < text.length) {
    if (/^\s*$/.test(text.slice(pos))) break;
    tokenPattern.lastIndex = pos;
    const m = tokenPattern.exec(text);
    if (!m) throw parsingError(`Failed to parse query [${text}]`);
    pos = tokenPattern.lastIndex;
    if (m[1]) tokens.push({ kind: m[1] === "(" ? "open" : "close", text: m[1] });
    else if (m[2])
      tokens.push({
        kind: "op",
        text: m[2] === "&&" ? "AND" : m[2] === "||" ? "OR" : m[2] === "!" ? "NOT" : m[2],
      });
    else {
      const base = { field: m[4], prefix: m[3] as "+" | "-" | undefined };
      if (m[5] !== undefined) tokens.push({ kind: "phrase", text: m[5].replace(/\\(.)/g, "$1"), ...base });
      else if (m[6]) tokens.push({ kind: "range", text: `${m[6]}${m[7]} ${m[8]}${m[9]}`, ...base });
      else tokens.push({ kind: "word", text: (m[10] as string).replace(/\\(.)/g, "$1"), ...base });
    }
  }
  return tokens;
}

/** A query_string body → an equivalent DSL query. */
export function parseQueryString(body: Q): Q {
  const text = String(body.query ?? "");
  const fields =
    (body.fields as string[] | undefined) ?? (body.default_field ? [String(body.default_field)] : ["*"]);
  const and = String(body.default_operator ?? "or").toLowerCase() === "and";
  const tokens = tokenize(text);
  let pos = 0;
  const parseGroup = (): Q => {
    const items: { occur: "must" | "should" | "must_not"; q: Q }[] = [];
    let pendingOp: string | null = null;
    let negate = false;
    while (pos < tokens.length) {
      const t = tokens[pos++] as Token;
      if (t.kind === "close") break;
      if (t.kind === "op") {
        if (t.text === "NOT") negate = true;
        else pendingOp = t.text;
        continue;
      }
      const q = t.kind === "open" ? parseGroup() : leaf(t, fields);
      let occur: "must" | "should" | "must_not" = and ? "must" : "should";
      if (pendingOp === "AND") {
        occur = "must";
        const prev = items[items.length - 1];
        if (prev && prev.occur === "should") prev.occur = "must";
      } else if (pendingOp === "OR") occur = "should";
      if (t.prefix === "+") occur = "must";
      if (t.prefix === "-" || negate) occur = "must_not";
      items.push({ occur, q });
      pendingOp = null;
      negate = false;
    }
    if (items.length === 1 && items[0]?.occur !== "must_not") return items[0]?.q as Q;
    const bool: Record<string, Q[]> = {};
    for (const { occur, q } of items) {
      const list = bool[occur] ?? [];
      list.push(q);
      bool[occur] = list;
    }
    return { bool };
  };
  return parseGroup();
}

function leaf(t: Token, defaults: string[]): Q {
  if (t.field === "_exists_") return { exists: { field: t.text } };
  // `*` and `*:*` match every document, as in Lucene's syntax.
  if (t.kind === "word" && t.text === "*" && (!t.field || t.field === "*")) return { match_all: {} };
  const fields = t.field ? [t.field] : defaults;
  const one = (field: string): Q => {
    if (t.kind === "phrase") return { match_phrase: { [field]: { query: t.text } } };
    if (t.kind === "range") {
      const m = /^([[{])(\S+) (\S+)([\]}])$/.exec(t.text) as RegExpExecArray;
      const range: Q = {};
      if (m[2] !== "*") range[m[1] === "[" ? "gte" : "gt"] = m[2];
      if (m[3] !== "*") range[m[4] === "]" ? "lte" : "lt"] = m[3];
      return { range: { [field]: range } };
    }
    const cmp = /^(>=|<=|>|<)(.+)$/.exec(t.text);
    if (cmp)
      return {
        range: {
          [field]: {
            [{ ">=": "gte", "<=": "lte", ">": "gt", "<": "lt" }[cmp[1] as string] as string]: cmp[2],
          },
        },
      };
    if (/[*?]/.test(t.text)) return { wildcard: { [field]: { value: t.text } } };
    return { match: { [field]: { query: t.text, lenient: true } } };
  };
  if (fields.length === 1 && !fields[0]?.includes("*")) return one(fields[0] as string);
  if (t.kind === "word" && !/[*?<>]/.test(t.text) && !t.text.includes(":"))
    return { multi_match: { query: t.text, fields, lenient: true } };
  if (t.kind === "phrase") return { multi_match: { query: t.text, fields, type: "phrase", lenient: true } };
  return { bool: { should: fields.map(one) } };
}
