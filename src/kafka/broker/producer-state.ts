// Idempotent producer bookkeeping: per (producerId, partition) the epoch, last sequence and the last few
// batches, so a retried batch is answered with its original offset and a gap is refused.

import { limits } from "../../common/limits.js";

/** Kafka keeps the last 5 batches per producer and partition (max.in.flight.requests for idempotence). */
export const producerBatchesRemembered = 5;

interface RememberedBatch {
  firstSeq: number;
  lastSeq: number;
  baseOffset: bigint;
}

interface ProducerPartitionState {
  epoch: number;
  lastSeq: number;
  batches: RememberedBatch[];
}

export type SequenceCheck =
  | { kind: "append" }
  | { kind: "duplicate"; baseOffset: bigint }
  | { kind: "out-of-order"; expectedSeq: number }
  | { kind: "fenced"; currentEpoch: number };

const int32Max = 0x7fffffff;

function nextSeq(seq: number, count: number): number {
  // Sequences wrap at int32 max back to 0, as in Kafka.
  const next = seq + count;
  return next > int32Max ? next - int32Max - 1 : next;
}

export class ProducerStateTable {
  // A Map iterates in insertion order; re-inserting on use makes the first key the least recently used.
  private readonly states = new Map<string, ProducerPartitionState>();

  constructor(private readonly capacity: number = limits.producerStatesMax) {}

  get size(): number {
    return this.states.size;
  }

  private static key(producerId: bigint, topic: string, partition: number): string {
    return `${producerId}:${partition}:${topic}`;
  }

  /** Decides what to do with an idempotent batch; does not change state. */
  check(
    producerId: bigint,
    topic: string,
    partition: number,
    epoch: number,
    firstSeq: number,
    recordCount: number,
  ) {
    const state = this.states.get(ProducerStateTable.key(producerId, topic, partition));
    return checkSequence(state, epoch, firstSeq, recordCount);
  }

  /** Records a batch that was appended at `baseOffset`. */
  record(
    producerId: bigint,
    topic: string,
    partition: number,
    epoch: number,
    firstSeq: number,
    recordCount: number,
    baseOffset: bigint,
  ): void {
    const key = ProducerStateTable.key(producerId, topic, partition);
    const lastSeq = nextSeq(firstSeq, recordCount - 1);
    let state = this.states.get(key);
    if (!state || state.epoch !== epoch) state = { epoch, lastSeq, batches: [] };
    this.states.delete(key);
    state.lastSeq = lastSeq;
    state.batches.push({ firstSeq, lastSeq, baseOffset });
    if (state.batches.length > producerBatchesRemembered) state.batches.shift();
    this.states.set(key, state);
    this.evictOverflow();
  }

  /** Drops what is known about a producer on one partition (after a failed append). */
  forget(producerId: bigint, topic: string, partition: number): void {
    this.states.delete(ProducerStateTable.key(producerId, topic, partition));
  }

  private evictOverflow(): void {
    while (this.states.size > this.capacity) {
      const oldest = this.states.keys().next().value;
      if (oldest === undefined) break;
      this.states.delete(oldest);
    }
  }
}

function checkSequence(
  state: ProducerPartitionState | undefined,
  epoch: number,
  firstSeq: number,
  recordCount: number,
): SequenceCheck {
  // Unknown producer: its state may have been lost on restart or eviction; accept like Kafka does.
  if (!state) return { kind: "append" };
  if (epoch < state.epoch) return { kind: "fenced", currentEpoch: state.epoch };
  if (epoch > state.epoch)
    return firstSeq === 0 ? { kind: "append" } : { kind: "out-of-order", expectedSeq: 0 };
  const lastSeq = nextSeq(firstSeq, recordCount - 1);
  for (const b of state.batches) {
    if (b.firstSeq === firstSeq && b.lastSeq === lastSeq)
      return { kind: "duplicate", baseOffset: b.baseOffset };
  }
  const expectedSeq = nextSeq(state.lastSeq, 1);
  if (firstSeq !== expectedSeq) return { kind: "out-of-order", expectedSeq };
  return { kind: "append" };
}
