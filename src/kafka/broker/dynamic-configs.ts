// Dynamic broker configs set by AlterConfigs on a BROKER resource: this broker's own ("0") and the cluster
// default (""), kept in a checksummed meta file. Stored and reported for every name; only a few change behaviour.

import { join } from "node:path";
import { limits } from "../../common/limits.js";
import { readMetaFile, writeMetaFile } from "./meta-file.js";

export type DynamicScope = "broker" | "clusterDefault";

/** Dynamic configs Sluice acts on, with a check of each value (a message, or null when valid). */
export const effectiveDynamicConfigs: Record<string, (value: string) => string | null> = {
  "message.max.bytes": (v) =>
    /^\d+$/.test(v) && Number(v) > 0 && Number(v) <= limits.logBatchBytesMax
      ? null
      : `message.max.bytes must be an integer between 1 and ${limits.logBatchBytesMax}`,
};

/** Broker settings fixed at startup: Kafka refuses to change them dynamically, and so do we. */
export const staticOnlyBrokerConfigs: ReadonlySet<string> = new Set([
  "broker.id",
  "node.id",
  "log.dirs",
  "log.dir",
  "listeners",
  "advertised.listeners",
]);

const configName = /^[a-zA-Z0-9._-]{1,255}$/;

/** Why `config` cannot be stored for a scope, or null when it can. */
export function dynamicConfigProblem(config: Record<string, string>): string | null {
  const names = Object.keys(config);
  if (names.length > limits.dynamicBrokerConfigsMax)
    return `at most ${limits.dynamicBrokerConfigsMax} dynamic broker configs`;
  for (const name of names) {
    if (!configName.test(name)) return `invalid config name '${name}'`;
    if (staticOnlyBrokerConfigs.has(name)) return `cannot update ${name} dynamically`;
    const problem = effectiveDynamicConfigs[name]?.(config[name]!);
    if (problem) return problem;
  }
  return null;
}

const dynamicConfigsKind = "broker-configs";

export class DynamicBrokerConfigs {
  private scopes: Record<DynamicScope, Record<string, string>> = { broker: {}, clusterDefault: {} };
  /** Writes run one at a time so the file always holds the latest of both scopes. */
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(private readonly path: string) {}

  static async open(dataDir: string): Promise<DynamicBrokerConfigs> {
    const store = new DynamicBrokerConfigs(join(dataDir, "broker-configs.json"));
    const stored = await readMetaFile(store.path, dynamicConfigsKind);
    if (stored) {
      store.scopes = { broker: stringMap(stored.broker), clusterDefault: stringMap(stored.clusterDefault) };
    }
    return store;
  }

  get(scope: DynamicScope): Readonly<Record<string, string>> {
    return this.scopes[scope];
  }

  /** The value in force: this broker's own setting, else the cluster default, else undefined. */
  effective(name: string): string | undefined {
    return this.scopes.broker[name] ?? this.scopes.clusterDefault[name];
  }

  /** Makes `config` the scope's whole map, durably; callers check it with dynamicConfigProblem first. */
  replace(scope: DynamicScope, config: Record<string, string>): Promise<void> {
    const run = this.queue.then(async () => {
      const next = { ...this.scopes, [scope]: { ...config } };
      await writeMetaFile(this.path, dynamicConfigsKind, next);
      this.scopes = next;
    });
    this.queue = run.catch(() => {});
    return run;
  }
}

function stringMap(raw: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (typeof raw !== "object" || raw === null) return out;
  for (const [k, v] of Object.entries(raw)) if (typeof v === "string") out[k] = v;
  return out;
}
