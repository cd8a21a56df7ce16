import { mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { silentLogger } from "../common/logger.js";
import { LogManager, parsePartitionDirName } from "./log-manager.js";
import { makeBatch } from "./testing.js";

let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "sluice-mgr-"));
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

describe("LogManager", () => {
  it("parses partition directory names at the last dash", () => {
    expect(parsePartitionDirName("my-topic-12")).toEqual({ topic: "my-topic", partition: 12 });
    expect(parsePartitionDirName("nodash")).toBeNull();
    expect(parsePartitionDirName("t-x")).toBeNull();
  });

  it("creates topics with validated names, counts and configs", async () => {
    const manager = await LogManager.open(dataDir, { logger: silentLogger });
    const meta = await manager.createTopic("orders-v1.eu", 3, { "retention.ms": "1000" });
    expect(meta.topicId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-/);
    expect(manager.partition("orders-v1.eu", 2)).toBeDefined();
    expect(manager.partition("orders-v1.eu", 3)).toBeUndefined();
    await expect(manager.createTopic("orders-v1.eu", 1)).rejects.toMatchObject({ code: "TOPIC_EXISTS" });
    await expect(manager.createTopic("bad/name", 1)).rejects.toMatchObject({ code: "INVALID_TOPIC" });
    await expect(manager.createTopic("x".repeat(250), 1)).rejects.toMatchObject({ code: "INVALID_TOPIC" });
    await expect(manager.createTopic("..", 1)).rejects.toMatchObject({ code: "INVALID_TOPIC" });
    await expect(manager.createTopic("zero", 0)).rejects.toMatchObject({ code: "INVALID_PARTITIONS" });
    await expect(manager.createTopic("cfg", 1, { "segment.bytes": "x" })).rejects.toMatchObject({
      code: "INVALID_CONFIG",
    });
    expect(manager.topics().map((t) => t.name)).toEqual(["orders-v1.eu"]);
    await manager.close();
  });

  it("concurrent creates of one name: exactly one wins", async () => {
    const manager = await LogManager.open(dataDir, { logger: silentLogger });
    const results = await Promise.allSettled([manager.createTopic("t", 1), manager.createTopic("t", 1)]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    await manager.close();
  });

  it("persists topics, partitions, configs and data across reopen", async () => {
    let manager = await LogManager.open(dataDir, { logger: silentLogger });
    const meta = await manager.createTopic("events", 2);
    await manager.partition("events", 1)!.append(makeBatch({ records: 4 }));
    await manager.addPartitions("events", 4);
    await expect(manager.addPartitions("events", 3)).rejects.toMatchObject({ code: "INVALID_PARTITIONS" });
    await manager.setTopicConfig("events", { "retention.bytes": "1000", "cleanup.policy": "delete" });
    await manager.close();

    manager = await LogManager.open(dataDir, { logger: silentLogger });
    const reopened = manager.topic("events")!;
    expect(reopened).toEqual({
      ...meta,
      partitions: 4,
      config: { "retention.bytes": "1000", "cleanup.policy": "delete" },
    });
    expect(manager.partition("events", 1)!.logEndOffset).toBe(4n);
    expect(manager.partition("events", 3)!.logEndOffset).toBe(0n);
    await manager.close();
  });

  it("setTopicConfig reaches the partition logs", async () => {
    const manager = await LogManager.open(dataDir, {
      logger: silentLogger,
      defaults: { segmentBytes: 1024 },
    });
    await manager.createTopic("r", 1);
    const log = manager.partition("r", 0)!;
    for (let i = 0; i < 10; i++) await log.append(makeBatch({ records: 5, baseTimestamp: 1000 }));
    expect(await manager.retentionPass(2000)).toBe(0); // default retention: 7 days
    await manager.setTopicConfig("r", { "retention.ms": "100" });
    expect(await manager.retentionPass(5000)).toBeGreaterThan(0);
    expect(log.logStartOffset).toBe(50n);
    await manager.close();
  });

  it("deletes topics and their directories", async () => {
    let manager = await LogManager.open(dataDir, { logger: silentLogger });
    await manager.createTopic("gone", 2);
    await manager.createTopic("kept", 1);
    await manager.deleteTopic("gone");
    await expect(manager.deleteTopic("gone")).rejects.toMatchObject({ code: "UNKNOWN_TOPIC" });
    expect(manager.partition("gone", 0)).toBeUndefined();
    const entries = await readdir(join(dataDir, "topics"));
    expect(entries.sort()).toEqual(["kept-0", "kept.meta"]);
    await manager.close();
    manager = await LogManager.open(dataDir, { logger: silentLogger });
    expect(manager.topics().map((t) => t.name)).toEqual(["kept"]);
    // the name can be reused, with fresh data
    await manager.createTopic("gone", 1);
    expect(manager.partition("gone", 0)!.logEndOffset).toBe(0n);
    await manager.close();
  });

  it("refuses to open over a corrupt metadata file, naming it", async () => {
    const manager = await LogManager.open(dataDir, { logger: silentLogger });
    await manager.createTopic("fragile", 1);
    await manager.close();
    const path = join(dataDir, "topics", "fragile.meta");
    const bytes = await readFile(path);
    bytes[bytes.length - 3]! ^= 0x01;
    await writeFile(path, bytes);
    await expect(LogManager.open(dataDir, { logger: silentLogger })).rejects.toThrow(
      /fragile\.meta: checksum mismatch/,
    );
    await writeFile(path, bytes.subarray(0, 10));
    await expect(LogManager.open(dataDir, { logger: silentLogger })).rejects.toMatchObject({
      code: "CORRUPT",
    });
    expect((await stat(path)).size).toBe(10);
  });
});
