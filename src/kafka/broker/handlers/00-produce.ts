// Produce (key 0), versions 0-9: validates each partition's batches (headers and CRC only, no per-record work),
// appends them, dedupes idempotent retries, and with acks=-1 answers only after an fsync. Versions 0-2 carry
// the old message formats, which validation refuses (error 43); they are advertised anyway because librdkafka
// turns gzip, snappy and lz4 off for a broker whose ApiVersions lacks Produce v0.

import { attributeBits, type BatchHeader } from "../../../log/batch.js";
import type { PartitionLog } from "../../../log/index.js";
import { ApiKey, ErrorCode } from "../../protocol/index.js";
import { validateProduceRecords } from "../../protocol/records/validate.js";
import type { BrokerState, HandlerModule, RequestContext } from "../handler.js";
import { errorCodeFor } from "./common.js";
import { topicMaxMessageBytes } from "./topic-configs.js";

interface ProduceRequest {
  transactionalId: string | null;
  acks: number;
  timeoutMs: number;
  topicData: { name: string; partitionData: { index: number; records: Buffer | null }[] }[];
}

interface PartitionResult {
  index: number;
  errorCode: number;
  baseOffset: bigint;
  logAppendTimeMs: bigint;
  logStartOffset: bigint;
  recordErrors: { batchIndex: number; batchIndexErrorMessage: string | null }[];
  errorMessage: string | null;
}

function failed(index: number, errorCode: number, errorMessage: string | null): PartitionResult {
  return {
    index,
    errorCode,
    baseOffset: -1n,
    logAppendTimeMs: -1n,
    logStartOffset: -1n,
    recordErrors: [],
    errorMessage,
  };
}

/**
 * Appends one batch, honouring idempotence: a retry gets its first offset back, a gap is refused. The log
 * assigns offsets synchronously inside append() (writing them into the batch), so the sequence check and the
 * state update happen in one synchronous step and pipelined batches of one producer need no lock.
 */
async function appendBatch(
  broker: BrokerState,
  log: PartitionLog,
  topic: string,
  partition: number,
  batch: Buffer,
  header: BatchHeader,
): Promise<{ errorCode: number; baseOffset: bigint; logStartOffset: bigint; message: string | null }> {
  const { producerId, producerEpoch, baseSequence, recordCount } = header;
  const producers = broker.producers;
  if (producerId >= 0n) {
    const verdict = producers.check(producerId, topic, partition, producerEpoch, baseSequence, recordCount);
    if (verdict.kind === "duplicate") {
      return {
        errorCode: ErrorCode.NONE,
        baseOffset: verdict.baseOffset,
        logStartOffset: log.logStartOffset,
        message: null,
      };
    }
    if (verdict.kind === "fenced") {
      return {
        errorCode: ErrorCode.INVALID_PRODUCER_EPOCH,
        baseOffset: -1n,
        logStartOffset: -1n,
        message: "producer epoch is older than the current one",
      };
    }
    if (verdict.kind === "out-of-order") {
      const message = `expected sequence ${verdict.expectedSeq}, got ${baseSequence}`;
      return {
        errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
        baseOffset: -1n,
        logStartOffset: -1n,
        message,
      };
    }
  }
  const appending = log.append(batch);
  if (producerId >= 0n) {
    producers.record(
      producerId,
      topic,
      partition,
      producerEpoch,
      baseSequence,
      recordCount,
      batch.readBigInt64BE(0),
    );
  }
  try {
    const appended = await appending;
    return {
      errorCode: ErrorCode.NONE,
      baseOffset: appended.baseOffset,
      logStartOffset: appended.logStartOffset,
      message: null,
    };
  } catch (err) {
    // Forgetting the producer is the safe undo: an unknown producer's next batch is accepted whatever its sequence.
    if (producerId >= 0n) producers.forget(producerId, topic, partition);
    throw err;
  }
}

async function producePartition(
  ctx: RequestContext,
  topic: string,
  index: number,
  records: Buffer | null,
  touched: Set<PartitionLog>,
): Promise<PartitionResult> {
  const broker = ctx.broker;
  const meta = broker.logs.topic(topic);
  const log = meta ? broker.logs.partition(topic, index) : undefined;
  if (!meta || !log) return failed(index, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, null);
  const checked = validateProduceRecords(records, topicMaxMessageBytes(broker, meta));
  if (!checked.ok || !records)
    return failed(
      index,
      checked.ok ? ErrorCode.INVALID_REQUEST : checked.errorCode,
      checked.ok ? null : checked.message,
    );
  let first: PartitionResult | null = null;
  for (const { pos, header } of checked.batches) {
    if ((header.attributes & attributeBits.transactional) !== 0) {
      broker.logger.warn("refused a transactional batch: transactions are not supported", {
        topic,
        client: ctx.header.clientId,
      });
      return failed(index, ErrorCode.INVALID_RECORD, "transactions are not supported by this broker");
    }
    const result = await appendBatch(
      broker,
      log,
      topic,
      index,
      records.subarray(pos, pos + header.sizeBytes),
      header,
    );
    if (result.errorCode !== ErrorCode.NONE) return failed(index, result.errorCode, result.message);
    touched.add(log);
    first ??= {
      ...failed(index, ErrorCode.NONE, null),
      baseOffset: result.baseOffset,
      logStartOffset: result.logStartOffset,
    };
  }
  return first ?? failed(index, ErrorCode.CORRUPT_MESSAGE, "no batches");
}

async function flushTouched(ctx: RequestContext, touched: Set<PartitionLog>): Promise<Set<PartitionLog>> {
  const failedLogs = new Set<PartitionLog>();
  await Promise.all(
    [...touched].map((log) =>
      log.flush().catch((err: unknown) => {
        ctx.broker.logger.error("flush failed", { err });
        failedLogs.add(log);
      }),
    ),
  );
  return failedLogs;
}

/** One partition's answer; never throws (an unexpected error becomes that partition's error code). */
async function answerPartition(
  ctx: RequestContext,
  body: ProduceRequest,
  topic: string,
  p: { index: number; records: Buffer | null },
  touched: Set<PartitionLog>,
): Promise<PartitionResult> {
  if (body.acks !== 0 && body.acks !== 1 && body.acks !== -1) {
    return failed(p.index, ErrorCode.INVALID_REQUIRED_ACKS, null);
  }
  if (body.transactionalId) {
    const message = "transactions are not supported by this broker";
    return failed(p.index, ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, message);
  }
  try {
    return await producePartition(ctx, topic, p.index, p.records, touched);
  } catch (err) {
    const { code, message } = errorCodeFor(err, ctx.broker.logger, "produce");
    return failed(p.index, code, message);
  }
}

async function handle(ctx: RequestContext, body: ProduceRequest) {
  const broker = ctx.broker;
  if (body.transactionalId) {
    broker.logger.warn("refused a transactional produce: transactions are not supported", {
      client: ctx.header.clientId,
    });
  }
  const touched = new Set<PartitionLog>();
  const logsByResult = new Map<PartitionResult, PartitionLog | undefined>();
  const responses = await Promise.all(
    body.topicData.map(async (t) => ({
      name: t.name,
      partitionResponses: await Promise.all(
        t.partitionData.map(async (p) => {
          const result = await answerPartition(ctx, body, t.name, p, touched);
          logsByResult.set(result, broker.logs.partition(t.name, p.index));
          return result;
        }),
      ),
    })),
  );
  if (body.acks === 0) return null;
  // acks=-1: durable before answering. The log's group commit makes concurrent flushes share one fdatasync.
  if (body.acks === -1 && touched.size > 0) {
    const failedLogs = await flushTouched(ctx, touched);
    for (const [result, log] of logsByResult) {
      if (log && failedLogs.has(log) && result.errorCode === ErrorCode.NONE) {
        Object.assign(result, failed(result.index, ErrorCode.KAFKA_STORAGE_ERROR, "fsync failed"));
      }
    }
  }
  return { responses, throttleTimeMs: 0 };
}

export const produceHandler: HandlerModule = { apiKey: ApiKey.Produce, minVersion: 0, maxVersion: 9, handle };
