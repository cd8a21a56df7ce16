// AlterConfigs (key 33), versions 0-2: replaces a topic's whole override map, or a broker resource's whole
// dynamic config map (configs not named go back to their defaults), as Kafka's non-incremental API does.

import { ApiKey } from "../../protocol/index.js";
import type { HandlerModule, RequestContext } from "../handler.js";
import { ResourceType } from "./32-describe-configs.js";
import {
  type AlterResult,
  brokerScope,
  checkAlterable,
  storeBrokerConfig,
  storeTopicConfig,
} from "./alter-configs-common.js";

interface AlterConfigsRequest {
  resources: {
    resourceType: number;
    resourceName: string;
    configs: { name: string; value: string | null }[];
  }[];
  validateOnly: boolean;
}

async function handle(ctx: RequestContext, body: AlterConfigsRequest) {
  const responses: AlterResult[] = [];
  for (const r of body.resources) responses.push(await alterResource(ctx, r, body.validateOnly === true));
  return { throttleTimeMs: 0, responses };
}

async function alterResource(
  ctx: RequestContext,
  r: AlterConfigsRequest["resources"][number],
  validateOnly: boolean,
): Promise<AlterResult> {
  const config: Record<string, string> = {};
  for (const c of r.configs) if (c.value !== null) config[c.name] = c.value;
  if (r.resourceType === ResourceType.BROKER) {
    const scope = brokerScope(ctx, r.resourceName);
    if (typeof scope !== "string") return scope;
    return storeBrokerConfig(ctx, r.resourceName, scope, config, validateOnly);
  }
  const refused = checkAlterable(ctx, r.resourceType, r.resourceName);
  if (refused) return refused;
  return storeTopicConfig(ctx, r.resourceName, config, validateOnly);
}

export const alterConfigsHandler: HandlerModule = {
  apiKey: ApiKey.AlterConfigs,
  minVersion: 0,
  maxVersion: 2,
  handle,
};
