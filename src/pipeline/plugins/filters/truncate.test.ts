import { describe, expect, it } from "vitest";
import { Event, Timestamp } from "../../event/index.js";
import { type OptionValue, ResolvedOptions } from "../options.js";
import { quietContext } from "../registry.js";
import { truncateFilter, truncateText } from "./truncate.js";

function run(values: Record<string, OptionValue>, data: Record<string, unknown>) {
  const options = ResolvedOptions.of(values);
  const filter = truncateFilter.create(options, quietContext(truncateFilter, options));
  const event = new Event(data);
  const matched = filter.filter(event, () => {});
  return { event, matched };
}

describe("truncate filter", () => {
  it("cuts the listed fields to length_bytes and reports a match", () => {
    const { event, matched } = run(
      { fields: ["message", "[a][b]"], length_bytes: 3 },
      { message: "abcdef", a: { b: "xyzw" }, other: "untouched" },
    );
    expect(matched).toBe(true);
    expect([event.get("message"), event.get("[a][b]"), event.get("other")]).toEqual([
      "abc",
      "xyz",
      "untouched",
    ]);
  });

  it("never cuts inside a multi-byte character", () => {
    expect(truncateText("héllo", 2)).toBe("h");
    expect(truncateText("héllo", 3)).toBe("hé");
    expect(truncateText("a😀b", 4)).toBe("a");
    expect(truncateText("a😀b", 5)).toBe("a😀");
    expect(truncateText("日本語", 7)).toBe("日本");
    expect(truncateText("😀", 3)).toBe("");
  });

  it("length 0 empties strings, a negative length nulls them, fitting strings are kept", () => {
    expect(truncateText("abc", 0)).toBe("");
    expect(truncateText("abc", -1)).toBeNull();
    expect(truncateText("abc", 3)).toBe("abc");
    expect(truncateText("", 0)).toBe("");
  });

  it("cuts the strings of an array and leaves its other elements", () => {
    const { event } = run(
      { fields: ["list"], length_bytes: 2 },
      { list: ["abc", 12345, ["long"], { k: "long" }] },
    );
    expect(event.get("list")).toEqual(["ab", 12345, ["long"], { k: "long" }]);
  });

  it("walks hashes, cutting strings and arrays at any depth", () => {
    const { event } = run(
      { fields: ["h"], length_bytes: 1 },
      { h: { a: "xy", b: { c: ["pq", "r"], n: 7 } } },
    );
    expect(event.get("h")).toEqual({ a: "x", b: { c: ["p", "r"], n: 7 } });
  });

  it("without fields, truncates every top-level field but not [@metadata] or @timestamp", () => {
    const { event, matched } = run(
      { length_bytes: 1 },
      { message: "hello", tags: ["tag1"], "@metadata": { m: "long" }, "@timestamp": "2024-01-01T00:00:00Z" },
    );
    expect(matched).toBe(true);
    expect(event.get("message")).toBe("h");
    expect(event.get("tags")).toEqual(["t"]);
    expect(event.get("[@metadata][m]")).toBe("long");
    expect(event.timestamp).toBeInstanceOf(Timestamp);
  });

  it("reports no match (no decoration) when nothing was cut or the field is missing", () => {
    expect(run({ fields: ["message"], length_bytes: 10 }, { message: "short" }).matched).toBe(false);
    const missing = run({ fields: ["nope"], length_bytes: 1 }, { message: "long" });
    expect(missing.matched).toBe(false);
    expect(missing.event.includes("nope")).toBe(false);
  });

  it("declares fields (list of strings) and length_bytes (required number)", () => {
    expect(truncateFilter.options.fields).toMatchObject({ type: "string", list: true });
    expect(truncateFilter.options.length_bytes).toMatchObject({ type: "number", required: true });
  });
});
