// Group commit: callers of request() share fsyncs. At most one sync runs at a time; callers arriving while
// one is in flight all wait for the single next one, which starts after the current one and so covers them.

interface Waiters {
  promise: Promise<void>;
  resolve: () => void;
  reject: (err: unknown) => void;
}

function makeWaiters(): Waiters {
  let resolve!: () => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

export class GroupCommit {
  private inFlight = false;
  private next: Waiters | null = null;
  /** Syncs started, for tests and metrics. */
  syncs = 0;

  /** `sync` makes everything written before it was called durable (e.g. write barrier + fdatasync). */
  constructor(private readonly sync: () => Promise<void>) {}

  /** Resolves once a sync that started after this call has completed. */
  request(): Promise<void> {
    if (!this.next) this.next = makeWaiters();
    const { promise } = this.next;
    if (!this.inFlight) this.startNext();
    return promise;
  }

  private startNext(): void {
    const waiters = this.next;
    if (!waiters) return;
    this.next = null;
    this.inFlight = true;
    this.syncs++;
    this.sync().then(
      () => this.finish(waiters, null),
      (err) => this.finish(waiters, err ?? new Error("sync failed")),
    );
  }

  private finish(waiters: Waiters, err: unknown): void {
    this.inFlight = false;
    if (err) waiters.reject(err);
    else waiters.resolve();
    this.startNext();
  }
}
