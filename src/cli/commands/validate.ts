// `sluice validate --parse-only PATH...`: checks Logstash pipeline configuration syntax and reports every problem.
// Full validation needs the plugin registry, which does not exist yet.

import type { Command } from "commander";
import {
  formatDiagnostics,
  hasErrors,
  loadConfigSources,
  parseSources,
} from "../../pipeline/config/index.js";

export interface ValidateFlags {
  parseOnly?: boolean;
  configString?: string;
}

/** Validates each PATH separately; returns the exit code (0 only if every one parses). */
export async function runValidate(
  paths: string[],
  flags: ValidateFlags,
  out: (s: string) => void,
  err: (s: string) => void,
): Promise<number> {
  if (!flags.parseOnly) {
    err("sluice validate: only --parse-only is available for now (plugin checks need the plugin registry)\n");
    return 2;
  }
  if (paths.length === 0 && flags.configString === undefined) {
    err("sluice validate: give at least one PATH or -e STRING\n");
    return 2;
  }
  const targets: Array<{ label: string; options: { paths?: string[]; string?: string } }> = paths.map(
    (p) => ({
      label: p,
      options: { paths: [p] },
    }),
  );
  if (flags.configString !== undefined)
    targets.push({ label: "-e", options: { string: flags.configString } });
  let failed = false;
  for (const target of targets) {
    const loaded = await loadConfigSources(target.options);
    const parsed = parseSources(loaded.sources);
    const diagnostics = [...loaded.diagnostics, ...parsed.diagnostics];
    if (hasErrors(diagnostics)) {
      failed = true;
      const texts = new Map(loaded.sources.map((s) => [s.file, s.text]));
      err(`${formatDiagnostics(diagnostics, (file) => texts.get(file))}\n`);
    } else {
      out(`ok ${target.label}\n`);
    }
  }
  return failed ? 1 : 0;
}

export function registerValidate(program: Command): void {
  program
    .command("validate [paths...]")
    .description("check Logstash pipeline configuration files (a file, a directory or a glob per PATH)")
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
