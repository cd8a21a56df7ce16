// ListOffsets (key 2), versions 1-7: earliest (-2), latest (-1), max timestamp (-3) and lookup by timestamp;
// a timestamp past every record answers offset -1, timestamp -1 as Kafka does.

import { batchLayout } from "../../../log/batch.js";
import type { PartitionLog } from "../../../log/index.js";
import { ApiKey, ErrorCode } from "../../protocol/index.js";
import { firstOffsetAtOrAfter } from "../../protocol/records/record-batch.js";
import type { HandlerModule, RequestContext } from "../handler.js";
import { errorCodeFor } from "./common.js";

export const ListOffsetsTimestamp = { LATEST: -1n, EARLIEST: -2n, MAX_TIMESTAMP: -3n } as const;

interface ListOffsetsRequest {
  replicaId: number;
  isolationLevel: number;
  topics: { name: string; partitions: { partitionIndex: number; timestamp: bigint }[] }[];
}

interface OffsetAnswer {
  offset: bigint;
  timestamp: bigint;
}

async function lookup(log: PartitionLog, timestamp: bigint): Promise<OffsetAnswer> {
  if (timestamp === ListOffsetsTimestamp.LATEST) return { offset: log.logEndOffset, timestamp: -1n };
  if (timestamp === ListOffsetsTimestamp.EARLIEST) return { offset: log.logStartOffset, timestamp: -1n };
  if (timestamp === ListOffsetsTimestamp.MAX_TIMESTAMP) {
    // The batch holding the newest timestamp is found by the log; its first record at that timestamp is it.
    const found = await log.findMaxTimestamp((batch) =>
      firstOffsetAtOrAfter(batch, batch.readBigInt64BE(batchLayout.maxTimestamp)),
    );
    return found ?? { offset: -1n, timestamp: -1n };
  }
  const found = await log.findOffsetForTimestamp(timestamp, (batch) =>
    firstOffsetAtOrAfter(batch, timestamp),
  );
  return found ?? { offset: -1n, timestamp: -1n };
}

async function listPartition(ctx: RequestContext, topic: string, partitionIndex: number, timestamp: bigint) {
  const log = ctx.broker.logs.partition(topic, partitionIndex);
  const base = { partitionIndex, oldStyleOffsets: [], leaderEpoch: 0 };
  if (!log) return { ...base, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, timestamp: -1n, offset: -1n };
  try {
    const answer = await lookup(log, timestamp);
    return { ...base, errorCode: ErrorCode.NONE, ...answer };
  } catch (err) {
    const { code } = errorCodeFor(err, ctx.broker.logger, "list offsets");
    return { ...base, errorCode: code, timestamp: -1n, offset: -1n };
  }
}

async function handle(ctx: RequestContext, body: ListOffsetsRequest) {
  const topics = await Promise.all(
    body.topics.map(async (t) => ({
      name: t.name,
      partitions: await Promise.all(
        t.partitions.map((p) => listPartition(ctx, t.name, p.partitionIndex, p.timestamp)),
      ),
    })),
  );
  return { throttleTimeMs: 0, topics };
}

export const listOffsetsHandler: HandlerModule = {
  apiKey: ApiKey.ListOffsets,
  minVersion: 1,
  maxVersion: 7,
  handle,
};
