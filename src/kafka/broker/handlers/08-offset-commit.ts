// OffsetCommit (key 8), versions 2-8: stores offsets durably (fsync'd) before answering.
// Partitions of topics this broker does not have are refused one by one; the rest are committed.

import type { OffsetToCommit } from "../../groups/coordinator.js";
import { coordinatorOf } from "../../groups/handler-support.js";
import { ApiKey, ErrorCode } from "../../protocol/index.js";
import type { HandlerModule, RequestContext } from "../handler.js";

interface OffsetCommitRequest {
  groupId: string;
  /** Named generationId in older schemas. */
  generationIdOrMemberEpoch?: number;
  generationId?: number;
  memberId: string;
  groupInstanceId?: string | null;
  topics: {
    name: string;
    partitions: {
      partitionIndex: number;
      committedOffset: bigint;
      committedLeaderEpoch?: number;
      committedMetadata: string | null;
    }[];
  }[];
}

type Outcome = { topic: string; partition: number; errorCode: number };

async function handle(ctx: RequestContext, body: OffsetCommitRequest) {
  const coordinator = coordinatorOf(ctx);
  const outcomes: Outcome[] = [];
  const toCommit: OffsetToCommit[] = [];
  for (const t of body.topics) {
    for (const p of t.partitions) {
      if (!coordinator) {
        outcomes.push({
          topic: t.name,
          partition: p.partitionIndex,
          errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE,
        });
      } else if (!ctx.broker.logs.partition(t.name, p.partitionIndex)) {
        outcomes.push({
          topic: t.name,
          partition: p.partitionIndex,
          errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
        });
      } else {
        toCommit.push({
          topic: t.name,
          partition: p.partitionIndex,
          offset: p.committedOffset,
          leaderEpoch: p.committedLeaderEpoch ?? -1,
          metadata: p.committedMetadata,
        });
      }
    }
  }
  if (coordinator && toCommit.length > 0) {
    const committed = await coordinator.commitOffsets(body.groupId, {
      generationId: body.generationIdOrMemberEpoch ?? body.generationId ?? -1,
      memberId: body.memberId,
      groupInstanceId: body.groupInstanceId ?? null,
      offsets: toCommit,
    });
    outcomes.push(...committed);
  }
  return { throttleTimeMs: 0, topics: groupByTopic(outcomes) };
}

function groupByTopic(outcomes: Outcome[]) {
  const byTopic = new Map<string, { partitionIndex: number; errorCode: number }[]>();
  for (const o of outcomes) {
    let partitions = byTopic.get(o.topic);
    if (!partitions) {
      partitions = [];
      byTopic.set(o.topic, partitions);
    }
    partitions.push({ partitionIndex: o.partition, errorCode: o.errorCode });
  }
  return [...byTopic].map(([name, partitions]) => ({ name, partitions }));
}

export const offsetCommitHandler: HandlerModule = {
  apiKey: ApiKey.OffsetCommit,
  minVersion: 2,
  maxVersion: 8,
  handle,
};
