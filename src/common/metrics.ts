// Named counters that the monitoring API and the console read; one registry per process.

export class Counter {
  value = 0;
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}
  inc(by = 1): void {
    this.value += by;
  }
}

export class MetricsRegistry {
  private readonly counters = new Map<string, Counter>();

  counter(name: string, help: string): Counter {
    let c = this.counters.get(name);
    if (!c) {
      c = new Counter(name, help);
      this.counters.set(name, c);
    }
    return c;
  }

  snapshot(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [name, c] of this.counters) out[name] = c.value;
    return out;
  }
}
