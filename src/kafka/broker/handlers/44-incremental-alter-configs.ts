// IncrementalAlterConfigs (key 44), versions 0-1: SET/DELETE single topic configs and APPEND/SUBTRACT
// items of list-valued ones (cleanup.policy), keeping the others.

import { ApiKey, ErrorCode } from "../../protocol/index.js";
import type { HandlerModule, RequestContext } from "../handler.js";
import { ResourceType } from "./32-describe-configs.js";
import { type AlterResult, checkAlterable, storeTopicConfig } from "./alter-configs-common.js";
import { ConfigType, isKnownConfigName, topicConfigDefaults } from "./topic-configs.js";

export const ConfigOperation = { SET: 0, DELETE: 1, APPEND: 2, SUBTRACT: 3 } as const;

interface AlterableConfig {
  name: string;
  configOperation: number;
  value: string | null;
}

interface IncrementalAlterConfigsRequest {
  resources: { resourceType: number; resourceName: string; configs: AlterableConfig[] }[];
  validateOnly: boolean;
}

function listItems(value: string | undefined): string[] {
  return value
    ? value
        .split(",")
        .map((s) => s.trim())
        .filter((s) => s.length > 0)
    : [];
}

/** Applies the operations to a copy of `current`; returns the new map or an error message. */
function applyOperations(
  current: Record<string, string>,
  defaults: Map<string, { defaultValue: string; type: number }>,
  ops: AlterableConfig[],
): Record<string, string> | string {
  const next = { ...current };
  for (const op of ops) {
    if (!isKnownConfigName(op.name)) return `unknown topic config ${op.name}`;
    const existing = next[op.name] ?? defaults.get(op.name)?.defaultValue;
    const isList = defaults.get(op.name)?.type === ConfigType.LIST;
    if (
      (op.configOperation === ConfigOperation.APPEND || op.configOperation === ConfigOperation.SUBTRACT) &&
      !isList
    ) {
      return `${op.name} is not a list: APPEND and SUBTRACT do not apply`;
    }
    switch (op.configOperation) {
      case ConfigOperation.SET:
        if (op.value === null) return `${op.name}: SET needs a value`;
        next[op.name] = op.value;
        break;
      case ConfigOperation.DELETE:
        delete next[op.name];
        break;
      case ConfigOperation.APPEND: {
        const items = listItems(existing);
        for (const item of listItems(op.value ?? "")) if (!items.includes(item)) items.push(item);
        next[op.name] = items.join(",");
        break;
      }
      case ConfigOperation.SUBTRACT: {
        const remove = new Set(listItems(op.value ?? ""));
        next[op.name] = listItems(existing)
          .filter((item) => !remove.has(item))
          .join(",");
        break;
      }
      default:
        return `unknown config operation ${op.configOperation}`;
    }
  }
  return next;
}

async function alterResource(
  ctx: RequestContext,
  r: IncrementalAlterConfigsRequest["resources"][number],
  validateOnly: boolean,
) {
  const refused = checkAlterable(ctx, r.resourceType, r.resourceName);
  if (refused) return refused;
  const meta = ctx.broker.logs.topic(r.resourceName)!;
  const next = applyOperations(meta.config, topicConfigDefaults(ctx.broker), r.configs);
  if (typeof next === "string") {
    return {
      resourceType: ResourceType.TOPIC,
      resourceName: r.resourceName,
      errorCode: ErrorCode.INVALID_CONFIG,
      errorMessage: next,
    };
  }
  return storeTopicConfig(ctx, r.resourceName, next, validateOnly);
}

async function handle(ctx: RequestContext, body: IncrementalAlterConfigsRequest) {
  const responses: AlterResult[] = [];
  for (const r of body.resources) responses.push(await alterResource(ctx, r, body.validateOnly === true));
  return { throttleTimeMs: 0, responses };
}

export const incrementalAlterConfigsHandler: HandlerModule = {
  apiKey: ApiKey.IncrementalAlterConfigs,
  minVersion: 0,
  maxVersion: 1,
  handle,
};
