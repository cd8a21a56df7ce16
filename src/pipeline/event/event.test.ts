import { describe, expect, it } from "vitest";
import { Event, TIMESTAMP_FAILURE_FIELD, TIMESTAMP_FAILURE_TAG } from "./event.js";
import { FieldReferenceError } from "./field-reference.js";
import { Timestamp } from "./timestamp.js";

describe("Event construction", () => {
  it("adds @timestamp (now) and @version when absent", () => {
    const before = Date.now();
    const e = new Event({ message: "hi" });
    expect(e.get("@version")).toBe("1");
    expect(e.timestamp!.epochMs).toBeGreaterThanOrEqual(before);
    expect(e.timestamp!.epochMs).toBeLessThanOrEqual(Date.now());
  });

  it("keeps a given @version and parses a given @timestamp with its sub-millisecond digits", () => {
    const e = new Event({ "@version": "2", "@timestamp": "2024-01-02T03:04:05.123456Z" });
    expect(e.get("@version")).toBe("2");
    expect(e.timestamp?.toString()).toBe("2024-01-02T03:04:05.123456Z");
    expect(e.toObject()["@timestamp"]).toBe("2024-01-02T03:04:05.123456Z");
  });

  it("moves an unparsable @timestamp aside and tags the event", () => {
    const e = new Event({ "@timestamp": "not a date" });
    expect(e.get(TIMESTAMP_FAILURE_FIELD)).toBe("not a date");
    expect(e.get("tags")).toEqual([TIMESTAMP_FAILURE_TAG]);
    expect(e.timestamp).toBeInstanceOf(Timestamp);
  });

  it("copies its input", () => {
    const input = { a: { b: 1 } };
    const e = new Event(input);
    e.set("[a][b]", 2);
    expect(input.a.b).toBe(1);
  });
});

describe("Event fields", () => {
  it.each([
    ["[a][b]", 1, true],
    ["[a][list][1]", "y", true],
    ["[a][none]", undefined, false],
    ["[a][nil]", null, true],
    ["zzz", undefined, false],
  ])("get/includes %s", (ref, value, included) => {
    const e = new Event({ a: { b: 1, list: ["x", "y"], nil: null } });
    expect(e.get(ref)).toEqual(value);
    expect(e.includes(ref)).toBe(included);
  });

  it("sets, creating intermediates, and removes", () => {
    const e = new Event();
    e.set("[x][y][z]", "v");
    expect(e.get("x")).toEqual({ y: { z: "v" } });
    expect(e.remove("[x][y]")).toEqual({ z: "v" });
    expect(e.get("x")).toEqual({});
    expect(e.includes("[x][y]")).toBe(false);
  });

  it("refuses to set beneath a scalar, and malformed references", () => {
    const e = new Event({ s: "text" });
    expect(() => e.set("[s][x]", 1)).toThrow(FieldReferenceError);
    expect(() => e.get("[a][b")).toThrow(FieldReferenceError);
    expect(() => e.set("[]", 1)).toThrow(FieldReferenceError);
    expect(e.get("s")).toBe("text");
  });

  it("parses @timestamp text on set and refuses non-timestamps", () => {
    const e = new Event();
    e.set("@timestamp", "2020-05-06T07:08:09.5Z");
    expect(e.timestamp?.toString()).toBe("2020-05-06T07:08:09.500Z");
    expect(() => e.set("@timestamp", 12)).toThrow(FieldReferenceError);
  });
});

describe("Event tags, cancel, clone, output", () => {
  it("tags without duplicates, turning a scalar tags into an array", () => {
    const e = new Event({ tags: "one" });
    e.tag("two");
    e.tag("two");
    e.tag("one");
    expect(e.get("tags")).toEqual(["one", "two"]);
    expect(e.hasTag("two")).toBe(true);
  });

  it("cancels", () => {
    const e = new Event();
    expect(e.cancelled).toBe(false);
    e.cancel();
    expect(e.cancelled).toBe(true);
    expect(e.clone().cancelled).toBe(true);
  });

  it("clones deeply", () => {
    const e = new Event({ a: { list: [1, { b: 2 }] }, "@timestamp": "2024-01-02T03:04:05Z" });
    const c = e.clone();
    c.set("[a][list][1][b]", 3);
    expect(e.get("[a][list][1][b]")).toBe(2);
    expect(c.toObject()).toEqual({ ...e.toObject(), a: { list: [1, { b: 3 }] } });
  });

  it("hides [@metadata] unless asked", () => {
    const e = new Event({ "@timestamp": "2024-01-02T03:04:05Z", message: "m" });
    e.set("[@metadata][index]", "logs");
    expect(e.get("[@metadata][index]")).toBe("logs");
    expect(e.sprintf("%{[@metadata][index]}")).toBe("logs");
    expect(JSON.parse(JSON.stringify(e))).toEqual({
      "@timestamp": "2024-01-02T03:04:05.000Z",
      "@version": "1",
      message: "m",
    });
    expect(e.toObject({ includeMetadata: true })["@metadata"]).toEqual({ index: "logs" });
  });
});
