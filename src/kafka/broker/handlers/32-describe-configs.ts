// DescribeConfigs (key 32), versions 0-4: topic configs (each known name with our default or the topic's
// override) and a few read-only broker configs.

import { ApiKey, ErrorCode } from "../../protocol/index.js";
import type { BrokerState, HandlerModule, RequestContext } from "../handler.js";
import { ConfigSource, ConfigType, type DescribedConfig, describeTopicConfigs } from "./topic-configs.js";

export const ResourceType = { TOPIC: 2, BROKER: 4 } as const;

interface DescribeConfigsRequest {
  resources: { resourceType: number; resourceName: string; configurationKeys: string[] | null }[];
  includeSynonyms: boolean;
  includeDocumentation: boolean;
}

function readOnlyBrokerConfig(name: string, value: string, type: number): DescribedConfig {
  return {
    name,
    value,
    readOnly: true,
    isDefault: false,
    configSource: ConfigSource.STATIC_BROKER_CONFIG,
    isSensitive: false,
    synonyms: [],
    configType: type,
    documentation: null,
  };
}

function brokerConfigs(broker: BrokerState, keys: string[] | null): DescribedConfig[] {
  const c = broker.config;
  const all = [
    readOnlyBrokerConfig("auto.create.topics.enable", String(c.autoCreateTopicsEnable), ConfigType.BOOLEAN),
    readOnlyBrokerConfig("broker.id", String(c.nodeId), ConfigType.INT),
    readOnlyBrokerConfig("default.replication.factor", "1", ConfigType.SHORT),
    readOnlyBrokerConfig("log.dirs", c.dataDir, ConfigType.STRING),
    readOnlyBrokerConfig("message.max.bytes", String(c.messageMaxBytes), ConfigType.INT),
    readOnlyBrokerConfig("num.partitions", String(c.numPartitions), ConfigType.INT),
    readOnlyBrokerConfig("offsets.topic.replication.factor", "1", ConfigType.SHORT),
  ];
  return keys ? all.filter((e) => keys.includes(e.name)) : all;
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
    if (r.resourceName !== "" && r.resourceName !== String(broker.config.nodeId)) {
      return {
        ...base,
        errorCode: ErrorCode.INVALID_REQUEST,
        errorMessage: "unknown broker id",
        configs: [],
      };
    }
    return {
      ...base,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      configs: brokerConfigs(broker, r.configurationKeys),
    };
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
