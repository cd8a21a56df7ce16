// Real Elasticsearch clients against the embedded store: @elastic/elasticsearch 9.4 (npm) and Debian's
// python3-elasticsearch 7.17 (/usr/bin/python3). Expected values are computed here from the data sent.

import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@elastic/elasticsearch";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../src/common/logger.js";
import { type StoreServer, startStoreServer } from "../../src/es/server.js";

const levels = ["info", "warn", "error", "debug"];
const hosts = ["web-1", "web-2", "db-1"];
const day = 86_400_000;
const start = Date.UTC(2024, 4, 1);

interface LogDoc {
  "@timestamp": string;
  level: string;
  host: string;
  bytes: number;
  message: string;
}

function makeDocs(n: number, tag: string): LogDoc[] {
  return Array.from({ length: n }, (_, i) => ({
    "@timestamp": new Date(start + (i % 5) * day + i * 1000).toISOString(),
    level: levels[i % levels.length] as string,
    host: hosts[(i * 7) % hosts.length] as string,
    bytes: (i * 37) % 1000,
    message: `${tag} request ${i} ${i % 3 === 0 ? "timeout while connecting" : "completed ok"}`,
  }));
}

function countBy<T>(items: T[], key: (t: T) => string): Map<string, number> {
  const m = new Map<string, number>();
  for (const it of items) m.set(key(it), (m.get(key(it)) ?? 0) + 1);
  return m;
}

function runPython(
  script: string,
  args: string[],
  input: string,
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn("/usr/bin/python3", ["-c", script, ...args], { stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.on("close", (status) => resolve({ status, stdout, stderr }));
    child.stdin.end(input);
  });
}

let server: StoreServer;
let dir: string;
let node: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "sluice-store-clients-"));
  server = await startStoreServer({ port: 0, dataDir: dir, logger: createLogger({ level: "error" }) });
  node = `http://127.0.0.1:${server.port}`;
});

afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("@elastic/elasticsearch 9.4", () => {
  const docs = makeDocs(600, "js");

  it("indexes, bulks, searches, counts and aggregates", async () => {
    const client = new Client({ node });
    const info = await client.info();
    expect(info.version.number).toMatch(/^8\./);
    await client.indices.create({
      index: "js-logs",
      mappings: { properties: { host: { type: "keyword" } } },
    });
    expect(await client.indices.exists({ index: "js-logs" })).toBe(true);
    const bulk = await client.bulk({
      operations: docs.flatMap((d, i) => [{ index: { _index: "js-logs", _id: String(i) } }, d]),
    });
    expect(bulk.errors).toBe(false);
    expect(bulk.items).toHaveLength(docs.length);
    await client.indices.refresh({ index: "js-logs" });

    expect((await client.count({ index: "js-logs" })).count).toBe(docs.length);
    const timeouts = docs.filter((d) => d.message.includes("timeout")).length;
    const match = await client.search({
      index: "js-logs",
      query: { match: { message: "timeout" } },
      size: 5,
    });
    expect((match.hits.total as { value: number }).value).toBe(timeouts);
    expect(match.hits.hits).toHaveLength(5);

    const errorsOnWeb1 = docs.filter((d) => d.level === "error" && d.host === "web-1").length;
    const bool = await client.count({
      index: "js-logs",
      query: {
        bool: { must: [{ term: { "level.keyword": "error" } }], filter: [{ term: { host: "web-1" } }] },
      },
    });
    expect(bool.count).toBe(errorsOnWeb1);

    const big = docs.filter((d) => d.bytes >= 500).length;
    expect((await client.count({ index: "js-logs", query: { range: { bytes: { gte: 500 } } } })).count).toBe(
      big,
    );

    const aggs = await client.search({
      index: "js-logs",
      size: 0,
      aggs: {
        hosts: { terms: { field: "host" } },
        days: { date_histogram: { field: "@timestamp", calendar_interval: "day" } },
        avg_bytes: { avg: { field: "bytes" } },
      },
    });
    const hostCounts = countBy(docs, (d) => d.host);
    const got = (aggs.aggregations!.hosts as { buckets: { key: string; doc_count: number }[] }).buckets;
    expect(new Map(got.map((b) => [b.key, b.doc_count]))).toEqual(hostCounts);
    const dayCounts = countBy(docs, (d) => d["@timestamp"].slice(0, 10));
    const days = (aggs.aggregations!.days as { buckets: { key_as_string: string; doc_count: number }[] })
      .buckets;
    expect(new Map(days.map((b) => [b.key_as_string.slice(0, 10), b.doc_count]))).toEqual(dayCounts);
    const avg = docs.reduce((s, d) => s + d.bytes, 0) / docs.length;
    expect((aggs.aggregations!.avg_bytes as { value: number }).value).toBeCloseTo(avg, 9);
  });

  it("does document CRUD with versions", async () => {
    const client = new Client({ node });
    const created = await client.index({ index: "js-crud", id: "a", document: { n: 1 } });
    expect(created.result).toBe("created");
    const updated = await client.index({ index: "js-crud", id: "a", document: { n: 2 } });
    expect(updated.result).toBe("updated");
    expect(updated._version).toBe(2);
    const got = await client.get<{ n: number }>({ index: "js-crud", id: "a" });
    expect(got._source?.n).toBe(2);
    await client.update({ index: "js-crud", id: "a", doc: { m: 3 } });
    expect((await client.get<{ n: number; m: number }>({ index: "js-crud", id: "a" }))._source).toEqual({
      n: 2,
      m: 3,
    });
    await expect(client.create({ index: "js-crud", id: "a", document: { n: 9 } })).rejects.toMatchObject({
      statusCode: 409,
    });
    expect((await client.delete({ index: "js-crud", id: "a" })).result).toBe("deleted");
    await expect(client.get({ index: "js-crud", id: "a" })).rejects.toMatchObject({ statusCode: 404 });
    await expect(client.search({ index: "missing-index" })).rejects.toMatchObject({ statusCode: 404 });
  });
});

describe("python3-elasticsearch 7.17", () => {
  const docs = makeDocs(400, "py");

  it("bulks, searches, counts and aggregates", async () => {
    expect(existsSync("/usr/bin/python3"), "/usr/bin/python3 is required").toBe(true);
    const script = `
import json, sys
from elasticsearch import Elasticsearch, helpers
es = Elasticsearch([sys.argv[1]])
docs = json.loads(sys.stdin.read())
ok, errors = helpers.bulk(es, ({"_index": "py-logs", "_id": str(i), "_source": d} for i, d in enumerate(docs)))
es.indices.refresh(index="py-logs")
out = {"ok": ok, "errors": errors, "count": es.count(index="py-logs")["count"]}
r = es.search(index="py-logs", body={"query": {"match": {"message": "timeout"}}, "size": 3})
out["match_total"] = r["hits"]["total"]["value"]
r = es.search(index="py-logs", body={"size": 0, "aggs": {"levels": {"terms": {"field": "level.keyword"}}, "max": {"max": {"field": "bytes"}}}})
out["levels"] = {b["key"]: b["doc_count"] for b in r["aggregations"]["levels"]["buckets"]}
out["max"] = r["aggregations"]["max"]["value"]
out["range"] = es.count(index="py-logs", body={"query": {"range": {"bytes": {"lt": 100}}}})["count"]
out["cat"] = es.cat.indices(index="py-logs", format="json")[0]["docs.count"]
out["health"] = es.cluster.health()["status"]
print(json.dumps(out))
`;
    // Asynchronous: the server runs in this process, so the event loop must stay free while Python talks to it.
    const run = await runPython(script, [node], JSON.stringify(docs));
    expect(run.status, run.stderr).toBe(0);
    const out = JSON.parse(run.stdout.trim().split("\n").pop() as string);
    expect(out.ok).toBe(docs.length);
    expect(out.errors).toEqual([]);
    expect(out.count).toBe(docs.length);
    expect(out.match_total).toBe(docs.filter((d) => d.message.includes("timeout")).length);
    expect(new Map(Object.entries(out.levels))).toEqual(countBy(docs, (d) => d.level));
    expect(out.max).toBe(Math.max(...docs.map((d) => d.bytes)));
    expect(out.range).toBe(docs.filter((d) => d.bytes < 100).length);
    expect(out.cat).toBe(String(docs.length));
    expect(out.health).toBe("green");
  });
});
