// MonitoringSources over what runs pipelines (reload slots, or anything holding a map of pipelines such as the
// agent), and the node's identity: a UUID kept in path.data/uuid as Logstash keeps it, so it survives restarts.

import { randomUUID } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import type { PluginRegistry } from "../pipeline/plugins/registry.js";
import { defaultReloadIntervalMs } from "../pipeline/reload/auto.js";
import type { PipelineSlot } from "../pipeline/reload/slot.js";
import { ReloadStats } from "../pipeline/reload/stats.js";
import type { Pipeline } from "../pipeline/runtime/index.js";
import {
  type MonitoredPipeline,
  type MonitoringSource,
  type PipelineRunState,
  pipelineInfoOf,
} from "./source.js";

export interface SlotSourceOptions {
  slots: () => Iterable<PipelineSlot>;
  registry: PluginRegistry;
  /** path.data, where the node id is kept; a fresh id each run when absent. */
  dataDir?: string;
  /** node.name; default the host name. */
  nodeName?: string;
}

export function slotSource(options: SlotSourceOptions): MonitoringSource {
  const nodeId = options.dataDir === undefined ? randomUUID() : persistentNodeId(options.dataDir);
  return {
    nodeId,
    nodeName: options.nodeName ?? hostname(),
    ephemeralId: randomUUID(),
    pipelines: () => [...options.slots()].map(monitoredSlot),
    plugins: () => options.registry.all().map((spec) => ({ kind: spec.kind, name: spec.name })),
  };
}

export function monitoredSlot(slot: PipelineSlot): MonitoredPipeline {
  const d = slot.definition;
  return {
    id: slot.id,
    pipeline: slot.pipeline,
    state: slot.state,
    reloads: slot.reloads,
    info: pipelineInfoOf(d.settings, {
      hash: slot.config.hash,
      ephemeralId: slot.ephemeralId,
      configReloadAutomatic: d.reloadAutomatic ?? false,
      configReloadIntervalMs: d.reloadIntervalMs ?? defaultReloadIntervalMs,
    }),
  };
}

/** What a holder of several pipelines (the agent) offers; typed structurally so the API needs none of its code. */
export interface PipelineHolder {
  pipelines(): ReadonlyMap<string, Pipeline>;
  settingsOf(id: string): { workers: number; batchSize: number; batchDelayMs: number } | undefined;
  /** Run state per pipeline; without it a pipeline is "running" until stop() is asked, then "finished". */
  stateOf?(id: string): PipelineRunState;
  /** Reload counters per pipeline; without them every pipeline shows none. */
  reloadsOf?(id: string): ReloadStats | undefined;
  /** SHA-256 of a pipeline's configuration text, when the holder knows it. */
  hashOf?(id: string): string | undefined;
}

export function holderSource(
  holder: PipelineHolder,
  options: Omit<SlotSourceOptions, "slots">,
): MonitoringSource {
  const nodeId = options.dataDir === undefined ? randomUUID() : persistentNodeId(options.dataDir);
  const noReloads = new Map<string, ReloadStats>();
  // Keyed by the Pipeline object, so a rebuilt pipeline gets a new id and a dropped one is forgotten.
  const ephemeralIds = new WeakMap<Pipeline, string>();
  const entry = (id: string, pipeline: Pipeline): MonitoredPipeline => {
    const ephemeralId = ephemeralIds.get(pipeline) ?? randomUUID();
    ephemeralIds.set(pipeline, ephemeralId);
    let reloads = holder.reloadsOf?.(id) ?? noReloads.get(id);
    if (reloads === undefined) {
      reloads = new ReloadStats();
      noReloads.set(id, reloads);
    }
    return {
      id,
      pipeline,
      state: holder.stateOf?.(id) ?? (pipeline.stopping ? "finished" : "running"),
      reloads,
      info: pipelineInfoOf(holder.settingsOf(id) ?? {}, { hash: holder.hashOf?.(id) ?? "", ephemeralId }),
    };
  };
  return {
    nodeId,
    nodeName: options.nodeName ?? hostname(),
    ephemeralId: randomUUID(),
    pipelines: () => [...holder.pipelines()].map(([id, pipeline]) => entry(id, pipeline)),
    plugins: () => options.registry.all().map((spec) => ({ kind: spec.kind, name: spec.name })),
  };
}

/** The UUID in `<dataDir>/uuid`, written there the first time; a fresh one when the directory is unusable. */
export function persistentNodeId(dataDir: string): string {
  const file = join(dataDir, "uuid");
  try {
    const kept = readFileSync(file, "utf8").trim();
    if (/^[0-9a-f-]{36}$/i.test(kept)) return kept;
  } catch {
    // Not there yet: written below.
  }
  const id = randomUUID();
  try {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, id);
  } catch {
    // A read-only data directory costs only the id's stability across restarts.
  }
  return id;
}
