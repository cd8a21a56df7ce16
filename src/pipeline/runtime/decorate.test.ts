import { describe, expect, it } from "vitest";
import { Event } from "../event/index.js";
import { ResolvedOptions } from "../plugins/options.js";
import { filterDecoration, inputDecoration } from "./decorate.js";

describe("filter decoration (filter_matched)", () => {
  it("is absent when no common option is set", () => {
    expect(
      filterDecoration(ResolvedOptions.of({ add_field: {}, add_tag: [], remove_field: [], remove_tag: [] })),
    ).toBeUndefined();
    expect(inputDecoration(ResolvedOptions.of({ add_field: {} }))).toBeUndefined();
  });

  it("leaves an event without tags alone on remove_tag, and wraps a scalar tags field on add_tag", () => {
    const removeOnly = filterDecoration(ResolvedOptions.of({ remove_tag: ["x"] }))!;
    const bare = new Event({ message: "m" });
    removeOnly(bare);
    expect(bare.includes("tags")).toBe(false);
    const scalar = new Event({ tags: "one" });
    filterDecoration(ResolvedOptions.of({ add_tag: ["two"] }))!(scalar);
    expect(scalar.get("tags")).toEqual(["one", "two"]);
  });

  it("adds each value of a repeated add_field key, and turns numbers into text", () => {
    const event = new Event({});
    filterDecoration(ResolvedOptions.of({ add_field: { a: ["1", "2"], n: 5 } }))!(event);
    expect(event.get("a")).toEqual(["1", "2"]);
    expect(event.get("n")).toBe("5");
  });

  it("writes nested fields named by references, and removes sprintf-named ones", () => {
    const event = new Event({ which: "gone", gone: 1, keep: 2 });
    filterDecoration(ResolvedOptions.of({ add_field: { "[a][b]": "%{keep}" }, remove_field: ["%{which}"] }))!(
      event,
    );
    expect(event.get("[a][b]")).toBe("2");
    expect(event.includes("gone")).toBe(false);
  });

  it("throws on a malformed field reference (the runtime logs and counts it)", () => {
    const decorate = filterDecoration(ResolvedOptions.of({ add_field: { "[a": "x" } }))!;
    expect(() => decorate(new Event({}))).toThrow();
  });
});

describe("input decoration", () => {
  it("keeps an existing type and tags every event", () => {
    const decorate = inputDecoration(ResolvedOptions.of({ type: "t", tags: ["x"] }))!;
    const typed = new Event({ type: "mine" });
    decorate(typed);
    expect(typed.get("type")).toBe("mine");
    expect(typed.get("tags")).toEqual(["x"]);
    const untyped = new Event({});
    decorate(untyped);
    expect(untyped.get("type")).toBe("t");
  });
});
