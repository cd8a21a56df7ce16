import { describe, expect, it } from "vitest";
import { Timestamp } from "../../event/index.js";
import { sleepFilter } from "./sleep.js";
import { filterHarness } from "./testing.js";

const SPEC = sleepFilter;
const { setup, refused, diagnosticsOf } = filterHarness(SPEC);

async function timed(run: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await run();
  return performance.now() - started;
}

describe("sleep filter", () => {
  it("sleeps `time` seconds (sprintf) per event and matches", async () => {
    const { runAsync } = setup(`time => "%{t}"`);
    let matched = false;
    const ms = await timed(async () => {
      matched = (await runAsync({ t: "0.1" })).matched;
    });
    expect(matched).toBe(true);
    expect(ms).toBeGreaterThanOrEqual(90);
  });

  it("every => N sleeps on every Nth event only", async () => {
    const { runAsync } = setup(`time => "0.1" every => 3`);
    const first = await timed(() => runAsync({}));
    const second = await timed(() => runAsync({}));
    const third = await timed(() => runAsync({}));
    expect(first).toBeLessThan(50);
    expect(second).toBeLessThan(50);
    expect(third).toBeGreaterThanOrEqual(90);
  });

  it("replay sleeps for the gap between event timestamps divided by time", async () => {
    const { runAsync } = setup(`replay => true time => "2"`);
    await runAsync({ "@timestamp": new Timestamp(0) });
    const ms = await timed(() => runAsync({ "@timestamp": new Timestamp(200) }));
    expect(ms).toBeGreaterThanOrEqual(90);
    expect(ms).toBeLessThan(190);
    const backwards = await timed(() => runAsync({ "@timestamp": new Timestamp(100) }));
    expect(backwards).toBeLessThan(50);
  });

  it("needs time unless replay", () => {
    expect(refused("")).toContain("Missing required parameter 'time'");
    expect(refused("replay => true")).toBe("accepted");
    expect(diagnosticsOf(`time => "1" replay => "maybe"`).map((d) => d.code)).toEqual(["invalid-option"]);
  });
});
