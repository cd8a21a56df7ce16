// Aggregations over a search dataset: bucket aggregations (terms, histogram, date_histogram, range,
// date_range, filters, filter, missing) with nesting, and metrics (avg, sum, min, max, value_count,
// cardinality, stats, top_hits). Each bucket's sub-aggregations run with the bucket's condition added.

import { lit } from "../store/connection.js";
import { formatDate, nextCalendarBucket, parseDateValue, resolveDateMath } from "../store/dates.js";
import { anyVirtual, type Dataset, type Needs, textFieldDataError, type VirtualField } from "./dataset.js";
import { badRequest, EsError, parsingError } from "./errors.js";
import { fetchHits, parseSort, sortFields } from "./hits.js";
import { parseSourceFilter } from "./source-filter.js";

type Obj = Record<string, unknown>;

interface AggDef {
  name: string;
  type: string;
  body: Obj;
  subs: AggDef[];
}

const bucketTypes = new Set([
  "terms",
  "histogram",
  "date_histogram",
  "range",
  "date_range",
  "filters",
  "filter",
  "missing",
]);
const metricTypes = new Set(["avg", "sum", "min", "max", "value_count", "cardinality", "stats", "top_hits"]);

export function parseAggs(spec: unknown): AggDef[] {
  if (spec === undefined || spec === null) return [];
  if (typeof spec !== "object") throw parsingError("Expected [START_OBJECT] under [aggregations]");
  return Object.entries(spec as Obj).map(([name, raw]) => {
    const def = (raw ?? {}) as Obj;
    const keys = Object.keys(def).filter((k) => k !== "aggs" && k !== "aggregations" && k !== "meta");
    if (keys.length !== 1)
      throw parsingError(`Expected one aggregation type for [${name}], found [${keys.join(", ")}]`);
    const type = keys[0] as string;
    if (!bucketTypes.has(type) && !metricTypes.has(type))
      throw new EsError(
        400,
        "parsing_exception",
        `Unknown aggregation type [${type}] did you mean any of ${JSON.stringify([...bucketTypes, ...metricTypes])}?`,
      );
    const subs = parseAggs(def.aggs ?? def.aggregations);
    if (metricTypes.has(type) && subs.length > 0)
      throw new EsError(
        400,
        "aggregation_initialization_exception",
        `Aggregator [${name}] of type [${type}] cannot accept sub-aggregations`,
      );
    return { name, type, body: (def[type] ?? {}) as Obj, subs };
  });
}

/** Fields and filter queries the aggregations read, so the dataset projects them. */
export function collectNeeds(defs: AggDef[], needs: Needs): void {
  for (const def of defs) {
    if (typeof def.body.field === "string") needs.fields.add(def.body.field);
    if (def.type === "filter") needs.filters.set(JSON.stringify(def.body), def.body);
    if (def.type === "filters") {
      const filters = def.body.filters as Obj | unknown[] | undefined;
      for (const q of Object.values(filters ?? {})) needs.filters.set(JSON.stringify(q), q);
    }
    if (def.type === "top_hits")
      for (const f of sortFields(parseSort(def.body.sort).keys)) needs.fields.add(f);
    collectNeeds(def.subs, needs);
  }
}

export async function runAggs(defs: AggDef[], ds: Dataset, cond: string): Promise<Obj> {
  const out: Obj = {};
  for (const def of defs) out[def.name] = await runAgg(def, ds, cond);
  return out;
}

function fieldOf(ds: Dataset, def: AggDef, allowText = false): VirtualField | null {
  const name = def.body.field;
  if (typeof name !== "string") {
    if (def.body.script) throw badRequest("scripts are not supported by the sluice store");
    throw badRequest(`Required one of fields [field, script], but none were specified.`);
  }
  const vf = ds.fields.get(name) as VirtualField;
  if (vf.type === null) return null;
  if (vf.type === "text" && !allowText) throw textFieldDataError(name);
  return vf;
}

/** Rows of (doc, value) for a field, one per value (lists unnested). */
function valuesSql(vf: VirtualField, cond: string, distinctPerDoc = false): string {
  const v = vf.list ? `unnest(${distinctPerDoc ? `list_distinct(${vf.col})` : vf.col})` : vf.col;
  return `(SELECT _index, _seq, ${v} AS x FROM d WHERE ${cond} AND ${vf.col} IS NOT NULL)`;
}

async function one(ds: Dataset, sql: string): Promise<Obj> {
  return (await ds.store.query(`${ds.with} ${sql}`))[0] ?? {};
}

async function withSubs(def: AggDef, ds: Dataset, cond: string, bucket: Obj, count: number): Promise<Obj> {
  bucket.doc_count = count;
  if (def.subs.length > 0) Object.assign(bucket, await runAggs(def.subs, ds, cond));
  return bucket;
}

async function runAgg(def: AggDef, ds: Dataset, cond: string): Promise<Obj> {
  switch (def.type) {
    case "terms":
      return termsAgg(def, ds, cond);
    case "histogram":
    case "date_histogram":
      return histogramAgg(def, ds, cond);
    case "range":
    case "date_range":
      return rangeAgg(def, ds, cond);
    case "filters":
      return filtersAgg(def, ds, cond);
    case "filter": {
      const col = ds.filters.get(JSON.stringify(def.body)) as string;
      const c = `${cond} AND ${col}`;
      return withSubs(def, ds, c, {}, Number((await one(ds, `SELECT count(*) AS n FROM d WHERE ${c}`)).n));
    }
    case "missing": {
      const vf = fieldOf(ds, def, true);
      const c = vf ? `${cond} AND (${vf.col} IS NULL${vf.list ? ` OR len(${vf.col}) = 0` : ""})` : cond;
      return withSubs(def, ds, c, {}, Number((await one(ds, `SELECT count(*) AS n FROM d WHERE ${c}`)).n));
    }
    case "top_hits":
      return topHits(def, ds, cond);
    default:
      return metricAgg(def, ds, cond);
  }
}

function keyOut(vf: VirtualField, key: unknown): Obj {
  if (vf.type === "date") return { key: Number(key), key_as_string: formatDate(Number(key)) };
  if (vf.type === "boolean") return { key: key ? 1 : 0, key_as_string: key ? "true" : "false" };
  return { key };
}

async function termsAgg(def: AggDef, ds: Dataset, cond: string): Promise<Obj> {
  for (const k of ["include", "exclude", "script"])
    if (def.body[k] !== undefined)
      throw badRequest(`terms aggregation option [${k}] is not supported by the sluice store`);
  const vf = fieldOf(ds, def);
  const empty = { doc_count_error_upper_bound: 0, sum_other_doc_count: 0, buckets: [] as Obj[] };
  if (!vf) return empty;
  const size = Number(def.body.size ?? 10);
  const minCount = Number(def.body.min_doc_count ?? 1);
  const order = termsOrder(def.body.order);
  const rows = await ds.store.query(
    `${ds.with} SELECT x AS k, count(*) AS c, sum(count(*)) OVER () AS total FROM ${valuesSql(vf, cond, true)} GROUP BY x HAVING count(*) >= ${minCount} ORDER BY ${order} LIMIT ${size}`,
  );
  const total = Number(rows[0]?.total ?? 0);
  let shown = 0;
  const buckets: Obj[] = [];
  for (const row of rows) {
    const count = Number(row.c);
    shown += count;
    const keySql = typeof row.k === "string" ? lit(row.k) : String(row.k);
    buckets.push(
      await withSubs(
        def,
        ds,
        `${cond} AND ${anyVirtual(vf, (x) => `${x} = ${keySql}`)}`,
        keyOut(vf, row.k),
        count,
      ),
    );
  }
  return { doc_count_error_upper_bound: 0, sum_other_doc_count: total - shown, buckets };
}

function termsOrder(spec: unknown): string {
  const parts: string[] = [];
  for (const item of [spec ?? { _count: "desc" }].flat() as Obj[]) {
    for (const [key, dir] of Object.entries(item)) {
      const d = String(dir).toLowerCase() === "asc" ? "ASC" : "DESC";
      if (key === "_count") parts.push(`c ${d}`);
      else if (key === "_key" || key === "_term") parts.push(`k ${d}`);
      else throw badRequest(`ordering terms by [${key}] is not supported by the sluice store`);
    }
  }
  if (!parts.some((p) => p.startsWith("k "))) parts.push("k ASC");
  return parts.join(", ");
}

const calendarUnits: Record<string, string> = {
  minute: "m",
  "1m": "m",
  hour: "h",
  "1h": "h",
  day: "d",
  "1d": "d",
  week: "w",
  "1w": "w",
  month: "M",
  "1M": "M",
  quarter: "q",
  "1q": "q",
  year: "y",
  "1y": "y",
};
const sqlUnits: Record<string, string> = {
  m: "minute",
  h: "hour",
  d: "day",
  w: "week",
  M: "month",
  q: "quarter",
  y: "year",
};
const fixedMs: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

interface Interval {
  calendar?: string;
  fixed?: number;
}

function parseInterval(def: AggDef): Interval {
  const b = def.body;
  if (def.type === "histogram") {
    const n = Number(b.interval);
    if (!(n > 0)) throw badRequest("[interval] must be >0 for histogram aggregation [" + def.name + "]");
    return { fixed: n };
  }
  if (b.time_zone !== undefined && !["UTC", "Z", "+00:00", "GMT", "Etc/UTC"].includes(String(b.time_zone)))
    throw badRequest(
      `date_histogram time_zone [${String(b.time_zone)}] is not supported by the sluice store (UTC only)`,
    );
  const cal =
    b.calendar_interval ??
    (b.interval !== undefined && calendarUnits[String(b.interval)] ? b.interval : undefined);
  if (cal !== undefined) {
    const unit = calendarUnits[String(cal)];
    if (!unit)
      throw badRequest(`The supplied interval [${String(cal)}] could not be parsed as a calendar interval.`);
    return { calendar: unit };
  }
  const fixed = String(b.fixed_interval ?? b.interval ?? "");
  const m = /^(\d+)(ms|s|m|h|d)$/.exec(fixed);
  if (!m)
    throw badRequest(
      fixed
        ? `failed to parse setting [date_histogram.fixedInterval] with value [${fixed}] as a time value`
        : "Invalid interval specified, must be non-null and non-empty",
    );
  return { fixed: Number(m[1]) * (fixedMs[m[2] as string] as number) };
}

async function histogramAgg(def: AggDef, ds: Dataset, cond: string): Promise<Obj> {
  const interval = parseInterval(def);
  const vf = fieldOf(ds, def);
  const isDate = def.type === "date_histogram";
  const offset = isDate ? 0 : Number(def.body.offset ?? 0);
  const minCount = Number(def.body.min_doc_count ?? 0);
  const keyed = def.body.keyed === true;
  if (!vf) return { buckets: keyed ? {} : [] };
  const keyExpr = (x: string) =>
    interval.calendar && !["m", "h", "d"].includes(interval.calendar)
      ? `epoch_ms(date_trunc('${sqlUnits[interval.calendar]}', make_timestamp(${x}::BIGINT * 1000)))`
      : `(floor((${x} - ${offset}) / ${interval.fixed ?? fixedMs[interval.calendar as string]}) * ${interval.fixed ?? fixedMs[interval.calendar as string]} + ${offset})`;
  const rows = await ds.store.query(
    `${ds.with} SELECT k, count(DISTINCT (_index, _seq)) AS c FROM (SELECT _index, _seq, ${keyExpr("x")} AS k FROM ${valuesSql(vf, cond)}) GROUP BY k ORDER BY k`,
  );
  const counts = new Map(rows.map((r) => [Number(r.k), Number(r.c)]));
  const keys = rows.map((r) => Number(r.k));
  const bounds = def.body.extended_bounds as Obj | undefined;
  if (bounds && minCount === 0) {
    const toKey = (v: unknown) => {
      const n = isDate
        ? typeof v === "string"
          ? resolveDateMath(v, ds.nowMs)
          : parseDateValue(v)
        : Number(v);
      return n === null ? null : Number(n);
    };
    for (const v of [bounds.min, bounds.max]) {
      const n = v === undefined ? null : toKey(v);
      if (n !== null) keys.push(floorKey(n, interval, offset));
    }
    keys.sort((a, b) => a - b);
  }
  const step = (k: number) =>
    interval.calendar && !["m", "h", "d"].includes(interval.calendar)
      ? nextCalendarBucket(k, interval.calendar)
      : k + (interval.fixed ?? (fixedMs[interval.calendar as string] as number));
  const all: number[] = [];
  if (minCount === 0 && keys.length > 0) {
    const last = keys[keys.length - 1] as number;
    for (let k = keys[0] as number; k <= last; k = step(k)) all.push(k);
  } else all.push(...keys.filter((k) => (counts.get(k) ?? 0) >= minCount));
  const buckets: Obj[] = [];
  for (const k of all) {
    const c = `${cond} AND ${anyVirtual(vf, (x) => `${x} >= ${k} AND ${x} < ${step(k)}`)}`;
    const head: Obj = isDate ? { key_as_string: formatDate(k), key: k } : { key: k };
    buckets.push(await withSubs(def, ds, c, head, counts.get(k) ?? 0));
  }
  if (!keyed) return { buckets };
  return { buckets: Object.fromEntries(buckets.map((b) => [String(b.key_as_string ?? b.key), b])) };
}

function floorKey(n: number, interval: Interval, offset: number): number {
  if (interval.fixed) return Math.floor((n - offset) / interval.fixed) * interval.fixed + offset;
  const unit = interval.calendar as string;
  const d = new Date(n);
  if (unit === "y") return Date.UTC(d.getUTCFullYear(), 0, 1);
  if (unit === "q") return Date.UTC(d.getUTCFullYear(), Math.floor(d.getUTCMonth() / 3) * 3, 1);
  if (unit === "M") return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
  if (unit === "w") {
    const day = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
    return day - ((d.getUTCDay() + 6) % 7) * 86_400_000;
  }
  const ms = fixedMs[unit] as number;
  return Math.floor(n / ms) * ms;
}

const rangeNumber = (n: number) => (Number.isInteger(n) ? n.toFixed(1) : String(n));

async function rangeAgg(def: AggDef, ds: Dataset, cond: string): Promise<Obj> {
  const vf = fieldOf(ds, def);
  const ranges = (def.body.ranges as Obj[] | undefined) ?? [];
  const keyed = def.body.keyed === true;
  const isDate = def.type === "date_range" || vf?.type === "date";
  const bound = (v: unknown, roundUp: boolean): number | null => {
    if (v === undefined || v === null) return null;
    if (isDate) {
      const n = typeof v === "string" ? resolveDateMath(v, ds.nowMs, roundUp) : parseDateValue(v);
      if (n === null) throw badRequest(`failed to parse date field [${String(v)}]`);
      return n;
    }
    return Number(v);
  };
  const buckets: Obj[] = [];
  for (const r of ranges) {
    const from = bound(r.from, false);
    const to = bound(r.to, false);
    const fmt = (n: number | null) => (n === null ? "*" : isDate ? formatDate(n) : rangeNumber(n));
    const bucket: Obj = { key: r.key ?? `${fmt(from)}-${fmt(to)}` };
    if (from !== null) bucket.from = from;
    if (isDate && from !== null) bucket.from_as_string = formatDate(from);
    if (to !== null) bucket.to = to;
    if (isDate && to !== null) bucket.to_as_string = formatDate(to);
    const pred = (x: string) =>
      [from !== null ? `${x} >= ${from}` : "true", to !== null ? `${x} < ${to}` : "true"].join(" AND ");
    const c = vf ? `${cond} AND ${anyVirtual(vf, pred)}` : "false";
    const n = Number((await one(ds, `SELECT count(*) AS n FROM d WHERE ${c}`)).n ?? 0);
    buckets.push(await withSubs(def, ds, c, bucket, n));
  }
  if (!keyed) return { buckets };
  return {
    buckets: Object.fromEntries(buckets.map((b) => [String(b.key), (({ key: _k, ...rest }) => rest)(b)])),
  };
}

async function filtersAgg(def: AggDef, ds: Dataset, cond: string): Promise<Obj> {
  const filters = def.body.filters as Obj | unknown[];
  const named = !Array.isArray(filters);
  const entries = named
    ? Object.entries(filters)
    : (filters as unknown[]).map((q, i) => [String(i), q] as const);
  const out: [string, Obj][] = [];
  const cols: string[] = [];
  for (const [key, q] of entries) {
    const col = ds.filters.get(JSON.stringify(q)) as string;
    cols.push(col);
    const c = `${cond} AND ${col}`;
    out.push([
      key,
      await withSubs(def, ds, c, {}, Number((await one(ds, `SELECT count(*) AS n FROM d WHERE ${c}`)).n)),
    ]);
  }
  if (def.body.other_bucket === true || def.body.other_bucket_key !== undefined) {
    const c = `${cond} AND NOT (${cols.join(" OR ") || "false"})`;
    const key = String(def.body.other_bucket_key ?? "_other_");
    out.push([
      key,
      await withSubs(def, ds, c, {}, Number((await one(ds, `SELECT count(*) AS n FROM d WHERE ${c}`)).n)),
    ]);
  }
  return { buckets: named ? Object.fromEntries(out) : out.map(([, b]) => b) };
}

async function metricAgg(def: AggDef, ds: Dataset, cond: string): Promise<Obj> {
  const vf = fieldOf(ds, def);
  const empty: Record<string, Obj> = {
    avg: { value: null },
    sum: { value: 0 },
    min: { value: null },
    max: { value: null },
    value_count: { value: 0 },
    cardinality: { value: 0 },
    stats: { count: 0, min: null, max: null, avg: null, sum: 0 },
  };
  if (!vf) return empty[def.type] as Obj;
  const numeric = (x: string) => (vf.type === "boolean" ? `${x}::INT` : x);
  const src = valuesSql(vf, cond);
  if (def.type === "value_count" || def.type === "cardinality") {
    const agg = def.type === "value_count" ? "count(x)" : "count(DISTINCT x)";
    return { value: Number((await one(ds, `SELECT ${agg} AS v FROM ${src}`)).v ?? 0) };
  }
  if (vf.type === "keyword")
    throw badRequest(`Field [${vf.name}] of type [keyword] is not supported for aggregation [${def.type}]`);
  const row = await one(
    ds,
    `SELECT count(x) AS count, min(${numeric("x")}) AS min, max(${numeric("x")}) AS max, avg(${numeric("x")}) AS avg, coalesce(sum(${numeric("x")}), 0) AS sum FROM ${src}`,
  );
  const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  const withString = (value: number | null): Obj =>
    vf.type === "date" && value !== null ? { value, value_as_string: formatDate(value) } : { value };
  switch (def.type) {
    case "avg":
      return withString(num(row.avg));
    case "sum":
      return { value: Number(row.sum) };
    case "min":
      return withString(num(row.min));
    case "max":
      return withString(num(row.max));
    default: {
      const stats: Obj = {
        count: Number(row.count),
        min: num(row.min),
        max: num(row.max),
        avg: num(row.avg),
        sum: Number(row.sum),
      };
      if (vf.type === "date" && row.count) {
        stats.min_as_string = formatDate(Number(row.min));
        stats.max_as_string = formatDate(Number(row.max));
      }
      return stats;
    }
  }
}

async function topHits(def: AggDef, ds: Dataset, cond: string): Promise<Obj> {
  const sort = parseSort(def.body.sort);
  const total = Number((await one(ds, `SELECT count(*) AS n, max(_score) AS m FROM d WHERE ${cond}`)).n ?? 0);
  const hits = await fetchHits(ds, cond, {
    from: Number(def.body.from ?? 0),
    size: Number(def.body.size ?? 3),
    sort: sort.keys,
    explicitSort: sort.explicit,
    source: parseSourceFilter(def.body._source),
    version: def.body.version === true,
    seqNoPrimaryTerm: false,
    trackScores: def.body.track_scores === true,
  });
  const maxScore = sort.explicit ? null : ((hits[0]?._score as number | undefined) ?? null);
  return { hits: { total: { value: total, relation: "eq" }, max_score: maxScore, hits } };
}
