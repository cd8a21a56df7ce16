import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../../common/logger.js";
import { type StoreServer, startStoreServer } from "../../../es/server.js";
import { Event } from "../../event/index.js";
import type { PluginContext } from "../api.js";
import { type OptionValue, ResolvedOptions } from "../options.js";
import { createElasticsearchOutput, elasticsearchOutput } from "./elasticsearch.js";

// The elasticsearch output against Sluice's own embedded store, over a real socket.

let store: StoreServer;
let url: string;
const closers: (() => void)[] = [];

beforeAll(async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "es-output-store-"));
  store = await startStoreServer({ port: 0, dataDir, logger: createLogger({ level: "fatal" }) });
  url = `http://127.0.0.1:${store.port}`;
});

afterAll(async () => {
  for (const close of closers) close();
  await store.close();
});

function make(given: Record<string, OptionValue>) {
  const values = new Map<string, OptionValue>();
  for (const [name, spec] of Object.entries(elasticsearchOutput.options))
    if (spec.default !== undefined) values.set(name, spec.default);
  for (const [name, value] of Object.entries({ hosts: [url], retry_initial_interval: 0.01, ...given }))
    values.set(name, value);
  const failures: string[] = [];
  const logs: string[] = [];
  const context: PluginContext = {
    id: "es_store",
    pipelineId: "test",
    logger: createLogger({ level: "debug", write: (line) => logs.push(line) }),
    ecsCompatibility: "v8",
    dataDir: "",
    countFailure: (reason) => failures.push(reason),
  };
  const output = createElasticsearchOutput(
    new ResolvedOptions(values, new Set(Object.keys(given)), undefined, undefined),
    context,
  );
  closers.push(() => output.close());
  return { output, failures, logs };
}

async function get(path: string, body?: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(`${url}${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return (await response.json()) as Record<string, unknown>;
}

async function count(index: string): Promise<number> {
  await get(`/${index}/_refresh`, {});
  return (await get(`/${index}/_count`)).count as number;
}

describe("elasticsearch output against the embedded store", () => {
  it("connects, installs its template and indexes the seed's way", async () => {
    const { output, failures } = make({ index: "seedlike" });
    await output.receive([new Event({ user: "ada", n: 1 }), new Event({ user: "grace", n: 2 })]);
    expect(failures).toEqual([]);
    expect(await count("seedlike")).toBe(2);
    const template = await get("/_index_template/ecs-logstash");
    expect(JSON.stringify(template)).toContain("ecs-logstash-*");
  });

  it("creates, conflicts (409: dropped), updates with doc_as_upsert and deletes by document_id", async () => {
    const create = make({ index: "crud", action: "create", document_id: "%{id}" });
    await create.output.receive([new Event({ id: "a", v: 1 })]);
    await create.output.receive([new Event({ id: "a", v: 2 })]);
    expect(create.failures).toEqual(["non_retryable"]);
    const update = make({ index: "crud", action: "update", document_id: "%{id}", doc_as_upsert: true });
    await update.output.receive([new Event({ id: "a", v: 3 }), new Event({ id: "b", v: 4 })]);
    await get("/crud/_refresh", {});
    const a = await get("/crud/_doc/a");
    expect((a._source as { v: number }).v).toBe(3);
    expect(await count("crud")).toBe(2);
    const remove = make({ index: "crud", action: "delete", document_id: "%{id}" });
    await remove.output.receive([new Event({ id: "b" })]);
    expect(await count("crud")).toBe(1);
  });

  it("writes to the default data stream name with create actions", async () => {
    const { output, failures } = make({});
    await output.receive([new Event({ message: "to a stream" })]);
    expect(failures).toEqual([]);
    expect(await count("logs-generic-default")).toBe(1);
  });

  it("without data streams and index, follows the store's answer on ILM and writes where it can", async () => {
    const { output, failures, logs } = make({ data_stream: "false" });
    await output.receive([new Event({ "@timestamp": "2024-05-06T07:08:09Z", message: "ilm" })]);
    expect(failures).toEqual([]);
    // The store keeps ILM policies; whether it can create the rollover alias decides between the alias and the
    // dated index: the document is in one of them either way.
    expect((await fetch(`${url}/_ilm/policy/logstash-policy`)).status).toBe(200);
    expect(await count("ecs-logstash*")).toBe(1);
    const aliased = !logs.some((l) => l.includes("could not create the ILM rollover alias"));
    expect(await count(aliased ? "ecs-logstash" : "ecs-logstash-2024.05.06")).toBe(1);
  });

  it("routes a document the store rejects to the DLQ seam instead of retrying it", async () => {
    const { output, failures } = make({ index: "strict" });
    await output.receive([new Event({ n: 1 })]);
    // A number field given an object cannot be indexed: Elasticsearch answers 400 mapper_parsing_exception.
    await output.receive([new Event({ n: { nested: true } })]);
    expect(failures).toEqual(["dlq"]);
    expect(await count("strict")).toBe(1);
  });
});
