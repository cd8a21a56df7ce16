import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createLogger, type Logger, silentLogger } from "../../common/logger.js";
import { defaultRegistry } from "../plugins/index.js";
import { Agent } from "./agent.js";
import { readPipelinesYml } from "./pipelines-yml.js";
import { type AgentServices, startAgentServices } from "./services.js";

const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "sluice-services-"));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function waitFor(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function send(port: number, lines: string[]): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      const socket = await new Promise<net.Socket>((resolve, reject) => {
        const s = net.connect(port, "127.0.0.1", () => resolve(s));
        s.once("error", reject);
      });
      await new Promise<void>((resolve) => socket.end(lines.map((l) => `${l}\n`).join(""), resolve));
      return;
    } catch (err) {
      if (attempt > 200) throw err;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}

async function outputLines(file: string): Promise<Array<Record<string, unknown>>> {
  const text = await readFile(file, "utf8").catch(() => "");
  return text
    .split("\n")
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

const names = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

function capturingLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  return { logger: createLogger({ level: "info", write: (line) => lines.push(line) }), lines };
}

// biome-ignore lint/suspicious/noExplicitAny: the tests walk deep into API documents whose shape they assert
type Json = any;

async function getJson(port: number, path: string): Promise<Json> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`);
  expect(response.status).toBe(200);
  return (await response.json()) as Json;
}

/** Loads pipelines.yml into an agent, starts its services (API on any port, no signal) and runs it. */
async function startFromYml(pipelinesYml: string, logger: Logger = silentLogger) {
  const read = await readPipelinesYml(pipelinesYml);
  expect(read.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  const agent = new Agent({ registry: defaultRegistry, logger, dataDir: join(pipelinesYml, "..", "data") });
  const loaded = await agent.load(read.definitions);
  expect(loaded.filter((d) => d.severity === "error")).toEqual([]);
  const services: AgentServices = await startAgentServices(agent, {
    registry: defaultRegistry,
    logger,
    api: { port: 0 },
    reload: { automatic: false, signal: null, pipelinesYml },
  });
  cleanups.push(() => services.shutdown());
  const running = agent.run();
  return { agent, services, running, apiPort: services.api!.port };
}

describe("startAgentServices: one pipeline of two reloads on its own", () => {
  it("keeps the other untouched, delivers every event across the reload, and keeps serving a broken edit", async () => {
    const dir = await tempDir();
    const port = await freePort();
    const out = join(dir, "out.jsonl");
    const upConf = join(dir, "up.conf");
    const downConf = join(dir, "down.conf");
    const down = (version: string, filter = `mutate { add_field => { "version" => "${version}" } }`) =>
      `input { pipeline { address => "svc-mid" } }\nfilter { ${filter} }\noutput { file { path => "${out}" flush_interval => 0 } }\n`;
    await writeFile(
      upConf,
      `input { tcp { port => ${port} host => "127.0.0.1" } } output { pipeline { send_to => ["svc-mid"] } }`,
    );
    await writeFile(downConf, down("1"));
    const yml = join(dir, "pipelines.yml");
    // The long batch delay keeps accepted events queued downstream, so the reload has to drain them.
    await writeFile(
      yml,
      [
        "- pipeline.id: up",
        `  path.config: ${upConf}`,
        "  pipeline.workers: 1",
        "- pipeline.id: down",
        `  path.config: ${downConf}`,
        "  pipeline.workers: 1",
        "  pipeline.batch.size: 1000",
        "  pipeline.batch.delay: 1000",
      ].join("\n"),
    );
    const { logger, lines: logLines } = capturingLogger();
    const { agent, services, apiPort } = await startFromYml(yml, logger);
    const upPipeline = agent.pipelines().get("up")!;

    await send(port, names("a", 50));
    await waitFor(async () => (await outputLines(out)).length === 50, "the first 50 events");
    await writeFile(downConf, down("2"));
    const oldDown = agent.pipelines().get("down")!;
    await send(port, names("b", 50));
    await waitFor(() => oldDown.stats.eventsIn === 100, "the next 50 events queued downstream");
    const reloading = services.reloader.checkNow();
    // Sent while the downstream pipeline is swapped: the upstream's ensure_delivery waits for the new listener.
    await send(port, names("c", 50));
    expect((await reloading).map((o) => [o.pipeline, o.status])).toEqual([["down", "reloaded"]]);
    expect(oldDown.stats.eventsOut).toBe(oldDown.stats.eventsIn);
    await waitFor(async () => (await outputLines(out)).length === 150, "the events sent during the reload");
    await send(port, names("d", 50));
    await waitFor(async () => (await outputLines(out)).length === 200, "the events sent after the reload");
    const version = new Map((await outputLines(out)).map((e) => [e.message, e.version]));
    expect(version.size).toBe(200);
    for (const m of [...names("a", 50), ...names("b", 50)]) expect(version.get(m), m).toBe("1");
    for (const m of names("d", 50)) expect(version.get(m), m).toBe("2");
    expect(agent.pipelines().get("up")).toBe(upPipeline);
    expect(upPipeline.stopping).toBe(false);
    expect(agent.slotOf("up")!.reloads).toMatchObject({ successes: 0, failures: 0 });
    expect(agent.slotOf("down")!.reloads).toMatchObject({ successes: 1, failures: 0 });

    const serving = agent.pipelines().get("down")!;
    await writeFile(downConf, down("3", "nosuch {}"));
    const broken = await services.reloader.checkNow();
    expect(broken.map((o) => [o.pipeline, o.status])).toEqual([["down", "failed"]]);
    expect(agent.pipelines().get("down")).toBe(serving);
    expect(logLines.some((l) => l.includes("reload failed") && l.includes("nosuch"))).toBe(true);
    const stats = await getJson(apiPort, "/_node/stats/pipelines");
    expect(Object.keys(stats.pipelines).sort()).toEqual(["down", "up"]);
    expect(stats.pipelines.down.reloads).toMatchObject({ successes: 1, failures: 1 });
    expect(stats.pipelines.down.reloads.last_error.message).toMatch(/nosuch/);
    expect(stats.pipelines.up.reloads).toMatchObject({ successes: 0, failures: 0 });
    expect(stats.pipelines.up.events.out).toBe(200);
    expect(stats.pipelines.down.events.in).toBe(100);
    const health = await getJson(apiPort, "/_health_report");
    expect(health.indicators.pipelines.indicators.down.details.run_state).toBe("RUNNING");
    await send(port, names("e", 10));
    await waitFor(async () => (await outputLines(out)).length === 210, "events served by the kept pipeline");
    const last = (await outputLines(out)).filter((e) => String(e.message).startsWith("e"));
    expect(last.every((e) => e.version === "2")).toBe(true);

    await services.shutdown();
    expect(agent.pipelines().get("down")!.stopping).toBe(true);
    await expect(fetch(`http://127.0.0.1:${apiPort}/`)).rejects.toThrow();
  }, 30_000);
});

describe("startAgentServices: pipelines.yml itself reloads", () => {
  const idle = (address: string) => `input { pipeline { address => "${address}" } } output { null {} }`;
  const entry = (id: string, config: string, extra: string[] = []) => [
    `- pipeline.id: ${id}`,
    `  config.string: '${config}'`,
    "  pipeline.workers: 1",
    ...extra,
  ];

  it("adds, removes and replaces pipelines, refuses a conflicting or broken one, ignores a broken file", async () => {
    const dir = await tempDir();
    const yml = join(dir, "pipelines.yml");
    const fileConf = join(dir, "f.conf");
    await writeFile(fileConf, idle("cv-f"));
    const write = (lines: string[][]) => writeFile(yml, lines.flat().join("\n"));
    await write([
      entry("a", idle("cv-a")),
      entry("b", idle("cv-b")),
      [`- pipeline.id: f`, `  path.config: ${fileConf}`, "  pipeline.workers: 1"],
    ]);
    const { agent, services, apiPort } = await startFromYml(yml);
    const a = agent.slotOf("a")!;
    const f = agent.pipelines().get("f");
    await waitFor(() => a.state === "running", "a to run");

    await write([
      entry("b", idle("cv-b"), ["  pipeline.batch.size: 7"]),
      entry("c", idle("cv-c")),
      entry("d", idle("cv-b")),
      entry("e", "input { nosuch {} } output { null {} }"),
      [`- pipeline.id: f`, `  path.config: ${fileConf}`, "  pipeline.workers: 1"],
    ]);
    expect(await services.reloader.checkNow()).toEqual([]);
    expect([...agent.pipelines().keys()].sort()).toEqual(["b", "c", "f"]);
    expect(a.state).toBe("finished");
    expect(agent.settingsOf("b")!.batchSize).toBe(7);
    expect(agent.slotOf("b")!.reloads.successes).toBe(1);
    expect(agent.pipelines().get("f")).toBe(f);
    await waitFor(() => agent.stateOf("c") === "running", "c to run");
    const nodePipelines = await getJson(apiPort, "/_node/pipelines");
    expect(Object.keys(nodePipelines.pipelines).sort()).toEqual(["b", "c", "f"]);
    expect(nodePipelines.pipelines.b.batch_size).toBe(7);

    // A reloaded file may not take an address another pipeline listens on.
    await writeFile(fileConf, idle("cv-c"));
    const outcomes = await services.reloader.checkNow();
    expect(outcomes.map((o) => [o.pipeline, o.status])).toEqual([["f", "failed"]]);
    expect(outcomes[0]!.diagnostics[0]!.message).toContain('both have a pipeline input on address "cv-c"');
    expect(agent.pipelines().get("f")).toBe(f);

    await writeFile(yml, "- pipeline.id: [oops\n");
    await services.reloader.checkNow();
    expect([...agent.pipelines().keys()].sort()).toEqual(["b", "c", "f"]);
  }, 30_000);

  it("can run without the API, and a bad port range fails before anything is left running", async () => {
    const agent = new Agent({ registry: defaultRegistry, logger: silentLogger, dataDir: "./data" });
    await agent.load([{ id: "x", configString: idle("cv-x"), settings: { workers: 1 } }]);
    const services = await startAgentServices(agent, {
      registry: defaultRegistry,
      logger: silentLogger,
      api: { enabled: false },
      reload: { automatic: true, intervalMs: 50, signal: null },
    });
    expect(services.api).toBeUndefined();
    expect(agent.settingsOf("x")).toBeDefined();
    expect(agent.slotOf("x")!.definition).toMatchObject({ reloadAutomatic: true, reloadIntervalMs: 50 });
    void agent.run();
    await services.shutdown();
    expect(agent.stateOf("x")).toBe("finished");
    await expect(
      startAgentServices(agent, { registry: defaultRegistry, logger: silentLogger, api: { port: "9-1" } }),
    ).rejects.toThrow(/api.http.port/);
  });
});
