// What AlterConfigs and IncrementalAlterConfigs share: which resource a request names, and validating and
// storing the new config map of a topic or of the broker's dynamic configs (this broker's or the cluster default).

import { validateTopicConfig } from "../../../log/config.js";
import { ErrorCode } from "../../protocol/index.js";
import { type DynamicScope, dynamicConfigProblem } from "../dynamic-configs.js";
import type { RequestContext } from "../handler.js";
import { ResourceType } from "./32-describe-configs.js";
import { errorCodeFor } from "./common.js";

export interface AlterResult {
  errorCode: number;
  errorMessage: string | null;
  resourceType: number;
  resourceName: string;
}

/** Checks a resource can be altered; returns an error result, or null when it is an existing topic. */
export function checkAlterable(
  ctx: RequestContext,
  resourceType: number,
  resourceName: string,
): AlterResult | null {
  const base = { resourceType, resourceName };
  if (resourceType !== ResourceType.TOPIC) {
    return { ...base, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: "unsupported resource type" };
  }
  if (!ctx.broker.logs.topic(resourceName)) {
    return { ...base, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: "unknown topic" };
  }
  return null;
}

/** "" is the cluster-wide default, our node id this broker; any other id is a broker we don't know (as Kafka says). */
export function brokerScope(ctx: RequestContext, resourceName: string): DynamicScope | AlterResult {
  if (resourceName === "") return "clusterDefault";
  const nodeId = String(ctx.broker.config.nodeId);
  if (resourceName === nodeId) return "broker";
  return {
    resourceType: ResourceType.BROKER,
    resourceName,
    errorCode: ErrorCode.INVALID_REQUEST,
    errorMessage: `Unexpected broker id, expected ${nodeId} or empty string, but received ${resourceName}`,
  };
}

/** Validates `config` and, unless validateOnly, makes it the scope's complete dynamic config map. */
export async function storeBrokerConfig(
  ctx: RequestContext,
  resourceName: string,
  scope: DynamicScope,
  config: Record<string, string>,
  validateOnly: boolean,
): Promise<AlterResult> {
  const base = { resourceType: ResourceType.BROKER as number, resourceName };
  const problem = dynamicConfigProblem(config);
  if (problem !== null) return { ...base, errorCode: ErrorCode.INVALID_CONFIG, errorMessage: problem };
  if (validateOnly) return { ...base, errorCode: ErrorCode.NONE, errorMessage: null };
  try {
    await ctx.broker.dynamicConfigs.replace(scope, config);
    ctx.broker.logger.info("changed dynamic broker config", {
      scope,
      names: Object.keys(config).join(","),
      client: ctx.header.clientId,
    });
    return { ...base, errorCode: ErrorCode.NONE, errorMessage: null };
  } catch (err) {
    const { code, message } = errorCodeFor(err, ctx.broker.logger, "alter broker config");
    return { ...base, errorCode: code, errorMessage: message };
  }
}

/** Validates `config` and, unless validateOnly, makes it the topic's complete override map. */
export async function storeTopicConfig(
  ctx: RequestContext,
  topic: string,
  config: Record<string, string>,
  validateOnly: boolean,
): Promise<AlterResult> {
  const base = { resourceType: ResourceType.TOPIC as number, resourceName: topic };
  try {
    validateTopicConfig(config);
  } catch (err) {
    return {
      ...base,
      errorCode: ErrorCode.INVALID_CONFIG,
      errorMessage: err instanceof Error ? err.message : String(err),
    };
  }
  if (validateOnly) return { ...base, errorCode: ErrorCode.NONE, errorMessage: null };
  try {
    await ctx.broker.logs.setTopicConfig(topic, config);
    ctx.broker.logger.info("changed topic config", { topic, client: ctx.header.clientId });
    return { ...base, errorCode: ErrorCode.NONE, errorMessage: null };
  } catch (err) {
    const { code, message } = errorCodeFor(err, ctx.broker.logger, "alter topic config");
    return { ...base, errorCode: code, errorMessage: message };
  }
}
