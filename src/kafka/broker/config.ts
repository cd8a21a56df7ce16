// Broker settings with their defaults, and the cluster id that is generated once per data dir and kept.

import { randomBytes } from "node:crypto";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { readMetaFile, writeMetaFile } from "./meta-file.js";

export interface BrokerConfig {
  /** Every address the Kafka listener binds; an address the machine lacks (e.g. ::1) is skipped with a warning. */
  listenHosts: string[];
  /** 0 picks an ephemeral port for the first host; the other hosts then reuse it. */
  port: number;
  /** Host name clients are told to connect to in Metadata. */
  advertisedHost: string;
  nodeId: number;
  dataDir: string;
  autoCreateTopicsEnable: boolean;
  /** Partitions of auto-created topics and of CreateTopics with numPartitions -1. */
  numPartitions: number;
  /** Largest record batch accepted when the topic sets no max.message.bytes. */
  messageMaxBytes: number;
  /** Topic config defaults by Kafka topic-level name ("retention.ms": "3600000"), for topics not overriding them. */
  logDefaults: Record<string, string>;
  retentionCheckIntervalMs: number;
  /** Kafka's group.initial.rebalance.delay.ms: how long a new group waits for more members before its first rebalance. */
  groupInitialRebalanceDelayMs: number;
  /** Kafka's group.min.session.timeout.ms: the smallest session timeout a member may ask for. */
  groupMinSessionTimeoutMs: number;
  /** Kafka's offsets.retention.minutes: committed offsets of an empty group expire after this. */
  offsetsRetentionMinutes: number;
}

export const defaultBrokerConfig: BrokerConfig = {
  listenHosts: ["127.0.0.1", "::1"],
  port: 9092,
  advertisedHost: "localhost",
  nodeId: 0,
  dataDir: "./data",
  autoCreateTopicsEnable: true,
  numPartitions: 1,
  messageMaxBytes: 1048588,
  logDefaults: {},
  retentionCheckIntervalMs: 300_000,
  groupInitialRebalanceDelayMs: 3000,
  groupMinSessionTimeoutMs: 6000,
  offsetsRetentionMinutes: 7 * 24 * 60,
};

export function resolveBrokerConfig(partial: Partial<BrokerConfig>): BrokerConfig {
  const config: BrokerConfig = { ...defaultBrokerConfig };
  for (const [key, value] of Object.entries(partial)) {
    if (value !== undefined) (config as unknown as Record<string, unknown>)[key] = value;
  }
  return config;
}

const clusterMetaKind = "cluster";

/** Returns the data dir's cluster id, creating and persisting one on first start. */
export async function loadClusterId(dataDir: string): Promise<string> {
  await mkdir(dataDir, { recursive: true });
  const path = join(dataDir, "meta.json");
  const existing = await readMetaFile(path, clusterMetaKind);
  if (existing && typeof existing.clusterId === "string") return existing.clusterId;
  // Kafka cluster ids are 16 random bytes in URL-safe base64 without padding (22 chars).
  const clusterId = randomBytes(16).toString("base64url");
  await writeMetaFile(path, clusterMetaKind, { clusterId });
  return clusterId;
}
