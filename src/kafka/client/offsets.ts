// ListOffsets: a partition's earliest or latest offset, or the first offset at or after a timestamp.

import type { Cluster } from "./cluster.js";
import { throwIfError } from "./errors.js";
import { api } from "./versions.js";

/** "earliest", "latest", or a timestamp in ms since the epoch. */
export type OffsetSpec = "earliest" | "latest" | { timestamp: bigint | number };

export interface OffsetAnswer {
  /** -1 when asked for a timestamp later than every record in the partition. */
  offset: bigint;
  timestamp: bigint;
}

const latestTimestamp = -1n;
const earliestTimestamp = -2n;

function specTimestamp(spec: OffsetSpec): bigint {
  if (spec === "earliest") return earliestTimestamp;
  if (spec === "latest") return latestTimestamp;
  return BigInt(spec.timestamp);
}

interface ListOffsetsResponse {
  topics: Array<{
    name: string;
    partitions: Array<{ partitionIndex: number; errorCode: number; timestamp: bigint; offset: bigint }>;
  }>;
}

/** Offsets of `partitions` of `topic`; asks each partition's leader, in parallel. */
export async function listOffsets(
  cluster: Cluster,
  topic: string,
  partitions: number[],
  spec: OffsetSpec,
): Promise<Map<number, OffsetAnswer>> {
  const timestamp = specTimestamp(spec);
  const answers = new Map<number, OffsetAnswer>();
  await Promise.all(
    partitions.map((partition) =>
      cluster.withRetries(`list offsets ${topic}-${partition}`, async () => {
        answers.set(partition, await listOffsetOfPartition(cluster, topic, partition, timestamp));
      }),
    ),
  );
  return answers;
}

async function listOffsetOfPartition(
  cluster: Cluster,
  topic: string,
  partition: number,
  timestamp: bigint,
): Promise<OffsetAnswer> {
  const link = await cluster.leaderLink(topic, partition);
  const body = await cluster.request<ListOffsetsResponse>(link, api.listOffsets, () => ({
    replicaId: -1,
    isolationLevel: 0,
    topics: [{ name: topic, partitions: [{ partitionIndex: partition, currentLeaderEpoch: -1, timestamp }] }],
  }));
  const answer = body.topics
    .find((t) => t.name === topic)
    ?.partitions.find((p) => p.partitionIndex === partition);
  if (!answer) throw new Error(`list offsets ${topic}-${partition}: partition missing from the answer`);
  throwIfError(answer.errorCode, `list offsets ${topic}-${partition}`);
  return { offset: answer.offset, timestamp: answer.timestamp };
}
