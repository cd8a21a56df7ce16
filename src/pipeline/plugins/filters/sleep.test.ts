import { describe, expect, it } from "vitest";
import { createLogger } from "../../../common/logger.js";
import { buildPlan, type PlanPlugin } from "../../config/index.js";
import { Event, Timestamp } from "../../event/index.js";
import { harness } from "../../runtime/test-plugins.js";
import type { PluginContext } from "../api.js";
import { PluginRegistry } from "../registry.js";
import { sleepFilter } from "./sleep.js";

const SPEC = sleepFilter;

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

// ---------------------------------------------------------------- test harness (kept local: plugins share no test code)

function configure(body: string, ecs: "disabled" | "v1" | "v8" = "disabled") {
  const { plan, diagnostics } = buildPlan([
    { file: "test.conf", text: `filter { ${SPEC.name} { ${body} } }` },
  ]);
  expect(diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  const plugin = plan.sections[0]!.body[0] as PlanPlugin;
  const outcome = new PluginRegistry([SPEC]).resolve(plugin);
  expect(outcome.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  const logs: string[] = [];
  const failures: string[] = [];
  const context: PluginContext = {
    id: "test-filter",
    pipelineId: "test",
    logger: createLogger({ level: "debug", write: (line) => logs.push(line) }),
    ecsCompatibility: ecs,
    dataDir: "",
    countFailure: (reason) => failures.push(reason),
  };
  return { options: outcome.resolved!.options, context, logs, failures };
}

function setup(body: string, ecs: "disabled" | "v1" | "v8" = "disabled") {
  const configured = configure(body, ecs);
  const filter = SPEC.create(configured.options, configured.context);
  const emitted: Event[] = [];
  const run = (data: Record<string, unknown>) => {
    const event = new Event(data);
    const matched = filter.filter(event, (e) => emitted.push(e)) as boolean;
    return { event, matched };
  };
  const runAsync = async (data: Record<string, unknown>) => {
    const event = new Event(data);
    const matched = await filter.filter(event, (e) => emitted.push(e));
    return { event, matched };
  };
  return { ...configured, filter, run, runAsync, emitted };
}

/** The error create() throws for a configuration Logstash refuses at register time. */
function refused(body: string, ecs: "disabled" | "v1" | "v8" = "disabled"): string {
  const { options, context } = configure(body, ecs);
  try {
    SPEC.create(options, context);
  } catch (err) {
    return (err as Error).message;
  }
  return "accepted";
}

/** Diagnostics of option validation (unknown, obsolete, mistyped options). */
function diagnosticsOf(body: string) {
  const { plan } = buildPlan([{ file: "test.conf", text: `filter { ${SPEC.name} { ${body} } }` }]);
  return new PluginRegistry([SPEC]).resolve(plan.sections[0]!.body[0] as PlanPlugin).diagnostics;
}

describe("sleep filter in a pipeline", () => {
  it("the runtime waits for the asynchronous sleep before the output", async () => {
    const h = harness(
      `input { gen { count => 3 } } filter { sleep { time => "0.05" add_tag => ["slept"] } } output { capture { id => "out" } }`,
      {},
      [sleepFilter],
    );
    const ms = await timed(() => h.pipeline.run());
    expect(ms).toBeGreaterThanOrEqual(140);
    expect(h.capture.events("out").map((e) => e.get("tags"))).toEqual([["slept"], ["slept"], ["slept"]]);
  });
});
