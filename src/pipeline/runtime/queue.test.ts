import { describe, expect, it } from "vitest";
import { Event } from "../event/index.js";
import { EventQueue } from "./queue.js";

const events = (n: number) => Array.from({ length: n }, (_, i) => new Event({ sequence: i }));
const seq = (batch: Event[]) => batch.map((e) => e.get("sequence"));

describe("EventQueue", () => {
  it("says full at capacity, still accepts, and wakes producers once drained to half", async () => {
    const queue = new EventQueue(4);
    const [a, b, c, d, e] = events(5);
    expect([queue.push(a!), queue.push(b!), queue.push(c!)]).toEqual([true, true, true]);
    expect(queue.push(d!)).toBe(false);
    expect(queue.push(e!)).toBe(false);
    expect(queue.size).toBe(5);
    let ready = false;
    void queue.ready().then(() => (ready = true));
    expect(seq(await queue.take(2, 0))).toEqual([0, 1]);
    await Promise.resolve();
    expect(ready).toBe(false);
    expect(seq(await queue.take(1, 0))).toEqual([2]);
    await Promise.resolve();
    expect(ready).toBe(true);
  });

  it("keeps no reference to events once taken (they would outlive their batch in every GC)", async () => {
    const queue = new EventQueue(100);
    const pushed = events(10);
    for (const event of pushed) queue.push(event);
    const taken = await queue.take(4, 0);
    const backing = Reflect.get(queue, "items") as unknown[];
    for (const event of taken) expect(backing.includes(event)).toBe(false);
    expect(backing.filter((item) => item !== undefined)).toEqual(pushed.slice(4));
    expect(seq(await queue.take(10, 0))).toEqual([4, 5, 6, 7, 8, 9]);
  });

  it("returns a full batch at once and waits at most the delay for a short one", async () => {
    const queue = new EventQueue(100);
    for (const event of events(5)) queue.push(event);
    expect(seq(await queue.take(3, 10_000))).toEqual([0, 1, 2]);
    const started = performance.now();
    expect(seq(await queue.take(10, 30))).toEqual([3, 4]);
    expect(performance.now() - started).toBeGreaterThanOrEqual(25);
  });

  it("wakes a waiting taker as soon as its batch is full", async () => {
    const queue = new EventQueue(100);
    const started = performance.now();
    const taking = queue.take(3, 10_000);
    for (const event of events(3)) queue.push(event);
    expect(seq(await taking)).toEqual([0, 1, 2]);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it("returns an empty batch after the delay when nothing came", async () => {
    const queue = new EventQueue(10);
    expect(await queue.take(5, 10)).toEqual([]);
  });

  it("on close hands waiting takers what is left at once, then empty batches", async () => {
    const queue = new EventQueue(10);
    queue.push(events(1)[0]!);
    const taking = queue.take(5, 10_000);
    queue.close();
    expect(seq(await taking)).toEqual([0]);
    expect(await queue.take(5, 10_000)).toEqual([]);
    expect(queue.isClosed).toBe(true);
  });

  it("accept() queues everything, waiting for room when full", async () => {
    const queue = new EventQueue(2);
    let done = false;
    const accepting = queue.accept(events(5)).then(() => (done = true));
    await Promise.resolve();
    expect(done).toBe(false);
    const taken: unknown[] = [];
    while (!done || queue.size > 0) taken.push(...seq(await queue.take(1, 1)));
    await accepting;
    expect(taken).toEqual([0, 1, 2, 3, 4]);
  });

  it("keeps order across the compaction of its backing array", async () => {
    const queue = new EventQueue(100_000);
    for (const event of events(10_000)) queue.push(event);
    const taken: unknown[] = [];
    while (queue.size > 0) taken.push(...seq(await queue.take(999, 0)));
    expect(taken).toEqual(Array.from({ length: 10_000 }, (_, i) => i));
  });
});
