// One read of every figure the API serves: the pipelines' stats, reload counters, queue depth and the process.
// Each response (JSON or Prometheus text) is rendered from one snapshot, so no figure is computed twice.

import type { PluginKind } from "../pipeline/plugins/api.js";
import type { ReloadError } from "../pipeline/reload/stats.js";
import type { ProcessFigures, ProcessSampler, RuntimeFigures } from "./process-stats.js";
import {
  type MonitoredPipeline,
  type MonitoringSource,
  type PipelineInfo,
  type PipelineRunState,
  queuedEvents,
} from "./source.js";

export interface PluginSnapshot {
  id: string;
  name: string;
  kind: PluginKind;
  eventsIn: number;
  eventsOut: number;
  durationMs: number;
  failures: number;
  failureReasons: Record<string, number>;
}

export interface EventTotals {
  in: number;
  filtered: number;
  out: number;
  /** Time spent in filters and outputs: the sum of their plugins' durations. */
  durationMs: number;
  /** Not measured by the runtime yet: always 0. */
  queuePushDurationMs: number;
}

export interface ReloadSnapshot {
  successes: number;
  failures: number;
  lastError: ReloadError | null;
  lastSuccessAt: Date | null;
  lastFailureAt: Date | null;
}

export interface PipelineSnapshot {
  id: string;
  state: PipelineRunState;
  info: PipelineInfo;
  events: EventTotals;
  queuedEvents: number;
  failures: number;
  conditionFailures: number;
  plugins: PluginSnapshot[];
  reloads: ReloadSnapshot;
}

export interface NodeSnapshot {
  pipelines: PipelineSnapshot[];
  events: EventTotals;
  reloads: { successes: number; failures: number };
  queuedEvents: number;
  process: ProcessFigures;
  runtime: RuntimeFigures;
}

export function takeSnapshot(source: MonitoringSource, sampler: ProcessSampler): NodeSnapshot {
  const pipelines = [...source.pipelines()].map(pipelineSnapshot);
  const sum = (pick: (p: PipelineSnapshot) => number) => pipelines.reduce((total, p) => total + pick(p), 0);
  return {
    pipelines,
    events: {
      in: sum((p) => p.events.in),
      filtered: sum((p) => p.events.filtered),
      out: sum((p) => p.events.out),
      durationMs: sum((p) => p.events.durationMs),
      queuePushDurationMs: sum((p) => p.events.queuePushDurationMs),
    },
    reloads: { successes: sum((p) => p.reloads.successes), failures: sum((p) => p.reloads.failures) },
    queuedEvents: sum((p) => p.queuedEvents),
    process: sampler.process(),
    runtime: sampler.runtime(),
  };
}

function pipelineSnapshot(entry: MonitoredPipeline): PipelineSnapshot {
  const stats = entry.pipeline.stats;
  const plugins = stats.plugins.map(
    (p): PluginSnapshot => ({
      id: p.id,
      name: p.name,
      kind: p.kind,
      eventsIn: p.eventsIn,
      eventsOut: p.eventsOut,
      durationMs: p.durationMs,
      failures: p.failures,
      failureReasons: Object.fromEntries(p.failureReasons),
    }),
  );
  const durationMs = plugins
    .filter((p) => p.kind === "filter" || p.kind === "output")
    .reduce((total, p) => total + p.durationMs, 0);
  const reloads = entry.reloads;
  return {
    id: entry.id,
    state: entry.state,
    info: entry.info,
    events: {
      in: stats.eventsIn,
      filtered: stats.eventsFiltered,
      out: stats.eventsOut,
      durationMs,
      queuePushDurationMs: 0,
    },
    queuedEvents: queuedEvents(entry.pipeline),
    failures: stats.failures,
    conditionFailures: stats.conditionFailures,
    plugins,
    reloads: {
      successes: reloads.successes,
      failures: reloads.failures,
      lastError: reloads.lastError,
      lastSuccessAt: reloads.lastSuccessAt,
      lastFailureAt: reloads.lastFailureAt,
    },
  };
}
