// Query-conformance table: a fixed dataset, each supported query and aggregation, and the results
// Elasticsearch's documented semantics give (worked out by hand, not by running this code).

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../common/logger.js";
import { type StoreServer, startStoreServer } from "./server.js";

// biome-ignore lint/suspicious/noExplicitAny: the tests walk deep into API documents whose shape they assert
type Json = any;

const docs: Record<string, Record<string, unknown>> = {
  "1": {
    title: "The quick brown fox",
    status: "active",
    price: 10,
    rating: 1.5,
    tags: ["red", "blue"],
    created: "2024-01-01T08:00:00Z",
    ok: true,
    user: { name: "alice" },
  },
  "2": {
    title: "Quick brown dogs",
    status: "active",
    price: 20,
    rating: 2.5,
    tags: ["red"],
    created: "2024-01-01T20:00:00Z",
    ok: false,
    user: { name: "bob" },
  },
  "3": {
    title: "lazy dog sleeps",
    status: "inactive",
    price: 30,
    rating: 3.5,
    tags: ["green"],
    created: "2024-01-02T09:00:00Z",
    ok: true,
    user: { name: "carol" },
  },
  "4": {
    title: "The fox jumps over the lazy dog",
    status: "active",
    price: 40,
    rating: 4.5,
    created: "2024-01-05T00:00:00Z",
    ok: true,
  },
  "5": {
    title: "brown bread",
    status: "pending",
    price: 5,
    rating: 0.5,
    tags: ["blue"],
    created: "2024-02-01T12:00:00Z",
    ok: false,
    user: { name: "alice" },
  },
  "6": { title: "Foxes and hounds", status: "inactive", created: "2024-03-15T00:00:00Z" },
};

let server: StoreServer;
let dir: string;
let base: string;

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; json: Json }> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}

async function ids(query: unknown): Promise<string[]> {
  const r = await call("POST", "/conf/_search", { query, size: 100 });
  expect(r.status).toBe(200);
  return r.json.hits.hits.map((h: { _id: string }) => h._id).sort();
}

async function aggs(aggregations: unknown, query?: unknown): Promise<Json> {
  const r = await call("POST", "/conf/_search", { size: 0, aggs: aggregations, ...(query ? { query } : {}) });
  expect(r.status, JSON.stringify(r.json)).toBe(200);
  return r.json.aggregations;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "sluice-conformance-"));
  server = await startStoreServer({ port: 0, dataDir: dir, logger: createLogger({ level: "error" }) });
  base = `http://127.0.0.1:${server.port}`;
  const lines = Object.entries(docs).flatMap(([id, d]) => [
    JSON.stringify({ index: { _index: "conf", _id: id } }),
    JSON.stringify(d),
  ]);
  const bulk = await call("POST", "/_bulk", `${lines.join("\n")}\n`);
  expect(bulk.json.errors).toBe(false);
  await call("POST", "/other-1/_doc/x", { title: "another fox", status: "active" });
});

afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

const queryTable: [string, unknown, string[]][] = [
  ["match_all", { match_all: {} }, ["1", "2", "3", "4", "5", "6"]],
  ["match one term (no stemming: foxes is not fox)", { match: { title: "fox" } }, ["1", "4"]],
  ["match is case-insensitive through the analyzer", { match: { title: "QUICK" } }, ["1", "2"]],
  ["match OR", { match: { title: "quick dog" } }, ["1", "2", "3", "4"]],
  ["match operator and", { match: { title: { query: "brown fox", operator: "and" } } }, ["1"]],
  [
    "match minimum_should_match",
    { match: { title: { query: "quick brown dog", minimum_should_match: 2 } } },
    ["1", "2"],
  ],
  [
    "match minimum_should_match percent",
    { match: { title: { query: "quick brown dog", minimum_should_match: "60%" } } },
    ["1", "2", "3", "4", "5"],
  ],
  ["match on keyword is exact", { match: { "status.keyword": "active" } }, ["1", "2", "4"]],
  ["match_phrase", { match_phrase: { title: "lazy dog" } }, ["3", "4"]],
  ["match_phrase order matters", { match_phrase: { title: "dog lazy" } }, []],
  ["multi_match", { multi_match: { query: "alice", fields: ["title", "user.name"] } }, ["1", "5"]],
  ["term on keyword", { term: { "status.keyword": "active" } }, ["1", "2", "4"]],
  ["term on text matches a token", { term: { status: "active" } }, ["1", "2", "4"]],
  ["term on text is not analysed", { term: { title: "Quick" } }, []],
  ["term on long", { term: { price: 20 } }, ["2"]],
  ["term on boolean", { term: { ok: true } }, ["1", "3", "4"]],
  ["terms", { terms: { "tags.keyword": ["red", "green"] } }, ["1", "2", "3"]],
  ["range numbers", { range: { price: { gte: 20, lt: 40 } } }, ["2", "3"]],
  ["range double", { range: { rating: { gt: 2.5 } } }, ["3", "4"]],
  [
    "range date lte fills missing time with 23:59:59.999",
    { range: { created: { gte: "2024-01-01", lte: "2024-01-01" } } },
    ["1", "2"],
  ],
  ["range date gt rounds up too", { range: { created: { gt: "2024-01-01" } } }, ["3", "4", "5", "6"]],
  ["range date math", { range: { created: { gte: "2024-01-02||-1d/d", lt: "2024-01-02||/d" } } }, ["1", "2"]],
  ["range date math on now", { range: { created: { gte: "now-1d/d" } } }, []],
  ["exists object", { exists: { field: "user" } }, ["1", "2", "3", "5"]],
  ["exists leaf", { exists: { field: "rating" } }, ["1", "2", "3", "4", "5"]],
  ["prefix keyword", { prefix: { "user.name.keyword": "al" } }, ["1", "5"]],
  ["prefix text tokens", { prefix: { title: "fo" } }, ["1", "4", "6"]],
  ["wildcard", { wildcard: { "status.keyword": "*act*" } }, ["1", "2", "3", "4", "6"]],
  ["wildcard ?", { wildcard: { "user.name.keyword": { value: "b?b" } } }, ["2"]],
  ["ids", { ids: { values: ["1", "3", "99"] } }, ["1", "3"]],
  ["query_string AND", { query_string: { query: "title:fox AND status:active" } }, ["1", "4"]],
  ["query_string NOT via -", { query_string: { query: "brown -bread", default_field: "title" } }, ["1", "2"]],
  ["query_string range", { query_string: { query: "price:[10 TO 20]" } }, ["1", "2"]],
  ["query_string phrase", { query_string: { query: 'title:"lazy dog"' } }, ["3", "4"]],
  [
    "query_string OR across fields",
    { query_string: { query: "status:pending OR title:hounds" } },
    ["5", "6"],
  ],
  ["query_string default field *", { query_string: { query: "carol" } }, ["3"]],
  ["query_string comparison", { query_string: { query: "price:>=30" } }, ["3", "4"]],
  [
    "query_string _exists_",
    { query_string: { query: "_exists_:tags AND NOT status:inactive" } },
    ["1", "2", "5"],
  ],
  ["query_string * matches everything", { query_string: { query: "*" } }, ["1", "2", "3", "4", "5", "6"]],
  ["query_string *:* matches everything", { query_string: { query: "*:*" } }, ["1", "2", "3", "4", "5", "6"]],
  [
    "bool must/filter/must_not",
    {
      bool: {
        must: [{ match: { title: "brown" } }],
        filter: [{ range: { price: { lte: 10 } } }],
        must_not: [{ term: { "status.keyword": "inactive" } }],
      },
    },
    ["1", "5"],
  ],
  [
    "bool should alone needs one",
    { bool: { should: [{ term: { "status.keyword": "pending" } }, { term: { "tags.keyword": "green" } }] } },
    ["3", "5"],
  ],
  [
    "bool should is optional beside must",
    {
      bool: { must: { term: { "status.keyword": "active" } }, should: { term: { "tags.keyword": "green" } } },
    },
    ["1", "2", "4"],
  ],
  [
    "bool minimum_should_match 2",
    {
      bool: {
        should: [
          { term: { "status.keyword": "active" } },
          { term: { "tags.keyword": "red" } },
          { range: { price: { gte: 20 } } },
        ],
        minimum_should_match: 2,
      },
    },
    ["1", "2", "4"],
  ],
  ["constant_score", { constant_score: { filter: { term: { "status.keyword": "pending" } } } }, ["5"]],
  ["unmapped field matches nothing", { term: { nothere: "x" } }, []],
];

describe("queries", () => {
  for (const [name, query, expected] of queryTable) {
    it(name, async () => {
      expect(await ids(query)).toEqual(expected);
    });
  }

  it("scores match with BM25 (k1=1.2, b=0.75)", async () => {
    const r = await call("POST", "/conf/_search", { query: { match: { title: "lazy" } } });
    // N=6 titles, avgdl=22/6, df=2: idf=ln(2.8); doc 3 has 3 tokens, doc 4 has 7.
    const idf = Math.log(1 + (6 - 2 + 0.5) / 2.5);
    const score = (dl: number) => idf / (1 + 1.2 * (1 - 0.75 + (0.75 * dl) / (22 / 6)));
    expect(r.json.hits.hits.map((h: Json) => h._id)).toEqual(["3", "4"]);
    expect(r.json.hits.hits[0]._score).toBeCloseTo(score(3), 6);
    expect(r.json.hits.hits[1]._score).toBeCloseTo(score(7), 6);
    expect(r.json.hits.max_score).toBeCloseTo(score(3), 6);
  });

  it("filter-only bool scores 0, match_all scores 1", async () => {
    const a = await call("POST", "/conf/_search", {
      query: { bool: { filter: { term: { "status.keyword": "pending" } } } },
    });
    expect(a.json.hits.hits[0]._score).toBe(0);
    const b = await call("POST", "/conf/_search", { query: { match_all: {} }, size: 1 });
    expect(b.json.hits.hits[0]._score).toBe(1);
  });
});

describe("paging, sorting, source", () => {
  it("sorts by a field descending with sort values", async () => {
    const r = await call("POST", "/conf/_search", { sort: [{ price: "desc" }], size: 3 });
    expect(r.json.hits.hits.map((h: Json) => h._id)).toEqual(["4", "3", "2"]);
    expect(r.json.hits.hits.map((h: Json) => h.sort)).toEqual([[40], [30], [20]]);
    expect(r.json.hits.hits[0]._score).toBeNull();
    expect(r.json.hits.max_score).toBeNull();
  });

  it("puts missing values last in both directions", async () => {
    const asc = await call("POST", "/conf/_search", { sort: [{ rating: { order: "asc" } }] });
    expect(asc.json.hits.hits.map((h: Json) => h._id)).toEqual(["5", "1", "2", "3", "4", "6"]);
    const desc = await call("POST", "/conf/_search", { sort: [{ rating: "desc" }] });
    expect(desc.json.hits.hits.map((h: Json) => h._id)).toEqual(["4", "3", "2", "1", "5", "6"]);
  });

  it("sorts by keyword then _doc and pages with from/size", async () => {
    const r = await call("POST", "/conf/_search", {
      sort: ["status.keyword", { price: "asc" }],
      from: 1,
      size: 2,
    });
    expect(r.json.hits.hits.map((h: Json) => h._id)).toEqual(["2", "4"]);
  });

  it("pages with search_after through missing values", async () => {
    const page1 = await call("POST", "/conf/_search", { sort: [{ price: "asc" }], size: 4 });
    expect(page1.json.hits.hits.map((h: Json) => h._id)).toEqual(["5", "1", "2", "3"]);
    const last = page1.json.hits.hits[3].sort;
    const page2 = await call("POST", "/conf/_search", {
      sort: [{ price: "asc" }],
      size: 4,
      search_after: last,
    });
    expect(page2.json.hits.hits.map((h: Json) => h._id)).toEqual(["4", "6"]);
    const missing = page2.json.hits.hits[1].sort;
    const page3 = await call("POST", "/conf/_search", { sort: [{ price: "asc" }], search_after: missing });
    expect(page3.json.hits.hits).toEqual([]);
  });

  it("pages with search_after", async () => {
    const r = await call("POST", "/conf/_search", {
      sort: [{ price: "asc" }],
      search_after: [10],
      query: { exists: { field: "price" } },
    });
    expect(r.json.hits.hits.map((h: Json) => h._id)).toEqual(["2", "3", "4"]);
  });

  it("filters _source with includes, excludes and false", async () => {
    const inc = await call("POST", "/conf/_search", {
      query: { ids: { values: ["1"] } },
      _source: ["title", "user.*"],
    });
    expect(inc.json.hits.hits[0]._source).toEqual({ title: "The quick brown fox", user: { name: "alice" } });
    const exc = await call("POST", "/conf/_search", {
      query: { ids: { values: ["1"] } },
      _source: { excludes: ["tags", "user", "created", "ok"] },
    });
    expect(exc.json.hits.hits[0]._source).toEqual({
      title: "The quick brown fox",
      status: "active",
      price: 10,
      rating: 1.5,
    });
    const none = await call("POST", "/conf/_search", { query: { ids: { values: ["1"] } }, _source: false });
    expect(none.json.hits.hits[0]._source).toBeUndefined();
  });

  it("tracks total hits as asked", async () => {
    const off = await call("POST", "/conf/_search", { track_total_hits: false });
    expect(off.json.hits.total).toBeUndefined();
    const capped = await call("POST", "/conf/_search", { track_total_hits: 2 });
    expect(capped.json.hits.total).toEqual({ value: 2, relation: "gte" });
    const exact = await call("POST", "/conf/_search", { track_total_hits: true });
    expect(exact.json.hits.total).toEqual({ value: 6, relation: "eq" });
  });

  it("searches index patterns and comma lists", async () => {
    const r = await call("POST", "/conf,other-*/_search", { query: { match: { title: "fox" } } });
    expect(r.json.hits.total.value).toBe(3);
    const all = await call("GET", "/_count");
    expect(all.json.count).toBe(7);
  });

  it("counts with a query", async () => {
    const r = await call("POST", "/conf/_count", { query: { match: { title: "fox" } } });
    expect(r.json.count).toBe(2);
  });
});

describe("aggregations", () => {
  it("terms on keyword: count desc then key asc, sum_other_doc_count", async () => {
    const a = await aggs({
      s: { terms: { field: "status.keyword" } },
      t: { terms: { field: "tags.keyword", size: 1 } },
    });
    expect(a.s.buckets).toEqual([
      { key: "active", doc_count: 3 },
      { key: "inactive", doc_count: 2 },
      { key: "pending", doc_count: 1 },
    ]);
    expect(a.t.buckets).toEqual([{ key: "blue", doc_count: 2 }]);
    expect(a.t.sum_other_doc_count).toBe(3);
  });

  it("terms ordered by key and on booleans", async () => {
    const a = await aggs({
      s: { terms: { field: "status.keyword", order: { _key: "desc" } } },
      b: { terms: { field: "ok" } },
    });
    expect(a.s.buckets.map((b: Json) => b.key)).toEqual(["pending", "inactive", "active"]);
    expect(a.b.buckets).toEqual([
      { key: 1, key_as_string: "true", doc_count: 3 },
      { key: 0, key_as_string: "false", doc_count: 2 },
    ]);
  });

  it("date_histogram calendar month", async () => {
    const a = await aggs({ m: { date_histogram: { field: "created", calendar_interval: "month" } } });
    expect(a.m.buckets).toEqual([
      { key_as_string: "2024-01-01T00:00:00.000Z", key: Date.UTC(2024, 0, 1), doc_count: 4 },
      { key_as_string: "2024-02-01T00:00:00.000Z", key: Date.UTC(2024, 1, 1), doc_count: 1 },
      { key_as_string: "2024-03-01T00:00:00.000Z", key: Date.UTC(2024, 2, 1), doc_count: 1 },
    ]);
  });

  it("date_histogram fixed interval fills empty buckets (min_doc_count 0)", async () => {
    const a = await aggs(
      { d: { date_histogram: { field: "created", fixed_interval: "1d" } } },
      { range: { created: { lt: "2024-01-06" } } },
    );
    expect(a.d.buckets.map((b: Json) => [b.key_as_string.slice(0, 10), b.doc_count])).toEqual([
      ["2024-01-01", 2],
      ["2024-01-02", 1],
      ["2024-01-03", 0],
      ["2024-01-04", 0],
      ["2024-01-05", 1],
    ]);
  });

  it("histogram", async () => {
    const a = await aggs({ h: { histogram: { field: "price", interval: 20 } } });
    expect(a.h.buckets).toEqual([
      { key: 0, doc_count: 2 },
      { key: 20, doc_count: 2 },
      { key: 40, doc_count: 1 },
    ]);
  });

  it("range", async () => {
    const a = await aggs({
      r: { range: { field: "price", ranges: [{ to: 10 }, { from: 10, to: 30 }, { from: 30, key: "high" }] } },
    });
    expect(a.r.buckets).toEqual([
      { key: "*-10.0", to: 10, doc_count: 1 },
      { key: "10.0-30.0", from: 10, to: 30, doc_count: 2 },
      { key: "high", from: 30, doc_count: 2 },
    ]);
  });

  it("filters named and anonymous", async () => {
    const a = await aggs({
      f: {
        filters: {
          filters: {
            act: { term: { "status.keyword": "active" } },
            pricey: { range: { price: { gte: 30 } } },
          },
        },
      },
      g: { filters: { filters: [{ match: { title: "fox" } }] } },
    });
    expect(a.f.buckets).toEqual({ act: { doc_count: 3 }, pricey: { doc_count: 2 } });
    expect(a.g.buckets).toEqual([{ doc_count: 2 }]);
  });

  it("metrics", async () => {
    const a = await aggs({
      avg: { avg: { field: "price" } },
      sum: { sum: { field: "price" } },
      min: { min: { field: "price" } },
      max: { max: { field: "price" } },
      vc: { value_count: { field: "price" } },
      card: { cardinality: { field: "status.keyword" } },
      st: { stats: { field: "rating" } },
      none: { avg: { field: "nothere" } },
    });
    expect(a.avg.value).toBe(21);
    expect(a.sum.value).toBe(105);
    expect(a.min.value).toBe(5);
    expect(a.max.value).toBe(40);
    expect(a.vc.value).toBe(5);
    expect(a.card.value).toBe(3);
    expect(a.st).toEqual({ count: 5, min: 0.5, max: 4.5, avg: 2.5, sum: 12.5 });
    expect(a.none.value).toBeNull();
  });

  it("nested sub-aggregations and top_hits", async () => {
    const a = await aggs({
      s: {
        terms: { field: "status.keyword" },
        aggs: {
          p: { avg: { field: "price" } },
          top: { top_hits: { size: 1, sort: [{ price: "desc" }], _source: ["title"] } },
        },
      },
    });
    const byKey = Object.fromEntries(a.s.buckets.map((b: Json) => [b.key, b]));
    expect(byKey.active.p.value).toBeCloseTo(70 / 3, 9);
    expect(byKey.inactive.p.value).toBe(30);
    expect(byKey.pending.p.value).toBe(5);
    expect(byKey.active.top.hits.hits[0]._id).toBe("4");
    expect(byKey.active.top.hits.hits[0]._source).toEqual({ title: "The fox jumps over the lazy dog" });
    expect(byKey.active.top.hits.total.value).toBe(3);
  });
});

describe("errors are shaped like Elasticsearch's", () => {
  it("refuses terms aggregation on a text field", async () => {
    const r = await call("POST", "/conf/_search", { aggs: { t: { terms: { field: "title" } } } });
    expect(r.status).toBe(400);
    expect(r.json.error.type).toBe("illegal_argument_exception");
    expect(r.json.error.root_cause[0].type).toBe("illegal_argument_exception");
    expect(r.json.status).toBe(400);
  });

  it("refuses an unknown query", async () => {
    const r = await call("POST", "/conf/_search", { query: { fuzzy_thing: {} } });
    expect(r.status).toBe(400);
    expect(r.json.error.type).toBe("parsing_exception");
  });

  it("reports a missing index", async () => {
    const r = await call("POST", "/nope/_search", {});
    expect(r.status).toBe(404);
    expect(r.json.error.type).toBe("index_not_found_exception");
  });

  it("refuses an unknown endpoint", async () => {
    const r = await call("GET", "/_nothing/here/at/all");
    expect(r.status).toBe(400);
    expect(r.json.error.reason).toContain("no handler found");
  });
});
