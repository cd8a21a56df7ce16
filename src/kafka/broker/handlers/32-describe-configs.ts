// DescribeConfigs (key 32), versions 0-4: topic configs (each known name with our default or the topic's
// override) and broker configs (startup settings overlaid by dynamic ones from AlterConfigs).

import { ApiKey, ErrorCode } from "../../protocol/index.js";
import { staticOnlyBrokerConfigs } from "../dynamic-configs.js";
import type { BrokerState, HandlerModule, RequestContext } from "../handler.js";
import { ConfigSource, ConfigType, type DescribedConfig, describeTopicConfigs } from "./topic-configs.js";

export const ResourceType = { TOPIC: 2, BROKER: 4 } as const;

interface DescribeConfigsRequest {
  resources: { resourceType: number; resourceName: string; configurationKeys: string[] | null }[];
  includeSynonyms: boolean;
  includeDocumentation: boolean;
}

type Synonym = DescribedConfig["synonyms"][number];

function brokerEntry(
  name: string,
  type: number,
  layers: Synonym[],
  includeSynonyms: boolean,
): DescribedConfig {
  const top = layers[0]!;
  return {
    name,
    value: top.value,
    readOnly: staticOnlyBrokerConfigs.has(name),
    isDefault: top.source === ConfigSource.DEFAULT_CONFIG,
    configSource: top.source,
    isSensitive: false,
    synonyms: includeSynonyms ? layers : [],
    configType: type,
    documentation: null,
  };
}

function startupBrokerConfigs(broker: BrokerState): Map<string, { value: string; type: number }> {
  const c = broker.config;
  return new Map([
    ["auto.create.topics.enable", { value: String(c.autoCreateTopicsEnable), type: ConfigType.BOOLEAN }],
    ["broker.id", { value: String(c.nodeId), type: ConfigType.INT }],
    ["default.replication.factor", { value: "1", type: ConfigType.SHORT }],
    ["log.dirs", { value: c.dataDir, type: ConfigType.STRING }],
    ["message.max.bytes", { value: String(c.messageMaxBytes), type: ConfigType.INT }],
    ["num.partitions", { value: String(c.numPartitions), type: ConfigType.INT }],
    ["offsets.topic.replication.factor", { value: "1", type: ConfigType.SHORT }],
  ]);
}

/**
 * This broker's configs ("0": startup settings under the dynamic ones, most specific first) or the cluster
 * defaults ("": only the dynamic defaults, as Kafka reports them).
 */
function brokerConfigs(
  broker: BrokerState,
  clusterDefault: boolean,
  keys: string[] | null,
  includeSynonyms: boolean,
): DescribedConfig[] {
  const startup = clusterDefault ? new Map() : startupBrokerConfigs(broker);
  const own = clusterDefault ? {} : broker.dynamicConfigs.get("broker");
  const defaults = broker.dynamicConfigs.get("clusterDefault");
  const names = [...new Set([...startup.keys(), ...Object.keys(own), ...Object.keys(defaults)])].sort();
  const out: DescribedConfig[] = [];
  for (const name of names) {
    if (keys && !keys.includes(name)) continue;
    const layers: Synonym[] = [];
    if (own[name] !== undefined)
      layers.push({ name, value: own[name], source: ConfigSource.DYNAMIC_BROKER_CONFIG });
    if (defaults[name] !== undefined)
      layers.push({ name, value: defaults[name], source: ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG });
    const fixed = startup.get(name);
    if (fixed) layers.push({ name, value: fixed.value, source: ConfigSource.STATIC_BROKER_CONFIG });
    out.push(brokerEntry(name, fixed?.type ?? ConfigType.STRING, layers, includeSynonyms));
  }
  return out;
}

function describeResource(
  ctx: RequestContext,
  body: DescribeConfigsRequest,
  r: DescribeConfigsRequest["resources"][number],
) {
  const broker = ctx.broker;
  const base = { resourceType: r.resourceType, resourceName: r.resourceName };
  if (r.resourceType === ResourceType.TOPIC) {
    const meta = broker.logs.topic(r.resourceName);
    if (!meta)
      return {
        ...base,
        errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
        errorMessage: "unknown topic",
        configs: [],
      };
    const configs = describeTopicConfigs(
      broker,
      meta.config,
      r.configurationKeys,
      body.includeSynonyms === true,
    );
    return { ...base, errorCode: ErrorCode.NONE, errorMessage: null, configs };
  }
  if (r.resourceType === ResourceType.BROKER) {
    const nodeId = String(broker.config.nodeId);
    if (r.resourceName !== "" && r.resourceName !== nodeId) {
      return {
        ...base,
        errorCode: ErrorCode.INVALID_REQUEST,
        errorMessage: `Unexpected broker id, expected ${nodeId} or empty string, but received ${r.resourceName}`,
        configs: [],
      };
    }
    const configs = brokerConfigs(
      broker,
      r.resourceName === "",
      r.configurationKeys,
      body.includeSynonyms === true,
    );
    return { ...base, errorCode: ErrorCode.NONE, errorMessage: null, configs };
  }
  return {
    ...base,
    errorCode: ErrorCode.INVALID_REQUEST,
    errorMessage: "unsupported resource type",
    configs: [],
  };
}

async function handle(ctx: RequestContext, body: DescribeConfigsRequest) {
  return { throttleTimeMs: 0, results: body.resources.map((r) => describeResource(ctx, body, r)) };
}

export const describeConfigsHandler: HandlerModule = {
  apiKey: ApiKey.DescribeConfigs,
  minVersion: 0,
  maxVersion: 4,
  handle,
};
