// Test support: a broker on an ephemeral loopback port with a temporary data dir, removed on stop.

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { silentLogger } from "../../common/logger.js";
import type { BrokerConfig } from "./config.js";
import { type Broker, startBroker } from "./index.js";

export interface TestBroker {
  broker: Broker;
  dataDir: string;
  stop(): Promise<void>;
}

export async function startTestBroker(overrides: Partial<BrokerConfig> = {}): Promise<TestBroker> {
  const dataDir = overrides.dataDir ?? (await mkdtemp(join(tmpdir(), "sluice-broker-")));
  const broker = await startBroker({
    listenHosts: ["127.0.0.1"],
    port: 0,
    logger: silentLogger,
    ...overrides,
    dataDir,
  });
  return {
    broker,
    dataDir,
    stop: async () => {
      await broker.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
