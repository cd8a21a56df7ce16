// Produce: picks each record's partition (explicit, murmur2 of the key, or sticky for null keys), encodes one
// RecordBatch per partition and sends one Produce request per leader broker.

import { assert } from "../../common/assert.js";
import type { CompressionType } from "../protocol/records/compression.js";
import { encodeBatch, type RecordInput } from "../protocol/records/record-batch.js";
import type { Cluster } from "./cluster.js";
import { KafkaResponseError } from "./errors.js";
import { partitionForKey } from "./murmur2.js";
import { api } from "./versions.js";

export type Bytes = Buffer | string;

export interface ProducerRecord {
  key?: Bytes | null;
  value: Bytes | null;
  headers?: Array<{ key: string; value: Bytes | null }>;
  /** Milliseconds since the epoch; now when absent. */
  timestamp?: number | bigint;
  /** Overrides the partitioner for this record. */
  partition?: number;
}

export const compressionCodecs = { none: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 } as const;
export type CompressionName = keyof typeof compressionCodecs;

export interface ProduceOptions {
  /** 0: no answer; 1: leader wrote it; -1: all in-sync replicas have it (Kafka's acks). */
  acks?: 0 | 1 | -1;
  compression?: CompressionName;
  /** How long the broker may wait for acks=-1 replication. */
  timeoutMs?: number;
}

export interface ProduceResult {
  partition: number;
  /** Offset of the first record of this request in the partition; -1 with acks=0. */
  baseOffset: bigint;
  recordCount: number;
}

/** Remembers, per topic, the partition null-key records stick to; it moves on after each request (sticky partitioner). */
export class StickyPartitions {
  private readonly next = new Map<string, number>();

  take(topic: string, partitionCount: number): number {
    const current = this.next.get(topic) ?? Math.floor(Math.random() * partitionCount);
    this.next.set(topic, (current + 1) % partitionCount);
    return current % partitionCount;
  }
}

function toBuffer(bytes: Bytes | null | undefined): Buffer | null {
  if (bytes === null || bytes === undefined) return null;
  return typeof bytes === "string" ? Buffer.from(bytes) : bytes;
}

/** Groups records by the partition the Java default partitioner (or the caller) picks. */
export function assignPartitions(
  records: ProducerRecord[],
  partitionCount: number,
  stickyPartition: () => number,
): Map<number, ProducerRecord[]> {
  const byPartition = new Map<number, ProducerRecord[]>();
  let sticky: number | null = null;
  for (const record of records) {
    const key = toBuffer(record.key);
    let partition: number;
    if (record.partition !== undefined) partition = record.partition;
    else if (key !== null) partition = partitionForKey(key, partitionCount);
    else partition = sticky ??= stickyPartition();
    const list = byPartition.get(partition);
    if (list) list.push(record);
    else byPartition.set(partition, [record]);
  }
  return byPartition;
}

interface ProduceResponse {
  responses: Array<{
    name: string;
    partitionResponses: Array<{
      index: number;
      errorCode: number;
      baseOffset: bigint;
      errorMessage?: string | null;
    }>;
  }>;
}

export async function produce(
  cluster: Cluster,
  sticky: StickyPartitions,
  topic: string,
  records: ProducerRecord[],
  options: ProduceOptions = {},
): Promise<ProduceResult[]> {
  if (records.length === 0) return [];
  const meta = await cluster.withRetries(`metadata of ${topic}`, () => cluster.topic(topic, false, true));
  const partitionCount = meta.partitions.length;
  const byPartition = assignPartitions(records, partitionCount, () => sticky.take(topic, partitionCount));
  const compression: CompressionType = compressionCodecs[options.compression ?? "none"];
  assert(compression !== undefined, `unknown compression ${options.compression}`);
  const results = await Promise.all(
    [...byPartition].map(async ([partition, list]) => {
      if (partition < 0 || partition >= partitionCount) {
        throw new KafkaResponseError(
          3,
          `produce to ${topic}-${partition}`,
          `topic has ${partitionCount} partitions`,
        );
      }
      const batch = await encodeBatch({ records: list.map(toBatchRecord), compression });
      const baseOffset = await cluster.withRetries(`produce to ${topic}-${partition}`, () =>
        produceBatch(cluster, topic, partition, batch, options),
      );
      return { partition, baseOffset, recordCount: list.length };
    }),
  );
  return results.sort((a, b) => a.partition - b.partition);
}

function toBatchRecord(record: ProducerRecord): RecordInput {
  return {
    key: toBuffer(record.key),
    value: toBuffer(record.value),
    headers: (record.headers ?? []).map((h) => ({ key: h.key, value: toBuffer(h.value) })),
    timestamp: BigInt(record.timestamp ?? Date.now()),
  };
}

async function produceBatch(
  cluster: Cluster,
  topic: string,
  partition: number,
  batch: Buffer,
  options: ProduceOptions,
): Promise<bigint> {
  const acks = options.acks ?? -1;
  const link = await cluster.leaderLink(topic, partition);
  const body = {
    transactionalId: null,
    acks,
    timeoutMs: options.timeoutMs ?? 30_000,
    topicData: [{ name: topic, partitionData: [{ index: partition, records: batch }] }],
  };
  if (acks === 0) {
    await cluster.request(link, api.produce, () => body, false);
    return -1n;
  }
  const response = await cluster.request<ProduceResponse>(link, api.produce, () => body);
  const answer = response.responses
    .find((r) => r.name === topic)
    ?.partitionResponses.find((p) => p.index === partition);
  if (!answer) throw new Error(`produce to ${topic}-${partition}: partition missing from the answer`);
  if (answer.errorCode !== 0)
    throw new KafkaResponseError(answer.errorCode, `produce to ${topic}-${partition}`, answer.errorMessage);
  return answer.baseOffset;
}
