// Which APIs and versions Sluice speaks, and the compiled codec plan for each (api, version, direction).
// Plans are compiled on first use and cached, so the hot path is one array lookup.

import { assert } from "../../common/assert.js";
import { allApis } from "./apis/index.js";
import { type ApiSchema, type CompiledStruct, compileStruct, inVersions } from "./schema.js";

export const ApiKey = {
  Produce: 0,
  Fetch: 1,
  ListOffsets: 2,
  Metadata: 3,
  OffsetCommit: 8,
  OffsetFetch: 9,
  FindCoordinator: 10,
  JoinGroup: 11,
  Heartbeat: 12,
  LeaveGroup: 13,
  SyncGroup: 14,
  DescribeGroups: 15,
  ListGroups: 16,
  SaslHandshake: 17,
  ApiVersions: 18,
  CreateTopics: 19,
  DeleteTopics: 20,
  DeleteRecords: 21,
  InitProducerId: 22,
  OffsetForLeaderEpoch: 23,
  DescribeAcls: 29,
  CreateAcls: 30,
  DeleteAcls: 31,
  DescribeConfigs: 32,
  AlterConfigs: 33,
  CreatePartitions: 37,
  DeleteGroups: 42,
  IncrementalAlterConfigs: 44,
  OffsetDelete: 47,
} as const;
export type ApiKey = (typeof ApiKey)[keyof typeof ApiKey];

const schemasByKey = new Map<number, ApiSchema>();
for (const api of allApis) {
  assert(!schemasByKey.has(api.apiKey), `duplicate schema for API key ${api.apiKey}`);
  schemasByKey.set(api.apiKey, api);
}
for (const [name, key] of Object.entries(ApiKey)) {
  assert(schemasByKey.get(key)?.name === name, `API key ${key} should be ${name}`);
}

/** Versions [min,max] we support per API key, for ApiVersions and for rejecting requests. */
export const supportedApis: ReadonlyMap<number, { minVersion: number; maxVersion: number }> = new Map(
  [...schemasByKey.values()]
    .sort((a, b) => a.apiKey - b.apiKey)
    .map((api) => [api.apiKey, { minVersion: api.minVersion, maxVersion: api.maxVersion }]),
);

export function apiSchema(apiKey: number): ApiSchema | undefined {
  return schemasByKey.get(apiKey);
}

export function apiName(apiKey: number): string {
  return schemasByKey.get(apiKey)?.name ?? `Unknown(${apiKey})`;
}

export function isSupportedVersion(apiKey: number, apiVersion: number): boolean {
  const api = schemasByKey.get(apiKey);
  return api !== undefined && apiVersion >= api.minVersion && apiVersion <= api.maxVersion;
}

/** Whether a version uses compact encodings and tagged fields; callers check support first. */
export function isFlexibleVersion(apiKey: number, apiVersion: number): boolean {
  const api = schemasByKey.get(apiKey);
  assert(api !== undefined, `unknown API key ${apiKey}`);
  return inVersions(api.flexibleVersions, apiVersion);
}

/** Request header v2 (tagged fields) for flexible versions, else v1. */
export function requestHeaderVersion(apiKey: number, apiVersion: number): 1 | 2 {
  return isFlexibleVersion(apiKey, apiVersion) ? 2 : 1;
}

/** Response header v1 for flexible versions, except ApiVersions, whose header is always v0 so any client can read it. */
export function responseHeaderVersion(apiKey: number, apiVersion: number): 0 | 1 {
  if (apiKey === ApiKey.ApiVersions) return 0;
  return isFlexibleVersion(apiKey, apiVersion) ? 1 : 0;
}

const versionSlots = 32;
const planCache: (CompiledStruct | undefined)[] = [];

/** The compiled plan for one message; the version must be supported (asserted). */
export function messagePlan(
  apiKey: number,
  apiVersion: number,
  direction: "request" | "response",
): CompiledStruct {
  // Out-of-range keys or versions would alias another message's slot, so refuse them before the lookup.
  assert(apiKey >= 0 && apiVersion >= 0 && apiVersion < versionSlots, `no plan for ${apiKey} v${apiVersion}`);
  const slot = (apiKey * versionSlots + apiVersion) * 2 + (direction === "request" ? 0 : 1);
  const cached = planCache[slot];
  if (cached !== undefined) return cached;
  assert(isSupportedVersion(apiKey, apiVersion), `unsupported ${apiName(apiKey)} v${apiVersion}`);
  const api = schemasByKey.get(apiKey)!;
  const plan = compileStruct(api[direction], apiVersion, inVersions(api.flexibleVersions, apiVersion));
  planCache[slot] = plan;
  return plan;
}
