// What AlterConfigs and IncrementalAlterConfigs share: validating and storing a topic's new override map.

import { validateTopicConfig } from "../../../log/config.js";
import { ErrorCode } from "../../protocol/index.js";
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
  if (resourceType === ResourceType.BROKER) {
    return { ...base, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: "broker configs are read-only" };
  }
  if (resourceType !== ResourceType.TOPIC) {
    return { ...base, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: "unsupported resource type" };
  }
  if (!ctx.broker.logs.topic(resourceName)) {
    return { ...base, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: "unknown topic" };
  }
  return null;
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
