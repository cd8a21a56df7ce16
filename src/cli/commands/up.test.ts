import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { type AddressInfo, connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { builtinSpecs, PluginRegistry } from "../../pipeline/plugins/index.js";
import { elasticsearchOutput } from "../../pipeline/plugins/outputs/elasticsearch.js";
import { examplesDir, pipelineDefinitions, runUp, type UpFlags } from "./up.js";

const registry = new PluginRegistry([
  ...builtinSpecs.filter((s) => !(s.kind === "output" && s.name === "elasticsearch")),
  elasticsearchOutput,
]);

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function tmp(): string {
  return mkdtempSync(join(tmpdir(), "sluice-up-"));
}

function flags(dir: string, more: Partial<UpFlags> = {}): UpFlags {
  return {
    dataDir: join(dir, "data"),
    kafkaPort: 0,
    storePort: 0,
    apiPort: 0,
    host: "127.0.0.1",
    broker: true,
    store: false,
    api: true,
    logLevel: "error",
    ...more,
  };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

describe("pipelineDefinitions", () => {
  it("makes one pipeline per .conf file of a directory and calls a lone one main", () => {
    const dir = tmp();
    writeFileSync(join(dir, "b.conf"), "input { stdin {} }");
    writeFileSync(join(dir, "a.conf"), "input { stdin {} }");
    writeFileSync(join(dir, "notes.txt"), "not a pipeline");
    expect(pipelineDefinitions([dir])).toEqual([
      { id: "a", configPaths: [join(dir, "a.conf")] },
      { id: "b", configPaths: [join(dir, "b.conf")] },
    ]);
    expect(pipelineDefinitions([join(dir, "a.conf")])).toEqual([
      { id: "main", configPaths: [join(dir, "a.conf")] },
    ]);
    expect(() => pipelineDefinitions([join(dir, "missing.conf")])).toThrow(/not found/);
  });

  it("finds the project's examples, which include the seed's pipeline", () => {
    const ids = pipelineDefinitions([examplesDir()]).map((d) => d.id);
    expect(ids).toContain("seed");
  });
});

describe("sluice up", () => {
  it("starts broker, store, API and pipelines, prints where each listens, and stops them all", async () => {
    const storePort = await freePort();
    const dir = tmp();
    const conf = join(dir, "gen.conf");
    writeFileSync(
      conf,
      `input { generator { count => 3 message => "hello" } }
       output { elasticsearch { hosts => ["http://127.0.0.1:${storePort}"] index => "gen" } }`,
    );
    const lines: string[] = [];
    const up = await runUp(flags(dir, { file: [conf], store: true, storePort }), {
      out: (l) => lines.push(l),
      registry,
    });
    let stopped = false;
    cleanups.push(async () => {
      if (!stopped) await up.stop();
    });
    expect(lines[0]).toMatch(/^kafka: 127\.0\.0\.1:\d+/);
    expect(lines[1]).toBe(
      `store: http://127.0.0.1:${storePort} (Elasticsearch API, data ${join(dir, "data", "store")})`,
    );
    expect(lines.some((l) => l.startsWith(`pipeline main: ${conf}`))).toBe(true);
    const api = lines.find((l) => l.startsWith("monitoring API: "))!;
    expect(lines.at(-1)).toMatch(/^sluice up ready in \d+ ms/);
    const kafkaPort = Number(/:(\d+)/.exec(lines[0]!)![1]);
    const apiUrl = api.slice("monitoring API: ".length);
    const node = (await (await fetch(`${apiUrl}/_node/pipelines`)).json()) as {
      pipelines: Record<string, unknown>;
    };
    expect(Object.keys(node.pipelines)).toEqual(["main"]);
    const store = `http://127.0.0.1:${storePort}`;
    let count = 0;
    for (let i = 0; i < 100 && count < 3; i++) {
      await fetch(`${store}/gen/_refresh`, { method: "POST" });
      const answer = (await (await fetch(`${store}/gen/_count`)).json()) as { count?: number };
      count = answer.count ?? 0;
      if (count < 3) await new Promise((r) => setTimeout(r, 20));
    }
    expect(count).toBe(3);
    await up.stop();
    stopped = true;
    for (const port of [kafkaPort, Number(new URL(apiUrl).port), storePort])
      expect(await portOpen(port)).toBe(false);
  });

  it("runs without broker and API when asked, and refuses a broken configuration", async () => {
    const dir = tmp();
    const conf = join(dir, "one.conf");
    writeFileSync(conf, "input { generator { count => 1 } } output { null {} }");
    const lines: string[] = [];
    const up = await runUp(flags(dir, { file: [conf], broker: false, api: false }), {
      out: (l) => lines.push(l),
      registry,
    });
    await up.stop();
    expect(lines.some((l) => l.startsWith("kafka") || l.startsWith("monitoring"))).toBe(false);
    const bad = join(dir, "bad.conf");
    writeFileSync(bad, "input { generator { nonsense => 1 } } output { null {} }");
    await expect(
      runUp(flags(dir, { file: [bad], broker: false, api: false }), { out: () => {}, registry }),
    ).rejects.toThrow(/configuration has errors[\s\S]*nonsense/);
  });

  it("says clearly when the store cannot start", async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
    const port = (taken.address() as { port: number }).port;
    cleanups.push(() => new Promise((resolve) => taken.close(() => resolve())));
    const dir = tmp();
    mkdirSync(join(dir, "p"));
    const conf = join(dir, "p", "x.conf");
    writeFileSync(conf, "input { generator { count => 1 } } output { null {} }");
    await expect(
      runUp(flags(dir, { file: [conf], broker: false, api: false, store: true, storePort: port }), {
        out: () => {},
        registry,
      }),
    ).rejects.toThrow(/store/);
  });
});
