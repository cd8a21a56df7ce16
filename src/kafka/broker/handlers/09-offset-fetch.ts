// OffsetFetch (key 9), versions 1-8: committed offsets of one group (v1-7) or several (v8);
// a partition with no commit answers offset -1 and no error, as Kafka does.

import type { FetchedOffset } from "../../groups/coordinator.js";
import { coordinatorOf } from "../../groups/handler-support.js";
import { ApiKey, ErrorCode } from "../../protocol/index.js";
import type { HandlerModule, RequestContext } from "../handler.js";

const multiGroupFromVersion = 8;

type TopicsWanted = { name: string; partitionIndexes: number[] }[] | null;

interface OffsetFetchRequest {
  groupId?: string;
  topics?: TopicsWanted;
  groups?: { groupId: string; topics: TopicsWanted }[];
}

function fetchGroup(ctx: RequestContext, groupId: string, topics: TopicsWanted) {
  const coordinator = coordinatorOf(ctx);
  if (!coordinator) return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, topics: [] };
  if (groupId === "") return { errorCode: ErrorCode.INVALID_GROUP_ID, topics: [] };
  const wanted =
    topics === null ? null : topics.map((t) => ({ name: t.name, partitions: t.partitionIndexes }));
  return { errorCode: ErrorCode.NONE, topics: groupByTopic(coordinator.fetchOffsets(groupId, wanted)) };
}

function groupByTopic(offsets: FetchedOffset[]) {
  const byTopic = new Map<string, object[]>();
  for (const o of offsets) {
    let partitions = byTopic.get(o.topic);
    if (!partitions) {
      partitions = [];
      byTopic.set(o.topic, partitions);
    }
    partitions.push({
      partitionIndex: o.partition,
      committedOffset: o.offset,
      committedLeaderEpoch: o.leaderEpoch,
      metadata: o.metadata,
      errorCode: o.errorCode,
    });
  }
  return [...byTopic].map(([name, partitions]) => ({ name, partitions }));
}

async function handle(ctx: RequestContext, body: OffsetFetchRequest) {
  if (ctx.header.apiVersion >= multiGroupFromVersion) {
    const groups = (body.groups ?? []).map((g) => ({
      groupId: g.groupId,
      ...fetchGroup(ctx, g.groupId, g.topics),
    }));
    return { throttleTimeMs: 0, groups };
  }
  const result = fetchGroup(ctx, body.groupId ?? "", body.topics ?? null);
  return { throttleTimeMs: 0, topics: result.topics, errorCode: result.errorCode };
}

export const offsetFetchHandler: HandlerModule = {
  apiKey: ApiKey.OffsetFetch,
  minVersion: 1,
  maxVersion: 8,
  handle,
};
