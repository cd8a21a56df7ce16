// Topic administration: create, delete, list, describe (metadata, offsets, configs), alter configs, add partitions.

import type { Cluster, PartitionMetadata } from "./cluster.js";
import { KafkaResponseError, throwIfError } from "./errors.js";
import { listOffsets } from "./offsets.js";
import { api } from "./versions.js";

export interface NewTopic {
  name: string;
  /** -1 lets the broker use its num.partitions. */
  partitions?: number;
  /** -1 lets the broker use its default.replication.factor. */
  replicationFactor?: number;
  configs?: Record<string, string>;
}

export interface TopicConfigEntry {
  name: string;
  value: string | null;
  /** True when the value is the broker's default rather than set on the topic. */
  isDefault: boolean;
  readOnly: boolean;
  isSensitive: boolean;
}

export interface PartitionDescription extends PartitionMetadata {
  logStartOffset: bigint;
  logEndOffset: bigint;
}

export interface TopicDescription {
  name: string;
  isInternal: boolean;
  partitions: PartitionDescription[];
  configs: TopicConfigEntry[];
}

export interface ConfigChanges {
  set?: Record<string, string>;
  delete?: string[];
}

const topicResourceType = 2;
/** DescribeConfigs v1+ configSource: only DYNAMIC_TOPIC_CONFIG (1) is set on the topic itself. */
const dynamicTopicConfigSource = 1;
const opSet = 0;
const opDelete = 1;

export async function createTopics(cluster: Cluster, topics: NewTopic[], timeoutMs = 30_000): Promise<void> {
  const link = await cluster.controllerLink();
  const body = await cluster.request<{
    topics: Array<{ name: string; errorCode: number; errorMessage?: string | null }>;
  }>(link, api.createTopics, () => ({
    topics: topics.map((t) => ({
      name: t.name,
      numPartitions: t.partitions ?? -1,
      replicationFactor: t.replicationFactor ?? -1,
      assignments: [],
      configs: Object.entries(t.configs ?? {}).map(([name, value]) => ({ name, value })),
    })),
    timeoutMs,
    validateOnly: false,
  }));
  for (const t of body.topics) throwIfError(t.errorCode, `create topic ${t.name}`, t.errorMessage);
  for (const t of topics) cluster.forgetTopic(t.name);
}

export async function deleteTopics(cluster: Cluster, names: string[], timeoutMs = 30_000): Promise<void> {
  const link = await cluster.controllerLink();
  const body = await cluster.request<{
    responses: Array<{ name: string | null; errorCode: number; errorMessage?: string | null }>;
  }>(link, api.deleteTopics, () => ({ topicNames: names, timeoutMs }));
  for (const r of body.responses) throwIfError(r.errorCode, `delete topic ${r.name}`, r.errorMessage);
  for (const name of names) cluster.forgetTopic(name);
}

/** Topic names, sorted; internal topics (e.g. __consumer_offsets) only when asked. */
export async function listTopics(cluster: Cluster, includeInternal = false): Promise<string[]> {
  const metadata = await cluster.refreshMetadata(null);
  return [...metadata.topics.values()]
    .filter((t) => t.errorCode === 0 && (includeInternal || !t.isInternal))
    .map((t) => t.name)
    .sort();
}

export async function describeTopic(cluster: Cluster, name: string): Promise<TopicDescription> {
  const meta = await cluster.topic(name, true);
  const partitions = meta.partitions.map((p) => p.partition);
  const [starts, ends, configs] = await Promise.all([
    listOffsets(cluster, name, partitions, "earliest"),
    listOffsets(cluster, name, partitions, "latest"),
    describeTopicConfigs(cluster, name),
  ]);
  return {
    name,
    isInternal: meta.isInternal,
    partitions: meta.partitions.map((p) => ({
      ...p,
      logStartOffset: starts.get(p.partition)?.offset ?? -1n,
      logEndOffset: ends.get(p.partition)?.offset ?? -1n,
    })),
    configs,
  };
}

interface DescribeConfigsResponse {
  results: Array<{
    errorCode: number;
    errorMessage: string | null;
    resourceName: string;
    configs: Array<{
      name: string;
      value: string | null;
      readOnly: boolean;
      isDefault?: boolean;
      configSource?: number;
      isSensitive: boolean;
    }>;
  }>;
}

export async function describeTopicConfigs(cluster: Cluster, name: string): Promise<TopicConfigEntry[]> {
  const link = await cluster.anyLink();
  let usedVersion = 0;
  const body = await cluster.request<DescribeConfigsResponse>(link, api.describeConfigs, (version) => {
    usedVersion = version;
    return {
      resources: [{ resourceType: topicResourceType, resourceName: name, configurationKeys: null }],
      includeSynonyms: false,
      includeDocumentation: false,
    };
  });
  const result = body.results.find((r) => r.resourceName === name) ?? body.results[0];
  if (!result) throw new KafkaResponseError(3, `describe configs of ${name}`, "empty answer");
  throwIfError(result.errorCode, `describe configs of ${name}`, result.errorMessage);
  return result.configs
    .map((c) => ({
      name: c.name,
      value: c.value,
      isDefault: usedVersion === 0 ? (c.isDefault ?? true) : c.configSource !== dynamicTopicConfigSource,
      readOnly: c.readOnly,
      isSensitive: c.isSensitive,
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

export async function alterTopicConfigs(
  cluster: Cluster,
  name: string,
  changes: ConfigChanges,
): Promise<void> {
  const configs = [
    ...Object.entries(changes.set ?? {}).map(([key, value]) => ({
      name: key,
      configOperation: opSet,
      value,
    })),
    ...(changes.delete ?? []).map((key) => ({ name: key, configOperation: opDelete, value: null })),
  ];
  if (configs.length === 0) return;
  const link = await cluster.controllerLink();
  const body = await cluster.request<{
    responses: Array<{ errorCode: number; errorMessage: string | null }>;
  }>(link, api.incrementalAlterConfigs, () => ({
    resources: [{ resourceType: topicResourceType, resourceName: name, configs }],
    validateOnly: false,
  }));
  for (const r of body.responses) throwIfError(r.errorCode, `alter configs of ${name}`, r.errorMessage);
}

/** Grows `name` to `totalPartitions` partitions (Kafka cannot shrink a topic). */
export async function createPartitions(
  cluster: Cluster,
  name: string,
  totalPartitions: number,
  timeoutMs = 30_000,
): Promise<void> {
  const link = await cluster.controllerLink();
  const body = await cluster.request<{
    results: Array<{ name: string; errorCode: number; errorMessage: string | null }>;
  }>(link, api.createPartitions, () => ({
    topics: [{ name, count: totalPartitions, assignments: null }],
    timeoutMs,
    validateOnly: false,
  }));
  for (const r of body.results) throwIfError(r.errorCode, `add partitions to ${r.name}`, r.errorMessage);
  cluster.forgetTopic(name);
}
