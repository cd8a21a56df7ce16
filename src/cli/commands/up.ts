// `sluice up`: everything in one process — the Kafka broker (:9092), the Elasticsearch-compatible store (:9200), the
// monitoring API (:9600) and the pipelines of `-f PATH` (default: the project's examples/) — under one data
// directory. Prints where each part listens and one ready line; a signal drains the pipelines, then stops the
// store, the API and the broker.

import { existsSync, readdirSync, statSync } from "node:fs";
import { basename, dirname, extname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type Command, Option } from "commander";
import { createLogger, isLogLevel, type Logger, type LogLevel } from "../../common/logger.js";
import type { PluginRegistry } from "../../pipeline/plugins/registry.js";
import { collect, parseNonNegativeInt, UsageError } from "../options.js";
import { brokerSettingsFromFlags } from "./broker.js";

export interface UpFlags {
  file?: string[];
  dataDir: string;
  kafkaPort: number;
  storePort: number;
  /** A port or a range whose first free port is used (Logstash's api.http.port, 9600-9700). */
  apiPort: number | string;
  host: string;
  broker: boolean;
  store: boolean;
  api: boolean;
  logLevel: string;
}

/** Something `up` started, stopped in reverse order of importance (see stopAll). */
interface Part {
  name: string;
  close(): Promise<void>;
}

/** The examples/ directory next to the installed package (bin/sluice.js runs dist/cli/...). */
export function examplesDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    if (existsSync(join(dir, "package.json"))) return join(dir, "examples");
    dir = dirname(dir);
  }
  return resolve("examples");
}

/**
 * One pipeline per configuration file: a directory contributes each of its `.conf` files (ids from the file names),
 * a file is one pipeline. A lone pipeline is called `main`, as Logstash calls it.
 */
export function pipelineDefinitions(paths: readonly string[]): { id: string; configPaths: string[] }[] {
  const files: string[] = [];
  for (const path of paths) {
    if (!existsSync(path)) throw new UsageError(`pipeline configuration ${path} not found`);
    if (statSync(path).isDirectory())
      files.push(
        ...readdirSync(path)
          .filter((name) => name.endsWith(".conf"))
          .sort()
          .map((name) => join(path, name)),
      );
    else files.push(path);
  }
  if (files.length === 1) return [{ id: "main", configPaths: files }];
  const seen = new Set<string>();
  return files.map((file) => {
    let id = basename(file, extname(file));
    while (seen.has(id)) id = `${id}_`;
    seen.add(id);
    return { id, configPaths: [file] };
  });
}

/** Wraps a logger to notice the runtime's "pipeline started" line (the runtime has no promise for it). */
function watchStarts(logger: Logger, onStarted: (pipelineId: string) => void): Logger {
  const wrap = (inner: Logger): Logger => ({
    ...inner,
    info: (msg, fields) => {
      if (msg === "pipeline started" && typeof fields?.pipeline === "string") onStarted(fields.pipeline);
      inner.info(msg, fields);
    },
    child: (component) => wrap(inner.child(component)),
  });
  return wrap(logger);
}

async function startStore(flags: UpFlags, logger: Logger): Promise<{ port: number; close(): Promise<void> }> {
  // Loaded here so `up --no-store` does not load DuckDB.
  const { startStoreServer } = await import("../../es/server.js");
  try {
    return await startStoreServer({
      host: flags.host,
      port: flags.storePort,
      dataDir: join(flags.dataDir, "store"),
      logger,
    });
  } catch (err) {
    throw new Error(
      `the store could not start on ${flags.host}:${flags.storePort}: ${(err as Error).message}`,
    );
  }
}

export interface UpIo {
  /** Where the "listening" and ready lines go. */
  out: (line: string) => void;
  /** The plugins to use; the shipped ones when absent. */
  registry?: PluginRegistry;
}

export async function runUp(flags: UpFlags, io: UpIo): Promise<{ stop(): Promise<void> }> {
  const out = io.out;
  const began = performance.now();
  if (!isLogLevel(flags.logLevel)) throw new UsageError(`unknown log level "${flags.logLevel}"`);
  const logger = createLogger({ level: flags.logLevel as LogLevel });
  const definitions = pipelineDefinitions(flags.file && flags.file.length > 0 ? flags.file : [examplesDir()]);
  const parts: Part[] = [];
  const stop = () => stopAll(parts, logger);
  try {
    const [broker, store] = await Promise.all([
      flags.broker
        ? (async () => {
            const { startBroker } = await import("../../kafka/broker/index.js");
            const settings = brokerSettingsFromFlags({
              // The broker keeps topics/ and its state files in the directory it is given, as `sluice broker` does.
              dataDir: flags.dataDir,
              port: flags.kafkaPort,
              advertisedHost: "localhost",
              logLevel: flags.logLevel,
              // As Kafka's shipped server.properties for development: consumers of the examples start at once.
              config: { "group.initial.rebalance.delay.ms": "0" },
            });
            return startBroker({ ...settings, logger });
          })()
        : undefined,
      flags.store ? startStore(flags, logger.child("store")) : undefined,
    ]);
    if (broker) {
      parts.push({ name: "broker", close: () => broker.close() });
      out(`kafka: ${broker.addresses.join(", ")} (data ${join(flags.dataDir, "topics")})`);
    }
    if (store) {
      parts.push({ name: "store", close: () => store.close() });
      out(
        `store: http://${hostForUrl(flags.host)}:${store.port} (Elasticsearch API, data ${join(flags.dataDir, "store")})`,
      );
    }
    const registry = io.registry ?? (await import("../../pipeline/plugins/index.js")).defaultRegistry;
    const pipelinesRunning = await startPipelines(definitions, flags, { logger, registry }, parts, out);
    // The monitoring API and reload (SIGHUP; each pipeline's files) run around the agent; shutting them down
    // drains the pipelines first and closes the API after, in Logstash's order.
    const { startAgentServices } = await import("../../pipeline/agent/index.js");
    const services = await startAgentServices(pipelinesRunning.agent, {
      registry,
      logger,
      dataDir: flags.dataDir,
      api: { enabled: flags.api, host: flags.host, port: flags.apiPort },
    });
    const pipelinesPart = parts.find((part) => part.name === "pipelines");
    if (pipelinesPart !== undefined) pipelinesPart.close = () => services.shutdown();
    if (services.api !== undefined)
      out(`monitoring API: http://${hostForUrl(services.api.host)}:${services.api.port}`);
    await pipelinesRunning.started;
    out(`sluice up ready in ${Math.round(performance.now() - began)} ms (Ctrl-C stops)`);
  } catch (err) {
    await stop();
    throw err;
  }
  return { stop };
}

function hostForUrl(host: string): string {
  return host.includes(":") ? `[${host}]` : host;
}

type AgentType = import("../../pipeline/agent/index.js").Agent;

async function startPipelines(
  definitions: { id: string; configPaths: string[] }[],
  flags: UpFlags,
  { logger, registry }: { logger: Logger; registry: PluginRegistry },
  parts: Part[],
  out: (line: string) => void,
): Promise<{ agent: AgentType; started: Promise<void> }> {
  const [{ Agent }, { formatDiagnostics, hasErrors }] = await Promise.all([
    import("../../pipeline/agent/index.js"),
    import("../../pipeline/config/index.js"),
  ]);
  const waiting = new Map<string, () => void>();
  const started = Promise.all(
    definitions.map((d) => new Promise<void>((resolve) => waiting.set(d.id, resolve))),
  ).then(() => {});
  const agent = new Agent({
    registry,
    logger: watchStarts(logger.child("pipeline"), (id) => waiting.get(id)?.()),
    // path.data: plugins keep their state under it (sincedb...), a persisted queue would go in queue/.
    dataDir: flags.dataDir,
  });
  const diagnostics = await agent.load(definitions);
  if (diagnostics.length > 0) {
    const text = formatDiagnostics(diagnostics, (file) => agent.sourceText(file));
    if (hasErrors(diagnostics)) throw new Error(`the pipeline configuration has errors:\n${text}`);
    process.stderr.write(`${text}\n`);
  }
  const running = agent.run();
  running.catch((err: unknown) => logger.error("pipelines failed", { error: err }));
  // A pipeline whose inputs all end (e.g. a generator) ends on its own; it counts as started.
  void running.then(() => {
    for (const resolveStart of waiting.values()) resolveStart();
  });
  parts.push({ name: "pipelines", close: () => agent.stop() });
  for (const d of definitions) out(`pipeline ${d.id}: ${d.configPaths.join(", ")}`);
  return { agent, started };
}

/** Pipelines first (they drain into the store and read from the broker), then the API, the store, the broker. */
async function stopAll(parts: Part[], logger: Logger): Promise<void> {
  const order = ["pipelines", "api", "store", "broker"];
  for (const name of order) {
    const part = parts.find((p) => p.name === name);
    if (part === undefined) continue;
    try {
      await part.close();
    } catch (err) {
      logger.error(`stopping the ${name} failed`, { error: err });
    }
  }
  parts.length = 0;
}

/**
 * Resolves on the first SIGINT/SIGTERM; a second one exits at once. Installed before anything starts, so a signal
 * during startup stops everything once it is up instead of killing the process half-started.
 */
function firstSignal(logger: Logger): Promise<string> {
  return new Promise((resolvePromise) => {
    let received = false;
    const onSignal = (signal: string) => {
      if (received) {
        logger.warn("second signal: exiting without a clean shutdown", { signal });
        process.exit(1);
      }
      received = true;
      resolvePromise(signal);
    };
    process.on("SIGINT", () => onSignal("SIGINT"));
    process.on("SIGTERM", () => onSignal("SIGTERM"));
  });
}

export function registerUp(program: Command): void {
  program
    .command("up")
    .description(
      "run everything: the Kafka broker, the Elasticsearch-compatible store, the monitoring API and the pipelines " +
        "(-f, default examples/); prints where each part listens, then a ready line",
    )
    .option(
      "-f, --file <path>",
      "pipeline configuration file or directory of .conf files (repeatable)",
      collect,
    )
    .option("--data-dir <dir>", "directory holding topics/, store/ and queue/", "./data")
    .option("--kafka-port <n>", "Kafka listener port (0: any free port)", parseNonNegativeInt, 9092)
    .option(
      "--store-port <n>",
      "Elasticsearch API port of the store (0: any free port)",
      parseNonNegativeInt,
      9200,
    )
    .option(
      "--api-port <port|range>",
      "monitoring API port, or a range whose first free port is used (0: any)",
      "9600-9700",
    )
    .option("--host <host>", "address the store and the monitoring API listen on", "127.0.0.1")
    .option("--no-broker", "do not start the Kafka broker")
    .option("--no-store", "do not start the store")
    .option("--no-api", "do not start the monitoring API")
    .addOption(
      new Option("--log-level <level>", "log level (logs go to stderr)")
        .choices(["trace", "debug", "info", "warn", "error", "fatal"])
        .default("info"),
    )
    .action(async (flags: UpFlags) => {
      const logger = createLogger({ level: flags.logLevel as LogLevel });
      const signalled = firstSignal(logger);
      const up = await runUp(flags, { out: (line) => process.stdout.write(`${line}\n`) });
      const signal = await signalled;
      logger.info("shutting down: draining pipelines, then the API, the store and the broker", { signal });
      try {
        await up.stop();
      } catch (err) {
        logger.error("shutdown failed", { error: err });
        process.exitCode = 1;
      }
      // Inputs and clients can leave handles open after a clean stop; everything is closed, so exit.
      process.exit(process.exitCode ?? 0);
    });
}
