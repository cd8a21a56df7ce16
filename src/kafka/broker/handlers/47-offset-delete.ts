// OffsetDelete (key 47), version 0: deletes a group's committed offsets for partitions it is not consuming.

import { coordinatorOf } from "../../groups/handler-support.js";
import { ApiKey, ErrorCode } from "../../protocol/index.js";
import type { HandlerModule, RequestContext } from "../handler.js";

interface OffsetDeleteRequest {
  groupId: string;
  topics: { name: string; partitions: { partitionIndex: number }[] }[];
}

async function handle(ctx: RequestContext, body: OffsetDeleteRequest) {
  const coordinator = coordinatorOf(ctx);
  if (!coordinator) return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, throttleTimeMs: 0, topics: [] };
  const wanted = body.topics.map((t) => ({
    name: t.name,
    partitions: t.partitions.map((p) => p.partitionIndex),
  }));
  const { errorCode, results } = await coordinator.deleteOffsets(body.groupId, wanted);
  const topics = body.topics.map((t) => ({
    name: t.name,
    partitions: results
      .filter((r) => r.topic === t.name)
      .map((r) => ({ partitionIndex: r.partition, errorCode: r.errorCode })),
  }));
  return { errorCode, throttleTimeMs: 0, topics: errorCode === ErrorCode.NONE ? topics : [] };
}

export const offsetDeleteHandler: HandlerModule = {
  apiKey: ApiKey.OffsetDelete,
  minVersion: 0,
  maxVersion: 0,
  handle,
};
