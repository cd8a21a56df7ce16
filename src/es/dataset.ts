// The rows a search works on: one SELECT per index (its query's WHERE and score, plus the fields and
// filter flags that sorting and aggregations need under index-independent names) joined by UNION ALL.

import { lit } from "../store/connection.js";
import type { StorageType } from "../store/mapping.js";
import type { IndexState, Store } from "../store/store.js";
import { EsError } from "./errors.js";
import { anyValue, type FieldRef, fieldRef } from "./fields.js";
import { compileQuery, type QueryContext, type TermStats } from "./query.js";

export interface VirtualField {
  name: string;
  col: string;
  /** Null when no searched index maps the field. */
  type: StorageType | null;
  esType: string;
  list: boolean;
}

export interface Dataset {
  store: Store;
  /** `WITH d AS (...)` prefix; queries then read `d`. */
  with: string;
  fields: Map<string, VirtualField>;
  filters: Map<string, string>;
  nowMs: number;
  scored: boolean;
}

export interface Needs {
  fields: Set<string>;
  filters: Map<string, unknown>;
}

export const textFieldDataError = (name: string) =>
  new EsError(
    400,
    "illegal_argument_exception",
    `Text fields are not optimised for operations that require per-document field data like aggregations and sorting, so these operations are disabled by default. Please use a keyword field instead. Alternatively, set fielddata=true on [${name}] in order to load field data by uninverting the inverted index. Note that this can use significant memory.`,
  );

const baseType: Record<string, string> = {
  keyword: "VARCHAR",
  long: "BIGINT",
  double: "DOUBLE",
  boolean: "BOOLEAN",
  date: "BIGINT",
  text: "VARCHAR[]",
};

export async function buildDataset(
  store: Store,
  indices: IndexState[],
  query: unknown,
  needs: Needs,
  nowMs: number,
): Promise<Dataset> {
  const fields = new Map<string, VirtualField>();
  [...needs.fields].forEach((name, i) => {
    fields.set(name, unifyField(name, `v${i}`, indices));
  });
  const filters = new Map<string, string>();
  [...needs.filters.keys()].forEach((key, i) => {
    filters.set(key, `q${i}`);
  });
  const selects: string[] = [];
  for (const state of indices) {
    const ctx = queryContext(store, state, nowMs);
    const compiled = await compileQuery(query, ctx);
    const cols = [
      `${lit(state.name)} AS _index`,
      "_id",
      "_seq",
      "_version",
      "_source",
      `(${compiled.score})::DOUBLE AS _score`,
    ];
    for (const vf of fields.values()) cols.push(`${projectField(state, vf)} AS ${vf.col}`);
    for (const [key, col] of filters) {
      const f = await compileQuery(needs.filters.get(key), ctx);
      cols.push(`coalesce(${f.where}, false) AS ${col}`);
    }
    selects.push(`SELECT ${cols.join(", ")} FROM ${state.table} WHERE ${compiled.where}`);
  }
  if (selects.length === 0) {
    const cols = [
      "NULL::VARCHAR AS _index",
      "NULL::VARCHAR AS _id",
      "NULL::BIGINT AS _seq",
      "NULL::BIGINT AS _version",
      "NULL::VARCHAR AS _source",
      "NULL::DOUBLE AS _score",
    ];
    for (const vf of fields.values()) cols.push(`NULL AS ${vf.col}`);
    for (const col of filters.values()) cols.push(`false AS ${col}`);
    selects.push(`SELECT ${cols.join(", ")} WHERE false`);
  }
  return { store, with: `WITH d AS (${selects.join(" UNION ALL ")})`, fields, filters, nowMs, scored: true };
}

function unifyField(name: string, col: string, indices: IndexState[]): VirtualField {
  const infos = indices
    .map((s) => (name === "_id" || name === "_index" ? fieldRef(s, name)?.info : s.mapping.fields[name]))
    .filter((f) => f?.column);
  if (infos.length === 0) return { name, col, type: null, esType: "unmapped", list: false };
  const types = new Set(infos.map((f) => f?.type));
  let type = infos[0]?.type as StorageType;
  if (types.size > 1) type = [...types].every((t) => t === "long" || t === "double") ? "double" : "keyword";
  return { name, col, type, esType: infos[0]?.esType as string, list: infos.some((f) => f?.list) };
}

function projectField(state: IndexState, vf: VirtualField): string {
  const ref = fieldRef(state, vf.name);
  if (!ref || !vf.type) return `NULL::${vf.type ? sqlTypeOf(vf) : "VARCHAR"}`;
  const own = ref.info.type === "text" ? "VARCHAR[]" : baseType[ref.info.type];
  const target = baseType[vf.type] as string;
  let expr = ref.sql;
  if (own !== target && vf.type !== "text")
    expr = ref.list ? `list_transform(${expr}, lambda x: x::${target})` : `${expr}::${target}`;
  if (vf.list && !ref.list && vf.type !== "text")
    expr = `CASE WHEN ${expr} IS NULL THEN NULL ELSE [${expr}] END`;
  return expr;
}

export function sqlTypeOf(vf: VirtualField): string {
  const base = baseType[vf.type ?? "keyword"] as string;
  return vf.list && vf.type !== "text" ? `${base}[]` : base;
}

/** A virtual field as a FieldRef, for predicates built over `d`. */
export function virtualRef(vf: VirtualField): FieldRef {
  return {
    info: {
      name: vf.name,
      type: vf.type ?? "keyword",
      esType: vf.esType,
      jsonPath: "",
      list: vf.list,
      column: vf.col,
    },
    sql: vf.col,
    list: vf.list || vf.type === "text",
  };
}

export function anyVirtual(vf: VirtualField, pred: (x: string) => string): string {
  return anyValue(virtualRef(vf), pred);
}

/** Term statistics by index, column, terms and write sequence: unchanged data gives unchanged stats. */
const statsCache = new Map<string, TermStats>();
const statsCacheEntriesMax = 1024;

function queryContext(store: Store, state: IndexState, nowMs: number): QueryContext {
  return {
    state,
    nowMs,
    async stats(ref: FieldRef, terms: string[]): Promise<TermStats> {
      const key = JSON.stringify([state.table, state.uuid, state.seq, ref.sql, terms]);
      const cached = statsCache.get(key);
      if (cached) return cached;
      const fresh = await readStats(store, state, ref, terms);
      if (statsCache.size >= statsCacheEntriesMax) statsCache.clear();
      statsCache.set(key, fresh);
      return fresh;
    },
  };
}

async function readStats(
  store: Store,
  state: IndexState,
  ref: FieldRef,
  terms: string[],
): Promise<TermStats> {
  const dfs = terms
    .map((t, i) => `, count(*) FILTER (WHERE list_contains(${ref.sql}, ${lit(t)})) AS df${i}`)
    .join("");
  const rows = await store.query(
    `SELECT count(*) FILTER (WHERE len(${ref.sql}) > 0) AS docs, coalesce(avg(len(${ref.sql})) FILTER (WHERE len(${ref.sql}) > 0), 0) AS avgdl${dfs} FROM ${state.table}`,
  );
  const row = rows[0] ?? {};
  return {
    docs: Number(row.docs ?? 0),
    avgLength: Number(row.avgdl ?? 0),
    df: terms.map((_, i) => Number(row[`df${i}`] ?? 0)),
  };
}
