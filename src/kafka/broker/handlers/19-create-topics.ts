// CreateTopics (key 19), versions 0-5: single-broker topics (replication factor 1, or manual assignments that
// put each partition on this broker alone), optional configs, validateOnly; v5 answers with the result's config.

import { limits } from "../../../common/limits.js";
import { validateTopicConfig } from "../../../log/config.js";
import { ApiKey, ErrorCode } from "../../protocol/index.js";
import type { BrokerState, HandlerModule, RequestContext } from "../handler.js";
import { errorCodeFor, isValidTopicName } from "./common.js";
import { describeTopicConfigs } from "./topic-configs.js";

interface CreatableTopic {
  name: string;
  numPartitions: number;
  replicationFactor: number;
  assignments: { partitionIndex: number; brokerIds: number[] }[];
  configs: { name: string; value: string | null }[];
}

interface CreateTopicsRequest {
  topics: CreatableTopic[];
  timeoutMs: number;
  validateOnly: boolean;
}

interface TopicResult {
  name: string;
  errorCode: number;
  errorMessage: string | null;
  topicConfigErrorCode: number;
  numPartitions: number;
  replicationFactor: number;
  configs:
    | { name: string; value: string | null; readOnly: boolean; configSource: number; isSensitive: boolean }[]
    | null;
}

function refused(name: string, errorCode: number, errorMessage: string | null): TopicResult {
  return {
    name,
    errorCode,
    errorMessage,
    topicConfigErrorCode: 0,
    numPartitions: -1,
    replicationFactor: -1,
    configs: null,
  };
}

/** Checks one topic's request; returns an error result, or the partition count and configs to create with. */
function checkTopic(
  broker: BrokerState,
  t: CreatableTopic,
): TopicResult | { partitions: number; config: Record<string, string> } {
  if (!isValidTopicName(t.name))
    return refused(t.name, ErrorCode.INVALID_TOPIC_EXCEPTION, "illegal topic name");
  if (broker.logs.topic(t.name))
    return refused(t.name, ErrorCode.TOPIC_ALREADY_EXISTS, `topic '${t.name}' already exists`);
  if (t.assignments.length > 0) return checkAssignedTopic(broker, t);
  if (t.replicationFactor !== -1 && t.replicationFactor !== 1) {
    return refused(
      t.name,
      ErrorCode.INVALID_REPLICATION_FACTOR,
      "replication factor must be 1: this cluster has one broker",
    );
  }
  const partitions = t.numPartitions === -1 ? broker.config.numPartitions : t.numPartitions;
  return checkPartitionsAndConfig(t, partitions);
}

/**
 * Why manual replica lists cannot be honoured, or null: a one-broker cluster can only place one replica,
 * on itself. Shared with CreatePartitions.
 */
export function replicaAssignmentProblem(
  broker: BrokerState,
  replicaLists: readonly number[][],
): string | null {
  const nodeId = broker.config.nodeId;
  for (const [i, brokerIds] of replicaLists.entries()) {
    if (brokerIds.length === 0) return `assignment ${i} lists no replicas`;
    const unknown = brokerIds.filter((id) => id !== nodeId);
    if (unknown.length > 0)
      return `unknown broker(s) ${unknown.join(",")} in replica assignment: this cluster has only broker ${nodeId}`;
    if (brokerIds.length > 1)
      return `assignment ${i} lists ${brokerIds.length} replicas; this cluster has one broker, so at most 1`;
  }
  return null;
}

function checkAssignedTopic(
  broker: BrokerState,
  t: CreatableTopic,
): TopicResult | { partitions: number; config: Record<string, string> } {
  // Kafka's rule: the counts come from the assignment, so they must not be given as well.
  if (t.numPartitions !== -1 || t.replicationFactor !== -1) {
    return refused(
      t.name,
      ErrorCode.INVALID_REQUEST,
      "numPartitions and replicationFactor must be -1 when replica assignments are given",
    );
  }
  const indexes = t.assignments.map((a) => a.partitionIndex).sort((a, b) => a - b);
  if (indexes.some((p, i) => p !== i)) {
    return refused(
      t.name,
      ErrorCode.INVALID_REPLICA_ASSIGNMENT,
      "partitions in the replica assignment must be 0, 1, 2, ... with none missing or repeated",
    );
  }
  const problem = replicaAssignmentProblem(
    broker,
    t.assignments.map((a) => a.brokerIds),
  );
  if (problem !== null) return refused(t.name, ErrorCode.INVALID_REPLICA_ASSIGNMENT, problem);
  return checkPartitionsAndConfig(t, t.assignments.length);
}

function checkPartitionsAndConfig(
  t: CreatableTopic,
  partitions: number,
): TopicResult | { partitions: number; config: Record<string, string> } {
  if (partitions < 1 || partitions > limits.topicPartitionsMax) {
    return refused(
      t.name,
      ErrorCode.INVALID_PARTITIONS,
      `partitions must be between 1 and ${limits.topicPartitionsMax}`,
    );
  }
  const config: Record<string, string> = {};
  for (const c of t.configs) if (c.value !== null) config[c.name] = c.value;
  try {
    validateTopicConfig(config);
  } catch (err) {
    return refused(t.name, ErrorCode.INVALID_CONFIG, err instanceof Error ? err.message : String(err));
  }
  return { partitions, config };
}

async function createTopic(
  ctx: RequestContext,
  t: CreatableTopic,
  validateOnly: boolean,
): Promise<TopicResult> {
  const broker = ctx.broker;
  const checked = checkTopic(broker, t);
  if ("errorCode" in checked) return checked;
  try {
    if (!validateOnly) {
      await broker.logs.createTopic(t.name, checked.partitions, checked.config);
      broker.logger.info("created topic", {
        topic: t.name,
        partitions: checked.partitions,
        client: ctx.header.clientId,
      });
    }
  } catch (err) {
    const { code, message } = errorCodeFor(err, broker.logger, "create topic");
    return refused(t.name, code, message);
  }
  const configs = describeTopicConfigs(broker, checked.config, null, false).map((c) => ({
    name: c.name,
    value: c.value,
    readOnly: c.readOnly,
    configSource: c.configSource,
    isSensitive: c.isSensitive,
  }));
  return {
    name: t.name,
    errorCode: ErrorCode.NONE,
    errorMessage: null,
    topicConfigErrorCode: 0,
    numPartitions: checked.partitions,
    replicationFactor: 1,
    configs,
  };
}

async function handle(ctx: RequestContext, body: CreateTopicsRequest) {
  const seen = new Map<string, number>();
  for (const t of body.topics) seen.set(t.name, (seen.get(t.name) ?? 0) + 1);
  const topics: TopicResult[] = [];
  // One at a time: two entries for the same name must not race each other into the log manager.
  for (const t of body.topics) {
    if ((seen.get(t.name) ?? 0) > 1)
      topics.push(refused(t.name, ErrorCode.INVALID_REQUEST, "topic listed twice"));
    else topics.push(await createTopic(ctx, t, body.validateOnly === true));
  }
  return { throttleTimeMs: 0, topics };
}

export const createTopicsHandler: HandlerModule = {
  apiKey: ApiKey.CreateTopics,
  minVersion: 0,
  maxVersion: 5,
  handle,
};
