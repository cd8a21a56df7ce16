// CreatePartitions (key 37), versions 0-3: grows a topic to `count` partitions (never shrinks it); manual
// assignments are accepted when each new partition has one replica, on this broker.

import { limits } from "../../../common/limits.js";
import { ApiKey, ErrorCode } from "../../protocol/index.js";
import type { HandlerModule, RequestContext } from "../handler.js";
import { replicaAssignmentProblem } from "./19-create-topics.js";
import { errorCodeFor } from "./common.js";

interface CreatePartitionsRequest {
  topics: { name: string; count: number; assignments: { brokerIds: number[] }[] | null }[];
  timeoutMs: number;
  validateOnly: boolean;
}

async function grow(
  ctx: RequestContext,
  t: CreatePartitionsRequest["topics"][number],
  validateOnly: boolean,
) {
  const broker = ctx.broker;
  const meta = broker.logs.topic(t.name);
  const refuse = (errorCode: number, errorMessage: string) => ({ name: t.name, errorCode, errorMessage });
  if (!meta) return refuse(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, "unknown topic");
  if (t.count <= meta.partitions) {
    return refuse(
      ErrorCode.INVALID_PARTITIONS,
      `topic has ${meta.partitions} partitions; the new count must be larger`,
    );
  }
  if (t.assignments !== null) {
    const added = t.count - meta.partitions;
    if (t.assignments.length !== added) {
      return refuse(
        ErrorCode.INVALID_REPLICA_ASSIGNMENT,
        `adding ${added} partitions needs ${added} assignments, not ${t.assignments.length}`,
      );
    }
    const problem = replicaAssignmentProblem(
      broker,
      t.assignments.map((a) => a.brokerIds),
    );
    if (problem !== null) return refuse(ErrorCode.INVALID_REPLICA_ASSIGNMENT, problem);
  }
  if (t.count > limits.topicPartitionsMax)
    return refuse(ErrorCode.INVALID_PARTITIONS, `at most ${limits.topicPartitionsMax} partitions`);
  if (validateOnly) return { name: t.name, errorCode: ErrorCode.NONE, errorMessage: null };
  try {
    await broker.logs.addPartitions(t.name, t.count);
    broker.logger.info("added partitions", {
      topic: t.name,
      partitions: t.count,
      client: ctx.header.clientId,
    });
    return { name: t.name, errorCode: ErrorCode.NONE, errorMessage: null };
  } catch (err) {
    const { code, message } = errorCodeFor(err, broker.logger, "create partitions");
    return refuse(code, message);
  }
}

async function handle(ctx: RequestContext, body: CreatePartitionsRequest) {
  const results = [];
  for (const t of body.topics) results.push(await grow(ctx, t, body.validateOnly === true));
  return { throttleTimeMs: 0, results };
}

export const createPartitionsHandler: HandlerModule = {
  apiKey: ApiKey.CreatePartitions,
  minVersion: 0,
  maxVersion: 3,
  handle,
};
