// The JSON bodies of the node info and node stats endpoints, in Logstash's shapes, rendered from one snapshot.

import { hostname } from "node:os";
import type { HealthStatus } from "./health.js";
import { cgroupStats, osInfo, runtimeInfo } from "./process-stats.js";
import type { EventTotals, NodeSnapshot, PipelineSnapshot, PluginSnapshot } from "./snapshot.js";
import type { MonitoringSource, PipelineInfo } from "./source.js";

export const sluiceVersion = "0.1.0";

export interface RenderContext {
  source: MonitoringSource;
  snapshot: NodeSnapshot;
  httpAddress: string;
  status: HealthStatus;
}

type Json = Record<string, unknown>;

/** The fields Logstash puts at the top of every API answer. */
export function header(ctx: RenderContext): Json {
  const first = ctx.snapshot.pipelines[0]?.info;
  return {
    host: hostname(),
    version: sluiceVersion,
    http_address: ctx.httpAddress,
    id: ctx.source.nodeId,
    name: ctx.source.nodeName,
    ephemeral_id: ctx.source.ephemeralId,
    status: ctx.status,
    snapshot: false,
    pipeline: {
      workers: first?.workers ?? 1,
      batch_size: first?.batchSize ?? 125,
      batch_delay: first?.batchDelayMs ?? 50,
    },
  };
}

export function pipelineInfoJson(info: PipelineInfo): Json {
  return {
    ephemeral_id: info.ephemeralId,
    hash: info.hash,
    workers: info.workers,
    batch_size: info.batchSize,
    batch_delay: info.batchDelayMs,
    config_reload_automatic: info.configReloadAutomatic,
    config_reload_interval: info.configReloadIntervalMs * 1_000_000,
    dead_letter_queue_enabled: info.deadLetterQueueEnabled,
  };
}

/** The sections of /_node, each renderable alone (`/_node/os`) or together. */
export const nodeInfoSections: Record<string, (ctx: RenderContext, pipelineId?: string) => unknown> = {
  pipelines: (ctx, id) =>
    Object.fromEntries(
      ctx.snapshot.pipelines
        .filter((p) => id === undefined || p.id === id)
        .map((p) => [p.id, pipelineInfoJson(p.info)]),
    ),
  os: () => osInfo(),
  jvm: () => runtimeInfo(),
};

export function pluginsJson(source: MonitoringSource): Json {
  const plugins = [...source.plugins()]
    .map((p) => ({ name: `logstash-${p.kind}-${p.name}`, version: sluiceVersion }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { total: plugins.length, plugins };
}

function eventsJson(events: EventTotals): Json {
  return {
    in: events.in,
    filtered: events.filtered,
    out: events.out,
    duration_in_millis: Math.round(events.durationMs),
    queue_push_duration_in_millis: Math.round(events.queuePushDurationMs),
  };
}

function pluginJson(p: PluginSnapshot): Json {
  const events: Json =
    p.kind === "input"
      ? { out: p.eventsOut, queue_push_duration_in_millis: 0 }
      : { in: p.eventsIn, out: p.eventsOut, duration_in_millis: Math.round(p.durationMs) };
  const json: Json = { id: p.id, name: p.name, events, failures: p.failures };
  if (p.failures > 0) json.failure_reasons = p.failureReasons;
  return json;
}

export function pipelineStatsJson(p: PipelineSnapshot): Json {
  const of = (kind: string) => p.plugins.filter((plugin) => plugin.kind === kind).map(pluginJson);
  return {
    events: eventsJson(p.events),
    plugins: { inputs: of("input"), codecs: [], filters: of("filter"), outputs: of("output") },
    reloads: {
      last_error: p.reloads.lastError,
      successes: p.reloads.successes,
      last_success_timestamp: p.reloads.lastSuccessAt?.toISOString() ?? null,
      last_failure_timestamp: p.reloads.lastFailureAt?.toISOString() ?? null,
      failures: p.reloads.failures,
    },
    queue: {
      type: p.info.queueType,
      events_count: p.queuedEvents,
      queue_size_in_bytes: 0,
      max_queue_size_in_bytes: 0,
    },
    failures: p.failures,
    condition_failures: p.conditionFailures,
    hash: p.info.hash,
    ephemeral_id: p.info.ephemeralId,
  };
}

/** The sections of /_node/stats, each renderable alone (`/_node/stats/process`) or together. */
export const nodeStatsSections: Record<string, (ctx: RenderContext, pipelineId?: string) => unknown> = {
  jvm: ({ snapshot: { runtime: r } }) => ({
    threads: { count: r.threads, peak_count: r.peakThreads },
    mem: {
      heap_used_percent: r.heapMaxBytes > 0 ? Math.round((r.heapUsedBytes / r.heapMaxBytes) * 100) : 0,
      heap_committed_in_bytes: r.heapCommittedBytes,
      heap_max_in_bytes: r.heapMaxBytes,
      heap_used_in_bytes: r.heapUsedBytes,
      non_heap_used_in_bytes: r.nonHeapUsedBytes,
      non_heap_committed_in_bytes: r.nonHeapCommittedBytes,
    },
    gc: {
      collectors: {
        young: {
          collection_count: r.gc.young.count,
          collection_time_in_millis: Math.round(r.gc.young.timeMs),
        },
        old: { collection_count: r.gc.old.count, collection_time_in_millis: Math.round(r.gc.old.timeMs) },
      },
    },
    uptime_in_millis: r.uptimeMs,
  }),
  process: ({ snapshot: { process: p } }) => ({
    open_file_descriptors: p.openFds,
    peak_open_file_descriptors: p.peakOpenFds,
    max_file_descriptors: p.maxFds,
    mem: { total_virtual_in_bytes: p.virtualBytes, resident_in_bytes: p.residentBytes },
    cpu: {
      total_in_millis: p.cpuTotalMs,
      percent: p.cpuPercent,
      load_average: { "1m": p.loadAverage[0], "5m": p.loadAverage[1], "15m": p.loadAverage[2] },
    },
  }),
  events: ({ snapshot }) => eventsJson(snapshot.events),
  pipelines: ({ snapshot }, id) =>
    Object.fromEntries(
      snapshot.pipelines
        .filter((p) => id === undefined || p.id === id)
        .map((p) => [p.id, pipelineStatsJson(p)]),
    ),
  reloads: ({ snapshot }) => ({ successes: snapshot.reloads.successes, failures: snapshot.reloads.failures }),
  os: () => ({ cgroup: cgroupStats() }),
  queue: ({ snapshot }) => ({ events_count: snapshot.queuedEvents }),
};
