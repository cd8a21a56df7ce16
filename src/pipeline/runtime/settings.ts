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
}

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
}

export const settingDefaults = {
  id: "main",
  batchSize: 125,
  batchDelayMs: 50,
  ordered: "auto" as OrderedSetting,
  dataDir: "./data",
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
  };
}
