// `sluice run`: Logstash's command line for one pipeline (-f/-e, -t, -w, -b, -u, --pipeline.*, --path.data,
// --log.level): loads and checks the configuration, runs the pipeline, and drains it on SIGINT/SIGTERM.

import { type Command, Option } from "commander";
import { createLogger, isLogLevel, type Logger, type LogLevel } from "../../common/logger.js";
import {
  buildPlan,
  type ConfigSource,
  type Diagnostic,
  formatDiagnostics,
  hasErrors,
  loadConfigSources,
  type PipelinePlan,
} from "../../pipeline/config/index.js";
import { type EcsCompatibility, parseEcsCompatibility } from "../../pipeline/event/index.js";
import type { PluginRegistry } from "../../pipeline/plugins/registry.js";
import {
  createPipeline,
  type OrderedSetting,
  type Pipeline,
  PipelineConfigError,
  type PipelineSettings,
} from "../../pipeline/runtime/index.js";
import { collect, UsageError } from "../options.js";

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
  "log.level"?: string;
}

/** What Logstash adds when no configuration part has an input or an output section (config/source/local.rb). */
export const defaultInput: ConfigSource = {
  file: "default input",
  text: "input { stdin { type => stdin } }",
};
export const defaultOutput: ConfigSource = {
  file: "default output",
  text: "output { stdout { codec => rubydebug } }",
};

/** Logstash tests the raw text of every part, comments included, with these patterns. */
export function withDefaultSections(sources: readonly ConfigSource[]): ConfigSource[] {
  const out = [...sources];
  if (!sources.some((s) => /input *\{/.test(s.text))) out.push(defaultInput);
  if (!sources.some((s) => /output *\{/.test(s.text))) out.push(defaultOutput);
  return out;
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

export interface RunIo {
  out: (s: string) => void;
  err: (s: string) => void;
  /** The plugins to use; the shipped ones when absent. */
  registry?: PluginRegistry;
  /** Called with the running pipeline (the command installs signal handlers with it). */
  onPipeline?: (pipeline: Pipeline) => void;
}

/** Loads, checks and (unless -t) runs the pipeline; returns the exit code. Usage errors throw UsageError. */
export async function runPipelineCommand(flags: RunFlags, io: RunIo): Promise<number> {
  const paths = flags["path.config"] ?? [];
  const configString = flags["config.string"];
  if (paths.length === 0 && configString === undefined)
    throw new UsageError("give a configuration with -f/--path.config PATH or -e/--config.string STRING");
  const level = flags["log.level"] ?? "info";
  if (!isLogLevel(level)) throw new UsageError(`unknown log level "${level}"`);
  const logger = createLogger({ level: level as LogLevel });
  const settings = settingsFromFlags(flags, logger);
  const registry = io.registry ?? (await import("../../pipeline/plugins/index.js")).defaultRegistry;

  const loaded = await loadConfigSources({ paths, string: configString });
  const sources = withDefaultSections(loaded.sources);
  const texts = new Map(sources.map((s) => [s.file, s.text]));
  const report = (ds: readonly Diagnostic[]) => {
    if (ds.length > 0) io.err(`${formatDiagnostics(ds, (file) => texts.get(file))}\n`);
  };
  const compiled = buildPlan(sources, { supportEscapes: flags["config.support_escapes"] ?? false });
  const checked = [...loaded.diagnostics, ...compiled.diagnostics];
  if (!hasErrors(checked)) checked.push(...registry.check(compiled.plan));
  if (hasErrors(checked)) {
    report(checked);
    return 1;
  }
  const pipeline = create(compiled.plan, registry, settings, report);
  if (pipeline === undefined) return 1;
  if (flags["config.test_and_exit"]) {
    report(checked);
    await pipeline.stop();
    io.out("Configuration OK\n");
    return 0;
  }
  // Option warnings were logged by the plugins' loggers as they were built; these are the loader's and compiler's.
  for (const d of [...loaded.diagnostics, ...compiled.diagnostics])
    logger.warn(d.message, { at: `${d.file}:${d.line}:${d.column}`, hint: d.hint });
  io.onPipeline?.(pipeline);
  await pipeline.run();
  return 0;
}

/** The pipeline, or undefined after reporting what stopped it from being built (bad settings, create() errors). */
function create(
  plan: PipelinePlan,
  registry: PluginRegistry,
  settings: PipelineSettings,
  report: (ds: readonly Diagnostic[]) => void,
): Pipeline | undefined {
  try {
    return createPipeline(plan, registry, { ...settings, logger: settings.logger?.child("pipeline") });
  } catch (err) {
    if (!(err instanceof PipelineConfigError)) throw err;
    // Options were checked already; only what check() cannot see (settings, create() failures) is new here.
    report(err.diagnostics.filter((d) => d.severity === "error"));
    return undefined;
  }
}

/** SIGINT/SIGTERM drain the pipeline; a second signal exits at once. Returns a function removing the handlers. */
export function stopOnSignals(pipeline: Pipeline, logger: Logger): () => void {
  let signalled = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (signalled) {
      logger.warn("second signal: exiting without draining", { signal });
      process.exit(1);
    }
    signalled = true;
    logger.info("stopping the pipeline: draining accepted events", { signal });
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
      new Option("--pipeline.ordered <mode>", "keep event order (needs one worker)")
        .choices(["auto", "true", "false"])
        .default("auto"),
    )
    .addOption(
      new Option("--pipeline.ecs_compatibility <mode>", "default ECS mode of plugins")
        .choices(["disabled", "v1", "v8"])
        .default("v8"),
    )
    .option("--path.data <dir>", "where plugins keep state", "./data")
    .addOption(
      new Option("--log.level <level>", "log level (logs go to stderr)")
        .choices(["fatal", "error", "warn", "info", "debug", "trace"])
        .default("info"),
    )
    .action(async (flags: RunFlags) => {
      const logger = createLogger({ level: (flags["log.level"] ?? "info") as LogLevel });
      const code = await runPipelineCommand(flags, {
        out: (s) => process.stdout.write(s),
        err: (s) => process.stderr.write(s),
        onPipeline: (pipeline) => stopOnSignals(pipeline, logger),
      });
      // Inputs such as stdin can hold handles open after a clean stop; the pipeline is done, so exit.
      process.exitCode = code;
      if (!flags["config.test_and_exit"] && code === 0) process.exit(0);
    });
}
