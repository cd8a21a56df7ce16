import { mkdtempSync, rmSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../common/logger.js";
import { filterPath } from "./http.js";
import { parseQueryString } from "./query-string.js";
import { type StoreServer, startStoreServer } from "./server.js";

// biome-ignore lint/suspicious/noExplicitAny: the tests walk deep into API documents whose shape they assert
type Json = any;

let server: StoreServer;
let dir: string;
let base: string;

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { "content-type": "application/json", ...headers },
    body:
      body === undefined
        ? undefined
        : typeof body === "string" || body instanceof Uint8Array
          ? body
          : JSON.stringify(body),
  });
  const text = await res.text();
  let json: Json = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = null;
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** GET with a JSON body, as the Elasticsearch clients send searches (fetch cannot). */
function getWithBody(path: string, body: unknown): Promise<Json> {
  return new Promise((resolve, reject) => {
    const payload = JSON.stringify(body);
    const headers = {
      "content-type": "application/json",
      "content-length": String(Buffer.byteLength(payload)),
    };
    const req = request(`${base}${path}`, { method: "GET", headers }, (res) => {
      let text = "";
      res.on("data", (d) => {
        text += d;
      });
      res.on("end", () => resolve(JSON.parse(text)));
    });
    req.on("error", reject);
    req.end(payload);
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "sluice-es-api-"));
  server = await startStoreServer({ port: 0, dataDir: dir, logger: createLogger({ level: "error" }) });
  base = `http://127.0.0.1:${server.port}`;
});

afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("product and cluster endpoints", () => {
  it("answers GET / like Elasticsearch 8 with the product header", async () => {
    const r = await call("GET", "/");
    expect(r.headers.get("x-elastic-product")).toBe("Elasticsearch");
    expect(r.json.version.number).toMatch(/^8\.\d+\.\d+$/);
    expect(r.json.version.build_flavor).toBe("default");
    expect(r.json.tagline).toBe("You Know, for Search");
    const head = await fetch(`${base}/`, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.headers.get("x-elastic-product")).toBe("Elasticsearch");
  });

  it("answers with the compatibility media type the client asked for", async () => {
    const r = await call("GET", "/", undefined, {
      accept: "application/vnd.elasticsearch+json; compatible-with=8",
    });
    expect(r.headers.get("content-type")).toBe("application/vnd.elasticsearch+json;compatible-with=8");
  });

  it("answers license, xpack, health and cat health", async () => {
    expect((await call("GET", "/_license")).json.license.status).toBe("active");
    expect((await call("GET", "/_xpack")).json.features.ilm.available).toBe(true);
    expect((await call("GET", "/_cluster/health")).json.status).toBe("green");
    const cat = await call("GET", "/_cat/health?v");
    expect(cat.text.split("\n")[0]).toMatch(/^epoch\s+timestamp\s+cluster\s+status/);
    expect((await call("GET", "/_cat/health?format=json")).json[0].status).toBe("green");
  });

  it("stores and answers index templates, legacy templates and ILM policies", async () => {
    expect(
      (
        await call("PUT", "/_index_template/t1", {
          index_patterns: ["tpl-*"],
          template: { settings: { number_of_shards: 1 } },
        })
      ).json,
    ).toEqual({ acknowledged: true });
    expect((await call("GET", "/_index_template/t1")).json.index_templates[0].name).toBe("t1");
    expect((await fetch(`${base}/_index_template/t1`, { method: "HEAD" })).status).toBe(200);
    expect((await fetch(`${base}/_index_template/none`, { method: "HEAD" })).status).toBe(404);
    expect((await call("PUT", "/_template/legacy", { index_patterns: ["x-*"], order: 0 })).status).toBe(200);
    expect((await call("GET", "/_template/legacy")).json.legacy.order).toBe(0);
    expect((await call("PUT", "/_ilm/policy/p1", { policy: { phases: {} } })).status).toBe(200);
    expect((await call("GET", "/_ilm/policy/p1")).json.p1.policy).toEqual({ phases: {} });
    expect((await call("DELETE", "/_index_template/t1")).json).toEqual({ acknowledged: true });
    expect((await call("GET", "/_index_template/t1")).status).toBe(404);
  });
});

describe("indices and documents", () => {
  it("creates, checks, maps and deletes an index", async () => {
    expect(
      (await call("PUT", "/idx1", { mappings: { properties: { k: { type: "keyword" } } } })).json,
    ).toEqual({ acknowledged: true, shards_acknowledged: true, index: "idx1" });
    expect((await call("PUT", "/idx1")).json.error.type).toBe("resource_already_exists_exception");
    expect((await fetch(`${base}/idx1`, { method: "HEAD" })).status).toBe(200);
    expect((await fetch(`${base}/nope`, { method: "HEAD" })).status).toBe(404);
    expect((await call("PUT", "/idx1/_mapping", { properties: { n: { type: "integer" } } })).status).toBe(
      200,
    );
    expect((await call("GET", "/idx1/_mapping")).json.idx1.mappings.properties).toEqual({
      k: { type: "keyword" },
      n: { type: "integer" },
    });
    const caps = await call("GET", "/idx1/_field_caps?fields=*");
    expect(caps.json.fields.k.keyword.aggregatable).toBe(true);
    expect((await call("DELETE", "/idx1")).json).toEqual({ acknowledged: true });
    expect((await call("GET", "/idx1")).status).toBe(404);
  });

  it("does document CRUD over _doc, _create and _update", async () => {
    const auto = await call("POST", "/docs/_doc", { a: 1 });
    expect(auto.status).toBe(201);
    expect(auto.json._id).toMatch(/^[\w-]{20}$/);
    expect((await call("PUT", "/docs/_doc/1", { a: 1 })).json.result).toBe("created");
    expect((await call("PUT", "/docs/_doc/1", { a: 2 })).json._version).toBe(2);
    const conflict = await call("PUT", "/docs/_create/1", { a: 3 });
    expect(conflict.status).toBe(409);
    expect(conflict.json.error.type).toBe("version_conflict_engine_exception");
    expect((await call("POST", "/docs/_update/1", { doc: { b: 1 } })).json.result).toBe("updated");
    const got = await call("GET", "/docs/_doc/1");
    expect(got.json).toMatchObject({
      _index: "docs",
      _id: "1",
      _version: 3,
      found: true,
      _source: { a: 2, b: 1 },
    });
    expect((await call("GET", "/docs/_source/1")).json).toEqual({ a: 2, b: 1 });
    expect((await call("DELETE", "/docs/_doc/1")).json.result).toBe("deleted");
    const missing = await call("GET", "/docs/_doc/1");
    expect(missing.status).toBe(404);
    expect(missing.json.found).toBe(false);
  });
});

describe("bulk", () => {
  it("accepts gzip NDJSON and reports per-item results, filtered by filter_path", async () => {
    const ndjson = `${[
      { index: { _index: "bulk1", _id: "1" } },
      { n: 1 },
      { create: { _index: "bulk1", _id: "1" } },
      { n: 2 },
      { update: { _index: "bulk1", _id: "2" } },
      { doc: { n: 3 }, doc_as_upsert: true },
      { delete: { _index: "bulk1", _id: "3" } },
    ]
      .map((l) => JSON.stringify(l))
      .join("\n")}\n`;
    const r = await call("POST", "/_bulk", gzipSync(ndjson), {
      "content-type": "application/x-ndjson",
      "content-encoding": "gzip",
    });
    expect(r.json.errors).toBe(true);
    expect(r.json.items.map((i: Json) => Object.keys(i)[0])).toEqual(["index", "create", "update", "delete"]);
    expect(r.json.items.map((i: Json) => (Object.values(i)[0] as Json).status)).toEqual([201, 409, 201, 404]);
    const filtered = await call(
      "POST",
      "/bulk1/_bulk?filter_path=items.*.error",
      `{"create":{"_id":"1"}}\n{"n":1}\n{"index":{"_id":"9"}}\n{"n":9}\n`,
    );
    expect(filtered.json).toEqual({
      items: [
        {
          create: {
            error: expect.objectContaining({
              type: "version_conflict_engine_exception",
              index: "bulk1",
              shard: "0",
            }),
          },
        },
      ],
    });
  });

  it("refuses a malformed action line as a whole", async () => {
    const r = await call("POST", "/_bulk", `{"bogus":{}}\n{}\n`);
    expect(r.status).toBe(400);
    expect(r.json.error.type).toBe("illegal_argument_exception");
  });

  it("reports an unparsable source as that item's error", async () => {
    const r = await call("POST", "/bulk2/_bulk", `{"index":{}}\n{not json\n{"index":{}}\n{"ok":1}\n`);
    expect(r.json.items.map((i: Json) => i.index.status)).toEqual([400, 201]);
  });
});

describe("search endpoints", () => {
  beforeAll(async () => {
    await call(
      "POST",
      "/s1/_bulk?refresh=true",
      `{"index":{"_id":"1"}}\n{"msg":"alpha beta","n":1}\n{"index":{"_id":"2"}}\n{"msg":"beta gamma","n":2}\n`,
    );
  });

  it("searches with GET and a body, POST, and the q parameter", async () => {
    const withBody = await getWithBody("/s1/_search", { query: { match: { msg: "alpha" } } });
    expect(withBody.hits.total.value).toBe(1);
    expect((await call("GET", "/s1/_search?q=msg:beta")).json.hits.total.value).toBe(2);
    expect((await call("POST", "/s1/_count?q=n:2")).json.count).toBe(1);
  });

  it("runs _msearch with per-search errors", async () => {
    const body = `{"index":"s1"}\n{"query":{"match":{"msg":"gamma"}}}\n{"index":"missing"}\n{}\n`;
    const r = await call("POST", "/_msearch", body, { "content-type": "application/x-ndjson" });
    expect(r.json.responses[0].hits.total.value).toBe(1);
    expect(r.json.responses[0].status).toBe(200);
    expect(r.json.responses[1].status).toBe(404);
  });

  it("answers _refresh and _cat/indices as text and JSON", async () => {
    expect((await call("POST", "/s1/_refresh")).json._shards.failed).toBe(0);
    const text = await call("GET", "/_cat/indices/s1?v");
    expect(text.text).toMatch(/^health\s+status\s+index/);
    expect(text.text).toMatch(/green\s+open\s+s1\s/);
    const json = await call("GET", "/_cat/indices/s1?format=json&h=index,docs.count");
    expect(json.json).toEqual([{ index: "s1", "docs.count": "2" }]);
  });

  it("refuses unsupported request parts with an ES-shaped error", async () => {
    const r = await call("POST", "/s1/_search", { query: { match_all: {} }, bogus: 1 });
    expect(r.status).toBe(400);
    expect(r.json.error.root_cause[0].type).toBe("parsing_exception");
    const bad = await call("POST", "/s1/_search", "{not json");
    expect(bad.status).toBe(400);
    expect(bad.json.error.type).toBe("x_content_parse_exception");
    const slop = await call("POST", "/s1/_search", {
      query: { match_phrase: { msg: { query: "alpha gamma", slop: 2 } } },
    });
    expect(slop.status).toBe(400);
  });
});

describe("sql endpoint", () => {
  it("answers /_sql in Elasticsearch's shape over a view per index, in json, txt, csv and tsv", async () => {
    await call(
      "POST",
      "/sqlidx/_bulk?refresh=true",
      `${[
        { index: {} },
        { host: "a", bytes: 10, msg: "Hello there" },
        { index: {} },
        { host: "b", bytes: 5, msg: "x" },
        { index: {} },
        { host: "a", bytes: 7 },
      ]
        .map((l) => JSON.stringify(l))
        .join("\n")}\n`,
      { "content-type": "application/x-ndjson" },
    );
    const sql = 'SELECT "host.keyword" AS host, sum(bytes) AS total FROM sqlidx GROUP BY 1 ORDER BY 1';
    const json = await call("POST", "/_sql", { query: sql });
    expect(json.status).toBe(200);
    expect(json.json).toEqual({
      columns: [
        { name: "host", type: "keyword" },
        { name: "total", type: "long" },
      ],
      rows: [
        ["a", 17],
        ["b", 5],
      ],
    });
    const txt = await call("POST", "/_sql?format=txt", { query: sql });
    expect(txt.text).toBe("host|total\n----+-----\na   |17   \nb   |5    \n");
    const csv = await call("POST", "/_sql?format=csv", {
      query: "SELECT msg FROM sqlidx ORDER BY bytes DESC",
    });
    expect(csv.text).toBe("msg\nHello there\n\nx\n");
    const tsv = await call("POST", "/_sql?format=tsv", { query: "SELECT count(*) AS n FROM sqlidx" });
    expect(tsv.text).toBe("n\n3\n");
    // New fields show up: the views follow the mapping.
    await call("POST", "/sqlidx/_doc?refresh=true", { host: "c", extra: true });
    const extra = await call("POST", "/_sql", { query: "SELECT count(*) AS n FROM sqlidx WHERE extra" });
    expect(extra.json.rows).toEqual([[1]]);
  });

  it("refuses writes, several statements, bad SQL and results past fetch_size with ES-shaped errors", async () => {
    const refused = [
      [{ query: "DELETE FROM sqlidx" }, "verification_exception", "only SELECT"],
      [{ query: "SELECT 1; SELECT 2" }, "verification_exception", "exactly one SQL statement"],
      [{ query: "SELECT nope FROM sqlidx" }, "parsing_exception", "nope"],
      [
        { query: "SELECT * FROM range(5)", fetch_size: 2 },
        "illegal_argument_exception",
        "more than fetch_size [2]",
      ],
      [{}, "action_request_validation_exception", "[query] is required"],
      [{ query: "SELECT 1", fetch_size: 0 }, "illegal_argument_exception", "[fetch_size]"],
    ] as const;
    for (const [body, type, reason] of refused) {
      const r = await call("POST", "/_sql", body);
      expect(r.status).toBe(400);
      expect(r.json.error.type).toBe(type);
      expect(r.json.error.reason).toContain(reason);
    }
    const wrongFormat = await call("POST", "/_sql?format=yaml", { query: "SELECT 1" });
    expect(wrongFormat.status).toBe(400);
    // The store's own searches are unaffected by the views (an index may even be named like a table).
    await call("POST", "/i_0/_doc?refresh=true", { v: 1 });
    expect((await call("POST", "/_sql", { query: "SELECT v FROM i_0" })).json.rows).toEqual([[1]]);
    expect((await call("GET", "/sqlidx/_count")).json.count).toBe(4);
  });
});

describe("helpers", () => {
  it("filter_path keeps matching paths through arrays", () => {
    const body = {
      took: 1,
      errors: true,
      items: [{ index: { status: 201 } }, { index: { status: 400, error: { type: "x" } } }],
    };
    expect(filterPath(body, "items.*.error")).toEqual({ items: [{ index: { error: { type: "x" } } }] });
    expect(filterPath(body, "took,errors")).toEqual({ took: 1, errors: true });
    expect(filterPath({ a: { b: { c: 1 } } }, "**.c")).toEqual({ a: { b: { c: 1 } } });
  });

  it("query_string becomes DSL", () => {
    expect(parseQueryString({ query: "a:1 AND b:2" })).toEqual({
      bool: {
        must: [
          { match: { a: { query: "1", lenient: true } } },
          { match: { b: { query: "2", lenient: true } } },
        ],
      },
    });
    expect(parseQueryString({ query: "x:[1 TO *]" })).toEqual({ range: { x: { gte: "1" } } });
    expect(parseQueryString({ query: "-a:1", default_operator: "AND" })).toEqual({
      bool: { must_not: [{ match: { a: { query: "1", lenient: true } } }] },
    });
  });
});
