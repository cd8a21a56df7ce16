import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startMonitoringApi } from "../../api/server.js";
import { slotSource } from "../../api/slot-source.js";
import { queuedEvents } from "../../api/source.js";
import { createLogger, type Logger, silentLogger } from "../../common/logger.js";
import { defaultRegistry } from "../plugins/index.js";
import { parseReloadInterval, reloadFlagProblem, startAutoReload } from "./auto.js";
import { openSlot, reloadPipeline } from "./reload.js";
import type { PipelineDefinition, PipelineSlot } from "./slot.js";

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "sluice-reload-"));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

function capturingLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  return { logger: createLogger({ level: "info", write: (line) => lines.push(line) }), lines };
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function waitFor(
  condition: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 15_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function connect(port: number): Promise<net.Socket> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await new Promise<net.Socket>((resolve, reject) => {
        const socket = net.connect(port, "127.0.0.1", () => resolve(socket));
        socket.once("error", reject);
      });
    } catch (err) {
      if (attempt > 200) throw err;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}

async function send(port: number, lines: string[]): Promise<void> {
  const socket = await connect(port);
  await new Promise<void>((resolve) => socket.end(lines.map((l) => `${l}\n`).join(""), resolve));
}

async function outputLines(file: string): Promise<Array<Record<string, unknown>>> {
  const text = await readFile(file, "utf8").catch(() => "");
  return text
    .split("\n")
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

const names = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

async function open(definition: PipelineDefinition, logger: Logger = silentLogger): Promise<PipelineSlot> {
  const opened = await openSlot(definition, defaultRegistry, logger);
  if (opened.slot === undefined) throw new Error(JSON.stringify(opened.diagnostics));
  const slot = opened.slot;
  slot.start();
  cleanups.push(() => slot.stop());
  return slot;
}

describe("reloading a pipeline from a real config file", () => {
  it("swaps in an edited config without losing queued events, and keeps serving when the new one is broken", async () => {
    const dir = await tempDir();
    const configFile = join(dir, "pipeline.conf");
    const out = join(dir, "out.jsonl");
    const port = await freePort();
    const config = (version: string, filter = `mutate { add_field => { "version" => "${version}" } }`) =>
      `input { tcp { port => ${port} host => "127.0.0.1" } }\nfilter { ${filter} }\noutput { file { path => "${out}" flush_interval => 0 } }\n`;
    await writeFile(configFile, config("1"));
    const { logger, lines: logLines } = capturingLogger();
    // A long batch delay keeps accepted events in the queue, so the reload has to drain them.
    const definition: PipelineDefinition = {
      id: "main",
      paths: [configFile],
      settings: { workers: 1, batchSize: 1000, batchDelayMs: 1500, logger: silentLogger },
    };
    const slot = await open(definition, logger);
    const reloader = await startAutoReload({
      slots: () => [slot],
      registry: defaultRegistry,
      logger,
      automatic: false,
      signal: null,
    });
    cleanups.push(() => reloader.stop());
    const api = await startMonitoringApi({
      port: 0,
      logger: silentLogger,
      source: slotSource({ slots: () => [slot], registry: defaultRegistry }),
    });
    cleanups.push(() => api.close());

    await send(port, names("a", 50));
    await waitFor(async () => (await outputLines(out)).length === 50, "the first 50 events");

    await writeFile(configFile, config("2"));
    const first = slot.pipeline;
    await send(port, names("b", 50));
    await waitFor(() => first.stats.eventsIn === 100, "the next 50 events to be queued");
    expect(queuedEvents(first)).toBeGreaterThan(0);
    const outcomes = await reloader.checkNow();
    expect(outcomes).toEqual([{ pipeline: "main", status: "reloaded", diagnostics: [] }]);
    expect(slot.pipeline).not.toBe(first);
    expect(first.stats.eventsOut).toBe(100);
    expect(slot.reloads.successes).toBe(1);
    expect(slot.state).toBe("running");

    await send(port, names("c", 50));
    await waitFor(async () => (await outputLines(out)).length === 150, "the events sent after the reload");
    const byMessage = new Map((await outputLines(out)).map((e) => [e.message, e.version]));
    expect(byMessage.size).toBe(150);
    for (const m of [...names("a", 50), ...names("b", 50)]) expect(byMessage.get(m), m).toBe("1");
    for (const m of names("c", 50)) expect(byMessage.get(m), m).toBe("2");

    const serving = slot.pipeline;
    await writeFile(configFile, config("3", `nosuch {} mutate { bogus_option => 1 }`));
    const broken = await reloader.checkNow();
    expect(broken[0]!.status).toBe("failed");
    expect(broken[0]!.diagnostics.length).toBeGreaterThanOrEqual(2);
    expect(slot.pipeline).toBe(serving);
    expect(slot.reloads).toMatchObject({ successes: 1, failures: 1 });
    expect(slot.reloads.lastError?.message).toMatch(/nosuch/);
    expect(slot.reloads.lastError?.message).toMatch(/bogus_option/);
    const errorLog = logLines.filter((l) => l.includes("ERROR") && l.includes("reload failed"));
    expect(errorLog.some((l) => l.includes("nosuch"))).toBe(true);
    expect(errorLog.some((l) => l.includes("bogus_option"))).toBe(true);

    const response = await fetch(`http://127.0.0.1:${api.port}/_node/stats/pipelines/main`);
    const stats = (await response.json()) as {
      pipelines: { main: { reloads: { last_error: { message: string }; [key: string]: unknown } } };
    };
    expect(stats.pipelines.main.reloads).toMatchObject({ successes: 1, failures: 1 });
    expect(stats.pipelines.main.reloads.last_error.message).toMatch(/nosuch/);
    expect(stats.pipelines.main.reloads.last_failure_timestamp).toEqual(expect.any(String));

    await send(port, names("d", 10));
    await waitFor(async () => (await outputLines(out)).length === 160, "events served by the kept pipeline");
    const last = (await outputLines(out)).filter((e) => String(e.message).startsWith("d"));
    expect(last.every((e) => e.version === "2")).toBe(true);
  });
});

describe("automatic and signalled reloads", () => {
  async function generatorSlot(message: string) {
    const dir = await tempDir();
    const configFile = join(dir, "gen.conf");
    const out = join(dir, "out.jsonl");
    const config = (m: string) =>
      `input { generator { count => 1 message => "${m}" } } output { file { path => "${out}" flush_interval => 0 } }`;
    await writeFile(configFile, config(message));
    const slot = await open({
      id: "gen",
      paths: [configFile],
      settings: { workers: 1, logger: silentLogger },
    });
    await slot.ended();
    expect(slot.state).toBe("finished");
    return { slot, configFile, out, config };
  }

  it("polls every interval and reloads an edited file (even a finished pipeline)", async () => {
    const { slot, configFile, out, config } = await generatorSlot("first");
    const reloader = await startAutoReload({
      slots: () => [slot],
      registry: defaultRegistry,
      logger: silentLogger,
      automatic: true,
      intervalMs: 50,
      signal: null,
    });
    cleanups.push(() => reloader.stop());
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(slot.reloads.successes).toBe(0);
    await writeFile(configFile, config("second"));
    await waitFor(() => slot.reloads.successes === 1, "the automatic reload");
    await waitFor(async () => (await outputLines(out)).length === 2, "the new pipeline's event");
    expect((await outputLines(out)).map((e) => e.message)).toEqual(["first", "second"]);
  });

  it("reloads on SIGHUP without -r, only when the text changed", async () => {
    const { slot, configFile, config } = await generatorSlot("first");
    const reloader = await startAutoReload({
      slots: () => [slot],
      registry: defaultRegistry,
      logger: silentLogger,
      automatic: false,
    });
    cleanups.push(() => reloader.stop());
    const before = slot.pipeline;
    process.emit("SIGHUP", "SIGHUP");
    expect(await reloader.checkNow()).toEqual([]);
    expect(slot.pipeline).toBe(before);
    await writeFile(configFile, config("second"));
    process.emit("SIGHUP", "SIGHUP");
    await waitFor(() => slot.reloads.successes === 1, "the SIGHUP reload");
    expect(slot.pipeline).not.toBe(before);
    reloader.stop();
    expect(process.listeners("SIGHUP").length).toBe(0);
  });

  it("parses config.reload.interval time values", () => {
    expect(parseReloadInterval("3s")).toBe(3000);
    expect(parseReloadInterval("500ms")).toBe(500);
    expect(parseReloadInterval("1m")).toBe(60_000);
    expect(() => parseReloadInterval("3")).toThrow(/unit/);
    expect(() => parseReloadInterval("0s")).toThrow(/at least/);
  });

  it("refuses -r without -f, as Logstash does", () => {
    expect(reloadFlagProblem(true, undefined)).toMatch(/requires a configuration path/);
    expect(reloadFlagProblem(true, [])).toMatch(/-f/);
    expect(reloadFlagProblem(true, ["a.conf"])).toBeUndefined();
    expect(reloadFlagProblem(false, undefined)).toBeUndefined();
  });
});

describe("reloadPipeline", () => {
  it("touches no other pipeline", async () => {
    const dir = await tempDir();
    const a = join(dir, "a.conf");
    const b = join(dir, "b.conf");
    await writeFile(a, `input { generator { count => 0 } } output { null {} }`);
    await writeFile(b, `input { generator { count => 0 } } output { null { id => "b_out" } }`);
    const slotA = await open({ id: "a", paths: [a], settings: { workers: 1, logger: silentLogger } });
    const slotB = await open({ id: "b", paths: [b], settings: { workers: 1, logger: silentLogger } });
    const pipelineB = slotB.pipeline;
    await writeFile(a, `input { generator { count => 0 } } filter { mutate {} } output { null {} }`);
    const reloader = await startAutoReload({
      slots: () => [slotA, slotB],
      registry: defaultRegistry,
      logger: silentLogger,
      automatic: false,
      signal: null,
    });
    cleanups.push(() => reloader.stop());
    expect((await reloader.checkNow(true)).map((o) => [o.pipeline, o.status])).toEqual([
      ["a", "reloaded"],
      ["b", "unchanged"],
    ]);
    expect(slotB.pipeline).toBe(pipelineB);
    expect(pipelineB.stopping).toBe(false);
    const flowing = pipelineB.stats.eventsIn;
    await waitFor(() => pipelineB.stats.eventsIn > flowing, "b to keep flowing");
    expect(slotB.reloads).toMatchObject({ successes: 0, failures: 0 });
  });

  it("leaves an unchanged config alone unless forced", async () => {
    const dir = await tempDir();
    const file = join(dir, "x.conf");
    await writeFile(file, `input { generator { count => 1 } } output { null {} }`);
    const slot = await open({ id: "x", paths: [file], settings: { workers: 1, logger: silentLogger } });
    const options = { registry: defaultRegistry, logger: silentLogger };
    expect((await reloadPipeline(slot, options)).status).toBe("unchanged");
    expect(slot.reloads.successes).toBe(0);
    expect((await reloadPipeline(slot, { ...options, force: true })).status).toBe("reloaded");
    expect(slot.reloads.successes).toBe(1);
  });

  it("refuses to reload a pipeline with a stdin input, as Logstash does", async () => {
    const dir = await tempDir();
    const file = join(dir, "s.conf");
    await writeFile(file, `input { generator { count => 1 } } output { null {} }`);
    const slot = await open({ id: "s", paths: [file], settings: { workers: 1, logger: silentLogger } });
    await writeFile(file, `input { stdin {} } output { null {} }`);
    const outcome = await reloadPipeline(slot, { registry: defaultRegistry, logger: silentLogger });
    expect(outcome.status).toBe("failed");
    expect(slot.reloads.lastError?.message).toMatch(/stdin input is not reloadable/);
  });

  it("counts a failure when the new pipeline cannot be created (bad settings)", async () => {
    const dir = await tempDir();
    const file = join(dir, "w.conf");
    await writeFile(file, `input { generator { count => 1 } } output { null {} }`);
    const slot = await open({ id: "w", paths: [file], settings: { workers: 1, logger: silentLogger } });
    slot.definition.settings.batchSize = 0;
    const outcome = await reloadPipeline(slot, {
      registry: defaultRegistry,
      logger: silentLogger,
      force: true,
    });
    expect(outcome.status).toBe("failed");
    expect(slot.reloads.lastError?.message).toMatch(/batch.size/);
    expect(slot.reloads.failures).toBe(1);
  });

  it("does nothing once the slot is stopping", async () => {
    const dir = await tempDir();
    const file = join(dir, "q.conf");
    await writeFile(file, `input { generator { count => 0 } } output { null {} }`);
    const slot = await open({ id: "q", paths: [file], settings: { workers: 1, logger: silentLogger } });
    await slot.stop();
    const outcome = await reloadPipeline(slot, {
      registry: defaultRegistry,
      logger: silentLogger,
      force: true,
    });
    expect(outcome.status).toBe("skipped");
    expect(slot.state).toBe("finished");
  });

  it("ends a slot stopped before it ever ran", async () => {
    const dir = await tempDir();
    const file = join(dir, "n.conf");
    await writeFile(file, `input { generator { count => 1 } } output { null {} }`);
    const opened = await openSlot(
      { id: "n", paths: [file], settings: { workers: 1 } },
      defaultRegistry,
      silentLogger,
    );
    const slot = opened.slot!;
    expect(slot.state).toBe("loading");
    await slot.stop();
    expect(slot.state).toBe("finished");
    await slot.ended();
  });
});
