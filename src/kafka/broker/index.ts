// Starts the Kafka-compatible broker: opens the logs and state files, then the listeners; close() undoes it.

import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import type { Logger } from "../../common/logger.js";
import { createLogger } from "../../common/logger.js";
import { MetricsRegistry } from "../../common/metrics.js";
import {
  defaultLogConfig,
  type LogConfig,
  LogManager,
  logConfigFromTopicConfig,
  validateTopicConfig,
} from "../../log/index.js";
import { GroupCoordinator } from "../groups/index.js";
import { AclStore } from "./acls.js";
import { type BrokerConfig, loadClusterId, resolveBrokerConfig } from "./config.js";
import { DynamicBrokerConfigs } from "./dynamic-configs.js";
import type { BrokerState } from "./handler.js";
import { handlerRegistry } from "./handlers/index.js";
import { ProducerIdAllocator } from "./producer-ids.js";
import { ProducerStateTable } from "./producer-state.js";
import { KafkaServer } from "./server.js";

export type { BrokerConfig } from "./config.js";
export type { BrokerState, Handler, HandlerModule, RequestContext } from "./handler.js";

export interface Broker {
  /** The port every listener is bound to. */
  port: number;
  /** host:port of each listener that bound ("[::1]:9092" for IPv6). */
  addresses: string[];
  state: BrokerState;
  close(): Promise<void>;
}

export interface StartBrokerOptions extends Partial<BrokerConfig> {
  logger?: Logger;
  metrics?: MetricsRegistry;
}

/** The log settings topics start from; message.max.bytes is the broker-wide max.message.bytes default. */
function brokerLogDefaults(config: BrokerConfig): LogConfig {
  const named = { "max.message.bytes": String(config.messageMaxBytes), ...config.logDefaults };
  validateTopicConfig(named);
  return logConfigFromTopicConfig(named, defaultLogConfig);
}

export async function startBroker(options: StartBrokerOptions): Promise<Broker> {
  const { logger: givenLogger, metrics: givenMetrics, ...partial } = options;
  const config = resolveBrokerConfig(partial);
  const logger = (givenLogger ?? createLogger()).child("broker");
  await mkdir(config.dataDir, { recursive: true });
  const clusterId = await loadClusterId(config.dataDir);
  const producerIds = await ProducerIdAllocator.open(config.dataDir);
  const acls = await AclStore.open(config.dataDir);
  if (acls.size > 0) {
    logger.warn(
      "ACLs are stored but NOT enforced: Sluice has no authentication, every client may do anything",
      {
        acls: acls.size,
      },
    );
  }
  const dynamicConfigs = await DynamicBrokerConfigs.open(config.dataDir);
  const metrics = givenMetrics ?? new MetricsRegistry();
  const logs = await LogManager.open(config.dataDir, {
    logger: logger.child("log"),
    defaults: brokerLogDefaults(config),
    metrics,
  });
  let groups: GroupCoordinator;
  try {
    groups = await GroupCoordinator.open(join(config.dataDir, "groups"), {
      logger: logger.child("groups"),
      initialRebalanceDelayMs: config.groupInitialRebalanceDelayMs,
      minSessionTimeoutMs: config.groupMinSessionTimeoutMs,
      offsetsRetentionMs: config.offsetsRetentionMinutes * 60_000,
    });
  } catch (err) {
    await logs.close();
    throw err;
  }
  const shutdown = new AbortController();
  const state: BrokerState = {
    config,
    logs,
    logger,
    metrics,
    groups,
    producers: new ProducerStateTable(),
    producerIds,
    acls,
    dynamicConfigs,
    clusterId,
    advertisedPort: config.port,
    shutdown: shutdown.signal,
  };
  let server: KafkaServer;
  try {
    server = await KafkaServer.listen(config.listenHosts, config.port, state, handlerRegistry());
  } catch (err) {
    await groups.close();
    await logs.close();
    throw err;
  }
  state.advertisedPort = server.port;
  logs.startRetention(config.retentionCheckIntervalMs);
  logger.info("broker started", {
    clusterId,
    addresses: server.addresses.join(","),
    dataDir: config.dataDir,
  });
  let closing: Promise<void> | null = null;
  return {
    port: server.port,
    addresses: server.addresses,
    state,
    close: () => {
      closing ??= (async () => {
        shutdown.abort();
        await server.close();
        // state.groups, not the local: tests may swap in a new coordinator to simulate a restart.
        await state.groups?.close();
        await logs.close();
        logger.info("broker stopped");
      })();
      return closing;
    },
  };
}
