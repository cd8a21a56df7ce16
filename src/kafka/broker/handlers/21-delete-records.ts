// DeleteRecords (key 21), versions 0-2: moves a partition's log start offset forward (-1 = to the end).

import { ApiKey, ErrorCode } from "../../protocol/index.js";
import type { HandlerModule, RequestContext } from "../handler.js";
import { errorCodeFor } from "./common.js";

interface DeleteRecordsRequest {
  topics: { name: string; partitions: { partitionIndex: number; offset: bigint }[] }[];
  timeoutMs: number;
}

async function deletePartition(ctx: RequestContext, topic: string, partitionIndex: number, offset: bigint) {
  const log = ctx.broker.logs.partition(topic, partitionIndex);
  if (!log) return { partitionIndex, lowWatermark: -1n, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION };
  const target = offset === -1n ? log.logEndOffset : offset;
  if (target < 0n || target > log.logEndOffset) {
    return { partitionIndex, lowWatermark: log.logStartOffset, errorCode: ErrorCode.OFFSET_OUT_OF_RANGE };
  }
  try {
    await log.deleteRecordsBefore(target);
    return { partitionIndex, lowWatermark: log.logStartOffset, errorCode: ErrorCode.NONE };
  } catch (err) {
    const { code } = errorCodeFor(err, ctx.broker.logger, "delete records");
    return { partitionIndex, lowWatermark: log.logStartOffset, errorCode: code };
  }
}

async function handle(ctx: RequestContext, body: DeleteRecordsRequest) {
  const topics = await Promise.all(
    body.topics.map(async (t) => ({
      name: t.name,
      partitions: await Promise.all(
        t.partitions.map((p) => deletePartition(ctx, t.name, p.partitionIndex, p.offset)),
      ),
    })),
  );
  return { throttleTimeMs: 0, topics };
}

export const deleteRecordsHandler: HandlerModule = {
  apiKey: ApiKey.DeleteRecords,
  minVersion: 0,
  maxVersion: 2,
  handle,
};
