// `sluice broker`: start the embedded Kafka broker, print one ready line, stop cleanly on a signal. (`sluice up`,
// which also starts the broker, is in up.ts and reuses brokerSettingsFromFlags.)

import { type Command, Option } from "commander";
import { createLogger, isLogLevel, type LogLevel } from "../../common/logger.js";
import type { BrokerConfig } from "../../kafka/broker/config.js";
import { collect, collectKeyValue, parseNonNegativeInt, UsageError } from "../options.js";

type BrokerSettings = Partial<BrokerConfig> & Record<string, unknown>;

const integer = (name: string, value: string): number => {
  if (!/^-?\d+$/.test(value)) throw new UsageError(`${name} must be an integer, got "${value}"`);
  return Number(value);
};
const boolean = (name: string, value: string): boolean => {
  if (value !== "true" && value !== "false")
    throw new UsageError(`${name} must be true or false, got "${value}"`);
  return value === "true";
};

/** Broker settings by their Kafka names; `log.*` ones become topic defaults under the topic-level name. */
const settingAppliers: Record<string, (s: BrokerSettings, value: string) => void> = {
  "num.partitions": (s, v) => {
    s.numPartitions = integer("num.partitions", v);
  },
  "auto.create.topics.enable": (s, v) => {
    s.autoCreateTopicsEnable = boolean("auto.create.topics.enable", v);
  },
  "message.max.bytes": (s, v) => {
    s.messageMaxBytes = integer("message.max.bytes", v);
  },
  "log.segment.bytes": (s, v) => setLogDefault(s, "segment.bytes", String(integer("log.segment.bytes", v))),
  "log.retention.ms": (s, v) => setLogDefault(s, "retention.ms", String(integer("log.retention.ms", v))),
  "log.retention.bytes": (s, v) =>
    setLogDefault(s, "retention.bytes", String(integer("log.retention.bytes", v))),
  "log.retention.check.interval.ms": (s, v) => {
    s.retentionCheckIntervalMs = integer("log.retention.check.interval.ms", v);
  },
  "group.initial.rebalance.delay.ms": (s, v) => {
    s.groupInitialRebalanceDelayMs = integer("group.initial.rebalance.delay.ms", v);
  },
  "group.min.session.timeout.ms": (s, v) => {
    s.groupMinSessionTimeoutMs = integer("group.min.session.timeout.ms", v);
  },
  "offsets.retention.minutes": (s, v) => {
    s.offsetsRetentionMinutes = integer("offsets.retention.minutes", v);
  },
};

function setLogDefault(settings: BrokerSettings, topicName: string, value: string): void {
  settings.logDefaults = { ...(settings.logDefaults ?? {}), [topicName]: value };
}

export interface BrokerFlags {
  dataDir: string;
  port: number;
  host?: string[];
  advertisedHost: string;
  config?: Record<string, string>;
  logLevel: string;
}

/** Turns command-line flags into broker settings; throws InvalidArgumentError on an unknown or bad setting. */
export function brokerSettingsFromFlags(flags: BrokerFlags): BrokerSettings {
  const settings: BrokerSettings = {
    dataDir: flags.dataDir,
    port: flags.port,
    listenHosts: flags.host && flags.host.length > 0 ? flags.host : ["127.0.0.1", "::1"],
    advertisedHost: flags.advertisedHost,
  };
  for (const [name, value] of Object.entries(flags.config ?? {})) {
    const apply = settingAppliers[name];
    if (!apply)
      throw new UsageError(
        `unknown broker setting "${name}" (known: ${Object.keys(settingAppliers).join(", ")})`,
      );
    apply(settings, value);
  }
  return settings;
}

function logLevelOf(value: string): LogLevel {
  if (!isLogLevel(value)) throw new UsageError(`unknown log level "${value}"`);
  return value;
}

/** Starts the broker, prints `<label> ready: kafka on A, B (data DIR)`, and stops on SIGINT/SIGTERM with exit code 0. */
async function runBroker(flags: BrokerFlags, label: string): Promise<void> {
  const settings = brokerSettingsFromFlags(flags);
  const logger = createLogger({ level: logLevelOf(flags.logLevel) });
  // Loaded here so client-only commands do not load the broker and its storage.
  const { startBroker } = await import("../../kafka/broker/index.js");
  const broker = await startBroker({ ...settings, logger });
  process.stdout.write(`${label} ready: kafka on ${broker.addresses.join(", ")} (data ${flags.dataDir})\n`);
  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) {
        logger.warn("second signal: exiting without a clean shutdown", { signal });
        process.exit(1);
      }
      stopping = true;
      logger.info("shutting down", { signal });
      broker.close().then(
        () => resolve(),
        (err: unknown) => {
          logger.error("shutdown failed", { err });
          process.exitCode = 1;
          resolve();
        },
      );
    };
    process.on("SIGINT", () => stop("SIGINT"));
    process.on("SIGTERM", () => stop("SIGTERM"));
  });
}

/** After a clean close nothing of the broker should run; exit even if a stray timer or handle would keep Node alive. */
function exitAfterShutdown(): void {
  process.exit(process.exitCode ?? 0);
}

function addBrokerOptions(command: Command): Command {
  return command
    .option("--data-dir <dir>", "directory holding topics, offsets and metadata", "./data")
    .option(
      "--port <n>",
      "Kafka listener port; 0 picks a free port (printed in the ready line)",
      parseNonNegativeInt,
      9092,
    )
    .option("--host <host>", "address to listen on, repeatable (default: 127.0.0.1 and ::1)", collect)
    .option(
      "--advertised-host <host>",
      "host name clients are told to connect to (Kafka's advertised.listeners host)",
      "localhost",
    )
    .option(
      "-c, --config <key=value>",
      `broker setting by its Kafka name, repeatable: ${Object.keys(settingAppliers).join(", ")}`,
      collectKeyValue,
    )
    .addOption(
      new Option("--log-level <level>", "log level (logs go to stderr)")
        .choices(["trace", "debug", "info", "warn", "error", "fatal"])
        .default("info"),
    );
}

export function registerBroker(program: Command): void {
  addBrokerOptions(
    program
      .command("broker")
      .description(
        "run the Kafka-compatible broker; prints one 'sluice broker ready: ...' line to stdout when listening",
      ),
  ).action(async (flags: BrokerFlags) => {
    await runBroker(flags, "sluice broker");
    exitAfterShutdown();
  });
}
