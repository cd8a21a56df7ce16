import net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { silentLogger } from "../common/logger.js";
import { buildPlan } from "../pipeline/config/index.js";
import { defaultRegistry } from "../pipeline/plugins/index.js";
import { ReloadStats } from "../pipeline/reload/stats.js";
import { createPipeline, type Pipeline } from "../pipeline/runtime/index.js";
import { parsePortRange, startMonitoringApi } from "./server.js";
import {
  type MonitoredPipeline,
  type MonitoringSource,
  type PipelineRunState,
  pipelineInfoOf,
} from "./source.js";

function pipelineFrom(id: string, config: string): Pipeline {
  const { plan, diagnostics } = buildPlan([{ file: `${id}.conf`, text: config }]);
  expect(diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return createPipeline(plan, defaultRegistry, { id, workers: 1, logger: silentLogger });
}

class FakeSource implements MonitoringSource {
  readonly nodeId = "node-uuid-1";
  readonly nodeName = "test-node";
  readonly ephemeralId = "eph-1";
  readonly entries: Array<{ -readonly [K in keyof MonitoredPipeline]: MonitoredPipeline[K] }> = [];

  add(id: string, pipeline: Pipeline, state: PipelineRunState) {
    const entry = {
      id,
      pipeline,
      state,
      reloads: new ReloadStats(),
      info: pipelineInfoOf({ workers: 1 }, { hash: `hash-${id}`, ephemeralId: `eph-${id}` }),
    };
    this.entries.push(entry);
    return entry;
  }
  pipelines() {
    return this.entries;
  }
  plugins() {
    return defaultRegistry.all().map((s) => ({ kind: s.kind, name: s.name }));
  }
}

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function startWith(source: MonitoringSource, port: number | string = 0) {
  const api = await startMonitoringApi({ port, logger: silentLogger, source });
  closers.push(() => api.close());
  return api;
}

async function get(port: number, path: string, method = "GET") {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { method });
  const text = await res.text();
  return { status: res.status, type: res.headers.get("content-type") ?? "", text };
}

// biome-ignore lint/suspicious/noExplicitAny: the tests walk deep into API documents whose shape they assert
type Json = any;

async function getJson(port: number, path: string): Promise<Json> {
  const res = await get(port, path);
  expect(res.status, `${path}: ${res.text}`).toBe(200);
  expect(res.type).toContain("application/json");
  return JSON.parse(res.text);
}

/** A finished pipeline (500 generated events through mutate into null) and a never-started one. */
async function finishedAndLoading() {
  const source = new FakeSource();
  const done = pipelineFrom(
    "main",
    `input { generator { count => 500 id => "gen" } }
     filter { mutate { add_field => { "x" => "y" } id => "m" } }
     output { null { id => "sink" } }`,
  );
  await done.run();
  source.add("main", done, "finished");
  const idle = pipelineFrom("idle", `input { generator { count => 1 } } output { null {} }`);
  closers.push(() => idle.stop());
  source.add("idle", idle, "loading");
  return source;
}

describe("monitoring API documents", () => {
  it("answers / with Logstash's node header", async () => {
    const api = await startWith(await finishedAndLoading());
    const root = await getJson(api.port, "/");
    expect(root).toMatchObject({
      version: "0.1.0",
      http_address: `127.0.0.1:${api.port}`,
      id: "node-uuid-1",
      name: "test-node",
      ephemeral_id: "eph-1",
      status: "yellow",
      snapshot: false,
      pipeline: { workers: 1, batch_size: 125, batch_delay: 50 },
    });
    expect(typeof root.host).toBe("string");
  });

  it("serves node info: pipelines, os, jvm (Node facts), one pipeline, comma lists", async () => {
    const api = await startWith(await finishedAndLoading());
    const node = await getJson(api.port, "/_node");
    expect(Object.keys(node.pipelines)).toEqual(["main", "idle"]);
    expect(node.pipelines.main).toEqual({
      ephemeral_id: "eph-main",
      hash: "hash-main",
      workers: 1,
      batch_size: 125,
      batch_delay: 50,
      config_reload_automatic: false,
      config_reload_interval: 3_000_000_000,
      dead_letter_queue_enabled: false,
    });
    expect(node.os).toMatchObject({ name: expect.any(String), arch: process.arch });
    expect(node.os.available_processors).toBeGreaterThan(0);
    expect(node.jvm).toMatchObject({ pid: process.pid, version: process.versions.node, vm_name: "V8" });
    expect(node.jvm.mem.heap_max_in_bytes).toBeGreaterThan(0);
    const one = await getJson(api.port, "/_node/pipelines/idle");
    expect(Object.keys(one.pipelines)).toEqual(["idle"]);
    const both = await getJson(api.port, "/_node/os,jvm");
    expect(Object.keys(both)).toEqual(expect.arrayContaining(["os", "jvm"]));
    expect(both.pipelines).toBeUndefined();
    expect((await getJson(api.port, "/_node/os")).os.name).toBe(node.os.name);
  });

  it("lists the installed plugins", async () => {
    const api = await startWith(await finishedAndLoading());
    const body = await getJson(api.port, "/_node/plugins");
    expect(body.total).toBe(defaultRegistry.all().length);
    expect(body.plugins).toContainEqual({ name: "logstash-input-generator", version: "0.1.0" });
    expect(body.plugins).toContainEqual({ name: "logstash-filter-mutate", version: "0.1.0" });
  });

  it("serves node stats from the pipelines' counters: events, plugins, reloads, queue, process, jvm", async () => {
    const source = await finishedAndLoading();
    source.entries[0]!.reloads.recordFailure({ message: "2 errors: x", backtrace: ["a", "b"] }, new Date(0));
    source.entries[1]!.reloads.recordSuccess(new Date(1000));
    const api = await startWith(source);
    const stats = await getJson(api.port, "/_node/stats");
    expect(Object.keys(stats)).toEqual(
      expect.arrayContaining(["jvm", "process", "events", "pipelines", "reloads", "os", "queue"]),
    );
    expect(stats.events).toMatchObject({
      in: 500,
      filtered: 500,
      out: 500,
      queue_push_duration_in_millis: 0,
    });
    expect(stats.events.duration_in_millis).toBeGreaterThanOrEqual(0);
    const main = stats.pipelines.main;
    expect(main.events).toMatchObject({ in: 500, filtered: 500, out: 500 });
    expect(main.plugins.inputs).toEqual([
      { id: "gen", name: "generator", events: { out: 500, queue_push_duration_in_millis: 0 }, failures: 0 },
    ]);
    expect(main.plugins.filters[0]).toMatchObject({ id: "m", name: "mutate", events: { in: 500, out: 500 } });
    expect(main.plugins.outputs[0]).toMatchObject({
      id: "sink",
      name: "null",
      events: { in: 500, out: 500 },
    });
    expect(main.plugins.codecs).toEqual([]);
    expect(main.reloads).toEqual({
      last_error: { message: "2 errors: x", backtrace: ["a", "b"] },
      successes: 0,
      last_success_timestamp: null,
      last_failure_timestamp: "1970-01-01T00:00:00.000Z",
      failures: 1,
    });
    expect(main.queue).toMatchObject({ type: "memory", events_count: 0 });
    expect(main).toMatchObject({ hash: "hash-main", ephemeral_id: "eph-main", failures: 0 });
    expect(stats.pipelines.idle.reloads.last_success_timestamp).toBe("1970-01-01T00:00:01.000Z");
    expect(stats.reloads).toEqual({ successes: 1, failures: 1 });
    expect(stats.queue).toEqual({ events_count: 0 });
    expect(stats.process.open_file_descriptors).toBeGreaterThan(0);
    expect(stats.process.peak_open_file_descriptors).toBeGreaterThanOrEqual(
      stats.process.open_file_descriptors,
    );
    expect(stats.process.max_file_descriptors).not.toBe(0);
    expect(stats.process.mem.total_virtual_in_bytes).toBeGreaterThan(0);
    expect(stats.process.cpu.total_in_millis).toBeGreaterThan(0);
    expect(Object.keys(stats.process.cpu.load_average)).toEqual(["1m", "5m", "15m"]);
    expect(stats.jvm.mem.heap_used_in_bytes).toBeGreaterThan(0);
    expect(stats.jvm.threads.count).toBeGreaterThan(0);
    expect(stats.jvm.gc.collectors).toHaveProperty("young");
    expect(stats.jvm.uptime_in_millis).toBeGreaterThan(0);
  });

  it("serves each stats section alone, and one pipeline's stats", async () => {
    const api = await startWith(await finishedAndLoading());
    for (const section of ["jvm", "process", "events", "pipelines", "reloads", "os"]) {
      const body = await getJson(api.port, `/_node/stats/${section}`);
      expect(body[section], section).toBeDefined();
      expect(body.id).toBe("node-uuid-1");
    }
    const one = await getJson(api.port, "/_node/stats/pipelines/main");
    expect(Object.keys(one.pipelines)).toEqual(["main"]);
    expect(one.pipelines.main.events.in).toBe(500);
  });

  it("shows figures changing as events flow", async () => {
    const source = new FakeSource();
    const live = pipelineFrom("live", `input { generator { count => 0 } } output { null {} }`);
    source.add("live", live, "running");
    const running = live.run();
    closers.push(async () => {
      await live.stop();
      await running;
    });
    const api = await startWith(source);
    const first = (await getJson(api.port, "/_node/stats/events")).events.in;
    await new Promise((r) => setTimeout(r, 100));
    const second = (await getJson(api.port, "/_node/stats/events")).events.in;
    expect(second).toBeGreaterThan(first);
  });
});

describe("health report", () => {
  it("rolls pipeline run states up with Logstash's indicator shape", async () => {
    const source = await finishedAndLoading();
    const api = await startWith(source);
    const report = await getJson(api.port, "/_health_report");
    expect(report.status).toBe("yellow");
    expect(report.indicators.pipelines.status).toBe("yellow");
    expect(report.indicators.pipelines.symptom).toBe(
      "2 indicators are degraded or at risk of becoming unhealthy (`main`, `idle`)",
    );
    const main = report.indicators.pipelines.indicators.main;
    expect(main).toMatchObject({
      status: "yellow",
      symptom:
        "The pipeline is degraded or at risk of becoming unhealthy; 1 area is impacted and 1 diagnosis is available.",
      details: { run_state: "FINISHED" },
      impacts: [
        { severity: 10, description: "pipeline has finished running", impact_areas: ["pipeline_execution"] },
      ],
    });
    expect(main.diagnosis[0].cause).toContain("finished running");
    source.entries[0]!.state = "running";
    source.entries[1]!.state = "terminated";
    const after = await getJson(api.port, "/_health_report");
    expect(after.status).toBe("red");
    expect(after.indicators.pipelines.indicators.main).toEqual({
      status: "green",
      symptom: "The pipeline is healthy; 0 areas are impacted and 0 diagnoses are available.",
      details: { run_state: "RUNNING" },
    });
    expect(after.indicators.pipelines.symptom).toBe(
      "1 indicator is unhealthy (`idle`) and 1 indicator is healthy (`main`)",
    );
    expect((await getJson(api.port, "/")).status).toBe("red");
  });
});

describe("HTTP behaviour", () => {
  it("indents with ?pretty, answers 404 JSON for unknown paths and pipelines, 405 for other methods", async () => {
    const api = await startWith(await finishedAndLoading());
    const pretty = await get(api.port, "/?pretty");
    expect(pretty.text).toMatch(/^\{\n {2}"host"/);
    expect((await get(api.port, "/")).text).not.toContain("\n  ");
    for (const path of [
      "/nope",
      "/_node/nope",
      "/_node/pipelines/ghost",
      "/_node/stats/pipelines/ghost",
      "/_node/stats/os,x",
    ]) {
      const res = await get(api.port, path);
      expect(res.status, path).toBe(404);
      expect(JSON.parse(res.text)).toEqual({ path, status: 404, error: { message: "Not Found" } });
    }
    const post = await get(api.port, "/_node", "POST");
    expect(post.status).toBe(405);
  });

  it("takes the first free port of a range, and fails when the whole range is busy", async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    closers.push(() => new Promise((resolve) => blocker.close(() => resolve())));
    const busy = (blocker.address() as net.AddressInfo).port;
    const api = await startWith(new FakeSource(), `${busy}-${busy + 20}`);
    expect(api.port).toBeGreaterThan(busy);
    expect(api.port).toBeLessThanOrEqual(busy + 20);
    await expect(
      startMonitoringApi({ port: busy, logger: silentLogger, source: new FakeSource() }),
    ).rejects.toThrow(/no free port/);
  });

  it("parses api.http.port values", () => {
    expect(parsePortRange("9600-9700")).toEqual([9600, 9700]);
    expect(parsePortRange(9600)).toEqual([9600, 9600]);
    expect(() => parsePortRange("9700-9600")).toThrow(/api.http.port/);
    expect(() => parsePortRange("http")).toThrow(/api.http.port/);
  });
});

/** Prometheus text format 0.0.4: HELP/TYPE per family, then `name{labels} value` samples. */
function parsePrometheus(text: string) {
  const families = new Map<
    string,
    { help: string; type: string; samples: Array<{ labels: Record<string, string>; value: number }> }
  >();
  for (const line of text.split("\n")) {
    if (line === "") continue;
    const meta = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line);
    if (meta) {
      const family = families.get(meta[2]!) ?? { help: "", type: "", samples: [] };
      if (meta[1] === "HELP") family.help = meta[3]!;
      else family.type = meta[3]!;
      families.set(meta[2]!, family);
      continue;
    }
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!sample) throw new Error(`not a Prometheus line: ${line}`);
    const family = families.get(sample[1]!);
    if (!family?.type) throw new Error(`sample before its TYPE: ${line}`);
    const labels: Record<string, string> = {};
    for (const m of (sample[2] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g))
      labels[m[1]!] = m[2]!.replace(/\\(.)/g, (_, c) => (c === "n" ? "\n" : c));
    const value = Number(sample[3]);
    if (Number.isNaN(value) && sample[3] !== "NaN") throw new Error(`bad value: ${line}`);
    family.samples.push({ labels, value });
  }
  return families;
}

describe("/metrics", () => {
  it("exposes the same figures as Prometheus text with HELP/TYPE lines and labels", async () => {
    const api = await startWith(await finishedAndLoading());
    const res = await get(api.port, "/metrics");
    expect(res.status).toBe(200);
    expect(res.type).toContain("text/plain; version=0.0.4");
    const families = parsePrometheus(res.text);
    const eventsIn = families.get("sluice_pipeline_events_in_total")!;
    expect(eventsIn.type).toBe("counter");
    expect(eventsIn.help.length).toBeGreaterThan(0);
    expect(eventsIn.samples).toEqual([
      { labels: { pipeline: "main" }, value: 500 },
      { labels: { pipeline: "idle" }, value: 0 },
    ]);
    expect(families.get("sluice_pipeline_events_out_total")!.samples[0]!.value).toBe(500);
    expect(families.get("sluice_pipeline_queue_events")!.type).toBe("gauge");
    expect(families.get("sluice_pipeline_up")!.samples.map((s) => s.value)).toEqual([0, 0]);
    expect(families.get("sluice_plugin_events_out_total")!.samples).toContainEqual({
      labels: { pipeline: "main", plugin_id: "m", plugin: "mutate", kind: "filter" },
      value: 500,
    });
    expect(
      families.get("sluice_plugin_events_in_total")!.samples.some((s) => s.labels.kind === "input"),
    ).toBe(false);
    expect(families.get("sluice_process_open_fds")!.samples[0]!.value).toBeGreaterThan(0);
    expect(families.get("sluice_process_cpu_seconds_total")!.samples[0]!.value).toBeGreaterThan(0);
    for (const [name, family] of families) {
      expect(name).toMatch(/^sluice_/);
      expect(["counter", "gauge"]).toContain(family.type);
      if (family.type === "counter") expect(name).toMatch(/_total$/);
    }
  });

  it("escapes label values and lists failure reasons", async () => {
    const source = new FakeSource();
    const p = pipelineFrom(
      'odd"id',
      `input { generator { count => 3 message => "not json" } } filter { json { source => "message" id => "j" } } output { null {} }`,
    );
    await p.run();
    source.add('odd"id', p, "finished");
    const api = await startWith(source);
    const families = parsePrometheus((await get(api.port, "/metrics")).text);
    expect(families.get("sluice_pipeline_events_in_total")!.samples[0]!.labels.pipeline).toBe('odd"id');
    expect(families.get("sluice_plugin_failures_total")!.samples).toEqual([
      {
        labels: {
          pipeline: 'odd"id',
          plugin_id: "j",
          plugin: "json",
          kind: "filter",
          reason: expect.any(String),
        },
        value: 3,
      },
    ]);
    const json = await getJson(api.port, "/_node/stats/pipelines");
    expect(json.pipelines['odd"id'].plugins.filters[0].failures).toBe(3);
    expect(json.pipelines['odd"id'].failures).toBe(3);
  });
});
