// The elasticsearch filter against Sluice's own store (started in-process on a free port): query strings,
// query templates, fields/docinfo/aggregation copies, result_size, sort, failures; headers checked on a stub.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { silentLogger } from "../../../common/logger.js";
import { type StoreServer, startStoreServer } from "../../../es/server.js";
import { Event } from "../../event/index.js";
import type { Filter, PluginContext } from "../api.js";
import { type OptionValue, ResolvedOptions } from "../options.js";
import { apiKeyAuthorization } from "../support/http-client.js";
import { elasticsearchFilter } from "./elasticsearch.js";
import { filterHarness } from "./testing.js";

/** Options with the spec's defaults filled in, as the registry would; `has` sees only what the test wrote. */
function withDefaults(values: Record<string, OptionValue>): ResolvedOptions {
  const all: Record<string, OptionValue> = {};
  for (const [name, spec] of Object.entries(elasticsearchFilter.options))
    if (spec.default !== undefined) all[name] = spec.default;
  return new ResolvedOptions(
    new Map(Object.entries({ ...all, ...values })),
    new Set(Object.keys(values)),
    undefined,
    undefined,
  );
}

interface Recorded {
  warnings: string[];
  failures: string[];
}

function makeFilter(values: Record<string, OptionValue>, recorded?: Recorded): Filter {
  const context: PluginContext = {
    id: "es-lookup",
    pipelineId: "test",
    logger: {
      ...silentLogger,
      warn: (msg, fields) => recorded?.warnings.push(`${msg} ${JSON.stringify(fields)}`),
    },
    ecsCompatibility: "v8",
    dataDir: "",
    countFailure: (reason) => recorded?.failures.push(reason),
  };
  return elasticsearchFilter.create(withDefaults(values), context);
}

async function post(port: number, path: string, body: string, contentType = "application/x-ndjson") {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, {
    method: "POST",
    headers: { "content-type": contentType },
    body,
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

describe("elasticsearch filter against the embedded store", () => {
  const dir = mkdtempSync(join(tmpdir(), "sluice-es-filter-"));
  let store: StoreServer;
  let host = "";
  const filters: Filter[] = [];
  const started = async (values: Record<string, OptionValue>, recorded?: Recorded) => {
    const filter = makeFilter({ hosts: [host], ...values }, recorded);
    filters.push(filter);
    await filter.register?.();
    return filter;
  };

  beforeAll(async () => {
    store = await startStoreServer({ port: 0, dataDir: join(dir, "data"), logger: silentLogger });
    host = `127.0.0.1:${store.port}`;
    const docs = [
      {
        id: "1",
        doc: { "@timestamp": "2026-01-01T00:00:00Z", user: "alice", city: "Paris", geo: { country: "FR" } },
      },
      {
        id: "2",
        doc: { "@timestamp": "2026-01-02T00:00:00Z", user: "bob", city: "Lyon", geo: { country: "FR" } },
      },
      {
        id: "3",
        doc: { "@timestamp": "2026-01-03T00:00:00Z", user: "alice", city: "Berlin", geo: { country: "DE" } },
      },
    ];
    const bulk = docs
      .flatMap(({ id, doc }) => [
        JSON.stringify({ index: { _index: "users", _id: id } }),
        JSON.stringify(doc),
      ])
      .join("\n");
    const answer = await post(store.port, "/_bulk?refresh=true", `${bulk}\n`);
    expect(answer.status).toBe(200);
    expect(answer.json.errors).toBe(false);
  });

  afterAll(async () => {
    for (const filter of filters) await filter.close?.();
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("copies fields of the newest hit of a query string, nested sources included", async () => {
    const filter = await started({
      index: "users",
      query: "user:%{[who]}",
      fields: [{ city: "[lookup][city]", "[geo][country]": "country" }],
    });
    const event = new Event({ who: "alice" });
    expect(await filter.filter(event, () => {})).toBe(true);
    expect(event.get("[lookup][city]")).toBe("Berlin"); // sort @timestamp:desc: doc 3 first
    expect(event.get("country")).toBe("DE");
    expect(event.get("[@metadata][total_hits]")).toBe(2);
    expect(event.get("tags")).toBeUndefined();
  });

  it("takes fields as [source, destination] pairs and honours sort and enable_sort", async () => {
    const ascending = await started({
      index: "users",
      query: "user:alice",
      sort: "@timestamp:asc",
      fields: [["city", "first_city"]],
    });
    const event = new Event({});
    expect(await ascending.filter(event, () => {})).toBe(true);
    expect(event.get("first_city")).toBe("Paris");
    const byCity = await started({
      index: "users",
      query: "user:*",
      sort: "city.keyword:asc",
      fields: [["city", "c"]],
    });
    const first = new Event({});
    await byCity.filter(first, () => {});
    expect(first.get("c")).toBe("Berlin");
  });

  it("makes arrays from result_size > 1 and copies docinfo_fields", async () => {
    const filter = await started({
      index: "users",
      query: "geo.country:FR",
      result_size: 5,
      sort: "@timestamp:asc",
      fields: [{ user: "users" }],
      docinfo_fields: { _id: "ids", _index: "[meta][index]" },
    });
    const event = new Event({});
    expect(await filter.filter(event, () => {})).toBe(true);
    expect(event.get("users")).toEqual(["alice", "bob"]);
    expect(event.get("ids")).toEqual(["1", "2"]);
    expect(event.get("[meta][index]")).toEqual(["users", "users"]);
  });

  it("nests copies under target", async () => {
    const filter = await started({
      index: "users",
      query: "user:bob",
      fields: [{ city: "city" }],
      target: "enrich",
    });
    const event = new Event({});
    expect(await filter.filter(event, () => {})).toBe(true);
    expect(event.get("[enrich][city]")).toBe("Lyon");
  });

  it("runs a query_template with sprintf and copies a terms aggregation", async () => {
    const template = join(dir, "template.json");
    writeFileSync(
      template,
      JSON.stringify({
        size: 0,
        query: { term: { user: "%{[who]}" } },
        aggs: { countries: { terms: { field: "geo.country.keyword" } } },
      }),
    );
    const filter = await started({
      index: "users",
      query_template: template,
      aggregation_fields: { countries: "[stats][countries]" },
    });
    const event = new Event({ who: "alice" });
    expect(await filter.filter(event, () => {})).toBe(true);
    const buckets = (
      event.get("[stats][countries]") as { buckets: Array<{ key: string; doc_count: number }> }
    ).buckets;
    expect(buckets.map((b) => [b.key, b.doc_count]).sort()).toEqual([
      ["DE", 1],
      ["FR", 1],
    ]);
  });

  it("leaves fields unset without tagging when nothing matches", async () => {
    const filter = await started({ index: "users", query: "user:nobody", fields: [{ city: "city" }] });
    const event = new Event({});
    expect(await filter.filter(event, () => {})).toBe(false);
    expect(event.includes("city")).toBe(false);
    expect(event.get("tags")).toBeUndefined();
    expect(event.get("[@metadata][total_hits]")).toBe(0);
  });

  it("sets null for a field the single hit lacks, as Logstash does", async () => {
    const filter = await started({ index: "users", query: "user:bob", fields: [{ missing: "m" }] });
    const event = new Event({});
    expect(await filter.filter(event, () => {})).toBe(true);
    expect(event.includes("m")).toBe(true);
    expect(event.get("m")).toBeNull();
  });

  it("searches every index when index is empty, the index sprintf'd otherwise", async () => {
    const all = await started({ query: "user:bob", fields: [{ city: "city" }] });
    const event = new Event({});
    expect(await all.filter(event, () => {})).toBe(true);
    expect(event.get("city")).toBe("Lyon");
    const byField = await started({ index: "%{[idx]}", query: "user:bob", fields: [{ city: "city" }] });
    const other = new Event({ idx: "users" });
    expect(await byField.filter(other, () => {})).toBe(true);
    expect(other.get("city")).toBe("Lyon");
  });

  it("tags a malformed query (the store answers 400) and a missing index", async () => {
    const recorded: Recorded = { warnings: [], failures: [] };
    const template = join(dir, "bad.json");
    writeFileSync(template, JSON.stringify({ query: { no_such_query: {} } }));
    const filter = await started(
      { index: "users", query_template: template, tag_on_failure: ["bad", "lookup"] },
      recorded,
    );
    const event = new Event({});
    expect(await filter.filter(event, () => {})).toBe(false);
    expect(event.get("tags")).toEqual(["bad", "lookup"]);
    expect(recorded.failures).toEqual(["elasticsearch_lookup_failure"]);
    expect(recorded.warnings[0]).toMatch(/Failed to query elasticsearch.*400/);

    const missing = await started({ index: "no-such-index", query: "*" });
    const other = new Event({});
    expect(await missing.filter(other, () => {})).toBe(false);
    expect(other.get("tags")).toEqual(["_elasticsearch_lookup_failure"]);
  });

  it("tags a template that is not JSON after sprintf", async () => {
    const template = join(dir, "broken.json");
    writeFileSync(template, '{"query": %{[q]}}');
    const filter = await started({ index: "users", query_template: template });
    const event = new Event({ q: "{not json" });
    expect(await filter.filter(event, () => {})).toBe(false);
    expect(event.get("tags")).toEqual(["_elasticsearch_lookup_failure"]);
  });

  it("tags events once the host is down, and refuses to start against a down host", async () => {
    const dataDir = join(dir, "short-lived");
    const shortLived = await startStoreServer({ port: 0, dataDir, logger: silentLogger });
    const filter = makeFilter({ hosts: [`127.0.0.1:${shortLived.port}`], query: "*" });
    await filter.register?.();
    await shortLived.close();
    const event = new Event({});
    expect(await filter.filter(event, () => {})).toBe(false);
    expect(event.get("tags")).toEqual(["_elasticsearch_lookup_failure"]);
    await expect(filter.register?.()).rejects.toThrow(
      /Could not connect to a compatible version of Elasticsearch/,
    );
    filter.close?.();
  });

  it("moves to the next host when one is down and retry_on_failure allows it", async () => {
    const down = `127.0.0.1:${await freePort()}`;
    const filter = makeFilter({
      hosts: [down, host],
      query: "user:bob",
      fields: [{ city: "city" }],
      retry_on_failure: 1,
    });
    filters.push(filter);
    for (let i = 0; i < 3; i++) {
      const event = new Event({});
      expect(await filter.filter(event, () => {})).toBe(true);
      expect(event.get("city")).toBe("Lyon");
    }
  });
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe("elasticsearch filter requests (stub server)", () => {
  let stub: Server;
  let port = 0;
  const seen: Array<{ method: string; url: string; headers: IncomingHttpHeaders; body: string }> = [];
  let status = 200;

  beforeAll(async () => {
    stub = createServer((req, res) => {
      let body = "";
      req.on("data", (c) => {
        body += c;
      });
      req.on("end", () => {
        seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body });
        res.writeHead(req.url === "/" ? 200 : status, { "content-type": "application/json" });
        res.end(JSON.stringify({ hits: { total: { value: 0 }, hits: [] }, _shards: { total: 1 } }));
      });
    });
    await new Promise<void>((resolve) => stub.listen(0, "127.0.0.1", resolve));
    port = (stub.address() as { port: number }).port;
  });

  afterAll(async () => {
    await new Promise((resolve) => stub.close(resolve));
  });

  it("sends basic auth, custom headers and the query parameters", async () => {
    seen.length = 0;
    const filter = makeFilter({
      hosts: [`http://127.0.0.1:${port}/prefix`],
      index: "a,b",
      query: 'host:"%{h}"',
      user: "elastic",
      password: "s3cret",
      custom_headers: { "x-team": "ops" },
      result_size: 3,
    });
    await filter.register?.();
    await filter.filter(new Event({ h: "web 1" }), () => {});
    filter.close?.();
    expect(seen[0]?.url).toBe("/prefix/");
    const search = seen[1];
    expect(search?.method).toBe("GET");
    const url = new URL(search?.url as string, "http://x");
    expect(url.pathname).toBe("/prefix/a,b/_search");
    expect(url.searchParams.get("q")).toBe('host:"web 1"');
    expect(url.searchParams.get("size")).toBe("3");
    expect(url.searchParams.get("sort")).toBe("@timestamp:desc");
    expect(search?.headers.authorization).toBe(`Basic ${Buffer.from("elastic:s3cret").toString("base64")}`);
    expect(search?.headers["x-team"]).toBe("ops");
  });

  it("omits sort with enable_sort => false and posts templates as JSON", async () => {
    seen.length = 0;
    const template = join(tmpdir(), `sluice-es-template-${process.pid}.json`);
    writeFileSync(template, '{"query":{"term":{"user":"%{u}"}}}');
    const noSort = makeFilter({ hosts: [`127.0.0.1:${port}`], query: "*", enable_sort: false });
    await noSort.filter(new Event({}), () => {});
    const templated = makeFilter({ hosts: [`127.0.0.1:${port}`], query_template: template });
    await templated.filter(new Event({ u: "zoé" }), () => {});
    noSort.close?.();
    templated.close?.();
    rmSync(template);
    expect(new URL(seen[0]?.url as string, "http://x").searchParams.has("sort")).toBe(false);
    expect(seen[1]?.method).toBe("POST");
    expect(seen[1]?.url).toBe("/_search");
    expect(seen[1]?.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(seen[1]?.body as string)).toEqual({ query: { term: { user: "zoé" } } });
  });

  it("retries retry_on_status answers up to retry_on_failure, then tags", async () => {
    seen.length = 0;
    status = 503;
    const filter = makeFilter({ hosts: [`127.0.0.1:${port}`], query: "*", retry_on_failure: 2 });
    const event = new Event({});
    expect(await filter.filter(event, () => {})).toBe(false);
    filter.close?.();
    status = 200;
    expect(seen.length).toBe(3);
    expect(event.get("tags")).toEqual(["_elasticsearch_lookup_failure"]);
  });
});

describe("elasticsearch filter settings", () => {
  it("declares Logstash's defaults", () => {
    const o = elasticsearchFilter.options;
    expect(o.hosts?.default).toEqual(["localhost:9200"]);
    expect(o.index?.default).toBe("");
    expect(o.sort?.default).toBe("@timestamp:desc");
    expect(o.result_size?.default).toBe(1);
    expect(o.enable_sort?.default).toBe(true);
    expect(o.tag_on_failure?.default).toEqual(["_elasticsearch_lookup_failure"]);
    expect(o.retry_on_failure?.default).toBe(0);
    expect(o.retry_on_status?.default).toEqual([500, 502, 503, 504]);
    expect(o.ssl_verification_mode?.default).toBe("full");
    expect(o.ssl?.obsolete).toMatch(/ssl_enabled/);
  });

  it("refuses what Logstash refuses at register, and what Sluice does not support", () => {
    expect(() => makeFilter({})).toThrow(/Both `query` and `query_template` are empty/);
    const template = join(tmpdir(), `sluice-es-empty-${process.pid}.json`);
    writeFileSync(template, "");
    expect(() => makeFilter({ query_template: template })).toThrow(/template is empty/);
    writeFileSync(template, "{}");
    expect(() => makeFilter({ query: "*", query_template: template })).toThrow(
      /Both `query` and `query_template` are set/,
    );
    rmSync(template);
    expect(() =>
      makeFilter({ query: "*", user: "u", password: "p", api_key: "id:key", ssl_enabled: true }),
    ).toThrow(/Multiple authentication options/);
    expect(() => makeFilter({ query: "*", api_key: "id:key" })).toThrow(
      /api_key authentication requires SSL/,
    );
    expect(() => makeFilter({ query: "*", cloud_id: "x" })).toThrow(/cloud_id is not supported/);
    expect(() => makeFilter({ query: "*", cloud_auth: "u:p" })).toThrow(/cloud_auth is not supported/);
    expect(() => makeFilter({ query: "*", query_type: "esql" })).toThrow(/esql is not supported/);
    expect(() => makeFilter({ query: "*", proxy: "http://proxy:3128" })).toThrow(/proxy is not supported/);
    expect(() => makeFilter({ query: "*", proxy: "" })).not.toThrow();
    expect(() => makeFilter({ query: "*", ssl_enabled: true, ssl_key: "/k.pem" })).toThrow(
      /"ssl_certificate" is required/,
    );
    expect(() => makeFilter({ query: "*", ssl_enabled: true, ssl_truststore_path: "/t.jks" })).toThrow(
      /truststore/,
    );
  });

  it("warns about settings it ignores and about disabled verification", () => {
    const recorded: Recorded = { warnings: [], failures: [] };
    makeFilter(
      { query: "*", hosts: ["https://h:9200"], ssl_verification_mode: "none", ca_trusted_fingerprint: "ab" },
      recorded,
    ).close?.();
    expect(recorded.warnings.join("\n")).toMatch(/ca_trusted_fingerprint/);
    expect(recorded.warnings.join("\n")).toMatch(/DISABLED certificate verification/);
  });

  it("builds ApiKey headers from id:key or an encoded key", () => {
    expect(apiKeyAuthorization("id:key")).toBe(`ApiKey ${Buffer.from("id:key").toString("base64")}`);
    expect(apiKeyAuthorization("aWQ6a2V5")).toBe("ApiKey aWQ6a2V5");
  });
});

describe("elasticsearch filter from config text", () => {
  const harness = filterHarness(elasticsearchFilter);

  it("reads fields as a hash or as pairs, and retry_on_status as numbers", () => {
    const fromHash = harness.configure(
      'query => "*" fields => { "[geo][city]" => "city" "user" => "[u]" } retry_on_status => [503, "429"]',
    );
    expect(fromHash.options.array("fields")).toEqual([{ "[geo][city]": "city", user: "[u]" }]);
    expect(fromHash.options.array("retry_on_status")).toEqual([503, 429]);
    const fromPairs = harness.configure('query => "*" fields => [["a", "b"], ["c", "d"]]');
    expect(fromPairs.options.array("fields")).toEqual([
      ["a", "b"],
      ["c", "d"],
    ]);
    expect(harness.refused('query => "*" fields => ["a", "b", "c"]')).toMatch(/pairs/);
    expect(harness.refused('query => "*" hosts => ["h:9200"]')).toBe("accepted");
  });

  it("rejects obsolete and unknown settings", () => {
    expect(harness.diagnosticsOf('query => "*" ssl => true').map((d) => d.code)).toContain("obsolete-option");
    expect(harness.diagnosticsOf('query => "*" ca_file => "/x"').map((d) => d.code)).toContain(
      "obsolete-option",
    );
    expect(harness.diagnosticsOf('query => "*" result_sise => 2').map((d) => d.code)).toContain(
      "unknown-option",
    );
  });
});
