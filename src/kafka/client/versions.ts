// Which version of each Kafka API the client speaks: the highest both the codec and the broker support,
// capped where newer versions change semantics this client does not implement (e.g. topic ids in Fetch v13+).

import { supportedApis } from "../protocol/index.js";
import { KafkaResponseError } from "./errors.js";

export const api = {
  produce: 0,
  fetch: 1,
  listOffsets: 2,
  metadata: 3,
  offsetCommit: 8,
  offsetFetch: 9,
  findCoordinator: 10,
  describeGroups: 15,
  listGroups: 16,
  apiVersions: 18,
  createTopics: 19,
  deleteTopics: 20,
  describeConfigs: 32,
  createPartitions: 37,
  deleteGroups: 42,
  incrementalAlterConfigs: 44,
} as const;

export interface VersionRange {
  min: number;
  max: number;
}

/** Versions whose request and response shapes this client builds and reads. */
const clientRanges: Record<number, VersionRange> = {
  [api.produce]: { min: 3, max: 11 }, // v3+ carries RecordBatch v2; v13 switches to topic ids
  [api.fetch]: { min: 4, max: 12 }, // v13 switches to topic ids
  [api.listOffsets]: { min: 1, max: 7 },
  [api.metadata]: { min: 1, max: 12 }, // v1+ has controllerId and null = all topics
  [api.offsetCommit]: { min: 2, max: 8 },
  [api.offsetFetch]: { min: 2, max: 7 }, // v2+ fetches all topics with null; v8 batches several groups
  [api.findCoordinator]: { min: 0, max: 3 }, // v4 batches several keys
  [api.describeGroups]: { min: 0, max: 5 },
  [api.listGroups]: { min: 0, max: 4 },
  [api.deleteGroups]: { min: 0, max: 2 },
  [api.apiVersions]: { min: 0, max: 3 },
  [api.createTopics]: { min: 1, max: 7 },
  [api.deleteTopics]: { min: 1, max: 5 }, // v6 names topics by id
  [api.describeConfigs]: { min: 1, max: 4 },
  [api.createPartitions]: { min: 0, max: 3 },
  [api.incrementalAlterConfigs]: { min: 0, max: 1 },
};

/** The codec's own range for an API. */
function codecRange(apiKey: number): VersionRange | null {
  const entry = supportedApis.get(apiKey);
  return entry ? { min: entry.minVersion, max: entry.maxVersion } : null;
}

/** The range this client can use for `apiKey` before hearing from a broker. */
export function localRange(apiKey: number): VersionRange | null {
  const mine = clientRanges[apiKey];
  const codec = codecRange(apiKey);
  if (!mine || !codec) return null;
  const range = { min: Math.max(mine.min, codec.min), max: Math.min(mine.max, codec.max) };
  return range.min <= range.max ? range : null;
}

/** Highest version both sides support; throws UNSUPPORTED_VERSION (35) when the ranges do not meet. */
export function negotiate(apiKey: number, broker: Map<number, VersionRange>, brokerAddress: string): number {
  const mine = localRange(apiKey);
  const theirs = broker.get(apiKey);
  if (mine && theirs) {
    const max = Math.min(mine.max, theirs.max);
    if (max >= Math.max(mine.min, theirs.min)) return max;
  }
  const have = theirs ? `${theirs.min}..${theirs.max}` : "none";
  const want = mine ? `${mine.min}..${mine.max}` : "none";
  throw new KafkaResponseError(
    35,
    `api ${apiKey} on ${brokerAddress}`,
    `broker versions ${have}, client versions ${want}`,
  );
}
