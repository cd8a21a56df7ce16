import { describe, expect, it } from "vitest";
import { Timestamp } from "../../event/index.js";
import { filterHarness } from "./testing.js";
import { throttleFilter } from "./throttle.js";

const SPEC = throttleFilter;
const { setup, refused, diagnosticsOf } = filterHarness(SPEC);
const at = (seconds: number) => new Timestamp(1_700_000_000_000 + seconds * 1000);

describe("throttle filter", () => {
  it("matches events after after_count within a period, per key", () => {
    const { run } = setup(`key => "%{host}" after_count => 2 period => 60`);
    const matched = [1, 2, 3, 4].map((i) => run({ host: "a", "@timestamp": at(i) }).matched);
    expect(matched).toEqual([false, false, true, true]);
    expect(run({ host: "b", "@timestamp": at(5) }).matched).toBe(false);
    expect(run({ host: "a", "@timestamp": at(61) }).matched).toBe(false);
  });

  it("matches events before before_count; both bounds together", () => {
    const before = setup(`key => "k" before_count => 3`);
    expect([0, 1, 2, 3].map((i) => before.run({ "@timestamp": at(i) }).matched)).toEqual([
      true,
      true,
      false,
      false,
    ]);
    const both = setup(`key => "k" before_count => 2 after_count => 3`);
    expect([0, 1, 2, 3, 4].map((i) => both.run({ "@timestamp": at(i) }).matched)).toEqual([
      true,
      false,
      false,
      true,
      true,
    ]);
  });

  it("period is sprintf'd and falls back to 60 when it does not parse; slots start at the key's first event", () => {
    const { run } = setup(`key => "k" after_count => 1 period => "%{p}"`);
    expect(run({ p: "10", "@timestamp": at(0) }).matched).toBe(false);
    expect(run({ p: "10", "@timestamp": at(9) }).matched).toBe(true);
    expect(run({ p: "10", "@timestamp": at(10) }).matched).toBe(false);
    const fallback = setup(`key => "k" after_count => 1 period => "soon"`);
    fallback.run({ "@timestamp": at(0) });
    expect(fallback.run({ "@timestamp": at(59) }).matched).toBe(true);
  });

  it("flush drops keys older than max_age and adapts max_age to max_counters", () => {
    const { run, filter, logs } = setup(`key => "%{k}" after_count => 0 max_age => 100 max_counters => 1`);
    run({ k: "old", "@timestamp": at(0) });
    run({ k: "new", "@timestamp": at(500) });
    filter.flush!(false);
    expect((filter as unknown as { keys: Map<string, unknown> }).keys.has("old")).toBe(false);
    run({ k: "other", "@timestamp": at(500) });
    filter.flush!(false);
    expect(logs.some((l) => l.includes("Decreased timeslot max_age to 95"))).toBe(true);
    (filter as unknown as { keys: Map<string, unknown> }).keys.clear();
    filter.flush!(false);
    expect(logs.some((l) => l.includes("Increased timeslot max_age to 100"))).toBe(true);
  });

  it("periodic_flush => false leaves counters to the final flush; key is required", () => {
    const { run, filter } = setup(`key => "%{k}" periodic_flush => false max_age => 10`);
    run({ k: "old", "@timestamp": at(0) });
    run({ k: "new", "@timestamp": at(500) });
    expect(filter.flush!(false)).toEqual([]);
    expect((filter as unknown as { keys: Map<string, unknown> }).keys.has("old")).toBe(true);
    filter.flush!(true);
    expect((filter as unknown as { keys: Map<string, unknown> }).keys.has("old")).toBe(false);
    expect(diagnosticsOf("").map((d) => d.code)).toEqual(["missing-option"]);
    expect(refused(`key => "k"`)).toBe("accepted");
  });
});
