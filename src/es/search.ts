// `_search`, `_count` and `_msearch` bodies executed against the store.

import type { Store } from "../store/store.js";
import { collectNeeds, parseAggs, runAggs } from "./aggs.js";
import { buildDataset, type Needs } from "./dataset.js";
import { badRequest } from "./errors.js";
import { fetchHits, parseSort, sortFields } from "./hits.js";
import { resolveIndices } from "./indices.js";
import { searchByPostings } from "./postings-search.js";
import { parseSourceFilter } from "./source-filter.js";

type Obj = Record<string, unknown>;

const resultWindowMax = 10_000;
const knownKeys = new Set([
  "query",
  "from",
  "size",
  "sort",
  "_source",
  "aggs",
  "aggregations",
  "track_total_hits",
  "search_after",
  "version",
  "seq_no_primary_term",
  "track_scores",
  "timeout",
  "terminate_after",
  "stored_fields",
  "explain",
  "highlight",
  "min_score",
]);

export interface SearchParams {
  index?: string;
  body: Obj;
  query: URLSearchParams;
}

export interface SearchOptions {
  /** Serve plain `match` searches from in-memory postings (default); tests turn it off to compare with SQL. */
  postings?: boolean;
}

export async function search(store: Store, params: SearchParams, options: SearchOptions = {}): Promise<Obj> {
  const started = Date.now();
  const body = { ...params.body };
  applyUrlParams(body, params.query);
  for (const key of Object.keys(body))
    if (!knownKeys.has(key))
      throw badRequest(`Unknown key for a START_OBJECT in [${key}].`, "parsing_exception");
  if (body.highlight !== undefined) throw badRequest("highlight is not supported by the sluice store");
  const from = Number(body.from ?? 0);
  const size = Number(body.size ?? 10);
  if (from + size > resultWindowMax)
    throw badRequest(
      `Result window is too large, from + size must be less than or equal to: [${resultWindowMax}] but was [${from + size}]. See the scroll api for a more efficient way to request large data sets. This limit can be set by changing the [index.max_result_window] index level setting.`,
    );
  const indices = resolveIndices(store, params.index, params.query.get("ignore_unavailable") === "true");
  const hitOptions = {
    source: parseSourceFilter(body._source),
    version: body.version === true,
    seqNoPrimaryTerm: body.seq_no_primary_term === true,
  };
  if (options.postings !== false && indices.length === 1) {
    const state = indices[0] as (typeof indices)[number];
    const fast = await searchByPostings(store, { state, body, from, size, hitOptions });
    if (fast)
      return {
        took: Date.now() - started,
        timed_out: false,
        _shards: { total: 1, successful: 1, skipped: 0, failed: 0 },
        hits: hitsSection(fast.total, fast.maxScore, fast.hits, body.track_total_hits),
      };
  }
  const sort = parseSort(body.sort);
  const aggs = parseAggs(body.aggs ?? body.aggregations);
  const needs: Needs = { fields: new Set(sortFields(sort.keys)), filters: new Map() };
  collectNeeds(aggs, needs);
  const ds = await buildDataset(store, indices, body.query, needs, started);
  const minScore = body.min_score !== undefined ? `_score >= ${Number(body.min_score)}` : "true";
  // The score is only computed where it is needed: the top hits, and max_score past the first page.
  const scoreNeeded = !sort.explicit || body.track_scores === true;
  const maxSql = scoreNeeded && from > 0 && size > 0 ? "max(_score)" : "NULL";
  const totals =
    (await store.query(`${ds.with} SELECT count(*) AS n, ${maxSql} AS m FROM d WHERE ${minScore}`))[0] ?? {};
  const hits = await fetchHits(ds, minScore, {
    from,
    size,
    sort: sort.keys,
    explicitSort: sort.explicit,
    searchAfter: body.search_after as unknown[] | undefined,
    ...hitOptions,
    trackScores: body.track_scores === true,
  });
  const firstScore = hits[0]?._score as number | null | undefined;
  const maxScore =
    !scoreNeeded || hits.length === 0 ? null : from > 0 ? Number(totals.m) : (firstScore ?? null);
  const out: Obj = {
    took: Date.now() - started,
    timed_out: false,
    _shards: { total: indices.length, successful: indices.length, skipped: 0, failed: 0 },
    hits: hitsSection(Number(totals.n ?? 0), maxScore, hits, body.track_total_hits),
  };
  if (aggs.length > 0) out.aggregations = await runAggs(aggs, ds, minScore);
  return out;
}

/** The response's `hits`: the total as track_total_hits asks (default: exact up to 10,000), max score, hits. */
function hitsSection(total: number, maxScore: number | null, hits: Obj[], trackTotalHits: unknown): Obj {
  const out: Obj = {};
  const track = trackTotalHits ?? resultWindowMax;
  if (track !== false) {
    const cap = track === true ? Number.POSITIVE_INFINITY : Number(track);
    out.total = total > cap ? { value: cap, relation: "gte" } : { value: total, relation: "eq" };
  }
  out.max_score = maxScore;
  out.hits = hits;
  return out;
}

function applyUrlParams(body: Obj, q: URLSearchParams): void {
  if (q.has("q"))
    body.query = {
      query_string: {
        query: q.get("q"),
        ...(q.has("df") ? { default_field: q.get("df") } : {}),
        ...(q.has("default_operator") ? { default_operator: q.get("default_operator") } : {}),
      },
    };
  if (q.has("from")) body.from = Number(q.get("from"));
  if (q.has("size")) body.size = Number(q.get("size"));
  if (q.has("sort")) body.sort = q.get("sort");
  if (q.has("track_total_hits")) {
    const v = q.get("track_total_hits") as string;
    body.track_total_hits = v === "true" ? true : v === "false" ? false : Number(v);
  }
  if (q.has("_source"))
    body._source =
      q.get("_source") === "false"
        ? false
        : q.get("_source") === "true"
          ? true
          : (q.get("_source") as string).split(",");
  if (q.has("_source_includes") || q.has("_source_excludes"))
    body._source = {
      includes: q.get("_source_includes")?.split(",") ?? [],
      excludes: q.get("_source_excludes")?.split(",") ?? [],
    };
}

export async function count(store: Store, params: SearchParams): Promise<Obj> {
  const body = params.body;
  for (const key of Object.keys(body))
    if (key !== "query") throw badRequest(`request does not support [${key}]`, "parsing_exception");
  const query = params.query.has("q") ? { query_string: { query: params.query.get("q") } } : body.query;
  const indices = resolveIndices(store, params.index, params.query.get("ignore_unavailable") === "true");
  const ds = await buildDataset(store, indices, query, { fields: new Set(), filters: new Map() }, Date.now());
  const row = (await store.query(`${ds.with} SELECT count(*) AS n FROM d`))[0] ?? {};
  return {
    count: Number(row.n ?? 0),
    _shards: { total: indices.length, successful: indices.length, skipped: 0, failed: 0 },
  };
}
