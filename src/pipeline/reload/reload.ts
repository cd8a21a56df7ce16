// Loading a pipeline definition into a checked plan, and the reload procedure: build the new pipeline completely
// (every diagnostic collected) while the old one serves; on any error keep the old one and count a failure; on
// success stop the old one (its memory queue drains through the outputs) and start the new one in its slot.

import { createHash } from "node:crypto";
import type { Logger } from "../../common/logger.js";
import {
  buildPlan,
  type ConfigSource,
  type Diagnostic,
  formatDiagnostic,
  hasErrors,
  loadConfigSources,
  type PipelinePlan,
} from "../config/index.js";
import type { PluginRegistry } from "../plugins/registry.js";
import { createPipeline, type Pipeline, PipelineConfigError } from "../runtime/index.js";
import { type BuiltConfig, type PipelineDefinition, PipelineSlot } from "./slot.js";

/** Inputs Logstash marks not reloadable: a pipeline using one is never swapped. */
const nonReloadableInputs = new Set(["stdin"]);

export interface LoadedDefinition {
  /** Present when there is no error. */
  built?: BuiltConfig;
  diagnostics: Diagnostic[];
  /** Source texts by file name, for formatting diagnostics. */
  texts: Map<string, string>;
}

/** Reads, parses, compiles and checks a definition's configuration (nothing is created). */
export async function loadDefinition(
  definition: PipelineDefinition,
  registry: PluginRegistry,
): Promise<LoadedDefinition> {
  const loadOptions: { paths?: string[]; string?: string } = {};
  if (definition.paths !== undefined) loadOptions.paths = definition.paths;
  if (definition.string !== undefined) loadOptions.string = definition.string;
  const loaded = await loadConfigSources(loadOptions);
  const sources: ConfigSource[] = definition.prepareSources?.(loaded.sources) ?? loaded.sources;
  const texts = new Map(sources.map((s) => [s.file, s.text]));
  const compiled = buildPlan(sources, { supportEscapes: definition.supportEscapes ?? false });
  const diagnostics = [...loaded.diagnostics, ...compiled.diagnostics];
  if (!hasErrors(diagnostics)) diagnostics.push(...registry.check(compiled.plan));
  if (hasErrors(diagnostics)) return { diagnostics, texts };
  return { built: { plan: compiled.plan, hash: configHash(sources) }, diagnostics, texts };
}

export function configHash(sources: readonly ConfigSource[]): string {
  return createHash("sha256")
    .update(sources.map((s) => s.text).join("\n"))
    .digest("hex");
}

/** createPipeline with the definition's settings; its errors as diagnostics instead of a throw. */
export function instantiate(
  definition: PipelineDefinition,
  plan: PipelinePlan,
  registry: PluginRegistry,
  logger: Logger,
): Pipeline | Diagnostic[] {
  try {
    return createPipeline(plan, registry, {
      ...definition.settings,
      id: definition.id,
      logger: definition.settings.logger ?? logger,
    });
  } catch (err) {
    if (err instanceof PipelineConfigError) return err.diagnostics.filter((d) => d.severity === "error");
    const message = err instanceof Error ? err.message : String(err);
    return [{ severity: "error", code: "create", message, file: definition.id, line: 1, column: 1 }];
  }
}

export type OpenOutcome =
  | { slot: PipelineSlot; diagnostics: Diagnostic[] }
  | { slot?: undefined; diagnostics: Diagnostic[]; texts: Map<string, string> };

/** Loads and builds a definition's first pipeline into a slot (not started); or every error found. */
export async function openSlot(
  definition: PipelineDefinition,
  registry: PluginRegistry,
  logger: Logger,
): Promise<OpenOutcome> {
  const loaded = await loadDefinition(definition, registry);
  if (loaded.built === undefined) return { diagnostics: loaded.diagnostics, texts: loaded.texts };
  const created = instantiate(definition, loaded.built.plan, registry, logger);
  if (Array.isArray(created)) return { diagnostics: created, texts: loaded.texts };
  return {
    slot: new PipelineSlot(definition, created, loaded.built, logger),
    diagnostics: loaded.diagnostics,
  };
}

export type ReloadStatus = "reloaded" | "unchanged" | "failed" | "skipped";

export interface ReloadOutcome {
  pipeline: string;
  status: ReloadStatus;
  /** The errors of a failed reload. */
  diagnostics: Diagnostic[];
}

export interface ReloadOptions {
  registry: PluginRegistry;
  logger: Logger;
  /** Rebuild even when the configuration text is the same. */
  force?: boolean;
  /**
   * Checks a new configuration against the rest of the process before anything is created (the agent refuses a
   * `pipeline` address another pipeline listens on); errors fail the reload like any other.
   */
  vet?: (slot: PipelineSlot, next: BuiltConfig) => Diagnostic[];
}

/** Reloads one slot, after any reload of it already under way; other slots are never touched. */
export function reloadPipeline(slot: PipelineSlot, options: ReloadOptions): Promise<ReloadOutcome> {
  const next = slot.pending.catch(() => {}).then(() => reloadNow(slot, options));
  slot.pending = next;
  return next;
}

async function reloadNow(slot: PipelineSlot, options: ReloadOptions): Promise<ReloadOutcome> {
  const { registry, logger } = options;
  const outcome = (status: ReloadStatus, diagnostics: Diagnostic[] = []): ReloadOutcome => ({
    pipeline: slot.id,
    status,
    diagnostics,
  });
  if (slot.stopping) return outcome("skipped");
  const loaded = await loadDefinition(slot.definition, registry);
  if (loaded.built === undefined) return recordFailedReload(slot, loaded.diagnostics, loaded.texts, logger);
  if (loaded.built.hash === slot.config.hash && !options.force) return outcome("unchanged");
  const blocking = nonReloadable(slot.config.plan) ?? nonReloadable(loaded.built.plan);
  if (blocking !== undefined) {
    const message = `Cannot reload pipeline, because the ${blocking} input is not reloadable`;
    return recordFailedReload(slot, [diagnostic(slot.id, "not-reloadable", message)], loaded.texts, logger);
  }
  const refused = (options.vet?.(slot, loaded.built) ?? []).filter((d) => d.severity === "error");
  if (refused.length > 0) return recordFailedReload(slot, refused, loaded.texts, logger);
  const created = instantiate(slot.definition, loaded.built.plan, registry, logger);
  if (Array.isArray(created)) return recordFailedReload(slot, created, loaded.texts, logger);
  if (slot.stopping) {
    await created.stop();
    return outcome("skipped");
  }
  logger.info("reloading pipeline: draining the old one", { pipeline: slot.id });
  await slot.replace(created, loaded.built);
  slot.reloads.recordSuccess();
  logger.info("pipeline reloaded", { pipeline: slot.id, hash: loaded.built.hash.slice(0, 12) });
  return outcome("reloaded");
}

/** Logs every error of a refused reload and counts it on the slot, whose pipeline keeps running. */
export function recordFailedReload(
  slot: PipelineSlot,
  diagnostics: Diagnostic[],
  texts: Map<string, string>,
  logger: Logger,
): ReloadOutcome {
  const errors = diagnostics.filter((d) => d.severity === "error");
  const lines = errors.map((d) => formatDiagnostic(d, (file) => texts.get(file)));
  for (const line of lines)
    logger.error(`reload failed; the running pipeline is kept:\n${line}`, { pipeline: slot.id });
  const summary = errors.map((d) => `${d.file}:${d.line}:${d.column}: ${d.message}`);
  slot.reloads.recordFailure({
    message: `${errors.length} error${errors.length === 1 ? "" : "s"}: ${summary.join("; ")}`,
    backtrace: summary,
  });
  return { pipeline: slot.id, status: "failed", diagnostics: errors };
}

function nonReloadable(plan: PipelinePlan): string | undefined {
  for (const section of plan.sections) {
    if (section.type !== "input") continue;
    for (const statement of section.body)
      if (statement.kind === "plugin" && nonReloadableInputs.has(statement.name)) return statement.name;
  }
  return undefined;
}

function diagnostic(file: string, code: string, message: string): Diagnostic {
  return { severity: "error", code, message, file, line: 1, column: 1 };
}
