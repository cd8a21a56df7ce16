import { describe, expect, it } from "vitest";
import { Event } from "../../event/index.js";
import { ResolvedOptions } from "../options.js";
import { commonOptions, quietContext } from "../registry.js";
import { DropFilter, dropFilter } from "./drop.js";

function create(values: Record<string, number>) {
  const options = ResolvedOptions.of({ percentage: 100, ...values });
  return dropFilter.create(options, quietContext(dropFilter, options));
}

describe("drop filter", () => {
  it("cancels every event by default and reports no match (no decoration)", () => {
    const event = new Event({ message: "x" });
    expect(create({}).filter(event, () => {})).toBe(false);
    expect(event.cancelled).toBe(true);
  });

  it("percentage 0 keeps every event", () => {
    const filter = create({ percentage: 0 });
    const events = Array.from({ length: 200 }, () => new Event({}));
    for (const event of events) filter.filter(event, () => {});
    expect(events.filter((e) => e.cancelled)).toHaveLength(0);
  });

  it("percentage drops events whose random draw falls below it", () => {
    const draws = [0.1, 0.39, 0.4, 0.9];
    const filter = new DropFilter(40, () => draws.shift()!);
    const events = [0, 1, 2, 3].map(() => new Event({}));
    for (const event of events) filter.filter(event);
    expect(events.map((e) => e.cancelled)).toEqual([true, true, false, false]);
  });

  it("drops about the given share with the real random source", () => {
    const filter = create({ percentage: 50 });
    let dropped = 0;
    for (let i = 0; i < 4000; i++) {
      const event = new Event({});
      filter.filter(event, () => {});
      if (event.cancelled) dropped++;
    }
    expect(dropped).toBeGreaterThan(1600);
    expect(dropped).toBeLessThan(2400);
  });

  it("declares percentage (default 100); periodic_flush comes with every filter", () => {
    expect(dropFilter.options.percentage).toMatchObject({ type: "number", default: 100 });
    expect(commonOptions.filter.periodic_flush).toMatchObject({ type: "boolean", default: false });
  });
});
