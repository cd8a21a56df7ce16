// OffsetForLeaderEpoch (key 23), versions 0-4: every partition has had one leader epoch, 0, so its end
// offset is the log end; a later epoch is unknown to us.

import { ApiKey, ErrorCode } from "../../protocol/index.js";
import type { HandlerModule, RequestContext } from "../handler.js";

interface OffsetForLeaderEpochRequest {
  topics: {
    topic: string;
    partitions: { partition: number; currentLeaderEpoch: number; leaderEpoch: number }[];
  }[];
}

function endOffsetFor(ctx: RequestContext, topic: string, partition: number, leaderEpoch: number) {
  const log = ctx.broker.logs.partition(topic, partition);
  if (!log)
    return { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, partition, leaderEpoch: -1, endOffset: -1n };
  // An epoch we never had: Kafka answers "undefined epoch" (-1, -1) and the client truncates nothing.
  if (leaderEpoch > 0) return { errorCode: ErrorCode.NONE, partition, leaderEpoch: -1, endOffset: -1n };
  return { errorCode: ErrorCode.NONE, partition, leaderEpoch: 0, endOffset: log.logEndOffset };
}

async function handle(ctx: RequestContext, body: OffsetForLeaderEpochRequest) {
  const topics = body.topics.map((t) => ({
    topic: t.topic,
    partitions: t.partitions.map((p) => endOffsetFor(ctx, t.topic, p.partition, p.leaderEpoch)),
  }));
  return { throttleTimeMs: 0, topics };
}

export const offsetForLeaderEpochHandler: HandlerModule = {
  apiKey: ApiKey.OffsetForLeaderEpoch,
  minVersion: 0,
  maxVersion: 4,
  handle,
};
