// Sorting, paging (from/size, search_after) and fetching hits from a search dataset.

import { lit } from "../store/connection.js";
import { type Dataset, textFieldDataError, type VirtualField } from "./dataset.js";
import { badRequest, EsError } from "./errors.js";
import { filterSource, type SourceFilter } from "./source-filter.js";

export interface SortKey {
  field: string;
  desc: boolean;
  missingFirst: boolean;
}

export interface HitOptions {
  from: number;
  size: number;
  sort: SortKey[];
  explicitSort: boolean;
  searchAfter?: unknown[];
  source: SourceFilter;
  version: boolean;
  seqNoPrimaryTerm: boolean;
  trackScores: boolean;
}

/** Parses ES `sort` (string, object or list of them); default is by score. */
export function parseSort(spec: unknown): { keys: SortKey[]; explicit: boolean } {
  if (spec === undefined || spec === null)
    return { keys: [{ field: "_score", desc: true, missingFirst: false }], explicit: false };
  const items = Array.isArray(spec) ? spec : typeof spec === "string" ? spec.split(",") : [spec];
  const keys: SortKey[] = [];
  for (const item of items) {
    if (typeof item === "string") {
      const [field, order] = item.split(":");
      keys.push({
        field: field as string,
        desc: order ? order === "desc" : field === "_score",
        missingFirst: false,
      });
      continue;
    }
    for (const [field, raw] of Object.entries(item as Record<string, unknown>)) {
      const opts = typeof raw === "string" ? { order: raw } : ((raw ?? {}) as Record<string, unknown>);
      const order = String(opts.order ?? (field === "_score" ? "desc" : "asc"));
      if (order !== "asc" && order !== "desc") throw badRequest(`Unknown SortOrder [${order}]`);
      keys.push({ field, desc: order === "desc", missingFirst: opts.missing === "_first" });
    }
  }
  return { keys, explicit: true };
}

export function sortFields(keys: SortKey[]): string[] {
  return keys.map((k) => k.field).filter((f) => f !== "_score" && f !== "_doc");
}

function sortExpr(ds: Dataset, key: SortKey): string {
  if (key.field === "_score") return "_score";
  if (key.field === "_doc") return "_seq";
  const vf = ds.fields.get(key.field) as VirtualField;
  if (vf.type === null)
    throw new EsError(
      400,
      "query_shard_exception",
      `No mapping found for [${key.field}] in order to sort on`,
    );
  if (vf.type === "text") throw textFieldDataError(key.field);
  return vf.list ? `${key.desc ? "list_max" : "list_min"}(${vf.col})` : vf.col;
}

/** The sort value ES reports for a missing value (null, or ±2^63 for numbers). */
const isMissingMarker = (value: unknown) =>
  value === null || (typeof value === "number" && Math.abs(value) >= 2 ** 63);

function equalSql(expr: string, value: unknown): string {
  return isMissingMarker(value) ? `${expr} IS NULL` : `${expr} = ${valueLiteral(value)}`;
}

/** Rows after `value` in this key's order; missing values sort last (first with `missing: _first`). */
function beyondSql(expr: string, key: SortKey, value: unknown): string {
  if (isMissingMarker(value)) return key.missingFirst ? `${expr} IS NOT NULL` : "false";
  const cmp = `${expr} ${key.desc ? "<" : ">"} ${valueLiteral(value)}`;
  return key.missingFirst ? cmp : `(${cmp} OR ${expr} IS NULL)`;
}

function valueLiteral(value: unknown): string {
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (value === null) return "NULL";
  return lit(String(value));
}

export async function fetchHits(
  ds: Dataset,
  cond: string,
  opts: HitOptions,
): Promise<Record<string, unknown>[]> {
  if (opts.size === 0) return [];
  const exprs = opts.sort.map((k) => sortExpr(ds, k));
  const conds = [cond];
  if (opts.searchAfter) {
    if (opts.searchAfter.length !== exprs.length)
      throw badRequest(`search_after has ${opts.searchAfter.length} value(s) but sort has ${exprs.length}.`);
    const after = opts.searchAfter;
    const ors = exprs.map((_, i) => {
      const eqs = exprs.slice(0, i).map((e, j) => equalSql(e, after[j]));
      eqs.push(beyondSql(exprs[i] as string, opts.sort[i] as SortKey, after[i]));
      return `(${eqs.join(" AND ")})`;
    });
    conds.push(`(${ors.join(" OR ")})`);
  }
  const order = opts.sort.map(
    (k, i) => `${exprs[i]} ${k.desc ? "DESC" : "ASC"} NULLS ${k.missingFirst ? "FIRST" : "LAST"}`,
  );
  order.push("_index ASC", "_seq ASC");
  const sortCols = exprs.map((e, i) => `, ${e} AS s${i}`).join("");
  const rows = await ds.store.query(
    `${ds.with} SELECT _index, _id, _seq, _version, _source, _score${sortCols} FROM d WHERE ${conds.join(" AND ")} ORDER BY ${order.join(", ")} LIMIT ${opts.size} OFFSET ${opts.from}`,
  );
  const showScore = !opts.explicitSort || opts.trackScores || opts.sort.some((k) => k.field === "_score");
  return rows.map((row) => {
    const hit = hitOf(row, opts, showScore);
    if (opts.explicitSort)
      hit.sort = exprs.map((_, i) => sortValue(ds, opts.sort[i] as SortKey, row[`s${i}`]));
    return hit;
  });
}

/** One hit from its row (`_index`, `_id`, `_seq`, `_version`, `_source`, `_score`), as the options ask. */
export function hitOf(
  row: Record<string, unknown>,
  opts: Pick<HitOptions, "version" | "seqNoPrimaryTerm" | "source">,
  showScore: boolean,
): Record<string, unknown> {
  const hit: Record<string, unknown> = { _index: row._index, _id: row._id };
  if (opts.version) hit._version = row._version;
  if (opts.seqNoPrimaryTerm) {
    hit._seq_no = row._seq;
    hit._primary_term = 1;
  }
  hit._score = showScore ? Number(row._score) : null;
  if (opts.source.enabled) hit._source = filterSource(JSON.parse(String(row._source)), opts.source);
  return hit;
}

function sortValue(ds: Dataset, key: SortKey, value: unknown): unknown {
  if (key.field === "_score") return Number(value);
  const vf = ds.fields.get(key.field);
  if (value === null || value === undefined) {
    if (vf?.type === "keyword") return null;
    // Long.MIN_VALUE / Long.MAX_VALUE as ES prints them for a missing value (nearest doubles).
    return key.desc ? -(2 ** 63) : 2 ** 63;
  }
  if (vf?.type === "boolean") return value ? 1 : 0;
  return value;
}
