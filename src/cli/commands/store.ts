// `sluice store`: run the embedded store and its Elasticsearch-compatible API alone, print one ready
// line, stop cleanly on SIGINT/SIGTERM.

import type { Command } from "commander";
import { createLogger, isLogLevel } from "../../common/logger.js";
import { parseNonNegativeInt } from "../options.js";

export interface StoreFlags {
  dataDir: string;
  port: number;
  host: string;
  logLevel: string;
}

/** Starts the store, prints `sluice store ready: elasticsearch API on http://HOST:PORT (data DIR)`, runs until a signal. */
export async function runStore(flags: StoreFlags): Promise<void> {
  const logger = createLogger({ level: isLogLevel(flags.logLevel) ? flags.logLevel : "info" });
  const { startStoreServer } = await import("../../es/server.js");
  const server = await startStoreServer({
    host: flags.host,
    port: flags.port,
    dataDir: flags.dataDir,
    logger,
  });
  process.stdout.write(
    `sluice store ready: elasticsearch API on http://${flags.host}:${server.port} (data ${flags.dataDir})\n`,
  );
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      logger.info("shutting down", { signal });
      server.close().then(resolve, (err: unknown) => {
        logger.error("shutdown failed", { err });
        process.exitCode = 1;
        resolve();
      });
    };
    process.once("SIGINT", () => stop("SIGINT"));
    process.once("SIGTERM", () => stop("SIGTERM"));
  });
}

export function registerStore(program: Command): void {
  program
    .command("store")
    .description(
      "run the embedded store with its Elasticsearch-compatible HTTP API; prints one 'sluice store ready: ...' line",
    )
    .option("--data-dir <dir>", "directory holding the store's database", "./data")
    .option(
      "--port <n>",
      "HTTP port; 0 picks a free port (printed in the ready line)",
      parseNonNegativeInt,
      9200,
    )
    .option("--host <host>", "address to listen on", "127.0.0.1")
    .option("--log-level <level>", "trace, debug, info, warn, error", "info")
    .action(async (flags: StoreFlags) => {
      await runStore(flags);
      process.exit(process.exitCode ?? 0);
    });
}
