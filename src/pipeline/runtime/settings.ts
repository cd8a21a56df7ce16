// Pipeline settings (Logstash's pipeline.* and path.data) with their defaults, and the checks Logstash makes on
// them before a pipeline starts.

import { availableParallelism } from "node:os";
import { limits } from "../../common/limits.js";
import { createLogger, type Logger } from "../../common/logger.js";
import { defaultEcsCompatibility, type EcsCompatibility } from "../event/index.js";

export type OrderedSetting = "auto" | "true" | "false";

export interface PipelineSettings {
  /** pipeline.id */
  id?: string;
  /** pipeline.workers; default: the number of CPUs. */
  workers?: number;
  /** pipeline.batch.size */
  batchSize?: number;
  /** pipeline.batch.delay, in milliseconds. */
  batchDelayMs?: number;
  /** pipeline.ordered; "true" requires one worker, "auto" orders when there is one worker. */
  ordered?: OrderedSetting;
  /** pipeline.ecs_compatibility */
  ecsCompatibility?: EcsCompatibility;
  /** path.data */
  dataDir?: string;
  logger?: Logger;
  /** Bound of the in-memory queue, in events. */
  queueEventsMax?: number;
  /** queue.type */
  queueType?: QueueType;
  /** queue.max_bytes (persisted queue), in bytes. */
  queueMaxBytes?: number;
  /** queue.page_capacity, in bytes. */
  queuePageCapacityBytes?: number;
  /** queue.checkpoint.writes: push() fsyncs the head page after this many writes. */
  queueCheckpointWrites?: number;
  /** queue.drain: on shutdown, process every queued event first (the memory queue always does). */
  queueDrain?: boolean;
  /** dead_letter_queue.enable */
  dlqEnabled?: boolean;
  /** dead_letter_queue.max_bytes, in bytes. */
  dlqMaxBytes?: number;
  /** dead_letter_queue.storage_policy */
  dlqStoragePolicy?: DeadLetterStoragePolicy;
  /** dead_letter_queue.retain.age, in ms; absent: kept until max_bytes pushes them out. */
  dlqRetainAgeMs?: number;
  /** dead_letter_queue.flush_interval, in ms. */
  dlqFlushIntervalMs?: number;
}

export type QueueType = "memory" | "persisted";
export type DeadLetterStoragePolicy = "drop_newer" | "drop_older";

export interface ResolvedSettings {
  id: string;
  workers: number;
  batchSize: number;
  batchDelayMs: number;
  /** Whether events leave in the order they came in. */
  ordered: boolean;
  ecsCompatibility: EcsCompatibility;
  dataDir: string;
  logger: Logger;
  queueEventsMax: number;
  queueType: QueueType;
  queueMaxBytes: number;
  queuePageCapacityBytes: number;
  queueCheckpointWrites: number;
  queueDrain: boolean;
  dlqEnabled: boolean;
  dlqMaxBytes: number;
  dlqStoragePolicy: DeadLetterStoragePolicy;
  dlqRetainAgeMs: number | undefined;
  dlqFlushIntervalMs: number;
}

export const settingDefaults = {
  id: "main",
  batchSize: 125,
  batchDelayMs: 50,
  ordered: "auto" as OrderedSetting,
  dataDir: "./data",
  queueType: "memory" as QueueType,
  queueMaxBytes: 1024 * 1024 * 1024,
  queuePageCapacityBytes: 64 * 1024 * 1024,
  queueCheckpointWrites: 1024,
  queueDrain: false,
  dlqMaxBytes: 1024 * 1024 * 1024,
  dlqStoragePolicy: "drop_newer" as DeadLetterStoragePolicy,
  dlqFlushIntervalMs: 5000,
};

/** The settings with defaults filled in, or the reasons they cannot be used. */
export function resolveSettings(settings: PipelineSettings = {}): ResolvedSettings | { errors: string[] } {
  const errors: string[] = [];
  const workers = settings.workers ?? availableParallelism();
  const batchSize = settings.batchSize ?? settingDefaults.batchSize;
  const batchDelayMs = settings.batchDelayMs ?? settingDefaults.batchDelayMs;
  const ordered = settings.ordered ?? settingDefaults.ordered;
  if (!Number.isInteger(workers) || workers < 1)
    errors.push(`pipeline.workers must be a positive integer, got ${workers}`);
  if (!Number.isInteger(batchSize) || batchSize < 1)
    errors.push(`pipeline.batch.size must be a positive integer, got ${batchSize}`);
  if (!Number.isFinite(batchDelayMs) || batchDelayMs < 0)
    errors.push(`pipeline.batch.delay must be a non-negative number of milliseconds, got ${batchDelayMs}`);
  if (ordered === "true" && workers > 1)
    errors.push(
      `pipeline.ordered is "true" but pipeline.workers is ${workers}; ordering needs exactly one worker (set -w 1)`,
    );
  const queueEventsMax =
    settings.queueEventsMax ?? Math.max(limits.pipelineQueueEventsMax, batchSize * workers);
  if (!Number.isInteger(queueEventsMax) || queueEventsMax < 1)
    errors.push(`the queue bound must be a positive integer, got ${queueEventsMax}`);
  const queue = resolveQueueSettings(settings, errors);
  const dlq = resolveDeadLetterSettings(settings, errors);
  if (errors.length > 0) return { errors };
  return {
    id: settings.id ?? settingDefaults.id,
    workers,
    batchSize,
    batchDelayMs,
    ordered: ordered === "true" || (ordered === "auto" && workers === 1),
    ecsCompatibility: settings.ecsCompatibility ?? defaultEcsCompatibility,
    dataDir: settings.dataDir ?? settingDefaults.dataDir,
    logger: settings.logger ?? createLogger(),
    queueEventsMax,
    ...queue,
    ...dlq,
  };
}

function resolveQueueSettings(settings: PipelineSettings, errors: string[]) {
  const queueType = settings.queueType ?? settingDefaults.queueType;
  const queueMaxBytes = settings.queueMaxBytes ?? settingDefaults.queueMaxBytes;
  const queuePageCapacityBytes = settings.queuePageCapacityBytes ?? settingDefaults.queuePageCapacityBytes;
  const queueCheckpointWrites = settings.queueCheckpointWrites ?? settingDefaults.queueCheckpointWrites;
  if (queueType !== "memory" && queueType !== "persisted")
    errors.push(`queue.type must be "memory" or "persisted", got ${JSON.stringify(queueType)}`);
  if (!Number.isSafeInteger(queueMaxBytes) || queueMaxBytes < 1)
    errors.push(`queue.max_bytes must be a positive number of bytes, got ${queueMaxBytes}`);
  // The page header (20 bytes) and one small event must fit.
  if (!Number.isSafeInteger(queuePageCapacityBytes) || queuePageCapacityBytes < 1024)
    errors.push(`queue.page_capacity must be at least 1kb, got ${queuePageCapacityBytes}`);
  else if (queuePageCapacityBytes > queueMaxBytes)
    errors.push(
      `queue.page_capacity (${queuePageCapacityBytes} bytes) must be less than or equal to queue.max_bytes (${queueMaxBytes} bytes)`,
    );
  if (!Number.isSafeInteger(queueCheckpointWrites) || queueCheckpointWrites < 0)
    errors.push(`queue.checkpoint.writes must be a non-negative integer, got ${queueCheckpointWrites}`);
  return {
    queueType,
    queueMaxBytes,
    queuePageCapacityBytes,
    // Logstash reads 0 as "no limit": we still fsync now and then, so treat it as the largest sensible count.
    queueCheckpointWrites: queueCheckpointWrites === 0 ? Number.MAX_SAFE_INTEGER : queueCheckpointWrites,
    queueDrain: settings.queueDrain ?? settingDefaults.queueDrain,
  };
}

function resolveDeadLetterSettings(settings: PipelineSettings, errors: string[]) {
  const dlqMaxBytes = settings.dlqMaxBytes ?? settingDefaults.dlqMaxBytes;
  const dlqStoragePolicy = settings.dlqStoragePolicy ?? settingDefaults.dlqStoragePolicy;
  const dlqRetainAgeMs = settings.dlqRetainAgeMs;
  const dlqFlushIntervalMs = settings.dlqFlushIntervalMs ?? settingDefaults.dlqFlushIntervalMs;
  if (!Number.isSafeInteger(dlqMaxBytes) || dlqMaxBytes < 1)
    errors.push(`dead_letter_queue.max_bytes must be a positive number of bytes, got ${dlqMaxBytes}`);
  if (dlqStoragePolicy !== "drop_newer" && dlqStoragePolicy !== "drop_older")
    errors.push(
      `dead_letter_queue.storage_policy must be "drop_newer" or "drop_older", got ${JSON.stringify(dlqStoragePolicy)}`,
    );
  if (dlqRetainAgeMs !== undefined && (!Number.isFinite(dlqRetainAgeMs) || dlqRetainAgeMs < 1))
    errors.push(`dead_letter_queue.retain.age must be a positive duration, got ${dlqRetainAgeMs} ms`);
  if (!Number.isFinite(dlqFlushIntervalMs) || dlqFlushIntervalMs < 1)
    errors.push(`dead_letter_queue.flush_interval must be a positive duration, got ${dlqFlushIntervalMs} ms`);
  return {
    dlqEnabled: settings.dlqEnabled ?? false,
    dlqMaxBytes,
    dlqStoragePolicy,
    dlqRetainAgeMs,
    dlqFlushIntervalMs,
  };
}
