// Fetch: reads partitions from given offsets at their leaders, decodes the records, and runs the consume loop
// (follow new records, or stop at the end of each partition like kcat -e). No consumer group is involved.

import type { Record } from "../protocol/records/record-batch.js";
import { decodeBatch, isControlBatch, iterateBatches } from "../protocol/records/record-batch.js";
import type { Cluster } from "./cluster.js";
import { isRetriable } from "./cluster.js";
import { KafkaResponseError } from "./errors.js";
import { api } from "./versions.js";

export type { Record } from "../protocol/records/record-batch.js";

export interface FetchOptions {
  /** How long the broker may hold a fetch waiting for minBytes. */
  maxWaitMs?: number;
  /** 0 answers at once even with no data. */
  minBytes?: number;
  /** Cap on the whole response (the broker still returns one batch larger than this, so a big record never stalls). */
  maxBytes?: number;
  partitionMaxBytes?: number;
}

export interface FetchedPartition {
  partition: number;
  /** Records at or after the requested offset, in offset order. */
  records: Record[];
  /** Where the next fetch of this partition starts. */
  nextOffset: bigint;
  highWatermark: bigint;
  logStartOffset: bigint;
}

interface FetchResponse {
  errorCode?: number;
  responses: Array<{
    topic: string;
    partitions: Array<{
      partitionIndex: number;
      errorCode: number;
      highWatermark: bigint;
      logStartOffset: bigint;
      records: Buffer | null;
    }>;
  }>;
}

const defaults = { maxWaitMs: 500, minBytes: 1, maxBytes: 50 * 1024 * 1024, partitionMaxBytes: 1024 * 1024 };

/**
 * One Fetch round for `positions` (partition → next offset), one request per leader in parallel.
 * Partitions whose leader moved are left out of the answer (metadata is refreshed for the next round).
 */
export async function fetchOnce(
  cluster: Cluster,
  topic: string,
  positions: Map<number, bigint>,
  options: FetchOptions = {},
): Promise<Map<number, FetchedPartition>> {
  const byLeader = new Map<number, number[]>();
  const meta = await cluster.topic(topic);
  for (const partition of positions.keys()) {
    const p = meta.partitions.find((x) => x.partition === partition);
    if (!p)
      throw new KafkaResponseError(
        3,
        `fetch ${topic}-${partition}`,
        `topic has ${meta.partitions.length} partitions`,
      );
    const list = byLeader.get(p.leader);
    if (list) list.push(partition);
    else byLeader.set(p.leader, [partition]);
  }
  const out = new Map<number, FetchedPartition>();
  await Promise.all(
    [...byLeader].map(async ([leader, partitions]) => {
      try {
        for (const fetched of await fetchFromLeader(cluster, leader, topic, partitions, positions, options))
          out.set(fetched.partition, fetched);
      } catch (err) {
        if (!isRetriable(err)) throw err;
        cluster.logger.debug("fetch will retry after a metadata refresh", { topic, leader, err });
        cluster.forgetTopic(topic);
      }
    }),
  );
  return out;
}

async function fetchFromLeader(
  cluster: Cluster,
  leader: number,
  topic: string,
  partitions: number[],
  positions: Map<number, bigint>,
  options: FetchOptions,
): Promise<FetchedPartition[]> {
  const link = await cluster.linkToNode(leader);
  const partitionMaxBytes = options.partitionMaxBytes ?? defaults.partitionMaxBytes;
  const body = await cluster.request<FetchResponse>(link, api.fetch, () => ({
    replicaId: -1,
    maxWaitMs: options.maxWaitMs ?? defaults.maxWaitMs,
    minBytes: options.minBytes ?? defaults.minBytes,
    maxBytes: options.maxBytes ?? defaults.maxBytes,
    isolationLevel: 0,
    sessionId: 0,
    sessionEpoch: -1,
    topics: [
      {
        topic,
        partitions: partitions.map((partition) => ({
          partition,
          currentLeaderEpoch: -1,
          fetchOffset: positions.get(partition) ?? 0n,
          lastFetchedEpoch: -1,
          logStartOffset: -1n,
          partitionMaxBytes,
        })),
      },
    ],
    forgottenTopicsData: [],
    rackId: "",
  }));
  if (body.errorCode) throw new KafkaResponseError(body.errorCode, `fetch from broker ${leader}`);
  const out: FetchedPartition[] = [];
  for (const answer of body.responses.find((r) => r.topic === topic)?.partitions ?? []) {
    const from = positions.get(answer.partitionIndex);
    if (from === undefined) continue;
    if (answer.errorCode !== 0) {
      const error = new KafkaResponseError(
        answer.errorCode,
        `fetch ${topic}-${answer.partitionIndex} at offset ${from}`,
      );
      if (isRetriable(error)) {
        cluster.forgetTopic(topic);
        continue;
      }
      throw error;
    }
    out.push({
      partition: answer.partitionIndex,
      ...(await decodeFrom(answer.records ?? Buffer.alloc(0), from)),
      highWatermark: answer.highWatermark,
      logStartOffset: answer.logStartOffset,
    });
  }
  return out;
}

/** Records at or after `from`; a compressed batch may start before it. Empty and control batches still advance the offset. */
async function decodeFrom(buf: Buffer, from: bigint): Promise<{ records: Record[]; nextOffset: bigint }> {
  const records: Record[] = [];
  let nextOffset = from;
  for (const { pos, header } of iterateBatches(buf)) {
    const lastOffset = header.baseOffset + BigInt(header.lastOffsetDelta);
    if (lastOffset < from) continue;
    if (!isControlBatch(header)) {
      const decoded = await decodeBatch(buf.subarray(pos, pos + header.sizeBytes));
      for (const record of decoded.records) if (record.offset >= from) records.push(record);
    }
    if (lastOffset + 1n > nextOffset) nextOffset = lastOffset + 1n;
  }
  return { records, nextOffset };
}

export interface ConsumeOptions extends FetchOptions {
  /** Stop reading a partition once its high watermark is reached (kcat -e); the loop ends when all are done. */
  exitAtEnd?: boolean;
  signal?: AbortSignal;
}

export interface ConsumedRecord extends Record {
  topic: string;
  partition: number;
}

/** Reads `topic` from `start` (partition → offset) until aborted, or until every partition's end with exitAtEnd. */
export async function* consume(
  cluster: Cluster,
  topic: string,
  start: Map<number, bigint>,
  options: ConsumeOptions = {},
): AsyncGenerator<ConsumedRecord> {
  const positions = new Map(start);
  const fetchOptions: FetchOptions = {
    ...options,
    minBytes: options.minBytes ?? (options.exitAtEnd ? 0 : 1),
  };
  while (positions.size > 0 && !options.signal?.aborted) {
    const fetched = await cluster.withRetries(`fetch ${topic}`, () =>
      fetchOnce(cluster, topic, positions, fetchOptions),
    );
    if (fetched.size === 0) await new Promise((resolve) => setTimeout(resolve, cluster.retryBackoffMs));
    for (const [partition, result] of [...fetched].sort((a, b) => a[0] - b[0])) {
      for (const record of result.records) {
        if (options.signal?.aborted) return;
        yield { ...record, topic, partition };
      }
      positions.set(partition, result.nextOffset);
      if (options.exitAtEnd && result.nextOffset >= result.highWatermark) positions.delete(partition);
    }
  }
}
