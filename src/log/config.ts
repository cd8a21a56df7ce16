// Per-partition log settings and their translation from Kafka topic config names (`retention.ms`, ...).
// Validation of a topic's override map lives here too, so LogManager rejects bad values before storing them.

import { limits } from "../common/limits.js";
import { LogError } from "./errors.js";

export interface LogConfig {
  /** A segment rolls once appending would take it past this size. */
  segmentBytes: number;
  /** A segment rolls once its first append is this old. */
  segmentMs: number;
  /** Segments whose newest timestamp is older than this are deleted; -1 keeps them forever. */
  retentionMs: number;
  /** Oldest segments are deleted while the partition is larger than this; -1 means no size bound. */
  retentionBytes: number;
  /** Bytes of batches between two sparse index entries. */
  indexIntervalBytes: number;
  /** Largest batch accepted by append. */
  maxMessageBytes: number;
}

const dayMs = 24 * 60 * 60 * 1000;

export const defaultLogConfig: LogConfig = Object.freeze({
  segmentBytes: 1024 * 1024 * 1024,
  segmentMs: 7 * dayMs,
  retentionMs: 7 * dayMs,
  retentionBytes: -1,
  indexIntervalBytes: 4096,
  maxMessageBytes: limits.messageBytesMax,
});

interface NumericSetting {
  field: keyof LogConfig;
  min: number;
  max: number;
}

/** Kafka topic config names the log acts on, with the ranges Kafka (and our int32 index positions) allow. */
const numericSettings: Record<string, NumericSetting> = {
  "segment.bytes": { field: "segmentBytes", min: 14, max: limits.logSegmentBytesMax },
  "segment.ms": { field: "segmentMs", min: 1, max: Number.MAX_SAFE_INTEGER },
  "retention.ms": { field: "retentionMs", min: -1, max: Number.MAX_SAFE_INTEGER },
  "retention.bytes": { field: "retentionBytes", min: -1, max: Number.MAX_SAFE_INTEGER },
  "index.interval.bytes": { field: "indexIntervalBytes", min: 0, max: limits.logSegmentBytesMax },
  "max.message.bytes": { field: "maxMessageBytes", min: 0, max: limits.logBatchBytesMax },
};

/** Kafka topic configs stored and reported but not acted on by the log (the broker may read some). */
const otherTopicConfigNames = new Set([
  "cleanup.policy",
  "compression.type",
  "delete.retention.ms",
  "file.delete.delay.ms",
  "flush.messages",
  "flush.ms",
  "local.retention.bytes",
  "local.retention.ms",
  "max.compaction.lag.ms",
  "message.downconversion.enable",
  "message.format.version",
  "message.timestamp.after.max.ms",
  "message.timestamp.before.max.ms",
  "message.timestamp.difference.max.ms",
  "message.timestamp.type",
  "min.cleanable.dirty.ratio",
  "min.compaction.lag.ms",
  "min.insync.replicas",
  "preallocate",
  "remote.storage.enable",
  "segment.index.bytes",
  "segment.jitter.ms",
  "unclean.leader.election.enable",
]);

const enumSettings: Record<string, readonly string[]> = {
  "cleanup.policy": ["delete", "compact", "compact,delete", "delete,compact"],
  "message.timestamp.type": ["CreateTime", "LogAppendTime"],
  "compression.type": ["uncompressed", "zstd", "lz4", "snappy", "gzip", "producer"],
};

export function isKnownTopicConfig(name: string): boolean {
  return name in numericSettings || otherTopicConfigNames.has(name);
}

function parseInteger(name: string, value: string, setting: NumericSetting): number {
  if (!/^-?\d{1,19}$/.test(value.trim()))
    throw new LogError("INVALID_CONFIG", `${name}=${value}: not an integer`);
  const n = Number(value.trim());
  if (n < setting.min || n > setting.max) {
    throw new LogError("INVALID_CONFIG", `${name}=${value}: outside [${setting.min}, ${setting.max}]`);
  }
  return n;
}

/** Throws LogError("INVALID_CONFIG") for an unknown name or a bad value; returns nothing on success. */
export function validateTopicConfig(config: Record<string, string>): void {
  for (const [name, value] of Object.entries(config)) {
    if (typeof value !== "string") throw new LogError("INVALID_CONFIG", `${name}: value must be a string`);
    if (!isKnownTopicConfig(name)) throw new LogError("INVALID_CONFIG", `unknown topic config ${name}`);
    const numeric = numericSettings[name];
    if (numeric) parseInteger(name, value, numeric);
    const allowed = enumSettings[name];
    if (allowed && !allowed.includes(value)) {
      throw new LogError("INVALID_CONFIG", `${name}=${value}: expected one of ${allowed.join(", ")}`);
    }
  }
}

/** The log settings for a topic: `base` (the broker defaults) with the topic's overrides applied. */
export function logConfigFromTopicConfig(
  overrides: Record<string, string>,
  base: LogConfig = defaultLogConfig,
): LogConfig {
  const config: LogConfig = { ...base };
  for (const [name, value] of Object.entries(overrides)) {
    const numeric = numericSettings[name];
    if (numeric) config[numeric.field] = parseInteger(name, value, numeric);
  }
  return config;
}
