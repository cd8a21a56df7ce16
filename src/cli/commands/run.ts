// `sluice run`: Logstash's command line (-f/-e, -t, -r, -w, -b, -u, --pipeline.*, --api.*, --path.data,
// --path.settings, --log.level): one pipeline from -f/-e, or every pipeline of pipelines.yml; checks everything,
// runs the pipelines in one agent with hot reload and the monitoring API, and drains them on SIGINT/SIGTERM.

import { existsSync } from "node:fs";
import { join } from "node:path";
import { type Command, Option } from "commander";
import { parsePortRange } from "../../api/server.js";
import { createLogger, isLogLevel, type Logger, type LogLevel } from "../../common/logger.js";
import {
  Agent,
  type AgentApiOptions,
  type AgentServices,
  type PipelineDefinition,
  type PipelineOverrides,
  readLogstashYml,
  readPipelinesYml,
  startAgentServices,
} from "../../pipeline/agent/index.js";
import { type Diagnostic, formatDiagnostics, hasErrors } from "../../pipeline/config/index.js";
import { type EcsCompatibility, parseEcsCompatibility } from "../../pipeline/event/index.js";
import type { PluginRegistry } from "../../pipeline/plugins/registry.js";
import {
  defaultReloadIntervalMs,
  parseReloadInterval,
  reloadFlagProblem,
} from "../../pipeline/reload/auto.js";
import type { OrderedSetting, Pipeline, PipelineSettings } from "../../pipeline/runtime/index.js";
import { collect, UsageError } from "../options.js";

export { defaultInput, defaultOutput, withDefaultSections } from "../../pipeline/agent/index.js";

/** The flags as commander names them: Logstash's dotted setting names. */
export interface RunFlags {
  "path.config"?: string[];
  "config.string"?: string;
  "config.test_and_exit"?: boolean;
  "config.support_escapes"?: boolean;
  "pipeline.id"?: string;
  "pipeline.workers"?: string;
  "pipeline.batch.size"?: string;
  "pipeline.batch.delay"?: string;
  "pipeline.ordered"?: string;
  "pipeline.ecs_compatibility"?: string;
  "path.data"?: string;
  "path.settings"?: string;
  "log.level"?: string;
  "config.reload.automatic"?: boolean;
  "config.reload.interval"?: string;
  "api.enabled"?: string;
  "api.http.host"?: string;
  "api.http.port"?: string;
}

const positiveInteger = (flag: string, value: string): number => {
  if (!/^\d+$/.test(value) || Number(value) < 1)
    throw new UsageError(`${flag} must be a positive integer, got "${value}"`);
  return Number(value);
};

/** Pipeline settings from the flags (only those given; the runtime fills in Logstash's defaults). */
export function settingsFromFlags(flags: RunFlags, logger: Logger): PipelineSettings {
  const settings: PipelineSettings = { logger, dataDir: flags["path.data"] ?? "./data" };
  if (flags["pipeline.id"] !== undefined) settings.id = flags["pipeline.id"];
  if (flags["pipeline.workers"] !== undefined)
    settings.workers = positiveInteger("--pipeline.workers", flags["pipeline.workers"]);
  if (flags["pipeline.batch.size"] !== undefined)
    settings.batchSize = positiveInteger("--pipeline.batch.size", flags["pipeline.batch.size"]);
  const delay = flags["pipeline.batch.delay"];
  if (delay !== undefined) {
    if (!/^\d+$/.test(delay))
      throw new UsageError(`--pipeline.batch.delay must be a number of milliseconds, got "${delay}"`);
    settings.batchDelayMs = Number(delay);
  }
  if (flags["pipeline.ordered"] !== undefined) settings.ordered = flags["pipeline.ordered"] as OrderedSetting;
  const ecs = flags["pipeline.ecs_compatibility"];
  if (ecs !== undefined) settings.ecsCompatibility = parseEcsCompatibility(ecs) as EcsCompatibility;
  return settings;
}

/** The per-pipeline settings the flags give; they override logstash.yml and are overridden by pipelines.yml. */
function overridesFromFlags(flags: RunFlags): PipelineOverrides {
  const s = settingsFromFlags(flags, createLogger({ level: "fatal" }));
  const overrides: PipelineOverrides = {};
  if (s.workers !== undefined) overrides.workers = s.workers;
  if (s.batchSize !== undefined) overrides.batchSize = s.batchSize;
  if (s.batchDelayMs !== undefined) overrides.batchDelayMs = s.batchDelayMs;
  if (s.ordered !== undefined) overrides.ordered = s.ordered;
  if (s.ecsCompatibility !== undefined) overrides.ecsCompatibility = s.ecsCompatibility;
  if (flags["config.support_escapes"] !== undefined)
    overrides.supportEscapes = flags["config.support_escapes"];
  return overrides;
}

export interface RunIo {
  out: (s: string) => void;
  err: (s: string) => void;
  /** The plugins to use; the shipped ones when absent. */
  registry?: PluginRegistry;
  /** Called with each running pipeline. */
  onPipeline?: (pipeline: Pipeline) => void;
  /** Called with the agent running the pipelines. */
  onAgent?: (agent: Agent) => void;
  /** Called with the reloader and API around the agent (the command installs signal handlers with them). */
  onServices?: (services: AgentServices) => void;
  /** The signal forcing a reload check; default SIGHUP, null for none (tests running several commands). */
  reloadSignal?: NodeJS.Signals | null;
}

/** What to run: pipelines and the settings around them, from the flags and --path.settings files. */
interface RunPlan {
  definitions: PipelineDefinition[];
  defaults: PipelineOverrides;
  dataDir: string;
  level: string;
  /** Problems in logstash.yml/pipelines.yml; also the note that -f/-e override pipelines.yml. */
  diagnostics: Diagnostic[];
  /** True for -f/-e: Sluice adds stdin/stdout to a part without input/output sections. */
  fromCommandLine: boolean;
  reload: { automatic: boolean; intervalMs: number };
  api: AgentApiOptions;
  /** Set when the pipelines come from pipelines.yml, which -r then watches too. */
  pipelinesYml?: string;
}

async function planRun(flags: RunFlags): Promise<RunPlan> {
  const settingsDir = flags["path.settings"];
  const yml =
    settingsDir === undefined ? undefined : await readLogstashYml(join(settingsDir, "logstash.yml"));
  const diagnostics = [...(yml?.diagnostics ?? [])];
  const defaults = { ...yml?.pipeline, ...overridesFromFlags(flags) };
  const plan = {
    defaults,
    diagnostics,
    dataDir: flags["path.data"] ?? yml?.pathData ?? "./data",
    level: flags["log.level"] ?? yml?.logLevel ?? "info",
    reload: reloadSettings(flags, yml),
    api: apiSettings(flags, yml),
  };
  const pipelinesYml = settingsDir === undefined ? undefined : join(settingsDir, "pipelines.yml");
  const paths = flags["path.config"] ?? [];
  const configString = flags["config.string"];
  if (paths.length > 0 || configString !== undefined) {
    if (pipelinesYml !== undefined && existsSync(pipelinesYml))
      diagnostics.push({
        severity: "warning",
        code: "pipelines-yml-ignored",
        message: "Ignoring the 'pipelines.yml' file because command line options -f/-e are specified",
        file: pipelinesYml,
        line: 1,
        column: 1,
      });
    const definition = single(flags["pipeline.id"] ?? yml?.pipelineId, paths, configString);
    refuseReloadOfString(plan.reload.automatic, definition);
    return { ...plan, definitions: [definition], fromCommandLine: true };
  }
  if (pipelinesYml !== undefined && existsSync(pipelinesYml)) {
    const read = await readPipelinesYml(pipelinesYml);
    diagnostics.push(...read.diagnostics);
    return { ...plan, definitions: read.definitions, fromCommandLine: false, pipelinesYml };
  }
  if (yml?.pathConfig !== undefined || yml?.configString !== undefined) {
    const definition = single(
      yml.pipelineId,
      yml.pathConfig === undefined ? [] : [yml.pathConfig],
      yml.configString,
    );
    refuseReloadOfString(plan.reload.automatic, definition);
    return { ...plan, definitions: [definition], fromCommandLine: true };
  }
  throw new UsageError(
    "give a configuration with -f/--path.config PATH or -e/--config.string STRING, or a pipelines.yml in --path.settings",
  );
}

type SettingsFile = Awaited<ReturnType<typeof readLogstashYml>> | undefined;

/** -r and --config.reload.interval over logstash.yml's config.reload.*. */
function reloadSettings(flags: RunFlags, yml: SettingsFile): RunPlan["reload"] {
  const automatic =
    flags["config.reload.automatic"] ?? booleanSetting("config.reload.automatic", yml?.reloadAutomatic);
  const interval = flags["config.reload.interval"] ?? yml?.reloadInterval;
  let intervalMs = defaultReloadIntervalMs;
  if (interval !== undefined) {
    try {
      intervalMs = parseReloadInterval(interval);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
  }
  return { automatic: automatic ?? false, intervalMs };
}

/** --api.* over logstash.yml's api.*; a bad port range is a usage error now rather than at bind time. */
function apiSettings(flags: RunFlags, yml: SettingsFile): AgentApiOptions {
  const enabled = booleanSetting("api.enabled", flags["api.enabled"] ?? yml?.apiEnabled) ?? true;
  const port = flags["api.http.port"] ?? yml?.apiHttpPort;
  if (port !== undefined) {
    try {
      parsePortRange(port);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
  }
  const api: AgentApiOptions = { enabled };
  const host = flags["api.http.host"] ?? yml?.apiHttpHost;
  if (host !== undefined) api.host = host;
  if (port !== undefined) api.port = port;
  return api;
}

function booleanSetting(name: string, value: unknown): boolean | undefined {
  if (value === undefined || value === null) return undefined;
  if (value === true || value === "true") return true;
  if (value === false || value === "false") return false;
  throw new UsageError(`${name} must be true or false, got ${JSON.stringify(value)}`);
}

/** Logstash refuses -r for a pipeline given only as a string: nothing could ever change. */
function refuseReloadOfString(automatic: boolean, definition: PipelineDefinition): void {
  const problem = reloadFlagProblem(automatic, definition.configPaths);
  if (problem !== undefined) throw new UsageError(problem);
}

function single(
  id: string | undefined,
  paths: string[],
  configString: string | undefined,
): PipelineDefinition {
  const definition: PipelineDefinition = { id: id ?? "main" };
  if (paths.length > 0) definition.configPaths = paths;
  if (configString !== undefined) definition.configString = configString;
  return definition;
}

/** Loads, checks and (unless -t) runs the pipelines; returns the exit code. Usage errors throw UsageError. */
export async function runPipelineCommand(flags: RunFlags, io: RunIo): Promise<number> {
  const plan = await planRun(flags);
  if (!isLogLevel(plan.level)) throw new UsageError(`unknown log level "${plan.level}"`);
  const logger = createLogger({ level: plan.level as LogLevel });
  const registry = io.registry ?? (await import("../../pipeline/plugins/index.js")).defaultRegistry;
  const agent = new Agent({ registry, logger, dataDir: plan.dataDir, defaults: plan.defaults });
  const report = (ds: readonly Diagnostic[]) => {
    if (ds.length > 0) io.err(`${formatDiagnostics(ds, (file) => agent.sourceText(file))}\n`);
  };
  if (hasErrors(plan.diagnostics)) {
    report(plan.diagnostics);
    return 1;
  }
  const loaded = await agent.load(plan.definitions, {
    defaultSections: plan.fromCommandLine ? true : undefined,
  });
  const diagnostics = [...plan.diagnostics, ...loaded];
  if (hasErrors(diagnostics)) {
    report(diagnostics);
    return 1;
  }
  if (flags["config.test_and_exit"]) {
    report(diagnostics);
    await agent.stop();
    io.out("Configuration OK\n");
    return 0;
  }
  // Option warnings were logged by the plugins' loggers as they were built; these are the files' and compiler's.
  for (const d of diagnostics)
    logger.warn(d.message, { at: `${d.file}:${d.line}:${d.column}`, hint: d.hint });
  const services = await startAgentServices(agent, {
    registry,
    logger,
    dataDir: plan.dataDir,
    api: plan.api,
    reload: {
      automatic: plan.reload.automatic,
      intervalMs: plan.reload.intervalMs,
      signal: io.reloadSignal === undefined ? "SIGHUP" : io.reloadSignal,
      pipelinesYml: plan.pipelinesYml,
    },
  });
  try {
    io.onAgent?.(agent);
    io.onServices?.(services);
    for (const pipeline of agent.pipelines().values()) io.onPipeline?.(pipeline);
    const ended = agent.run();
    // With -r Logstash keeps running after its pipelines finish: an edit may bring them back. Only stop() ends it.
    await (plan.reload.automatic ? agent.stopped() : ended);
  } finally {
    await services.close();
  }
  // A pipeline that could not start or failed (its error is logged) makes the run fail, as in Logstash.
  return agent.slots().some((slot) => slot.state === "terminated") ? 1 : 0;
}

/** SIGINT/SIGTERM drain the pipeline; a second signal exits at once. Returns a function removing the handlers. */
export function stopOnSignals(pipeline: { stop(): Promise<void> }, logger: Logger): () => void {
  let signalled = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (signalled) {
      logger.warn("second signal: exiting without draining", { signal });
      process.exit(1);
    }
    signalled = true;
    logger.info("stopping: draining accepted events", { signal });
    void pipeline.stop();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return () => {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  };
}

export function registerRun(program: Command): void {
  program
    .command("run")
    .description("run a Logstash pipeline configuration (Logstash's flags); Ctrl-C drains and stops")
    .option("-f, --path.config <path>", "configuration file, directory or glob (repeatable)", collect)
    .option(
      "-e, --config.string <config>",
      "configuration as a string; no input adds stdin, no output stdout",
    )
    .option("-t, --config.test_and_exit", "check the configuration, print 'Configuration OK' and exit")
    .option("--config.support_escapes", 'process \\n, \\t, \\" ... in quoted strings')
    .option("-w, --pipeline.workers <n>", "workers running filters and outputs (default: CPU count)")
    .option("-b, --pipeline.batch.size <n>", "events per worker batch (default 125)")
    .option("-u, --pipeline.batch.delay <ms>", "longest wait for a batch to fill (default 50)")
    .option("--pipeline.id <id>", "pipeline id in logs and stats (default main)")
    .addOption(
      new Option("--pipeline.ordered <mode>", "keep event order (needs one worker)").choices([
        "auto",
        "true",
        "false",
      ]),
    )
    .addOption(
      new Option("--pipeline.ecs_compatibility <mode>", "default ECS mode of plugins (default v8)").choices([
        "disabled",
        "v1",
        "v8",
      ]),
    )
    .option("-r, --config.reload.automatic", "reload a pipeline when its configuration files change")
    .option("--config.reload.interval <interval>", "how often -r looks at the files (default 3s)")
    .addOption(
      new Option("--api.enabled <bool>", "serve the monitoring API (default true)").choices([
        "true",
        "false",
      ]),
    )
    .option("--api.http.host <host>", "monitoring API address (default 127.0.0.1)")
    .option(
      "--api.http.port <port>",
      "monitoring API port or range; the first free one is used (default 9600-9700)",
    )
    .option("--path.data <dir>", "where plugins keep state (default ./data)")
    .option("--path.settings <dir>", "directory of logstash.yml and pipelines.yml")
    .addOption(
      new Option("--log.level <level>", "log level, logs go to stderr (default info)").choices([
        "fatal",
        "error",
        "warn",
        "info",
        "debug",
        "trace",
      ]),
    )
    .action(async (flags: RunFlags) => {
      const logger = createLogger({ level: (flags["log.level"] ?? "info") as LogLevel });
      const code = await runPipelineCommand(flags, {
        out: (s) => process.stdout.write(s),
        err: (s) => process.stderr.write(s),
        onServices: (services) => stopOnSignals({ stop: services.shutdown }, logger),
      });
      // Inputs such as stdin can hold handles open after a clean stop; the pipeline is done, so exit.
      process.exitCode = code;
      if (!flags["config.test_and_exit"] && code === 0) process.exit(0);
    });
}
