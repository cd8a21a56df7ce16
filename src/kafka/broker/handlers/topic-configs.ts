// The Kafka topic config names this broker knows, their defaults as Kafka spells them, and their types, for
// DescribeConfigs/AlterConfigs and for the per-topic message size limit.

import { defaultLogConfig, isKnownTopicConfig, logConfigFromTopicConfig } from "../../../log/config.js";
import type { TopicMeta } from "../../../log/index.js";
import type { BrokerState } from "../handler.js";

/** DescribeConfigs configType values. */
export const ConfigType = { BOOLEAN: 1, STRING: 2, INT: 3, SHORT: 4, LONG: 5, DOUBLE: 6, LIST: 7 } as const;
/** DescribeConfigs configSource values. */
export const ConfigSource = {
  DYNAMIC_TOPIC_CONFIG: 1,
  DYNAMIC_BROKER_CONFIG: 2,
  DYNAMIC_DEFAULT_BROKER_CONFIG: 3,
  STATIC_BROKER_CONFIG: 4,
  DEFAULT_CONFIG: 5,
} as const;

const longMax = "9223372036854775807";

interface KnownConfig {
  defaultValue: string;
  type: number;
}

const T = ConfigType;
/** Defaults of configs the log does not act on; the log-driven ones come from the broker's log defaults. */
const staticDefaults: Record<string, KnownConfig> = {
  "cleanup.policy": { defaultValue: "delete", type: T.LIST },
  "compression.type": { defaultValue: "producer", type: T.STRING },
  "delete.retention.ms": { defaultValue: "86400000", type: T.LONG },
  "file.delete.delay.ms": { defaultValue: "60000", type: T.LONG },
  "flush.messages": { defaultValue: longMax, type: T.LONG },
  "flush.ms": { defaultValue: longMax, type: T.LONG },
  "local.retention.bytes": { defaultValue: "-2", type: T.LONG },
  "local.retention.ms": { defaultValue: "-2", type: T.LONG },
  "max.compaction.lag.ms": { defaultValue: longMax, type: T.LONG },
  "message.downconversion.enable": { defaultValue: "true", type: T.BOOLEAN },
  "message.format.version": { defaultValue: "3.0-IV1", type: T.STRING },
  "message.timestamp.after.max.ms": { defaultValue: longMax, type: T.LONG },
  "message.timestamp.before.max.ms": { defaultValue: longMax, type: T.LONG },
  "message.timestamp.difference.max.ms": { defaultValue: longMax, type: T.LONG },
  "message.timestamp.type": { defaultValue: "CreateTime", type: T.STRING },
  "min.cleanable.dirty.ratio": { defaultValue: "0.5", type: T.DOUBLE },
  "min.compaction.lag.ms": { defaultValue: "0", type: T.LONG },
  "min.insync.replicas": { defaultValue: "1", type: T.INT },
  preallocate: { defaultValue: "false", type: T.BOOLEAN },
  "remote.storage.enable": { defaultValue: "false", type: T.BOOLEAN },
  "segment.index.bytes": { defaultValue: "10485760", type: T.INT },
  "segment.jitter.ms": { defaultValue: "0", type: T.LONG },
  "unclean.leader.election.enable": { defaultValue: "false", type: T.BOOLEAN },
};

/** Every known topic config with the default a topic gets on this broker (its log defaults applied). */
export function topicConfigDefaults(broker: BrokerState): Map<string, KnownConfig> {
  const named = { "max.message.bytes": String(broker.config.messageMaxBytes), ...broker.config.logDefaults };
  const log = logConfigFromTopicConfig(named, defaultLogConfig);
  const out = new Map<string, KnownConfig>(Object.entries(staticDefaults));
  out.set("segment.bytes", { defaultValue: String(log.segmentBytes), type: T.INT });
  out.set("segment.ms", { defaultValue: String(log.segmentMs), type: T.LONG });
  out.set("retention.ms", { defaultValue: String(log.retentionMs), type: T.LONG });
  out.set("retention.bytes", { defaultValue: String(log.retentionBytes), type: T.LONG });
  out.set("index.interval.bytes", { defaultValue: String(log.indexIntervalBytes), type: T.INT });
  out.set("max.message.bytes", { defaultValue: String(log.maxMessageBytes), type: T.INT });
  for (const [name, value] of Object.entries(broker.config.logDefaults)) {
    const known = out.get(name);
    if (known) out.set(name, { ...known, defaultValue: value });
  }
  return new Map([...out].sort(([a], [b]) => a.localeCompare(b)));
}

export function isKnownConfigName(name: string): boolean {
  return isKnownTopicConfig(name) || name in staticDefaults;
}

/**
 * Largest batch a topic accepts: its max.message.bytes override, else the broker's message.max.bytes (a dynamic
 * value from AlterConfigs first, then the startup one).
 */
export function topicMaxMessageBytes(broker: BrokerState, meta: TopicMeta): number {
  const override =
    meta.config["max.message.bytes"] ??
    broker.config.logDefaults["max.message.bytes"] ??
    broker.dynamicConfigs.effective("message.max.bytes");
  const n = override === undefined ? Number.NaN : Number(override);
  return Number.isFinite(n) && n > 0 ? n : broker.config.messageMaxBytes;
}

export interface DescribedConfig {
  name: string;
  value: string | null;
  readOnly: boolean;
  isDefault: boolean;
  configSource: number;
  isSensitive: boolean;
  synonyms: { name: string; value: string | null; source: number }[];
  configType: number;
  documentation: string | null;
}

/** A topic's configs as DescribeConfigs/CreateTopics report them; `keys` null means all known ones. */
export function describeTopicConfigs(
  broker: BrokerState,
  overrides: Record<string, string>,
  keys: readonly string[] | null,
  includeSynonyms: boolean,
): DescribedConfig[] {
  const defaults = topicConfigDefaults(broker);
  const names = keys ?? [...defaults.keys()];
  const out: DescribedConfig[] = [];
  for (const name of names) {
    const known = defaults.get(name);
    if (!known) continue;
    const override = overrides[name];
    const isDefault = override === undefined;
    const defaultSynonym = { name, value: known.defaultValue, source: ConfigSource.DEFAULT_CONFIG };
    const synonyms = !includeSynonyms
      ? []
      : isDefault
        ? [defaultSynonym]
        : [{ name, value: override, source: ConfigSource.DYNAMIC_TOPIC_CONFIG }, defaultSynonym];
    out.push({
      name,
      value: isDefault ? known.defaultValue : override,
      readOnly: false,
      isDefault,
      configSource: isDefault ? ConfigSource.DEFAULT_CONFIG : ConfigSource.DYNAMIC_TOPIC_CONFIG,
      isSensitive: false,
      synonyms,
      configType: known.type,
      documentation: null,
    });
  }
  return out;
}
