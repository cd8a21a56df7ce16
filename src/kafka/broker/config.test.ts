// Broker config defaults and the small state files kept in the data dir (cluster id, producer ids).

import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { defaultBrokerConfig, loadClusterId, resolveBrokerConfig } from "./config.js";
import { MetaFileError } from "./meta-file.js";
import { ProducerIdAllocator, producerIdBlockSize } from "./producer-ids.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "sluice-broker-config-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("broker config", () => {
  it("fills defaults and ignores undefined overrides", () => {
    const c = resolveBrokerConfig({ port: 0, nodeId: undefined });
    expect(c.port).toBe(0);
    expect(c.nodeId).toBe(0);
    expect(c.listenHosts).toEqual(defaultBrokerConfig.listenHosts);
    expect(c.messageMaxBytes).toBe(1048588);
  });

  it("keeps the cluster id across restarts", async () => {
    const first = await loadClusterId(dir);
    expect(first).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(await loadClusterId(dir)).toBe(first);
  });

  it("refuses a meta file whose checksum does not match", async () => {
    await loadClusterId(dir);
    const path = join(dir, "meta.json");
    const text = await readFile(path, "utf8");
    await writeFile(path, text.replace(/clusterId\\":\\"./, 'clusterId\\":\\"#'));
    await expect(loadClusterId(dir)).rejects.toBeInstanceOf(MetaFileError);
  });
});

describe("ProducerIdAllocator", () => {
  it("never hands out an id twice, even across a restart", async () => {
    const a = await ProducerIdAllocator.open(dir);
    const ids = await Promise.all([a.allocate(), a.allocate(), a.allocate()]);
    expect(new Set(ids).size).toBe(3);
    const b = await ProducerIdAllocator.open(dir);
    const next = await b.allocate();
    expect(next).toBeGreaterThanOrEqual(producerIdBlockSize);
  });
});
