// What runs around an agent's pipelines: hot reload (each pipeline's own files, SIGHUP, and pipelines.yml itself)
// and the monitoring API. `sluice run` and `sluice up` both start them here; one shutdown() stops the reloader,
// drains the pipelines and then closes the API, in Logstash's order.

import { type MonitoringApi, startMonitoringApi } from "../../api/server.js";
import { slotSource } from "../../api/slot-source.js";
import type { Logger } from "../../common/logger.js";
import { formatDiagnostic, hasErrors } from "../config/index.js";
import type { PluginRegistry } from "../plugins/registry.js";
import { type AutoReloader, defaultReloadIntervalMs, startAutoReload } from "../reload/auto.js";
import { ConfigWatcher } from "../reload/watcher.js";
import type { Agent } from "./agent.js";
import { readPipelinesYml } from "./pipelines-yml.js";

export interface AgentApiOptions {
  /** api.enabled; default true. */
  enabled?: boolean;
  /** api.http.host; default 127.0.0.1. */
  host?: string;
  /** api.http.port: a port or a range; default 9600-9700, 0 for any free port. */
  port?: number | string;
  /** node.name; default the host name. */
  nodeName?: string;
}

export interface AgentReloadOptions {
  /** -r / config.reload.automatic: poll every intervalMs. SIGHUP reloads either way. */
  automatic?: boolean;
  /** config.reload.interval in milliseconds; default 3 s. */
  intervalMs?: number;
  /** The signal forcing a check; null installs none (tests). Default SIGHUP. */
  signal?: NodeJS.Signals | null;
  /** The pipelines.yml the agent's pipelines came from: re-read at each check, pipelines added/removed/changed. */
  pipelinesYml?: string;
}

export interface AgentServicesOptions {
  registry: PluginRegistry;
  logger: Logger;
  /** path.data, where the API keeps the node id. */
  dataDir?: string;
  api?: AgentApiOptions;
  reload?: AgentReloadOptions;
}

export interface AgentServices {
  /** Absent when api.enabled is false. */
  readonly api: MonitoringApi | undefined;
  readonly reloader: AutoReloader;
  /** Stops the reloader, drains every pipeline (agent.stop()), then closes the API. Idempotent. */
  shutdown(): Promise<void>;
  /** Stops the reloader and closes the API without touching the agent (its pipelines ended on their own). */
  close(): Promise<void>;
}

export async function startAgentServices(
  agent: Agent,
  options: AgentServicesOptions,
): Promise<AgentServices> {
  const { registry, logger } = options;
  const automatic = options.reload?.automatic ?? false;
  const intervalMs = options.reload?.intervalMs ?? defaultReloadIntervalMs;
  agent.setReloadDisplay({ automatic, intervalMs });
  const api = options.api?.enabled === false ? undefined : await startApi(agent, options);
  let reloader: AutoReloader;
  try {
    const pipelinesYml = options.reload?.pipelinesYml;
    reloader = await startAutoReload({
      slots: () => agent.slots(),
      registry,
      logger,
      automatic,
      intervalMs,
      signal: options.reload?.signal === undefined ? "SIGHUP" : options.reload.signal,
      vet: agent.vetReload,
      beforeCheck:
        pipelinesYml === undefined ? undefined : await pipelinesYmlCheck(agent, pipelinesYml, logger),
    });
  } catch (err) {
    await api?.close();
    throw err;
  }
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      reloader.stop();
      await api?.close();
    })();
    return closing;
  };
  let shuttingDown: Promise<void> | undefined;
  const shutdown = () => {
    shuttingDown ??= (async () => {
      reloader.stop();
      await agent.stop();
      await close();
    })();
    return shuttingDown;
  };
  return { api, reloader, shutdown, close };
}

async function startApi(agent: Agent, options: AgentServicesOptions): Promise<MonitoringApi> {
  const source = slotSource({
    slots: () => agent.slots(),
    registry: options.registry,
    dataDir: options.dataDir,
    nodeName: options.api?.nodeName,
  });
  return startMonitoringApi({
    host: options.api?.host,
    port: options.api?.port,
    logger: options.logger.child("api"),
    source,
  });
}

/**
 * A check re-reading pipelines.yml when its content changed (or on SIGHUP) and converging the agent on it. A
 * pipelines.yml with errors changes nothing: every error is logged and the running pipelines stay.
 */
async function pipelinesYmlCheck(
  agent: Agent,
  file: string,
  logger: Logger,
): Promise<(all: boolean) => Promise<void>> {
  const watcher = new ConfigWatcher({ paths: [file] });
  await watcher.baseline();
  return async (all) => {
    const changed = await watcher.changed();
    if (!changed && !all) return;
    const read = await readPipelinesYml(file);
    if (hasErrors(read.diagnostics)) {
      for (const d of read.diagnostics.filter((x) => x.severity === "error"))
        logger.error(
          `pipelines.yml not applied; the running pipelines are kept:\n${formatDiagnostic(d, () => undefined)}`,
        );
      return;
    }
    // converge() logs each refused pipeline itself.
    const outcome = await agent.converge(read.definitions);
    const { added, removed, replaced, failed } = outcome;
    if (added.length + removed.length + replaced.length + failed.length > 0)
      logger.info("pipelines.yml applied", { added, removed, replaced, failed });
  };
}
