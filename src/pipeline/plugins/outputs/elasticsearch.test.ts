import { afterEach, describe, expect, it } from "vitest";
import { createLogger } from "../../../common/logger.js";
import type { EcsCompatibility } from "../../event/index.js";
import { Event } from "../../event/index.js";
import type { PluginContext } from "../api.js";
import { type OptionValue, ResolvedOptions } from "../options.js";
import { type BulkAction, mapEvent } from "./elasticsearch/actions.js";
import { chunkActions } from "./elasticsearch/bulk.js";
import { EsClient } from "./elasticsearch/client.js";
import { FakeEs, type FakeEsOptions } from "./elasticsearch/fake-server.js";
import { createElasticsearchOutput, elasticsearchOutput } from "./elasticsearch.js";

const servers: FakeEs[] = [];
const outputs: { close(): void }[] = [];

afterEach(async () => {
  for (const o of outputs.splice(0)) o.close();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function fake(options: FakeEsOptions = {}): Promise<FakeEs> {
  const server = await FakeEs.start(options);
  servers.push(server);
  return server;
}

/** Options as the registry would resolve them: defaults filled in, `has` true only for the given ones. */
function options(given: Record<string, OptionValue>): ResolvedOptions {
  const values = new Map<string, OptionValue>();
  for (const [name, spec] of Object.entries(elasticsearchOutput.options))
    if (spec.default !== undefined) values.set(name, spec.default);
  for (const [name, value] of Object.entries(given)) values.set(name, value);
  return new ResolvedOptions(values, new Set(Object.keys(given)), undefined, undefined);
}

function context(ecs: EcsCompatibility = "v8") {
  const failures: string[] = [];
  const logs: string[] = [];
  const ctx: PluginContext = {
    id: "es_out",
    pipelineId: "test",
    logger: createLogger({ level: "debug", write: (line) => logs.push(line) }),
    ecsCompatibility: ecs,
    dataDir: "",
    countFailure: (reason) => failures.push(reason),
  };
  return { ctx, failures, logs };
}

function make(given: Record<string, OptionValue>, ecs: EcsCompatibility = "v8") {
  const rc = context(ecs);
  const output = createElasticsearchOutput(options({ retry_initial_interval: 0.01, ...given }), rc.ctx);
  outputs.push(output);
  return { output, ...rc };
}

const bulkLines = (server: FakeEs) =>
  server.bulkRequests().flatMap((r) =>
    r.body
      .split("\n")
      .filter((l) => l !== "")
      .map((l) => JSON.parse(l) as Record<string, unknown>),
  );

describe("elasticsearch output: the seed's configuration", () => {
  it("indexes into the given index with gzip, after installing the ECS template", async () => {
    const es = await fake();
    const { output } = make({ hosts: [es.url], index: "myindex" });
    await output.receive([new Event({ message: "a", n: 1 }), new Event({ message: "b", n: 2 })]);
    expect(es.accepted.map((l) => [l.action, l.meta._index, l.source?.message])).toEqual([
      ["index", "myindex", "a"],
      ["index", "myindex", "b"],
    ]);
    const bulk = es.bulkRequests()[0]!;
    expect(bulk.headers["content-encoding"]).toBe("gzip");
    expect(bulk.headers["content-type"]).toBe("application/x-ndjson");
    expect(bulk.headers["x-elastic-event-count"]).toBe("2");
    expect(bulkLines(es)[0]).toEqual({ index: { _index: "myindex" } });
    expect(es.templates.has("/_index_template/ecs-logstash")).toBe(true);
    expect(es.requests[0]!.method).toBe("HEAD");
    expect(es.requests[1]).toMatchObject({ method: "GET", url: "/" });
  });

  it("sends plain bodies with compression_level 0 or http_compression false", async () => {
    const es = await fake();
    for (const given of [{ compression_level: 0 }, { http_compression: false }] as Record<
      string,
      OptionValue
    >[]) {
      const { output } = make({ hosts: [es.url], index: "x", ...given });
      await output.receive([new Event({ message: "plain" })]);
    }
    expect(es.bulkRequests().map((r) => r.headers["content-encoding"])).toEqual([undefined, undefined]);
  });

  it("keeps an existing template unless template_overwrite", async () => {
    const es = await fake();
    es.templates.set("/_index_template/ecs-logstash", { mine: true });
    const first = make({ hosts: [es.url], index: "x" });
    await first.output.connected;
    expect(es.templates.get("/_index_template/ecs-logstash")).toEqual({ mine: true });
    const second = make({
      hosts: [es.url],
      index: "x",
      template_overwrite: true,
      template_name: "ecs-logstash",
    });
    await second.output.connected;
    expect(es.templates.get("/_index_template/ecs-logstash")).toMatchObject({
      index_patterns: ["ecs-logstash-*"],
    });
  });

  it("installs no template with manage_template false", async () => {
    const es = await fake();
    const { output } = make({ hosts: [es.url], index: "x", manage_template: false });
    await output.connected;
    expect(es.requests.some((r) => r.url.includes("template"))).toBe(false);
  });
});

describe("elasticsearch output: index defaults, data streams and ILM", () => {
  it("writes to the logs-generic-default data stream when nothing conflicts (create, synced fields, no template)", async () => {
    const es = await fake();
    const { output } = make({ hosts: [es.url] });
    await output.receive([new Event({ message: "ds" }), new Event({ data_stream: { dataset: "nginx" } })]);
    expect(es.accepted.map((l) => [l.action, l.meta._index])).toEqual([
      ["create", "logs-generic-default"],
      ["create", "logs-nginx-default"],
    ]);
    expect(es.accepted[0]!.source?.data_stream).toEqual({
      type: "logs",
      dataset: "generic",
      namespace: "default",
    });
    expect(es.requests.some((r) => r.url.includes("template"))).toBe(false);
  });

  it("names the data stream from data_stream_* options", async () => {
    const es = await fake();
    const { output } = make({
      hosts: [es.url],
      data_stream: "true",
      data_stream_type: "metrics",
      data_stream_dataset: "app",
      data_stream_namespace: "prod",
      data_stream_auto_routing: false,
    });
    await output.receive([new Event({ data_stream: { dataset: "other" } })]);
    expect(es.accepted[0]!.meta._index).toBe("metrics-app-prod");
    expect(es.accepted[0]!.source?.data_stream).toEqual({
      type: "metrics",
      dataset: "app",
      namespace: "prod",
    });
  });

  it("refuses data stream settings when data streams are off, and conflicting ones when on", () => {
    expect(() => make({ index: "x", data_stream_dataset: "a" })).toThrow(/Ambiguous configuration/);
    expect(() => make({ data_stream: "true", index: "x" })).toThrow(
      /Invalid data stream configuration: index/,
    );
    expect(() => make({ data_stream: "true" }, "disabled")).toThrow(/ecs_compatibility => disabled/);
    expect(() => make({ data_stream: "true", data_stream_dataset: "a b" })).toThrow(/Invalid characters/);
  });

  it("uses a dated ecs-logstash index when data streams are off and the server has no ILM", async () => {
    const es = await fake({ ilmStatus: 400 });
    const { output, logs } = make({ hosts: [es.url], data_stream: "false" });
    await output.receive([new Event({ "@timestamp": "2024-03-05T10:00:00Z", message: "m" })]);
    expect(es.accepted[0]!.meta._index).toBe("ecs-logstash-2024.03.05");
    expect(logs.some((l) => l.includes("does not support index lifecycle management"))).toBe(true);
  });

  it("writes to the rollover alias after creating policy and alias when the server has ILM", async () => {
    const es = await fake({ ilmStatus: 404 });
    const { output } = make({ hosts: [es.url], data_stream: "false" });
    await output.receive([new Event({ message: "m" })]);
    expect(es.accepted[0]!.meta._index).toBe("ecs-logstash");
    expect(es.requests.some((r) => r.method === "PUT" && r.url === "/_ilm/policy/logstash-policy")).toBe(
      true,
    );
    expect(
      es.requests.some(
        (r) => r.method === "PUT" && decodeURIComponent(r.url) === "/<ecs-logstash-{now/d}-000001>",
      ),
    ).toBe(true);
    const template = es.templates.get("/_index_template/ecs-logstash") as {
      template: { settings: Record<string, string> };
    };
    expect(template.template.settings["index.lifecycle.rollover_alias"]).toBe("ecs-logstash");
  });

  it("skips ILM with ilm_enabled false", async () => {
    const es = await fake({ ilmStatus: 404 });
    const { output } = make({ hosts: [es.url], data_stream: "false", ilm_enabled: "false" });
    await output.receive([new Event({ "@timestamp": "2024-01-02T00:00:00Z" })]);
    expect(es.accepted[0]!.meta._index).toBe("ecs-logstash-2024.01.02");
    expect(es.requests.some((r) => r.url.startsWith("/_ilm"))).toBe(false);
  });

  it("uses logstash-* names, the legacy template API and _type with Elasticsearch 7 and ECS disabled", async () => {
    const es = await fake({ version: "7.17.0", ilmStatus: 400 });
    const { output } = make({ hosts: [es.url], document_type: "doc" }, "disabled");
    await output.receive([new Event({ "@timestamp": "2024-01-02T00:00:00Z" })]);
    expect(es.accepted[0]!.meta).toEqual({ _index: "logstash-2024.01.02", _type: "doc" });
    expect(es.templates.get("/_template/logstash")).toMatchObject({ index_patterns: "logstash-*" });
  });

  it("installs a template from a file with template and template_name", async () => {
    const { writeFileSync, mkdtempSync } = await import("node:fs");
    const { join } = await import("node:path");
    const { tmpdir } = await import("node:os");
    const file = join(mkdtempSync(join(tmpdir(), "es-tpl-")), "t.json");
    writeFileSync(file, JSON.stringify({ index_patterns: ["mine-*"], template: {} }));
    const es = await fake();
    const { output } = make({ hosts: [es.url], index: "mine-1", template: file, template_name: "mine" });
    await output.connected;
    expect(es.templates.get("/_index_template/mine")).toEqual({ index_patterns: ["mine-*"], template: {} });
  });
});

describe("elasticsearch output: actions", () => {
  it("sends document_id, routing, version and sprintf actions", async () => {
    const es = await fake();
    const { output } = make({
      hosts: [es.url],
      index: "i-%{kind}",
      document_id: "%{id}",
      routing: "%{user}",
      action: "%{op}",
      version: "%{v}",
      version_type: "external",
    });
    await output.receive([
      new Event({ kind: "a", id: "1", user: "u", op: "create", v: 3 }),
      new Event({ kind: "b", id: "2", user: "w", op: "delete", v: 4 }),
    ]);
    expect(bulkLines(es)).toEqual([
      { create: { _id: "1", _index: "i-a", routing: "u", version: "3", version_type: "external" } },
      expect.objectContaining({ kind: "a", id: "1" }),
      { delete: { _id: "2", _index: "i-b", routing: "w", version: "4", version_type: "external" } },
    ]);
  });

  it("builds update bodies with doc_as_upsert, upsert and retry_on_conflict", async () => {
    const es = await fake();
    const a = make({
      hosts: [es.url],
      index: "u",
      action: "update",
      document_id: "%{id}",
      doc_as_upsert: true,
    });
    await a.output.receive([new Event({ id: "1", x: 1 })]);
    const b = make({
      hosts: [es.url],
      index: "u",
      action: "update",
      document_id: "%{id}",
      upsert: '{"x": %{x}}',
      retry_on_conflict: 3,
    });
    await b.output.receive([new Event({ id: "2", x: 7 })]);
    const lines = bulkLines(es);
    expect(lines[0]).toEqual({ update: { _id: "1", _index: "u", retry_on_conflict: 1 } });
    expect(lines[1]).toMatchObject({ doc: { id: "1", x: 1 }, doc_as_upsert: true });
    expect(lines[2]).toEqual({ update: { _id: "2", _index: "u", retry_on_conflict: 3 } });
    expect(lines[3]).toMatchObject({ doc: { x: 7 }, upsert: { x: 7 } });
  });

  it("sends events with an unknown action or an uninterpolated index to the DLQ seam", async () => {
    const es = await fake();
    const { output, failures } = make({ hosts: [es.url], index: "i-%{missing}", action: "%{op}" });
    await output.receive([new Event({ op: "index" }), new Event({ op: "bogus" })]);
    expect(failures).toEqual(["dlq", "dlq"]);
    expect(es.accepted).toEqual([]);
    const loose = make({
      hosts: [es.url],
      index: "i-%{missing}",
      dlq_on_failed_indexname_interpolation: false,
    });
    await loose.output.receive([new Event({})]);
    expect(es.accepted[0]!.meta._index).toBe("i-%{missing}");
  });

  it("uses [@metadata][_ingest_document] id and index with the default index", () => {
    const event = new Event({ "@metadata": { _ingest_document: { id: "abc", index: "from-meta" } } });
    const rc = context();
    const settings = {
      action: undefined,
      index: "ecs-logstash-%{+yyyy.MM.dd}",
      defaultIndex: "ecs-logstash-%{+yyyy.MM.dd}",
      documentId: undefined,
      routing: undefined,
      documentType: undefined,
      parent: undefined,
      joinField: undefined,
      upsert: "",
      docAsUpsert: false,
      retryOnConflict: 1,
      version: undefined,
      versionType: undefined,
      dlqOnFailedIndexnameInterpolation: true,
      dataStream: undefined,
    };
    expect(rc.failures).toEqual([]);
    expect(mapEvent(event, settings, 8).params).toEqual({ _id: "abc", _index: "from-meta" });
    const joined = mapEvent(new Event({ rel: "answer" }), { ...settings, parent: "p1", joinField: "rel" }, 8);
    expect(joined.params.routing).toBe("p1");
    expect(joined.source?.rel).toEqual({ name: "answer", parent: "p1" });
  });

  it("refuses what Logstash or Sluice refuses at register time", () => {
    expect(() => make({ action: "upsert" })).toThrow(/Action 'upsert' is invalid/);
    expect(() => make({ action: "" })).toThrow(/No action specified/);
    expect(() => make({ pipeline: "p" })).toThrow(/ingest pipeline/);
    expect(() => make({ action: "update", script: "ctx._source.x = 1" })).toThrow(/scripted updates/);
    expect(() => make({ api_key: "id:key" })).toThrow(/requires SSL/);
    expect(() => make({ api_key: "id:key", user: "u", hosts: ["https://h"] })).toThrow(
      /Multiple authentication/,
    );
    expect(() => make({ hosts: ["ftp://h"] })).toThrow(/Bad scheme/);
    expect(() => make({ hosts: ["http://h"], ssl_enabled: true })).toThrow(/reconcile/);
    expect(() => make({ compression_level: 12 })).toThrow(/compression_level/);
    expect(() => make({ dlq_custom_codes: [404] })).toThrow(/standard DLQ/);
    expect(() => make({ cloud_id: "x" })).toThrow(/cloud_id/);
    expect(() => make({ proxy: "http://p" })).toThrow(/proxy/);
    expect(() => make({ ssl_supported_protocols: ["SSLv3"] })).toThrow(/ssl_supported_protocols/);
    expect(() => make({ ssl_certificate: "/etc/hostname" })).toThrow(/ssl_key/);
  });

  it("warns about options it ignores", () => {
    const { logs } = make({ sniffing: true, hosts: ["http://127.0.0.1:1"] });
    expect(logs.some((l) => l.includes("sniffing is not supported"))).toBe(true);
  });
});

describe("elasticsearch output: failures and retries", () => {
  it("retries items rejected with 429 and 503, drops 409, sends 400/404 to the DLQ seam", async () => {
    const es = await fake({
      itemStatus: (line, attempt) => {
        const n = line.source?.n;
        if (n === 1 && attempt === 1) return { status: 429, type: "es_rejected_execution_exception" };
        if (n === 2 && attempt < 3) return { status: 503, type: "unavailable_shards_exception" };
        if (n === 3) return { status: 409, type: "version_conflict_engine_exception" };
        if (n === 4) return { status: 400, type: "mapper_parsing_exception" };
        if (n === 5) return { status: 404, type: "index_not_found_exception" };
        return { status: 201 };
      },
    });
    const { output, failures, logs } = make({ hosts: [es.url], index: "r" });
    await output.receive([1, 2, 3, 4, 5, 6].map((n) => new Event({ n })));
    expect(es.accepted.map((l) => l.source?.n).sort()).toEqual([1, 2, 6]);
    expect(failures.sort()).toEqual(["dlq", "dlq", "non_retryable"]);
    expect(es.bulkRequests()).toHaveLength(3);
    expect(logs.some((l) => l.includes("Could not index event to Elasticsearch"))).toBe(true);
  });

  it("drops drop_error_types and keeps silenced error types out of the log", async () => {
    const es = await fake({ itemStatus: () => ({ status: 500, type: "weird_exception" }) });
    const { output, failures, logs } = make({
      hosts: [es.url],
      index: "r",
      drop_error_types: ["weird_exception"],
      silence_errors_in_log: ["weird_exception"],
    });
    await output.receive([new Event({ n: 1 })]);
    expect(failures).toEqual(["non_retryable"]);
    expect(logs.some((l) => l.includes("Failed action"))).toBe(false);
  });

  it("dlq_custom_codes adds DLQ statuses", async () => {
    const es = await fake({ itemStatus: () => ({ status: 422, type: "x" }) });
    const { output, failures } = make({ hosts: [es.url], index: "r", dlq_custom_codes: [422] });
    await output.receive([new Event({ n: 1 })]);
    expect(failures).toEqual(["dlq"]);
  });

  it("retries whole requests answered 429 or 503 with growing pauses", async () => {
    const es = await fake({ bulkStatuses: [503, 429] });
    const { output, failures } = make({
      hosts: [es.url],
      index: "r",
      retry_initial_interval: 0.02,
      retry_max_interval: 0.03,
    });
    const started = performance.now();
    await output.receive([new Event({ n: 1 })]);
    expect(es.accepted).toHaveLength(1);
    expect(es.bulkRequests()).toHaveLength(3);
    expect(failures).toEqual(["bulk_request", "bulk_request"]);
    expect(performance.now() - started).toBeGreaterThanOrEqual(45);
  });

  it("retries until a host comes up, then sends", async () => {
    const es = await fake();
    const port = es.port;
    await es.close();
    servers.splice(servers.indexOf(es), 1);
    const { output } = make({ hosts: [`http://127.0.0.1:${port}`], index: "late", resurrect_delay: 0.05 });
    const sent = output.receive([new Event({ n: 1 })]);
    await new Promise((r) => setTimeout(r, 60));
    const { createServer } = await import("node:http");
    const revived = await FakeEs.start();
    servers.push(revived);
    // Move the revived server's traffic to the old port with a tiny proxy-free trick: listen there directly.
    const direct = createServer((req, res) => {
      const forward = new URL(req.url ?? "/", revived.url);
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", async () => {
        const answer = await fetch(forward, {
          method: req.method,
          headers: req.headers as Record<string, string>,
          body: req.method === "GET" || req.method === "HEAD" ? undefined : Buffer.concat(chunks),
        });
        res.writeHead(answer.status, Object.fromEntries(answer.headers));
        res.end(Buffer.from(await answer.arrayBuffer()));
      });
    });
    await new Promise<void>((resolve) => direct.listen(port, "127.0.0.1", resolve));
    try {
      await sent;
      expect(revived.accepted.map((l) => l.meta._index)).toEqual(["late"]);
    } finally {
      direct.closeAllConnections();
      await new Promise((resolve) => direct.close(resolve));
    }
  });
});

describe("elasticsearch output: hosts", () => {
  it("times a silent request out after `timeout`, marks the host dead and resends once it is checked back", async () => {
    const es = await fake({ stallBulks: 1 });
    const { output, logs } = make({ hosts: [es.url], index: "t", timeout: 0.2, resurrect_delay: 0.05 });
    await output.receive([new Event({ n: 1 })]);
    expect(es.accepted).toHaveLength(1);
    expect(es.bulkRequests()).toHaveLength(2);
    expect(logs.some((l) => l.includes("Marking url as dead"))).toBe(true);
    expect(logs.some((l) => l.includes("Restored connection"))).toBe(true);
  });

  it("health-checks with healthcheck_path", async () => {
    const es = await fake();
    const { output } = make({ hosts: [es.url], index: "h", healthcheck_path: "/_cluster/health" });
    await output.connected;
    expect(es.requests[0]).toMatchObject({ method: "HEAD", url: "/_cluster/health" });
  });

  it("uses the legacy template API when template_api is legacy, even on Elasticsearch 8", async () => {
    const es = await fake();
    const { output } = make({ hosts: [es.url], index: "x", template_api: "legacy" });
    await output.connected;
    expect(es.templates.has("/_template/ecs-logstash")).toBe(true);
    expect(es.templates.get("/_template/ecs-logstash")).toMatchObject({ index_patterns: "ecs-logstash-*" });
  });

  it("spreads bulk requests over several hosts round robin", async () => {
    const a = await fake();
    const b = await fake();
    const { output } = make({ hosts: [a.url, b.url], index: "rr" });
    for (let i = 0; i < 4; i++) await output.receive([new Event({ i })]);
    expect(a.bulkRequests()).toHaveLength(2);
    expect(b.bulkRequests()).toHaveLength(2);
  });

  it("skips a dead host and uses the live one", async () => {
    const live = await fake();
    const { output, logs } = make({ hosts: ["http://127.0.0.1:1", live.url], index: "one" });
    await output.receive([new Event({ a: 1 }), new Event({ a: 2 })]);
    await output.receive([new Event({ a: 3 })]);
    expect(live.accepted).toHaveLength(3);
    expect(logs.some((l) => l.includes("Attempted to resurrect connection"))).toBe(true);
  });

  it("sends basic auth, custom headers, path and parameters", async () => {
    const es = await fake();
    const { output } = make({
      hosts: [`http://127.0.0.1:${es.port}`],
      user: "elastic",
      password: "secret",
      custom_headers: { "X-Team": "logs" },
      path: "/es",
      parameters: { refresh: "true" },
      index: "p",
    });
    await output.receive([new Event({})]);
    const bulk = es.requests.find((r) => r.url.includes("_bulk"))!;
    expect(bulk.url).toBe("/es/_bulk?refresh=true");
    expect(bulk.headers.authorization).toBe(`Basic ${Buffer.from("elastic:secret").toString("base64")}`);
    expect(bulk.headers["x-team"]).toBe("logs");
  });

  it("takes credentials from the host URL and sends api keys base64-encoded", async () => {
    const es = await fake();
    const { output } = make({ hosts: [`http://u:p%40ss@127.0.0.1:${es.port}`], index: "p" });
    await output.receive([new Event({})]);
    expect(es.requests[0]!.headers.authorization).toBe(`Basic ${Buffer.from("u:p@ss").toString("base64")}`);
    // api_key needs https: checked through the header builder only.
    const keyed = make({ hosts: ["https://127.0.0.1:1"], api_key: "id:key" });
    expect(keyed.output).toBeDefined();
  });

  it("refuses a server that is not Elasticsearch (no product header) and reports 401 as a credentials problem", async () => {
    const plain = await fake({ noProductHeader: true });
    const locked = await fake({ everything: 401 });
    const rc = context();
    const client = new EsClient({
      urls: [new URL(plain.url), new URL(locked.url)],
      headers: {},
      timeoutMs: 1000,
      poolMax: 10,
      poolMaxPerRoute: 10,
      tls: { rejectUnauthorized: true },
      healthcheckPath: "/",
      resurrectDelayMs: 10_000,
      logger: rc.ctx.logger,
    });
    await client.start();
    client.close();
    expect(client.aliveCount).toBe(0);
    expect(client.refusals.join("\n")).toMatch(/X-Elastic-Product/);
    expect(client.refusals.join("\n")).toMatch(/check the credentials/);
  });

  it("accepts Elasticsearch 7.10 by its tagline and learns the major version", async () => {
    const es = await fake({ version: "7.10.2", noProductHeader: true });
    const rc = context();
    const client = new EsClient({
      urls: [new URL(es.url)],
      headers: {},
      timeoutMs: 1000,
      poolMax: 10,
      poolMaxPerRoute: 10,
      tls: { rejectUnauthorized: true },
      healthcheckPath: "/",
      resurrectDelayMs: 10_000,
      logger: rc.ctx.logger,
    });
    await client.start();
    client.close();
    expect(client.aliveCount).toBe(1);
    expect(client.maximumSeenMajorVersion).toBe(7);
  });
});

describe("elasticsearch output: bulk sizing", () => {
  it("splits actions into requests under the target size, a single big action alone", () => {
    const action = (size: number): BulkAction => ({
      action: "index",
      params: { _index: "s" },
      source: { pad: "x".repeat(size) },
      event: new Event({}),
    });
    const chunks = chunkActions([action(100), action(100), action(1000), action(10)], 300);
    expect(chunks.map((c) => c.actions.length)).toEqual([2, 1, 1]);
    expect(chunks.every((c) => c.body.toString().endsWith("\n"))).toBe(true);
    expect(chunks[0]!.body.length).toBeLessThanOrEqual(300);
  });
});

describe("elasticsearch output: TLS", () => {
  const testdata = new URL("./elasticsearch/testdata/", import.meta.url);
  const certPath = new URL("server.crt", testdata).pathname;
  const tls = async () => {
    const { readFileSync } = await import("node:fs");
    return { cert: readFileSync(certPath), key: readFileSync(new URL("server.key", testdata)) };
  };

  it("trusts the server through ssl_certificate_authorities and sends the api key", async () => {
    const es = await fake({ tls: await tls() });
    const { output } = make({
      hosts: [`https://localhost:${es.port}`],
      ssl_certificate_authorities: [certPath],
      api_key: "id:key",
      index: "secure",
    });
    await output.receive([new Event({ s: 1 })]);
    expect(es.accepted[0]!.meta._index).toBe("secure");
    expect(es.bulkRequests()[0]!.headers.authorization).toBe(
      `ApiKey ${Buffer.from("id:key").toString("base64")}`,
    );
  });

  it("turns http hosts without a scheme into https with ssl_enabled, and checks nothing with ssl_verification_mode none", async () => {
    const es = await fake({ tls: await tls() });
    const { output } = make({
      hosts: [`127.0.0.1:${es.port}`],
      ssl_enabled: true,
      ssl_verification_mode: "none",
      index: "loose",
    });
    await output.receive([new Event({ s: 1 })]);
    expect(es.accepted[0]!.meta._index).toBe("loose");
  });

  it("does not connect to a server whose certificate it cannot verify", async () => {
    const es = await fake({ tls: await tls() });
    const rc = context();
    const { hostUrls } = await import("./elasticsearch.js");
    const client = new EsClient({
      urls: hostUrls(options({ hosts: [es.url] })),
      headers: {},
      timeoutMs: 1000,
      poolMax: 10,
      poolMaxPerRoute: 10,
      tls: { rejectUnauthorized: true },
      healthcheckPath: "/",
      resurrectDelayMs: 10_000,
      logger: rc.ctx.logger,
    });
    await client.start();
    client.close();
    expect(client.aliveCount).toBe(0);
    expect(rc.logs.join("\n")).toMatch(/self.signed|certificate/i);
    expect(es.requests).toHaveLength(0);
  });
});
