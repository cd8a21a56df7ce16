// Per-pipeline settings by their Logstash names (pipeline.workers, queue.type, ...): which ones pipelines.yml and
// logstash.yml may hold, how each value is checked and coerced, and which are accepted but not supported yet.

import type { Diagnostic } from "../config/index.js";
import { type EcsCompatibility, parseEcsCompatibility } from "../event/index.js";
import { parseBytes } from "../plugins/options.js";
import { parseReloadInterval } from "../reload/auto.js";
import type { OrderedSetting } from "../runtime/index.js";
import { diag, type SettingEntry } from "./yaml-settings.js";

/** The settings one pipeline may override; absent means the agent's default. */
export interface PipelineOverrides {
  workers?: number;
  batchSize?: number;
  batchDelayMs?: number;
  ordered?: OrderedSetting;
  ecsCompatibility?: EcsCompatibility;
  supportEscapes?: boolean;
  queueType?: "memory" | "persisted";
  queueMaxBytes?: number;
  queuePageCapacityBytes?: number;
  queueCheckpointWrites?: number;
  queueDrain?: boolean;
  dlqEnabled?: boolean;
  dlqMaxBytes?: number;
  dlqStoragePolicy?: "drop_newer" | "drop_older";
  dlqRetainAgeMs?: number;
  dlqFlushIntervalMs?: number;
}

/** The persisted-queue and dead-letter-queue overrides, as the runtime's PipelineSettings name them. */
export const queueSettingNames = [
  "queueType",
  "queueMaxBytes",
  "queuePageCapacityBytes",
  "queueCheckpointWrites",
  "queueDrain",
  "dlqEnabled",
  "dlqMaxBytes",
  "dlqStoragePolicy",
  "dlqRetainAgeMs",
  "dlqFlushIntervalMs",
] as const;

type Coerced<T> = { value: T } | { error: string };

const positiveInteger = (v: unknown): Coerced<number> => {
  const n = typeof v === "string" && /^\d+$/.test(v.trim()) ? Number(v) : v;
  return typeof n === "number" && Number.isInteger(n) && n >= 1
    ? { value: n }
    : { error: `must be a positive integer, got ${JSON.stringify(v)}` };
};
const nonNegativeInteger = (v: unknown): Coerced<number> => {
  const n = typeof v === "string" && /^\d+$/.test(v.trim()) ? Number(v) : v;
  return typeof n === "number" && Number.isInteger(n) && n >= 0
    ? { value: n }
    : { error: `must be a non-negative integer, got ${JSON.stringify(v)}` };
};
const boolean = (v: unknown): Coerced<boolean> => {
  if (v === true || v === "true") return { value: true };
  if (v === false || v === "false") return { value: false };
  return { error: `must be true or false, got ${JSON.stringify(v)}` };
};
/** Logstash's sizes: a byte count or text like "1024mb", "64 MiB". */
const bytes = (v: unknown): Coerced<number> => {
  const n = typeof v === "number" ? v : typeof v === "string" ? parseBytes(v) : undefined;
  return n !== undefined && Number.isInteger(n) && n >= 1
    ? { value: n }
    : { error: `must be a size such as 1024mb or 64 MiB, got ${JSON.stringify(v)}` };
};
/** Logstash's time values: a number with a unit ("7d", "30m", "500ms"). */
const duration = (v: unknown): Coerced<number> => {
  try {
    return { value: parseReloadInterval(String(v)) };
  } catch (err) {
    return { error: (err as Error).message };
  }
};
const oneOf =
  <T extends string>(words: readonly T[]) =>
  (v: unknown): Coerced<T> => {
    const text = typeof v === "boolean" ? String(v) : v;
    return typeof text === "string" && (words as readonly string[]).includes(text)
      ? { value: text as T }
      : { error: `must be one of ${words.join(", ")}, got ${JSON.stringify(v)}` };
  };

type Applier = (value: unknown, into: PipelineOverrides) => string | undefined;

function setter<T>(
  coerce: (v: unknown) => Coerced<T>,
  put: (into: PipelineOverrides, value: T) => void,
): Applier {
  return (value, into) => {
    const result = coerce(value);
    if ("error" in result) return result.error;
    put(into, result.value);
    return undefined;
  };
}

/** Settings Sluice applies per pipeline. */
const appliers: Record<string, Applier> = {
  "pipeline.workers": setter(positiveInteger, (o, v) => (o.workers = v)),
  "pipeline.batch.size": setter(positiveInteger, (o, v) => (o.batchSize = v)),
  "pipeline.batch.delay": setter(nonNegativeInteger, (o, v) => (o.batchDelayMs = v)),
  "pipeline.ordered": setter(oneOf(["auto", "true", "false"] as const), (o, v) => (o.ordered = v)),
  "pipeline.ecs_compatibility": setter(
    (v) => {
      const mode = typeof v === "string" ? parseEcsCompatibility(v) : undefined;
      return mode === undefined
        ? { error: `must be one of disabled, v1, v8, got ${JSON.stringify(v)}` }
        : { value: mode as EcsCompatibility };
    },
    (o, v) => (o.ecsCompatibility = v),
  ),
  "queue.type": setter(oneOf(["memory", "persisted"] as const), (o, v) => (o.queueType = v)),
  "queue.max_bytes": setter(bytes, (o, v) => (o.queueMaxBytes = v)),
  "queue.page_capacity": setter(bytes, (o, v) => (o.queuePageCapacityBytes = v)),
  "queue.checkpoint.writes": setter(nonNegativeInteger, (o, v) => (o.queueCheckpointWrites = v)),
  "queue.drain": setter(boolean, (o, v) => (o.queueDrain = v)),
  "dead_letter_queue.enable": setter(boolean, (o, v) => (o.dlqEnabled = v)),
  "dead_letter_queue.max_bytes": setter(bytes, (o, v) => (o.dlqMaxBytes = v)),
  "dead_letter_queue.storage_policy": setter(
    oneOf(["drop_newer", "drop_older"] as const),
    (o, v) => (o.dlqStoragePolicy = v),
  ),
  "dead_letter_queue.retain.age": setter(duration, (o, v) => (o.dlqRetainAgeMs = v)),
  "dead_letter_queue.flush_interval": setter(positiveInteger, (o, v) => (o.dlqFlushIntervalMs = v)),
};

/** Logstash per-pipeline settings Sluice accepts in pipelines.yml but does not act on yet (a warning). */
const acceptedButIgnored = new Set([
  "config.debug",
  "config.reload.automatic",
  "config.reload.interval",
  "metric.collect",
  "path.dead_letter_queue",
  "path.queue",
  "pipeline.batch.metrics.sampling_mode",
  "pipeline.buffer.type",
  "pipeline.plugin_classloaders",
  "pipeline.reloadable",
  "pipeline.separate_logs",
  "pipeline.system",
  "pipeline.unsafe_shutdown",
  "queue.checkpoint.acks",
  "queue.checkpoint.interval",
  "queue.checkpoint.retry",
  "queue.compression",
  "queue.max_events",
]);

/** Keys that name the pipeline and its configuration rather than tune it. */
export const definitionKeys = new Set(["pipeline.id", "path.config", "config.string"]);

/** Every key a pipelines.yml entry may hold (Logstash refuses others). */
export function isPipelineSettingKey(key: string): boolean {
  return definitionKeys.has(key) || key in appliers || acceptedButIgnored.has(key);
}

/**
 * Applies one setting from a settings file to `into`. Unknown keys are errors in pipelines.yml (as in Logstash)
 * and warnings in logstash.yml, which holds many settings for other parts of Sluice.
 */
export function applySetting(
  entry: SettingEntry,
  into: PipelineOverrides,
  file: string,
  unknownSeverity: "error" | "warning",
): Diagnostic | undefined {
  const apply = appliers[entry.key];
  if (apply !== undefined) {
    const error = apply(entry.value, into);
    return error === undefined
      ? undefined
      : diag(file, entry.line, entry.column, "pipeline-setting", `${entry.key} ${error}`);
  }
  if (entry.key === "config.support_escapes") {
    const result = boolean(entry.value);
    if ("error" in result)
      return diag(file, entry.line, entry.column, "pipeline-setting", `${entry.key} ${result.error}`);
    into.supportEscapes = result.value;
    return undefined;
  }
  if (definitionKeys.has(entry.key)) return undefined;
  if (acceptedButIgnored.has(entry.key))
    return diag(
      file,
      entry.line,
      entry.column,
      "setting-ignored",
      `${entry.key} is not supported by Sluice yet and is ignored`,
      "warning",
    );
  return diag(
    file,
    entry.line,
    entry.column,
    "unknown-setting",
    `unknown setting '${entry.key}'`,
    unknownSeverity,
  );
}
