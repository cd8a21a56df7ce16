import { describe, expect, it } from "vitest";
import { Event, Timestamp } from "../event/index.js";
import { resolveSettings } from "../runtime/settings.js";
import { decodeEvent, encodeEvent } from "./event-codec.js";

describe("event encoding", () => {
  it("round-trips Timestamps anywhere in the tree, with every digit, and leaves date-like strings alone", () => {
    const event = new Event({
      "@timestamp": "2024-01-02T03:04:05.000000001Z",
      text: "2024-01-02T03:04:05Z",
      list: [new Timestamp(5, 999_999), { deep: [new Timestamp(-1000, 1)] }],
      "@metadata": { at: new Timestamp(1_700_000_000_000, 7) },
    });
    const back = decodeEvent(encodeEvent(event));
    expect(back.timestamp!.toString()).toBe("2024-01-02T03:04:05.000000001Z");
    expect(back.get("text")).toBe("2024-01-02T03:04:05Z");
    expect(back.get("[list][0]")).toEqual(new Timestamp(5, 999_999));
    expect(back.get("[list][1][deep][0]")).toEqual(new Timestamp(-1000, 1));
    expect(back.get("[@metadata][at]")).toEqual(new Timestamp(1_700_000_000_000, 7));
    expect(back.toObject({ includeMetadata: true })).toEqual(event.toObject({ includeMetadata: true }));
  });

  it("does not add @version or @timestamp the event did not have", () => {
    const event = new Event({ a: 1 });
    event.remove("@version");
    event.remove("@timestamp");
    const back = decodeEvent(encodeEvent(event));
    expect(back.includes("@version")).toBe(false);
    expect(back.includes("@timestamp")).toBe(false);
  });

  it("refuses bytes that are not an encoded event", () => {
    expect(() => decodeEvent(Buffer.from("[1,2]"))).toThrow();
    expect(() => decodeEvent(Buffer.from('{"t":[["x"]],"f":{"x":1}}'))).toThrow(/no timestamp/);
  });
});

describe("queue and dead-letter settings", () => {
  it("default to Logstash's values", () => {
    const resolved = resolveSettings({ workers: 1 });
    expect(resolved).toMatchObject({
      queueType: "memory",
      queueMaxBytes: 1024 ** 3,
      queuePageCapacityBytes: 64 * 1024 ** 2,
      queueCheckpointWrites: 1024,
      queueDrain: false,
      dlqEnabled: false,
      dlqMaxBytes: 1024 ** 3,
      dlqStoragePolicy: "drop_newer",
      dlqRetainAgeMs: undefined,
      dlqFlushIntervalMs: 5000,
    });
  });

  it("reports every bad value", () => {
    const resolved = resolveSettings({
      workers: 1,
      queueType: "disk" as never,
      queueMaxBytes: 0,
      queuePageCapacityBytes: 10,
      queueCheckpointWrites: -1,
      dlqMaxBytes: -5,
      dlqStoragePolicy: "drop_all" as never,
      dlqRetainAgeMs: 0,
      dlqFlushIntervalMs: 0,
    });
    expect("errors" in resolved && resolved.errors).toEqual([
      expect.stringMatching(/queue.type/),
      expect.stringMatching(/queue.max_bytes/),
      expect.stringMatching(/queue.page_capacity/),
      expect.stringMatching(/queue.checkpoint.writes/),
      expect.stringMatching(/dead_letter_queue.max_bytes/),
      expect.stringMatching(/storage_policy/),
      expect.stringMatching(/retain.age/),
      expect.stringMatching(/flush_interval/),
    ]);
  });
});
