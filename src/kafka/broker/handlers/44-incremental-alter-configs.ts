// IncrementalAlterConfigs (key 44), versions 0-1: SET/DELETE single topic or dynamic broker configs and
// APPEND/SUBTRACT items of list-valued ones (cleanup.policy; any broker config, as a comma list), keeping the others.

import { ApiKey, ErrorCode } from "../../protocol/index.js";
import type { HandlerModule, RequestContext } from "../handler.js";
import { ResourceType } from "./32-describe-configs.js";
import {
  type AlterResult,
  brokerScope,
  checkAlterable,
  storeBrokerConfig,
  storeTopicConfig,
} from "./alter-configs-common.js";
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

/** How one resource kind's configs behave under the operations. */
interface ConfigRules {
  /** Why a name cannot be altered, or null. */
  nameProblem(name: string): string | null;
  isList(name: string): boolean;
  defaultOf(name: string): string | undefined;
}

function topicRules(defaults: Map<string, { defaultValue: string; type: number }>): ConfigRules {
  return {
    nameProblem: (name) => (isKnownConfigName(name) ? null : `unknown topic config ${name}`),
    isList: (name) => defaults.get(name)?.type === ConfigType.LIST,
    defaultOf: (name) => defaults.get(name)?.defaultValue,
  };
}

/** Broker configs are stored as given (checked when stored), so any of them may be treated as a list. */
const brokerRules: ConfigRules = { nameProblem: () => null, isList: () => true, defaultOf: () => undefined };

/** Applies the operations to a copy of `current`; returns the new map or an error message. */
function applyOperations(
  current: Readonly<Record<string, string>>,
  rules: ConfigRules,
  ops: AlterableConfig[],
): Record<string, string> | string {
  const next = { ...current };
  for (const op of ops) {
    const problem = rules.nameProblem(op.name);
    if (problem !== null) return problem;
    const existing = next[op.name] ?? rules.defaultOf(op.name);
    if (
      (op.configOperation === ConfigOperation.APPEND || op.configOperation === ConfigOperation.SUBTRACT) &&
      !rules.isList(op.name)
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

function invalidConfig(resourceType: number, resourceName: string, message: string): AlterResult {
  return { resourceType, resourceName, errorCode: ErrorCode.INVALID_CONFIG, errorMessage: message };
}

async function alterBroker(
  ctx: RequestContext,
  r: IncrementalAlterConfigsRequest["resources"][number],
  validateOnly: boolean,
): Promise<AlterResult> {
  const scope = brokerScope(ctx, r.resourceName);
  if (typeof scope !== "string") return scope;
  const next = applyOperations(ctx.broker.dynamicConfigs.get(scope), brokerRules, r.configs);
  if (typeof next === "string") return invalidConfig(ResourceType.BROKER, r.resourceName, next);
  return storeBrokerConfig(ctx, r.resourceName, scope, next, validateOnly);
}

async function alterResource(
  ctx: RequestContext,
  r: IncrementalAlterConfigsRequest["resources"][number],
  validateOnly: boolean,
): Promise<AlterResult> {
  if (r.resourceType === ResourceType.BROKER) return alterBroker(ctx, r, validateOnly);
  const refused = checkAlterable(ctx, r.resourceType, r.resourceName);
  if (refused) return refused;
  const meta = ctx.broker.logs.topic(r.resourceName)!;
  const next = applyOperations(meta.config, topicRules(topicConfigDefaults(ctx.broker)), r.configs);
  if (typeof next === "string") return invalidConfig(ResourceType.TOPIC, r.resourceName, next);
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
