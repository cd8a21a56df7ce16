import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { silentLogger } from "../common/logger.js";
import { buildPlan } from "../pipeline/config/index.js";
import { defaultRegistry } from "../pipeline/plugins/index.js";
import { openSlot } from "../pipeline/reload/reload.js";
import { ReloadStats } from "../pipeline/reload/stats.js";
import { createPipeline } from "../pipeline/runtime/index.js";
import { holderSource, persistentNodeId, slotSource } from "./slot-source.js";

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "sluice-api-"));
  dirs.push(dir);
  return dir;
}

describe("slotSource", () => {
  it("keeps the node id in path.data/uuid across runs", async () => {
    const dir = await tempDir();
    const id = persistentNodeId(join(dir, "data"));
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(await readFile(join(dir, "data", "uuid"), "utf8")).toBe(id);
    expect(persistentNodeId(join(dir, "data"))).toBe(id);
    expect(
      slotSource({ slots: () => [], registry: defaultRegistry, dataDir: join(dir, "data") }).nodeId,
    ).toBe(id);
  });

  it("shows each slot's current pipeline, state, reload settings and config hash", async () => {
    const dir = await tempDir();
    const file = join(dir, "p.conf");
    await writeFile(file, `input { generator { count => 1 } } output { null {} }`);
    const opened = await openSlot(
      {
        id: "p",
        paths: [file],
        settings: { workers: 2, batchSize: 10, logger: silentLogger },
        reloadAutomatic: true,
        reloadIntervalMs: 5000,
      },
      defaultRegistry,
      silentLogger,
    );
    const slot = opened.slot!;
    const source = slotSource({ slots: () => [slot], registry: defaultRegistry, nodeName: "n1" });
    const [entry] = [...source.pipelines()];
    expect(entry).toMatchObject({ id: "p", pipeline: slot.pipeline, state: "loading" });
    expect(entry!.info).toMatchObject({
      workers: 2,
      batchSize: 10,
      batchDelayMs: 50,
      configReloadAutomatic: true,
      configReloadIntervalMs: 5000,
      hash: slot.config.hash,
      queueType: "memory",
    });
    expect(source.nodeName).toBe("n1");
    expect([...source.plugins()]).toContainEqual({ kind: "output", name: "null" });
    slot.start();
    expect([...source.pipelines()][0]!.state).toBe("running");
    await slot.ended();
    expect([...source.pipelines()][0]!.state).toBe("finished");
  });
});

describe("holderSource", () => {
  it("adapts a map of pipelines with settings (the agent's shape)", async () => {
    const { plan } = buildPlan([
      { file: "a.conf", text: `input { generator { count => 2 } } output { null {} }` },
    ]);
    const pipeline = createPipeline(plan, defaultRegistry, { id: "a", workers: 1, logger: silentLogger });
    const reloads = new ReloadStats();
    reloads.recordSuccess();
    const holder = {
      pipelines: () => new Map([["a", pipeline]]),
      settingsOf: (id: string) => (id === "a" ? { workers: 3, batchSize: 7, batchDelayMs: 9 } : undefined),
      reloadsOf: () => reloads,
    };
    const source = holderSource(holder, { registry: defaultRegistry });
    const [entry] = [...source.pipelines()];
    expect(entry).toMatchObject({ id: "a", pipeline, state: "running", reloads });
    expect(entry!.info).toMatchObject({ workers: 3, batchSize: 7, batchDelayMs: 9 });
    // The same pipeline keeps its ephemeral id from one read to the next.
    expect([...source.pipelines()][0]!.info.ephemeralId).toBe(entry!.info.ephemeralId);
    await pipeline.run();
    await pipeline.stop();
    expect([...source.pipelines()][0]!.state).toBe("finished");
    const withState = holderSource(
      { ...holder, stateOf: () => "terminated" as const },
      { registry: defaultRegistry },
    );
    expect([...withState.pipelines()][0]!.state).toBe("terminated");
  });
});
