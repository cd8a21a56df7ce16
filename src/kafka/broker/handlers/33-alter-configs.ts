// AlterConfigs (key 33), versions 0-2: replaces a topic's whole override map (configs not named go back
// to their defaults), as Kafka's non-incremental API does.

import { ApiKey } from "../../protocol/index.js";
import type { HandlerModule, RequestContext } from "../handler.js";
import { type AlterResult, checkAlterable, storeTopicConfig } from "./alter-configs-common.js";

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
  for (const r of body.resources) {
    const refused = checkAlterable(ctx, r.resourceType, r.resourceName);
    if (refused) {
      responses.push(refused);
      continue;
    }
    const config: Record<string, string> = {};
    for (const c of r.configs) if (c.value !== null) config[c.name] = c.value;
    responses.push(await storeTopicConfig(ctx, r.resourceName, config, body.validateOnly === true));
  }
  return { throttleTimeMs: 0, responses };
}

export const alterConfigsHandler: HandlerModule = {
  apiKey: ApiKey.AlterConfigs,
  minVersion: 0,
  maxVersion: 2,
  handle,
};
