// Idempotent producer bookkeeping: dedupe, gaps, epochs, wrap-around and eviction.

import { describe, expect, it } from "vitest";
import { ProducerStateTable } from "./producer-state.js";

describe("ProducerStateTable", () => {
  it("accepts any sequence from an unknown producer", () => {
    const t = new ProducerStateTable();
    expect(t.check(7n, "a", 0, 0, 42, 3).kind).toBe("append");
  });

  it("accepts the next sequence, dedupes a retry, refuses a gap", () => {
    const t = new ProducerStateTable();
    t.record(7n, "a", 0, 0, 0, 5, 100n);
    expect(t.check(7n, "a", 0, 0, 5, 5)).toEqual({ kind: "append" });
    expect(t.check(7n, "a", 0, 0, 0, 5)).toEqual({ kind: "duplicate", baseOffset: 100n });
    expect(t.check(7n, "a", 0, 0, 6, 1)).toEqual({ kind: "out-of-order", expectedSeq: 5 });
    // Another partition of the same producer has its own sequence.
    expect(t.check(7n, "a", 1, 0, 6, 1).kind).toBe("append");
  });

  it("remembers only the last five batches", () => {
    const t = new ProducerStateTable();
    for (let i = 0; i < 6; i++) t.record(1n, "a", 0, 0, i, 1, BigInt(i * 10));
    expect(t.check(1n, "a", 0, 0, 1, 1)).toEqual({ kind: "duplicate", baseOffset: 10n });
    expect(t.check(1n, "a", 0, 0, 0, 1).kind).toBe("out-of-order");
  });

  it("fences an older epoch and resets on a newer one", () => {
    const t = new ProducerStateTable();
    t.record(1n, "a", 0, 3, 0, 2, 0n);
    expect(t.check(1n, "a", 0, 2, 2, 1)).toEqual({ kind: "fenced", currentEpoch: 3 });
    expect(t.check(1n, "a", 0, 4, 0, 1).kind).toBe("append");
    expect(t.check(1n, "a", 0, 4, 2, 1).kind).toBe("out-of-order");
  });

  it("wraps sequences at int32 max", () => {
    const t = new ProducerStateTable();
    t.record(1n, "a", 0, 0, 0x7ffffffe, 2, 0n);
    expect(t.check(1n, "a", 0, 0, 0, 1).kind).toBe("append");
  });

  it("evicts the least recently used producer past its capacity", () => {
    const t = new ProducerStateTable(2);
    t.record(1n, "a", 0, 0, 0, 1, 0n);
    t.record(2n, "a", 0, 0, 0, 1, 1n);
    t.record(1n, "a", 0, 0, 1, 1, 2n);
    t.record(3n, "a", 0, 0, 0, 1, 3n);
    expect(t.size).toBe(2);
    // Producer 2 was evicted, so any sequence is accepted again; producer 1 is still tracked.
    expect(t.check(2n, "a", 0, 0, 9, 1).kind).toBe("append");
    expect(t.check(1n, "a", 0, 0, 9, 1).kind).toBe("out-of-order");
  });

  it("forgets a producer's partition state on request", () => {
    const t = new ProducerStateTable();
    t.record(1n, "a", 0, 0, 0, 1, 0n);
    t.forget(1n, "a", 0);
    expect(t.check(1n, "a", 0, 0, 9, 1).kind).toBe("append");
  });
});
