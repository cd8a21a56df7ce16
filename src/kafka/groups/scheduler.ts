// Time and timers for the group coordinator, behind an interface so unit tests can drive time by hand.
// The real scheduler's timers are unref'd: a pending session timeout never keeps the process alive.

export interface TimerHandle {
  cancel(): void;
}

export interface Scheduler {
  now(): number;
  schedule(delayMs: number, fn: () => void): TimerHandle;
}

export function realScheduler(clock: () => number = Date.now): Scheduler {
  return {
    now: clock,
    schedule(delayMs, fn) {
      const t = setTimeout(fn, Math.max(0, delayMs));
      t.unref();
      return { cancel: () => clearTimeout(t) };
    },
  };
}

interface ManualTimer {
  at: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

/** A scheduler whose clock moves only when a test calls advance(); due timers run in time order. */
export class ManualScheduler implements Scheduler {
  private time: number;
  private seq = 0;
  private timers: ManualTimer[] = [];

  constructor(startMs = 1_000_000) {
    this.time = startMs;
  }

  now(): number {
    return this.time;
  }

  schedule(delayMs: number, fn: () => void): TimerHandle {
    const timer: ManualTimer = {
      at: this.time + Math.max(0, delayMs),
      seq: this.seq++,
      fn,
      cancelled: false,
    };
    this.timers.push(timer);
    return { cancel: () => (timer.cancelled = true) };
  }

  /** Moves the clock forward, running every timer that falls due on the way (including ones they schedule). */
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      this.timers = this.timers.filter((t) => !t.cancelled);
      const due = this.timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!due) break;
      this.time = Math.max(this.time, due.at);
      due.cancelled = true;
      due.fn();
    }
    this.time = end;
  }

  pendingTimers(): number {
    return this.timers.filter((t) => !t.cancelled).length;
  }
}
