// `sluice validate PATH...`: checks Logstash pipeline configurations and reports every problem. By default the
// check is `run -t`'s (syntax, plugins, their options and codecs, ids, then every plugin built and closed again, as
// Logstash's -t instantiates them); `--parse-only` checks syntax alone.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Command } from "commander";
import { createLogger } from "../../common/logger.js";
import type { PipelinePlan } from "../../pipeline/config/index.js";
import {
  buildPlan,
  type Diagnostic,
  formatDiagnostics,
  hasErrors,
  loadConfigSources,
  parseSources,
} from "../../pipeline/config/index.js";
import type { PluginRegistry } from "../../pipeline/plugins/registry.js";

export interface ValidateFlags {
  parseOnly?: boolean;
  configString?: string;
}

/** Validates each PATH separately; returns the exit code (0 only if none has an error; warnings are printed). */
export async function runValidate(
  paths: string[],
  flags: ValidateFlags,
  out: (s: string) => void,
  err: (s: string) => void,
  registry?: PluginRegistry,
): Promise<number> {
  if (paths.length === 0 && flags.configString === undefined) {
    err("sluice validate: give at least one PATH or -e STRING\n");
    return 2;
  }
  const plugins = flags.parseOnly
    ? undefined
    : (registry ?? (await import("../../pipeline/plugins/index.js")).defaultRegistry);
  const targets: Array<{ label: string; options: { paths?: string[]; string?: string } }> = paths.map(
    (p) => ({ label: p, options: { paths: [p] } }),
  );
  if (flags.configString !== undefined)
    targets.push({ label: "-e", options: { string: flags.configString } });
  let failed = false;
  for (const target of targets) {
    const loaded = await loadConfigSources(target.options);
    const diagnostics: Diagnostic[] = [...loaded.diagnostics];
    if (plugins === undefined) {
      diagnostics.push(...parseSources(loaded.sources).diagnostics);
    } else {
      const compiled = buildPlan(loaded.sources);
      diagnostics.push(...compiled.diagnostics);
      if (!hasErrors(diagnostics)) diagnostics.push(...plugins.check(compiled.plan));
      if (!hasErrors(diagnostics)) diagnostics.push(...(await buildPlugins(compiled.plan, plugins)));
    }
    const texts = new Map(loaded.sources.map((s) => [s.file, s.text]));
    // --parse-only kept its original output: diagnostics only when something failed.
    const shown = plugins === undefined && !hasErrors(diagnostics) ? [] : diagnostics;
    if (shown.length > 0) err(`${formatDiagnostics(shown, (file) => texts.get(file))}\n`);
    if (hasErrors(diagnostics)) failed = true;
    else out(`ok ${target.label}\n`);
  }
  return failed ? 1 : 0;
}

/** Builds every plugin of the plan and closes them again (nothing runs): what each plugin refuses at creation. */
async function buildPlugins(plan: PipelinePlan, registry: PluginRegistry): Promise<Diagnostic[]> {
  const { createPipeline, PipelineConfigError } = await import("../../pipeline/runtime/pipeline.js");
  // Plugins that keep state (sincedb, queues) get a scratch data directory, removed after.
  const dataDir = mkdtempSync(join(tmpdir(), "sluice-validate-"));
  try {
    const pipeline = createPipeline(plan, registry, {
      logger: createLogger({ level: "error", write: () => {} }),
      dataDir,
    });
    await pipeline.stop();
    // Problems Logstash only finds at start are warnings here, as `-t` passes them too.
    return pipeline.diagnostics.filter((d) => d.code === "fails-at-start");
  } catch (e) {
    if (e instanceof PipelineConfigError) return e.diagnostics;
    throw e;
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export function registerValidate(program: Command): void {
  program
    .command("validate [paths...]")
    .description(
      "check Logstash pipeline configuration files (a file, a directory or a glob per PATH): syntax, plugins, options",
    )
    .option("--parse-only", "check syntax only (unknown plugins are fine)")
    .option("-e, --config-string <config>", "a configuration given as a string")
    .action(async (paths: string[], flags: ValidateFlags) => {
      const code = await runValidate(
        paths,
        flags,
        (s) => process.stdout.write(s),
        (s) => process.stderr.write(s),
      );
      process.exitCode = code;
    });
}
