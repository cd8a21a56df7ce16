// Metadata (key 3), versions 0-9: a one-broker cluster that leads every partition; creates unknown topics
// when both the client (v4+) and the broker allow it.

import type { TopicMeta } from "../../../log/index.js";
import { ApiKey, ErrorCode } from "../../protocol/index.js";
import type { BrokerState, HandlerModule, RequestContext } from "../handler.js";
import { errorCodeFor, isValidTopicName } from "./common.js";

/** Kafka's "authorized operations not requested" marker (INT32_MIN). */
export const authorizedOperationsOmitted = -2147483648;

interface MetadataRequest {
  topics: { name: string | null }[] | null;
  allowAutoTopicCreation?: boolean;
}

function describeTopic(broker: BrokerState, meta: TopicMeta) {
  const nodeId = broker.config.nodeId;
  const partitions = [];
  for (let p = 0; p < meta.partitions; p++) {
    partitions.push({
      errorCode: ErrorCode.NONE,
      partitionIndex: p,
      leaderId: nodeId,
      leaderEpoch: 0,
      replicaNodes: [nodeId],
      isrNodes: [nodeId],
      offlineReplicas: [],
    });
  }
  return {
    errorCode: ErrorCode.NONE,
    name: meta.name,
    isInternal: false,
    partitions,
    topicAuthorizedOperations: authorizedOperationsOmitted,
  };
}

function topicError(name: string, errorCode: number) {
  return {
    errorCode,
    name,
    isInternal: false,
    partitions: [],
    topicAuthorizedOperations: authorizedOperationsOmitted,
  };
}

async function lookupOrCreate(ctx: RequestContext, name: string | null, autoCreate: boolean) {
  const broker = ctx.broker;
  if (!isValidTopicName(name)) return topicError(name ?? "", ErrorCode.INVALID_TOPIC_EXCEPTION);
  const meta = broker.logs.topic(name);
  if (meta) return describeTopic(broker, meta);
  if (!autoCreate) return topicError(name, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  try {
    const created = await broker.logs.createTopic(name, broker.config.numPartitions, {});
    broker.logger.info("auto-created topic", { topic: name, partitions: broker.config.numPartitions });
    return describeTopic(broker, created);
  } catch (err) {
    const existing = broker.logs.topic(name);
    // Two clients asking at once: the loser of the race sees the winner's topic.
    if (existing) return describeTopic(broker, existing);
    return topicError(name, errorCodeFor(err, broker.logger, "topic auto-creation").code);
  }
}

async function handle(ctx: RequestContext, body: MetadataRequest) {
  const broker = ctx.broker;
  const version = ctx.header.apiVersion;
  // v0 has no null: an empty list means every topic; from v1 null means all and [] means none.
  const wantsAll = body.topics === null || (version === 0 && body.topics.length === 0);
  const clientAllows = version < 4 || body.allowAutoTopicCreation !== false;
  const autoCreate = clientAllows && broker.config.autoCreateTopicsEnable;
  const topics = wantsAll
    ? broker.logs.topics().map((meta) => describeTopic(broker, meta))
    : await Promise.all((body.topics ?? []).map((t) => lookupOrCreate(ctx, t.name, autoCreate)));
  return {
    throttleTimeMs: 0,
    brokers: [
      {
        nodeId: broker.config.nodeId,
        host: broker.config.advertisedHost,
        port: broker.advertisedPort,
        rack: null,
      },
    ],
    clusterId: broker.clusterId,
    controllerId: broker.config.nodeId,
    topics,
    clusterAuthorizedOperations: authorizedOperationsOmitted,
  };
}

export const metadataHandler: HandlerModule = {
  apiKey: ApiKey.Metadata,
  minVersion: 0,
  maxVersion: 9,
  handle,
};
