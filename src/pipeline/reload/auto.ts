// Automatic reload (-r / config.reload.automatic): every config.reload.interval each slot's watcher looks for
// changed files and changed slots are reloaded; SIGHUP reloads every slot whose configuration text changed
// (Logstash accepts SIGHUP with or without -r). Checks never overlap.

import type { Logger } from "../../common/logger.js";
import type { PluginRegistry } from "../plugins/registry.js";
import { type ReloadOptions, type ReloadOutcome, reloadPipeline } from "./reload.js";
import type { PipelineSlot } from "./slot.js";
import { ConfigWatcher } from "./watcher.js";

/** Logstash's config.reload.interval default. */
export const defaultReloadIntervalMs = 3000;

const timeUnitsMs: Record<string, number> = {
  nanos: 1e-6,
  micros: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/** A Logstash time value such as "3s" or "500ms" in milliseconds; Logstash requires the unit. */
export function parseReloadInterval(text: string): number {
  const m = /^\s*(\d+)\s*(nanos|micros|ms|s|m|h|d)\s*$/.exec(text);
  if (!m)
    throw new Error(`config.reload.interval must be a number with a unit (e.g. 3s, 500ms), got "${text}"`);
  const ms = Number(m[1]) * timeUnitsMs[m[2]!]!;
  if (!(ms >= 1)) throw new Error(`config.reload.interval must be at least 1ms, got "${text}"`);
  return ms;
}

/** Logstash refuses -r without -f (a -e string cannot change); the usage error to show, or undefined. */
export function reloadFlagProblem(
  automatic: boolean,
  paths: readonly string[] | undefined,
): string | undefined {
  if (!automatic || (paths !== undefined && paths.length > 0)) return undefined;
  return "configuration reloading (-r) also requires a configuration path given with -f";
}

export interface AutoReloadOptions {
  /** The slots to watch; read at each check, so slots added later are watched too. */
  slots: () => Iterable<PipelineSlot>;
  registry: PluginRegistry;
  logger: Logger;
  /** Poll the files every intervalMs (-r); without it only SIGHUP and checkNow() reload. */
  automatic: boolean;
  intervalMs?: number;
  /** The signal that forces a check; null installs none. Default SIGHUP. */
  signal?: NodeJS.Signals | null;
  /** See ReloadOptions.vet. */
  vet?: ReloadOptions["vet"];
  /**
   * Runs first in every check (same serialisation), e.g. the agent re-reading pipelines.yml to add, remove or
   * replace whole pipelines; `all` is true for a signalled check. A throw is logged and the slots still checked.
   */
  beforeCheck?: (all: boolean) => Promise<void>;
}

export interface AutoReloader {
  /** Looks at every slot now; `all` reloads each one whose text changed even if no file seemed to (SIGHUP). */
  checkNow(all?: boolean): Promise<ReloadOutcome[]>;
  stop(): void;
}

export async function startAutoReload(options: AutoReloadOptions): Promise<AutoReloader> {
  const watchers = new Map<PipelineSlot, ConfigWatcher>();
  // A slot seen for the first time gets its baseline and reports no watcher: nothing can have changed yet.
  const watcherOf = async (slot: PipelineSlot): Promise<ConfigWatcher | undefined> => {
    let watcher = watchers.get(slot);
    if (watcher !== undefined) return watcher;
    if (slot.definition.paths === undefined) return undefined; // -e text never changes
    watcher = new ConfigWatcher({ paths: slot.definition.paths });
    await watcher.baseline();
    watchers.set(slot, watcher);
    return undefined;
  };
  for (const slot of options.slots()) await watcherOf(slot);

  let running: Promise<ReloadOutcome[]> | undefined;
  let stopped = false;
  const check = async (all: boolean): Promise<ReloadOutcome[]> => {
    const outcomes: ReloadOutcome[] = [];
    if (options.beforeCheck !== undefined)
      await options.beforeCheck(all).catch((err: unknown) => {
        options.logger.error("configuration check failed", { error: err });
      });
    const current = new Set(options.slots());
    // Slots the agent dropped (pipelines.yml changed) need no watcher any more.
    for (const slot of watchers.keys()) if (!current.has(slot)) watchers.delete(slot);
    for (const slot of current) {
      if (slot.stopping) continue;
      const watcher = await watcherOf(slot);
      const changed = watcher !== undefined && (await watcher.changed());
      if (changed || all) outcomes.push(await reloadPipeline(slot, options));
    }
    return outcomes;
  };
  const checkNow = (all = false): Promise<ReloadOutcome[]> => {
    const next = (running ?? Promise.resolve([])).catch(() => []).then(() => check(all));
    running = next;
    return next;
  };

  let timer: NodeJS.Timeout | undefined;
  const schedule = () => {
    if (stopped || !options.automatic) return;
    timer = setTimeout(() => {
      checkNow().then(schedule, (err: unknown) => {
        options.logger.error("configuration check failed", { error: err });
        schedule();
      });
    }, options.intervalMs ?? defaultReloadIntervalMs);
    timer.unref();
  };
  schedule();

  const signal = options.signal === undefined ? "SIGHUP" : options.signal;
  const onSignal = () => {
    options.logger.info("reload requested by signal", { signal });
    void checkNow(true);
  };
  if (signal !== null) process.on(signal, onSignal);
  return {
    checkNow,
    stop: () => {
      stopped = true;
      clearTimeout(timer);
      if (signal !== null) process.off(signal, onSignal);
    },
  };
}
