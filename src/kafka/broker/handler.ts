// The contract between the connection layer and the per-API request handlers (broker and group handlers).

import type { Logger } from "../../common/logger.js";
import type { MetricsRegistry } from "../../common/metrics.js";
import type { LogManager } from "../../log/index.js";
import type { GroupCoordinator } from "../groups/index.js";
import type { RequestHeader } from "../protocol/index.js";
import type { AclStore } from "./acls.js";
import type { BrokerConfig } from "./config.js";
import type { DynamicBrokerConfigs } from "./dynamic-configs.js";
import type { ProducerIdAllocator } from "./producer-ids.js";
import type { ProducerStateTable } from "./producer-state.js";

export interface BrokerState {
  config: BrokerConfig;
  logs: LogManager;
  logger: Logger;
  metrics: MetricsRegistry;
  groups: GroupCoordinator | null;
  producers: ProducerStateTable;
  producerIds: ProducerIdAllocator;
  /** ACL bindings from CreateAcls: stored and described, not enforced (there is no authentication). */
  acls: AclStore;
  /** Broker configs set through AlterConfigs on a BROKER resource. */
  dynamicConfigs: DynamicBrokerConfigs;
  clusterId: string;
  /** The port clients should use (the bound one when config.port was 0). */
  advertisedPort: number;
  /** Aborted when the broker closes, so long polls end at once. */
  shutdown: AbortSignal;
}

export interface RequestContext {
  header: RequestHeader;
  clientHost: string;
  connectionId: number;
  broker: BrokerState;
  /** Aborted when the connection closes, so a long poll for a gone client ends. */
  signal?: AbortSignal;
}

/** Returns the response body, or null for no response (Produce with acks=0). */
// biome-ignore lint/suspicious/noExplicitAny: bodies are the protocol decoder's per-API shapes.
export type Handler = (ctx: RequestContext, body: any) => Promise<object | null>;

export interface HandlerModule {
  apiKey: number;
  minVersion: number;
  maxVersion: number;
  handle: Handler;
}
