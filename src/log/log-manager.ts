// The topic catalogue over a data directory: topic metadata files and one PartitionLog per partition,
// laid out as <dataDir>/topics/<topic>.meta and <dataDir>/topics/<topic>-<partition>/.

import { randomUUID } from "node:crypto";
import { mkdir, readdir, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { limits } from "../common/limits.js";
import type { Logger } from "../common/logger.js";
import type { MetricsRegistry } from "../common/metrics.js";
import { fsyncDirectory, readCheckedFile, removeIfExists, writeCheckedFile } from "./checked-file.js";
import { defaultLogConfig, type LogConfig, logConfigFromTopicConfig, validateTopicConfig } from "./config.js";
import { LogError } from "./errors.js";
import { PartitionLog } from "./partition-log.js";

export interface TopicMeta {
  name: string;
  /** Standard UUID text (8-4-4-4-12 hex); the broker turns it into Kafka's 16 bytes. */
  topicId: string;
  partitions: number;
  /** Overrides only, by Kafka config name. */
  config: Record<string, string>;
}

export interface LogManagerOptions {
  logger: Logger;
  defaults?: Partial<LogConfig>;
  metrics?: MetricsRegistry;
}

const topicMetaMagic = 0x534c544d; // "SLTM"
const topicMetaVersion = 1;
const topicMetaSuffix = ".meta";
const deletingSuffix = ".deleting";
const topicNameLengthMax = 249;
const topicNamePattern = /^[a-zA-Z0-9._-]+$/;
/** Partition logs opened at once at startup (each open reads and may scan files). */
const openConcurrency = 8;

export function validateTopicName(name: string): void {
  if (typeof name !== "string" || name.length === 0 || name.length > topicNameLengthMax) {
    throw new LogError("INVALID_TOPIC", `topic name must be 1..${topicNameLengthMax} characters`);
  }
  if (name === "." || name === "..") throw new LogError("INVALID_TOPIC", `topic name cannot be "${name}"`);
  if (!topicNamePattern.test(name)) {
    throw new LogError(
      "INVALID_TOPIC",
      `topic name ${JSON.stringify(name)} has characters outside [a-zA-Z0-9._-]`,
    );
  }
}

export function partitionDirName(topic: string, partition: number): string {
  return `${topic}-${partition}`;
}

/** Splits `<topic>-<partition>` at the last '-' (topic names may contain '-'); null if it is not one. */
export function parsePartitionDirName(name: string): { topic: string; partition: number } | null {
  const dash = name.lastIndexOf("-");
  if (dash <= 0) return null;
  const digits = name.slice(dash + 1);
  if (!/^\d{1,9}$/.test(digits)) return null;
  return { topic: name.slice(0, dash), partition: Number(digits) };
}

function decodeTopicMeta(payload: Buffer, path: string): TopicMeta {
  let meta: unknown;
  try {
    meta = JSON.parse(payload.toString("utf8"));
  } catch {
    throw new LogError("CORRUPT", `${path}: metadata is not JSON`);
  }
  const m = meta as Partial<TopicMeta>;
  const configOk =
    typeof m.config === "object" &&
    m.config !== null &&
    Object.values(m.config).every((v) => typeof v === "string");
  if (
    typeof m.name !== "string" ||
    typeof m.topicId !== "string" ||
    !Number.isInteger(m.partitions) ||
    (m.partitions as number) < 1 ||
    !configOk
  ) {
    throw new LogError("CORRUPT", `${path}: metadata fields missing or of the wrong type`);
  }
  return { name: m.name, topicId: m.topicId, partitions: m.partitions as number, config: { ...m.config } };
}

async function inBatches<T>(items: T[], size: number, work: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(work));
}

export class LogManager {
  private readonly metas = new Map<string, TopicMeta>();
  private readonly logs = new Map<string, PartitionLog[]>();
  /** Catalogue changes run one at a time, so a name cannot be created twice or deleted while growing. */
  private chain: Promise<unknown> = Promise.resolve();
  private retentionTimer: NodeJS.Timeout | null = null;
  private retentionRunning = false;
  private closed = false;

  private constructor(
    readonly dataDir: string,
    private readonly baseConfig: LogConfig,
    private readonly logger: Logger,
    private readonly metrics: MetricsRegistry | undefined,
  ) {}

  private get topicsDir(): string {
    return join(this.dataDir, "topics");
  }

  private metaPath(name: string): string {
    return join(this.topicsDir, name + topicMetaSuffix);
  }

  private partitionDir(name: string, partition: number): string {
    return join(this.topicsDir, partitionDirName(name, partition));
  }

  static async open(dataDir: string, options: LogManagerOptions): Promise<LogManager> {
    const base = { ...defaultLogConfig, ...options.defaults };
    const manager = new LogManager(dataDir, base, options.logger, options.metrics);
    await mkdir(manager.topicsDir, { recursive: true });
    try {
      await manager.load();
    } catch (err) {
      await manager.close();
      throw err;
    }
    return manager;
  }

  private async load(): Promise<void> {
    const entries = await readdir(this.topicsDir, { withFileTypes: true });
    for (const entry of entries) {
      if (entry.isDirectory() && entry.name.endsWith(deletingSuffix)) {
        await rm(join(this.topicsDir, entry.name), { recursive: true, force: true });
      } else if (entry.isFile() && entry.name.endsWith(topicMetaSuffix)) {
        const name = entry.name.slice(0, -topicMetaSuffix.length);
        const path = this.metaPath(name);
        const payload = await readCheckedFile(path, topicMetaMagic, topicMetaVersion);
        if (payload === null) continue;
        const meta = decodeTopicMeta(payload, path);
        if (meta.name !== name) throw new LogError("CORRUPT", `${path}: names topic ${meta.name}`);
        this.metas.set(name, meta);
      }
    }
    for (const entry of entries) {
      const parsed = entry.isDirectory() ? parsePartitionDirName(entry.name) : null;
      const meta = parsed ? this.metas.get(parsed.topic) : undefined;
      if (parsed && (!meta || parsed.partition >= meta.partitions)) {
        this.logger.warn("partition directory belongs to no topic; ignored", { dir: entry.name });
      }
    }
    for (const meta of this.metas.values()) await this.openPartitions(meta, 0, meta.partitions);
  }

  private async openPartitions(meta: TopicMeta, from: number, to: number): Promise<void> {
    const config = logConfigFromTopicConfig(meta.config, this.baseConfig);
    const logs = this.logs.get(meta.name) ?? [];
    this.logs.set(meta.name, logs);
    const indices = Array.from({ length: to - from }, (_, i) => from + i);
    await inBatches(indices, openConcurrency, async (partition) => {
      const logger = this.logger.child(partitionDirName(meta.name, partition));
      logs[partition] = await PartitionLog.open(this.partitionDir(meta.name, partition), config, logger, {
        metrics: this.metrics,
      });
    });
  }

  private serialize<T>(work: () => Promise<T>): Promise<T> {
    const result = this.chain.then(() => {
      if (this.closed) throw new LogError("CLOSED", "log manager is closed");
      return work();
    });
    this.chain = result.catch(() => {});
    return result;
  }

  private async writeMeta(meta: TopicMeta): Promise<void> {
    const payload = Buffer.from(JSON.stringify(meta), "utf8");
    await writeCheckedFile(this.metaPath(meta.name), topicMetaMagic, topicMetaVersion, payload);
  }

  topics(): TopicMeta[] {
    return [...this.metas.values()].map((m) => ({ ...m, config: { ...m.config } }));
  }

  topic(name: string): TopicMeta | undefined {
    const meta = this.metas.get(name);
    return meta ? { ...meta, config: { ...meta.config } } : undefined;
  }

  partition(topic: string, partition: number): PartitionLog | undefined {
    return this.logs.get(topic)?.[partition];
  }

  private checkPartitionCount(count: number): void {
    if (!Number.isInteger(count) || count < 1 || count > limits.topicPartitionsMax) {
      throw new LogError(
        "INVALID_PARTITIONS",
        `partition count must be 1..${limits.topicPartitionsMax}, got ${count}`,
      );
    }
  }

  /** Removes a directory left by a topic whose metadata never got written (crash during create). */
  private async clearStaleDirs(name: string, from: number, to: number): Promise<void> {
    for (let p = from; p < to; p++) await rm(this.partitionDir(name, p), { recursive: true, force: true });
  }

  createTopic(name: string, partitions: number, config: Record<string, string> = {}): Promise<TopicMeta> {
    return this.serialize(async () => {
      validateTopicName(name);
      if (this.metas.has(name)) throw new LogError("TOPIC_EXISTS", `topic ${name} already exists`);
      this.checkPartitionCount(partitions);
      validateTopicConfig(config);
      if (this.metas.size >= limits.topicsMax)
        throw new LogError("INVALID_TOPIC", `at most ${limits.topicsMax} topics`);
      const meta: TopicMeta = { name, topicId: randomUUID(), partitions, config: { ...config } };
      await this.clearStaleDirs(name, 0, partitions);
      await this.openPartitions(meta, 0, partitions);
      await fsyncDirectory(this.topicsDir);
      await this.writeMeta(meta);
      this.metas.set(name, meta);
      this.logger.info("created topic", { topic: name, partitions, topicId: meta.topicId });
      return { ...meta, config: { ...meta.config } };
    });
  }

  /** Closes the topic's logs, then renames their directories aside before dropping the metadata. */
  deleteTopic(name: string): Promise<void> {
    return this.serialize(async () => {
      const meta = this.metas.get(name);
      if (!meta) throw new LogError("UNKNOWN_TOPIC", `topic ${name} does not exist`);
      this.metas.delete(name);
      const logs = this.logs.get(name) ?? [];
      this.logs.delete(name);
      await Promise.allSettled(logs.map((log) => log.close()));
      const doomed: string[] = [];
      for (let p = 0; p < meta.partitions; p++) {
        const aside = join(this.topicsDir, `.${partitionDirName(name, p)}.${randomUUID()}${deletingSuffix}`);
        await rename(this.partitionDir(name, p), aside).then(
          () => doomed.push(aside),
          () => {},
        );
      }
      await removeIfExists(this.metaPath(name));
      await fsyncDirectory(this.topicsDir);
      for (const dir of doomed) await rm(dir, { recursive: true, force: true });
      this.logger.info("deleted topic", { topic: name });
    });
  }

  addPartitions(name: string, totalCount: number): Promise<void> {
    return this.serialize(async () => {
      const meta = this.metas.get(name);
      if (!meta) throw new LogError("UNKNOWN_TOPIC", `topic ${name} does not exist`);
      this.checkPartitionCount(totalCount);
      if (totalCount <= meta.partitions) {
        throw new LogError(
          "INVALID_PARTITIONS",
          `topic ${name} has ${meta.partitions} partitions; cannot go to ${totalCount}`,
        );
      }
      await this.clearStaleDirs(name, meta.partitions, totalCount);
      await this.openPartitions(meta, meta.partitions, totalCount);
      await fsyncDirectory(this.topicsDir);
      const grown = { ...meta, partitions: totalCount };
      await this.writeMeta(grown);
      this.metas.set(name, grown);
    });
  }

  setTopicConfig(name: string, config: Record<string, string>): Promise<void> {
    return this.serialize(async () => {
      const meta = this.metas.get(name);
      if (!meta) throw new LogError("UNKNOWN_TOPIC", `topic ${name} does not exist`);
      validateTopicConfig(config);
      const updated = { ...meta, config: { ...config } };
      await this.writeMeta(updated);
      this.metas.set(name, updated);
      const logConfig = logConfigFromTopicConfig(updated.config, this.baseConfig);
      for (const log of this.logs.get(name) ?? []) log.updateConfig(logConfig);
    });
  }

  /** Runs applyRetention on every partition each `intervalMs` (Kafka's log.retention.check.interval.ms). */
  startRetention(intervalMs: number): void {
    if (this.retentionTimer) clearInterval(this.retentionTimer);
    this.retentionTimer = setInterval(() => void this.retentionPass(), intervalMs);
    this.retentionTimer.unref();
  }

  /** One retention pass over all partitions; skipped while the previous one is still running. */
  async retentionPass(nowMs = Date.now()): Promise<number> {
    if (this.retentionRunning) return 0;
    this.retentionRunning = true;
    let deleted = 0;
    try {
      for (const [topic, logs] of this.logs) {
        for (const [partition, log] of logs.entries()) {
          try {
            deleted += (await log.applyRetention(nowMs)).deletedSegments;
          } catch (err) {
            this.logger.error("retention failed", { topic, partition, error: err as Error });
          }
        }
      }
    } finally {
      this.retentionRunning = false;
    }
    return deleted;
  }

  async close(): Promise<void> {
    if (this.retentionTimer) clearInterval(this.retentionTimer);
    this.retentionTimer = null;
    await this.chain;
    this.closed = true;
    const all = [...this.logs.values()].flat();
    this.logs.clear();
    await Promise.allSettled(all.map((log) => log.close()));
  }
}
