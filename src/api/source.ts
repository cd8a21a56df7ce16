// What the monitoring API reads: the node's identity and, per pipeline, the running Pipeline (its stats are the
// telemetry), its settings, run state and reload counters. `sluice run` and the agent each provide one.

import { availableParallelism } from "node:os";
import type { ReloadStats } from "../pipeline/reload/stats.js";
import type { Pipeline, PipelineSettings } from "../pipeline/runtime/index.js";
import { settingDefaults } from "../pipeline/runtime/index.js";

/** Logstash's pipeline run states (PipelineIndicator.RunState), lower-cased. */
export type PipelineRunState = "loading" | "running" | "finished" | "terminated" | "unknown";

/** The settings the API shows for a pipeline (Logstash's /_node/pipelines fields). */
export interface PipelineInfo {
  workers: number;
  batchSize: number;
  batchDelayMs: number;
  configReloadAutomatic: boolean;
  configReloadIntervalMs: number;
  deadLetterQueueEnabled: boolean;
  queueType: "memory" | "persisted";
  /** SHA-256 of the configuration text, as Logstash's `hash`. */
  hash: string;
  /** Changes each time the pipeline is (re)built. */
  ephemeralId: string;
}

export interface MonitoredPipeline {
  readonly id: string;
  readonly pipeline: Pipeline;
  readonly info: PipelineInfo;
  readonly state: PipelineRunState;
  readonly reloads: ReloadStats;
}

/** A plugin the node can run, for /_node/plugins. */
export interface InstalledPlugin {
  kind: string;
  name: string;
}

export interface MonitoringSource {
  /** Stays the same across restarts when the caller keeps it (Logstash keeps it in path.data/uuid). */
  readonly nodeId: string;
  readonly nodeName: string;
  /** Changes each time the process starts. */
  readonly ephemeralId: string;
  pipelines(): Iterable<MonitoredPipeline>;
  plugins(): Iterable<InstalledPlugin>;
}

/** The API's view of settings given to createPipeline: the runtime's defaults filled in where absent. */
export function pipelineInfoOf(
  settings: PipelineSettings,
  extra: Partial<PipelineInfo> & Pick<PipelineInfo, "hash" | "ephemeralId">,
): PipelineInfo {
  return {
    workers: settings.workers ?? availableParallelism(),
    batchSize: settings.batchSize ?? settingDefaults.batchSize,
    batchDelayMs: settings.batchDelayMs ?? settingDefaults.batchDelayMs,
    configReloadAutomatic: false,
    configReloadIntervalMs: 3000,
    deadLetterQueueEnabled: false,
    queueType: "memory",
    ...extra,
  };
}

/**
 * Events waiting in a pipeline's memory queue. The runtime keeps the queue private and has no getter yet, so this
 * reads its `size` structurally; 0 when the shape ever changes (the API must never throw for a figure).
 */
export function queuedEvents(pipeline: Pipeline): number {
  const exposed = pipeline as unknown as { queueSize?: unknown; queue?: { size?: unknown } };
  if (typeof exposed.queueSize === "number") return exposed.queueSize;
  const size = exposed.queue?.size;
  return typeof size === "number" ? size : 0;
}
