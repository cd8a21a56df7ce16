// `sluice test TESTCASES [CONFIG]`: runs logstash-filter-verifier test cases against Logstash configs and exits
// 0 when every comparison passes, 1 when one fails, 2 when test cases or configs cannot be read or are invalid.

import type { Command } from "commander";
import type { PluginSpec } from "../../pipeline/plugins/api.js";
import { builtinSpecs } from "../../pipeline/plugins/index.js";
import { formatReport, runTests } from "../../pipeline/verifier/run.js";

export interface TestFlags {
  pipelines?: string;
  pipelineBase?: string;
  mock?: string;
  debug?: boolean;
}

export async function runTestCommand(
  testcases: string,
  config: string | undefined,
  flags: TestFlags,
  out: (s: string) => void,
  err: (s: string) => void,
  specs: readonly PluginSpec[] = builtinSpecs,
): Promise<number> {
  if ((config === undefined) === (flags.pipelines === undefined)) {
    err("sluice test: give either CONFIG (a Logstash config file or directory) or --pipelines FILE\n");
    return 2;
  }
  const result = await runTests({
    testcases,
    config,
    pipelines: flags.pipelines,
    pipelineBase: flags.pipelineBase,
    mocks: flags.mock,
    debug: flags.debug ?? false,
    specs,
  });
  if (result.kind === "invalid") {
    err(`sluice test: ${result.message}\n`);
    return 2;
  }
  out(formatReport(result));
  return result.failed === 0 ? 0 : 1;
}

export function registerTest(program: Command): void {
  program
    .command("test <testcases> [config]")
    .description(
      "run logstash-filter-verifier test cases (a file or a directory of .json/.yml files) against a Logstash config",
    )
    .option("--pipelines <file>", "a pipelines.yml to test several pipelines (instead of CONFIG)")
    .option("--pipeline-base <dir>", "where pipelines.yml's path.config entries are relative to")
    .option("--mock <file>", "LFV plugin mocks: plugins (by id) to remove or replace")
    .option(
      "--debug",
      "keep LFV's __lfv_id and __lfv_out_passed fields and __lfv_ tags in the compared events",
    )
    .action(async (testcases: string, config: string | undefined, flags: TestFlags) => {
      process.exitCode = await runTestCommand(
        testcases,
        config,
        flags,
        (s) => process.stdout.write(s),
        (s) => process.stderr.write(s),
      );
    });
}
