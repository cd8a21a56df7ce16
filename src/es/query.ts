// The query DSL compiled to SQL for one index: a WHERE predicate and a score expression (BM25 for
// full-text clauses, constant for filters), following Elasticsearch's documented semantics.

import { analyze } from "../store/analysis.js";
import { lit } from "../store/connection.js";
import { bm25B, bm25K1 } from "../store/postings.js";
import type { IndexState } from "../store/store.js";
import { EsError, parsingError } from "./errors.js";
import { anyValue, type FieldRef, fieldRef, matchingFields, valueSql } from "./fields.js";
import { parseQueryString } from "./query-string.js";

export interface Compiled {
  where: string;
  score: string;
}

export interface TermStats {
  docs: number;
  avgLength: number;
  df: number[];
}

export interface QueryContext {
  state: IndexState;
  nowMs: number;
  /** Collection statistics of a text field for BM25 (docs with the field, average length, doc freqs). */
  stats(ref: FieldRef, terms: string[]): Promise<TermStats>;
}

const never: Compiled = { where: "false", score: "0" };

type Q = Record<string, unknown>;

export async function compileQuery(query: unknown, ctx: QueryContext): Promise<Compiled> {
  if (query === undefined || query === null) return { where: "true", score: "1.0" };
  if (typeof query !== "object" || Array.isArray(query))
    throw parsingError("query malformed, must start with start_object");
  const entries = Object.entries(query as Q);
  if (entries.length !== 1)
    throw parsingError(
      `[${entries.length === 0 ? "query" : entries[1]?.[0]}] query malformed, no start_object after query name`,
    );
  const [type, body] = entries[0] as [string, unknown];
  const compile = compilers[type];
  if (!compile) throw new EsError(400, "parsing_exception", `unknown query [${type}]`, { line: 1, col: 1 });
  return compile(body as Q, ctx);
}

/** `{field: value}` or `{field: {query|value: ..., ...opts}}` → [field, options]. */
function fieldBody(type: string, body: Q, valueKey: string): [string, Q] {
  const keys = Object.keys(body).filter((k) => k !== "boost" && k !== "_name");
  if (keys.length !== 1)
    throw parsingError(`[${type}] query doesn't support multiple fields, found [${keys.join("] and [")}]`);
  const field = keys[0] as string;
  const v = body[field];
  if (v !== null && typeof v === "object" && !Array.isArray(v)) return [field, v as Q];
  return [field, { [valueKey]: v }];
}

const boostOf = (o: Q) => (typeof o.boost === "number" ? o.boost : 1);

function constant(where: string, boost: number): Compiled {
  return { where, score: `CASE WHEN ${where} THEN ${boost} ELSE 0 END` };
}

async function bm25(ctx: QueryContext, ref: FieldRef, terms: string[], boost: number): Promise<string[]> {
  const stats = await ctx.stats(ref, terms);
  // Doubles throughout (DuckDB reads a literal such as 0.75 as a DECIMAL): the same IEEE arithmetic, in the
  // same order, as the in-memory postings (src/store/postings.ts), so both paths rank documents identically.
  // A quoted literal: DuckDB reads a bare 0.123 as a DECIMAL, whose conversion can miss the double by an ulp.
  const dbl = (n: number) => `'${n}'::DOUBLE`;
  const norm =
    stats.avgLength > 0
      ? `(${dbl(bm25K1)} * (${dbl(1)} - ${dbl(bm25B)} + (${dbl(bm25B)} * len(${ref.sql})) / ${dbl(stats.avgLength)}))`
      : dbl(bm25K1);
  return terms.map((t, i) => {
    const df = stats.df[i] ?? 0;
    const weight = boost * Math.log(1 + (stats.docs - df + 0.5) / (df + 0.5));
    const tf = `len(list_filter(${ref.sql}, lambda x: x = ${lit(t)}))`;
    return `((${dbl(weight)} * ${tf}) / (${tf} + ${norm}))`;
  });
}

/** How many of `count` optional clauses must match, from an ES minimum_should_match spec. */
export function minimumShouldMatch(spec: unknown, count: number): number {
  if (spec === undefined || spec === null) return 1;
  const text = String(spec).trim();
  const pct = /^(-?)(\d+)%$/.exec(text);
  let n: number;
  if (pct) {
    const share = Math.floor((count * Number(pct[2])) / 100);
    n = pct[1] ? count - share : share;
  } else if (/^-?\d+$/.test(text)) {
    n = Number(text) < 0 ? count + Number(text) : Number(text);
  } else throw parsingError(`failed to parse minimum_should_match [${text}]`);
  return Math.max(0, Math.min(count, n));
}

async function matchField(ctx: QueryContext, field: string, opts: Q, phrase: boolean): Promise<Compiled> {
  const ref = fieldRef(ctx.state, field);
  if (!ref) return never;
  const boost = boostOf(opts);
  const text = opts.query;
  if (text === undefined) throw parsingError(`No text specified for text query`);
  if (ref.info.type !== "text") {
    let v: string;
    try {
      v = valueSql(ref.info, text, ctx.nowMs);
    } catch (e) {
      if (opts.lenient === true) return never;
      throw e;
    }
    return constant(
      anyValue(ref, (x) => `${x} = ${v}`),
      boost,
    );
  }
  const terms = analyze(String(text));
  if (terms.length === 0) return opts.zero_terms_query === "all" ? { where: "true", score: "1.0" } : never;
  const unique = [...new Set(terms)];
  const scores = await bm25(ctx, ref, unique, boost);
  const has = unique.map((t) => `list_contains(${ref.sql}, ${lit(t)})`);
  let where: string;
  if (phrase) where = `(${has.join(" AND ")}) AND ${phraseSql(ref.sql, terms, Number(opts.slop ?? 0))}`;
  else if (String(opts.operator ?? "or").toLowerCase() === "and") where = has.join(" AND ");
  else {
    const need = minimumShouldMatch(opts.minimum_should_match, has.length);
    where = need <= 1 ? `(${has.join(" OR ")})` : `(${has.map((h) => `${h}::INT`).join(" + ")}) >= ${need}`;
  }
  return { where: `(${where})`, score: `(${scores.join(" + ")})` };
}

/** Exact phrase: the terms at consecutive positions (slop > 0 is not supported and refused). */
function phraseSql(col: string, terms: string[], slop: number): string {
  if (slop !== 0)
    throw new EsError(
      400,
      "illegal_argument_exception",
      "match_phrase with slop is not supported by the sluice store",
    );
  if (terms.length === 1) return "true";
  const checks = terms.map((t, i) => `${col}[i + ${i}] = ${lit(t)}`).join(" AND ");
  return `len(list_filter(range(1, len(${col}) + 2 - ${terms.length}), lambda i: ${checks})) > 0`;
}

async function combine(parts: Compiled[], mode: "sum" | "max", tieBreaker = 0): Promise<Compiled> {
  if (parts.length === 0) return never;
  const where = `(${parts.map((p) => p.where).join(" OR ")})`;
  const guarded = parts.map((p) => `CASE WHEN ${p.where} THEN ${p.score} ELSE 0 END`);
  if (mode === "sum" || guarded.length === 1) return { where, score: `(${guarded.join(" + ")})` };
  const max = `greatest(${guarded.join(", ")})`;
  const score = tieBreaker > 0 ? `(${max} + ${tieBreaker} * ((${guarded.join(" + ")}) - ${max}))` : max;
  return { where, score };
}

function splitBoost(spec: string): [string, number] {
  const m = /^(.*)\^([\d.]+)$/.exec(spec);
  return m ? [m[1] as string, Number(m[2])] : [spec, 1];
}

const compilers: Record<string, (body: Q, ctx: QueryContext) => Promise<Compiled>> = {
  match_all: async (body) => ({ where: "true", score: String(boostOf(body ?? {})) }),
  match_none: async () => never,
  match: async (body, ctx) => {
    const [field, opts] = fieldBody("match", body, "query");
    if (opts.type === "phrase") return matchField(ctx, field, opts, true);
    return matchField(ctx, field, opts, false);
  },
  match_phrase: async (body, ctx) => {
    const [field, opts] = fieldBody("match_phrase", body, "query");
    return matchField(ctx, field, opts, true);
  },
  multi_match: async (body, ctx) => {
    const specs = (body.fields as string[] | undefined) ?? ["*"];
    const parts: Compiled[] = [];
    for (const spec of specs) {
      const [pattern, boost] = splitBoost(spec);
      for (const field of matchingFields(ctx.state, pattern)) {
        const opts = { ...body, boost: boost * boostOf(body) };
        parts.push(await matchField(ctx, field, opts, body.type === "phrase"));
      }
    }
    const type = String(body.type ?? "best_fields");
    if (!["best_fields", "most_fields", "phrase"].includes(type))
      throw new EsError(
        400,
        "illegal_argument_exception",
        `multi_match type [${type}] is not supported by the sluice store`,
      );
    return combine(parts, type === "most_fields" ? "sum" : "max", Number(body.tie_breaker ?? 0));
  },
  term: async (body, ctx) => {
    const [field, opts] = fieldBody("term", body, "value");
    const ref = fieldRef(ctx.state, field);
    if (!ref) return never;
    const insensitive = opts.case_insensitive === true;
    const v = valueSql(ref.info, opts.value, ctx.nowMs);
    const where = anyValue(ref, (x) => (insensitive ? `lower(${x}) = lower(${v})` : `${x} = ${v}`));
    if (ref.info.type === "text") {
      const scores = await bm25(ctx, ref, [String(opts.value)], boostOf(opts));
      return { where, score: scores[0] as string };
    }
    return constant(where, boostOf(opts));
  },
  terms: async (body, ctx) => {
    const field = Object.keys(body).find((k) => k !== "boost" && k !== "_name");
    if (!field) throw parsingError("[terms] query requires a field");
    const values = body[field];
    if (!Array.isArray(values))
      throw parsingError(`[terms] query does not support [${field}] as a terms lookup`);
    const ref = fieldRef(ctx.state, field);
    if (!ref || values.length === 0) return never;
    const list = values.map((v) => valueSql(ref.info, v, ctx.nowMs)).join(", ");
    return constant(
      anyValue(ref, (x) => `${x} IN (${list})`),
      boostOf(body),
    );
  },
  ids: async (body) => {
    const values = (body.values as unknown[]) ?? [];
    if (values.length === 0) return never;
    return constant(`_id IN (${values.map((v) => lit(String(v))).join(", ")})`, boostOf(body));
  },
  range: async (body, ctx) => {
    const [field, opts] = fieldBody("range", body, "value");
    const ref = fieldRef(ctx.state, field);
    if (!ref) return never;
    const conds: string[] = [];
    const bound = (key: string, op: string, roundUp: boolean) => {
      if (opts[key] === undefined || opts[key] === null) return;
      conds.push(`${op} ${valueSql(ref.info, opts[key], ctx.nowMs, roundUp)}`);
    };
    bound("gt", ">", true);
    bound("gte", ">=", false);
    bound("lt", "<", false);
    bound("lte", "<=", true);
    if (opts.from !== undefined)
      bound("from", opts.include_lower === false ? ">" : ">=", opts.include_lower === false);
    if (opts.to !== undefined)
      bound("to", opts.include_upper === false ? "<" : "<=", opts.include_upper !== false);
    if (conds.length === 0)
      return constant(
        anyValue(ref, (x) => `${x} IS NOT NULL`),
        boostOf(opts),
      );
    return constant(
      anyValue(ref, (x) => conds.map((c) => `${x} ${c}`).join(" AND ")),
      boostOf(opts),
    );
  },
  exists: async (body, ctx) => {
    const field = String(body.field ?? "");
    const names =
      ctx.state.mapping.fields[field]?.type === "object" ? matchingFields(ctx.state, `${field}.*`) : [field];
    const conds = names
      .map((n) => fieldRef(ctx.state, n))
      .filter((r): r is FieldRef => r !== null)
      .map((r) => (r.list ? `coalesce(len(${r.sql}) > 0, false)` : `${r.sql} IS NOT NULL`));
    return conds.length === 0 ? never : constant(`(${conds.join(" OR ")})`, boostOf(body));
  },
  prefix: async (body, ctx) => {
    const [field, opts] = fieldBody("prefix", body, "value");
    const ref = fieldRef(ctx.state, field);
    if (!ref) return never;
    const v = lit(String(opts.value));
    const ci = opts.case_insensitive === true;
    return constant(
      anyValue(ref, (x) => (ci ? `starts_with(lower(${x}), lower(${v}))` : `starts_with(${x}, ${v})`)),
      boostOf(opts),
    );
  },
  wildcard: async (body, ctx) => {
    const [field, opts] = fieldBody("wildcard", body, "value");
    const ref = fieldRef(ctx.state, field);
    if (!ref) return never;
    const pattern = lit(wildcardToLike(String(opts.value ?? opts.wildcard)));
    const op = opts.case_insensitive === true ? "ILIKE" : "LIKE";
    return constant(
      anyValue(ref, (x) => `${x} ${op} ${pattern} ESCAPE '\\'`),
      boostOf(opts),
    );
  },
  bool: async (body, ctx) => compileBool(body, ctx),
  constant_score: async (body, ctx) => {
    const inner = await compileQuery(body.filter, ctx);
    return constant(inner.where, boostOf(body));
  },
  dis_max: async (body, ctx) => {
    const parts = await Promise.all(((body.queries as unknown[]) ?? []).map((q) => compileQuery(q, ctx)));
    return combine(parts, "max", Number(body.tie_breaker ?? 0));
  },
  query_string: async (body, ctx) => compileQuery(parseQueryString(body), ctx),
};

export function wildcardToLike(pattern: string): string {
  let out = "";
  for (const ch of pattern) {
    if (ch === "*") out += "%";
    else if (ch === "?") out += "_";
    else if (ch === "%" || ch === "_" || ch === "\\") out += `\\${ch}`;
    else out += ch;
  }
  return out;
}

async function clauses(value: unknown, ctx: QueryContext): Promise<Compiled[]> {
  if (value === undefined || value === null) return [];
  const list = Array.isArray(value) ? value : [value];
  return Promise.all(list.map((q) => compileQuery(q, ctx)));
}

async function compileBool(body: Q, ctx: QueryContext): Promise<Compiled> {
  const must = await clauses(body.must, ctx);
  const filter = await clauses(body.filter, ctx);
  const should = await clauses(body.should, ctx);
  const mustNot = await clauses(body.must_not, ctx);
  const conds = [...must, ...filter].map((c) => c.where);
  for (const c of mustNot) conds.push(`NOT coalesce(${c.where}, false)`);
  const defaultMsm = must.length + filter.length > 0 ? 0 : 1;
  const need =
    body.minimum_should_match === undefined
      ? Math.min(defaultMsm, should.length)
      : minimumShouldMatch(body.minimum_should_match, should.length);
  if (need > 0)
    conds.push(`(${should.map((s) => `coalesce(${s.where}, false)::INT`).join(" + ")}) >= ${need}`);
  const where = conds.length > 0 ? `(${conds.join(" AND ")})` : "true";
  const scores = [
    ...must.map((m) => m.score),
    ...should.map((s) => `CASE WHEN ${s.where} THEN ${s.score} ELSE 0 END`),
  ];
  const onlyFilters = scores.length === 0;
  const boost = boostOf(body);
  const score = onlyFilters ? "0.0" : `(${boost} * (${scores.join(" + ")}))`;
  return { where, score };
}
