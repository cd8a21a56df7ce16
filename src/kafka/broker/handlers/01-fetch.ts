// Fetch (key 1), versions 2-12 (2-3 only to answer that old message formats are not served): reads whole batches by reference (no copies), long-polls until minBytes or
// maxWaitMs, and always returns at least the first batch so a consumer can get past a large one.
// Fetch sessions are declined (sessionId 0 in the answer), which Kafka's protocol allows.

import { limits } from "../../../common/limits.js";
import type { PartitionLog } from "../../../log/index.js";
import { ApiKey, ErrorCode } from "../../protocol/index.js";
import type { HandlerModule, RequestContext } from "../handler.js";
import { errorCodeFor } from "./common.js";

/** Kafka answers "no data" with an empty record set, never null: librdkafka rejects a null (size -1) one. */
const noRecords = Buffer.alloc(0);

/** Pause before re-reading when a wait ended without new data. */
const fetchRecheckMs = 10;

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}

interface FetchPartitionRequest {
  partition: number;
  fetchOffset: bigint;
  partitionMaxBytes: number;
}

interface FetchRequest {
  maxWaitMs: number;
  minBytes: number;
  maxBytes: number;
  sessionId: number;
  sessionEpoch: number;
  topics: { topic: string; partitions: FetchPartitionRequest[] }[];
}

interface FetchPartitionResult {
  partitionIndex: number;
  errorCode: number;
  highWatermark: bigint;
  lastStableOffset: bigint;
  logStartOffset: bigint;
  abortedTransactions: null;
  preferredReadReplica: number;
  records: Buffer[] | Buffer;
}

interface ReadPass {
  responses: { topic: string; partitions: FetchPartitionResult[] }[];
  bytes: number;
  anyError: boolean;
  /** Logs with nothing to return yet, with the offset to wait for. */
  waitable: { log: PartitionLog; offset: bigint }[];
}

function emptyResult(partitionIndex: number, errorCode: number, log?: PartitionLog): FetchPartitionResult {
  const end = log ? log.logEndOffset : -1n;
  return {
    partitionIndex,
    errorCode,
    highWatermark: end,
    lastStableOffset: end,
    logStartOffset: log ? log.logStartOffset : -1n,
    abortedTransactions: null,
    preferredReadReplica: -1,
    records: noRecords,
  };
}

async function readPartition(
  ctx: RequestContext,
  topic: string,
  req: FetchPartitionRequest,
  budget: number,
  pass: ReadPass,
): Promise<FetchPartitionResult> {
  const log = ctx.broker.logs.partition(topic, req.partition);
  if (!log) {
    pass.anyError = true;
    return emptyResult(req.partition, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  }
  const maxBytes = Math.max(0, Math.min(req.partitionMaxBytes, budget));
  try {
    // KIP-74: only the first partition that has data may exceed the limits, by at most one batch.
    const read = await log.read(req.fetchOffset, maxBytes, pass.bytes === 0);
    pass.bytes += read.bytes;
    const result = emptyResult(req.partition, ErrorCode.NONE, log);
    if (read.batches.length > 0) result.records = read.batches;
    else pass.waitable.push({ log, offset: req.fetchOffset });
    return result;
  } catch (err) {
    pass.anyError = true;
    const { code } = errorCodeFor(err, ctx.broker.logger, "fetch");
    return emptyResult(req.partition, code, log);
  }
}

async function readAll(ctx: RequestContext, body: FetchRequest): Promise<ReadPass> {
  const limit = Math.min(
    body.maxBytes > 0 ? body.maxBytes : limits.fetchResponseBytesMax,
    limits.fetchResponseBytesMax,
  );
  const pass: ReadPass = { responses: [], bytes: 0, anyError: false, waitable: [] };
  for (const t of body.topics) {
    // In order, not concurrently: each partition's byte budget depends on what the earlier ones returned.
    const partitions: FetchPartitionResult[] = [];
    for (const p of t.partitions)
      partitions.push(await readPartition(ctx, t.topic, p, limit - pass.bytes, pass));
    pass.responses.push({ topic: t.topic, partitions });
  }
  return pass;
}

/** Resolves when any of the logs gets data past its offset, or the signal aborts. */
async function waitForAny(waitable: ReadPass["waitable"], signal: AbortSignal): Promise<void> {
  const done = new AbortController();
  const both = AbortSignal.any([signal, done.signal]);
  try {
    await Promise.race(
      waitable.map(({ log, offset }) => log.waitForData(offset, both).catch(() => undefined)),
    );
  } finally {
    done.abort();
  }
}

/**
 * Fetch v2-3 readers expect message format v0/v1, which Kafka produces by down-converting; we store only
 * v2 batches and do not down-convert, so such readers get UNSUPPORTED_FOR_MESSAGE_FORMAT per partition.
 * The versions are advertised anyway because librdkafka turns gzip, snappy and lz4 off for brokers that
 * lack Produce v2 and Fetch v2 (its "MsgVer1" feature check), even though it then uses v3+/v4+.
 */
function refuseOldFormat(body: FetchRequest) {
  return {
    throttleTimeMs: 0,
    responses: body.topics.map((t) => ({
      topic: t.topic,
      partitions: t.partitions.map((p) => emptyResult(p.partition, ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT)),
    })),
  };
}

async function handle(ctx: RequestContext, body: FetchRequest) {
  if (ctx.header.apiVersion < 4) return refuseOldFormat(body);
  if (ctx.header.apiVersion >= 7 && body.sessionId !== 0) {
    // We never create sessions, so a client naming one is confused; this makes it start over sessionless.
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.FETCH_SESSION_ID_NOT_FOUND,
      sessionId: 0,
      responses: [],
    };
  }
  const waitMs = Math.max(0, Math.min(body.maxWaitMs, limits.fetchWaitMsMax));
  const deadline = Date.now() + waitMs;
  let pass = await readAll(ctx, body);
  while (pass.bytes < body.minBytes && !pass.anyError && pass.waitable.length > 0) {
    const remainingMs = deadline - Date.now();
    if (remainingMs <= 0) break;
    // A plain timer, not AbortSignal.timeout(): on Node 20 a timeout signal reachable only through
    // AbortSignal.any() can be garbage-collected before it fires, leaving the fetch parked past maxWaitMs.
    const deadlineReached = new AbortController();
    const timer = setTimeout(() => deadlineReached.abort(), remainingMs);
    const stops = [deadlineReached.signal, ctx.broker.shutdown];
    if (ctx.signal) stops.push(ctx.signal);
    const stop = AbortSignal.any(stops);
    try {
      await waitForAny(pass.waitable, stop);
      if (ctx.signal?.aborted || ctx.broker.shutdown.aborted) break;
      // The log may decline to park a waiter (too many) and return at once: back off instead of spinning.
      if (!stop.aborted && !pass.waitable.some(({ log, offset }) => log.logEndOffset > offset)) {
        await sleep(fetchRecheckMs, stop);
      }
    } finally {
      clearTimeout(timer);
    }
    pass = await readAll(ctx, body);
  }
  return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, sessionId: 0, responses: pass.responses };
}

export const fetchHandler: HandlerModule = { apiKey: ApiKey.Fetch, minVersion: 2, maxVersion: 12, handle };
