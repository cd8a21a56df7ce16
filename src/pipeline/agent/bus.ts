// The in-process bus between pipelines: a `pipeline` input listens on an address, a `pipeline` output sends
// batches to addresses. Module-level so the two plugins meet without importing each other or the agent.

import type { Event } from "../event/index.js";

/** What a `pipeline` input registers: its pipeline's sink, so a send waits until the events are queued there. */
export interface BusReceiver {
  readonly pipelineId: string;
  readonly pluginId: string;
  accept(events: Event[]): Promise<void>;
}

export class AddressInUseError extends Error {
  override name = "AddressInUseError";
}

export class PipelineBus {
  private readonly receivers = new Map<string, BusReceiver>();
  /** Senders waiting for an address to get a listener (ensure_delivery). */
  private readonly waiting = new Map<string, Set<() => void>>();
  /** Sends each receiver is still queueing. */
  private readonly inFlight = new Map<BusReceiver, Set<Promise<void>>>();

  /** Claims `address`; Logstash refuses a second listener on the same address. */
  listen(address: string, receiver: BusReceiver): void {
    const holder = this.receivers.get(address);
    if (holder !== undefined && holder !== receiver)
      throw new AddressInUseError(
        `pipeline address "${address}" is already used by pipeline "${holder.pipelineId}" (input ${holder.pluginId})`,
      );
    this.receivers.set(address, receiver);
    const wake = this.waiting.get(address);
    this.waiting.delete(address);
    for (const resolve of wake ?? []) resolve();
  }

  /**
   * Frees `address` if `receiver` holds it. Resolves once every send already handed to `receiver` has been
   * queued, so an input that awaits it before returning closes its queue with nothing still arriving.
   */
  unlisten(address: string, receiver: BusReceiver): Promise<void> {
    if (this.receivers.get(address) === receiver) this.receivers.delete(address);
    const pending = this.inFlight.get(receiver);
    return pending === undefined ? Promise.resolve() : Promise.allSettled(pending).then(() => {});
  }

  /** The listener on `address`; its accept() is tracked so that unlisten() can wait for sends under way. */
  receiverOf(address: string): BusReceiver | undefined {
    const receiver = this.receivers.get(address);
    if (receiver === undefined) return undefined;
    return { ...receiver, accept: (events) => this.track(receiver, receiver.accept(events)) };
  }

  /** Resolves once `address` has a listener, or after `timeoutMs` (the caller re-checks and logs that it waits). */
  waitForListener(address: string, timeoutMs: number): Promise<void> {
    if (this.receivers.has(address)) return Promise.resolve();
    return new Promise((resolve) => {
      let waiters = this.waiting.get(address);
      if (waiters === undefined) {
        waiters = new Set();
        this.waiting.set(address, waiters);
      }
      const set = waiters;
      const done = () => {
        clearTimeout(timer);
        set.delete(done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      set.add(done);
    });
  }

  private track(receiver: BusReceiver, sending: Promise<void>): Promise<void> {
    let pending = this.inFlight.get(receiver);
    if (pending === undefined) {
      pending = new Set();
      this.inFlight.set(receiver, pending);
    }
    const set = pending;
    set.add(sending);
    const settle = () => {
      set.delete(sending);
      if (set.size === 0) this.inFlight.delete(receiver);
    };
    sending.then(settle, settle);
    return sending;
  }

  /** Addresses with a listener, for the agent and tests. */
  addresses(): string[] {
    return [...this.receivers.keys()].sort();
  }
}

/** The bus every `pipeline` input and output of this process uses. */
export const pipelineBus = new PipelineBus();
