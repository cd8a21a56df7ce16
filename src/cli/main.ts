// The `sluice` command line: builds the commander program from one module per command and maps failures to exit codes
// (0 success, 1 operating error with a one-line message, 2 usage error).

import { Command, CommanderError } from "commander";
import { registerBroker } from "./commands/broker.js";
import { registerConsume } from "./commands/consume.js";
import { registerExport } from "./commands/export.js";
import { registerGroup } from "./commands/group.js";
import { registerProduce } from "./commands/produce.js";
import { registerRun } from "./commands/run.js";
import { registerSql } from "./commands/sql.js";
import { registerStore } from "./commands/store.js";
import { registerTest } from "./commands/test.js";
import { registerTopic } from "./commands/topic.js";
import { registerUp } from "./commands/up.js";
import { registerValidate } from "./commands/validate.js";
import { UsageError } from "./options.js";

export const usageExitCode = 2;

export function buildProgram(): Command {
  const program = new Command("sluice")
    .description(
      "Sluice: a Kafka-compatible broker and Logstash-compatible pipelines (a search store is coming) in one process",
    )
    .version("0.1.0")
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride();
  registerBroker(program);
  registerUp(program);
  registerTopic(program);
  registerProduce(program);
  registerConsume(program);
  registerValidate(program);
  registerRun(program);
  registerStore(program);
  registerSql(program);
  registerExport(program);
  registerGroup(program);
  registerTest(program);
  return program;
}

/** Runs the command line; resolves when the command is done (the broker: after a clean shutdown). */
export async function main(argv: string[]): Promise<void> {
  // `sluice consume t | head`: a closed stdout pipe means the reader is done, not that we failed.
  process.stdout.on("error", (err: NodeJS.ErrnoException) => {
    if (err.code === "EPIPE") process.exit(0);
    throw err;
  });
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and --version end in a CommanderError with exit code 0; everything else commander reports is a usage error.
      process.exitCode = err.exitCode === 0 ? 0 : usageExitCode;
      return;
    }
    if (err instanceof UsageError) {
      process.stderr.write(`sluice: ${err.message}\n`);
      process.exitCode = usageExitCode;
      return;
    }
    throw err;
  }
}
