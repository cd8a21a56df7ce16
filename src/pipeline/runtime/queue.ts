// The queue between inputs and workers (PipelineQueue), and its bounded in-memory form: inputs push (told to pause
// when it is full, woken when it has drained to half), workers take batches of up to N events, waiting a bounded
// time for a batch to fill.

import { assert } from "../../common/assert.js";
import type { Event } from "../event/index.js";

/** Taken-from slots kept at the head before the backing array is compacted. */
const compactAfterEvents = 4096;
/** How long an idle worker waits for a first event when the batch delay is 0 (it must wake now and then to flush). */
const idleWaitMs = 100;

/** Events a worker took, to be acknowledged once they have passed every output. */
export interface QueueBatch {
  readonly events: Event[];
  /** The batch has been through the filters and outputs: a persisted queue may now forget its events. */
  ack(): void;
}

/** What the pipeline needs of a queue; EventQueue (memory) and PersistedQueue (disk) implement it. */
export interface PipelineQueue {
  /** Events queued and not yet taken by a worker. */
  readonly size: number;
  readonly isClosed: boolean;
  push(event: Event): boolean;
  ready(): Promise<void>;
  /** Resolves once every event is queued (and, for a persisted queue, written and fsynced). */
  accept(events: readonly Event[]): Promise<void>;
  /** Like EventQueue.take; after close() a queue that does not drain returns empty batches at once. */
  takeBatch(max: number, delayMs: number): Promise<QueueBatch>;
  /** No more events will come. */
  close(): void;
  /** Workers have stopped: make what is left durable and release files. */
  shutdown(): Promise<void>;
}

const noAck = () => {};

interface BatchWaiter {
  /** Queue size at which the waiting worker's batch is full. */
  wanted: number;
  wake: () => void;
}

export class EventQueue implements PipelineQueue {
  /** Queued events from `head` on; the taken slots before it are cleared. */
  private items: (Event | undefined)[] = [];
  private head = 0;
  private closed = false;
  private readonly batchWaiters: BatchWaiter[] = [];
  private roomWaiters: Array<() => void> = [];
  private readonly lowWater: number;

  constructor(readonly capacity: number) {
    assert(Number.isInteger(capacity) && capacity > 0, "queue capacity must be a positive integer");
    this.lowWater = Math.floor(capacity / 2);
  }

  get size(): number {
    return this.items.length - this.head;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Adds an event (always accepted); false means the queue is full and the producer should wait for `ready()`. */
  push(event: Event): boolean {
    this.items.push(event);
    const size = this.items.length - this.head;
    const waiter = this.batchWaiters[0];
    if (waiter !== undefined && size >= waiter.wanted) {
      this.batchWaiters.shift();
      waiter.wake();
    }
    return size < this.capacity;
  }

  /** Resolves at once when there is room, else once workers have taken the queue down to half. */
  ready(): Promise<void> {
    if (this.size < this.capacity || this.closed) return Promise.resolve();
    return new Promise((resolve) => this.roomWaiters.push(resolve));
  }

  /** Pushes every event, waiting for room whenever the queue is full; resolves once all are queued. */
  async accept(events: readonly Event[]): Promise<void> {
    for (const event of events) {
      if (!this.push(event)) await this.ready();
    }
  }

  /**
   * Up to `max` events. An empty queue is waited on until a first event comes; then what arrives within `delayMs`
   * joins the batch while it is short. Returns early once the batch is full or the queue closes; an empty batch
   * means nothing came within the delay, or the queue is closed and drained.
   */
  async take(max: number, delayMs: number): Promise<Event[]> {
    if (this.size === 0 && !this.closed) await this.waitFor(1, delayMs > 0 ? delayMs : idleWaitMs);
    if (this.size > 0 && this.size < max && !this.closed && delayMs > 0) await this.waitFor(max, delayMs);
    return this.drain(max);
  }

  async takeBatch(max: number, delayMs: number): Promise<QueueBatch> {
    return { events: await this.take(max, delayMs), ack: noAck };
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }

  /** No more events will come; waiting workers get what is left without waiting. */
  close(): void {
    this.closed = true;
    for (const waiter of this.batchWaiters.splice(0)) waiter.wake();
    this.wakeProducers();
  }

  private waitFor(max: number, delayMs: number): Promise<void> {
    return new Promise((resolve) => {
      const waiter: BatchWaiter = {
        wanted: max,
        wake: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        const at = this.batchWaiters.indexOf(waiter);
        if (at >= 0) this.batchWaiters.splice(at, 1);
        resolve();
      }, delayMs);
      this.batchWaiters.push(waiter);
    });
  }

  private drain(max: number): Event[] {
    const end = Math.min(this.items.length, this.head + max);
    const batch = this.items.slice(this.head, end) as Event[];
    // Taken slots must not keep their events alive until the next compaction: a few thousand processed events
    // held there survive every young-generation collection and are copied and promoted for nothing.
    this.items.fill(undefined, this.head, end);
    this.head = end;
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head >= compactAfterEvents) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    if (this.roomWaiters.length > 0 && this.size <= this.lowWater) this.wakeProducers();
    // Another worker may have been waiting behind this one for what is still queued.
    const next = this.batchWaiters[0];
    if (next !== undefined && this.size >= next.wanted) {
      this.batchWaiters.shift();
      next.wake();
    }
    return batch;
  }

  private wakeProducers(): void {
    const waiters = this.roomWaiters;
    this.roomWaiters = [];
    for (const wake of waiters) wake();
  }
}
