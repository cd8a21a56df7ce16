import { describe, expect, it } from "vitest";
import { createLogger } from "../../../common/logger.js";
import { buildPlan, type PlanPlugin } from "../../config/index.js";
import { Event, Timestamp } from "../../event/index.js";
import type { PluginContext } from "../api.js";
import { PluginRegistry } from "../registry.js";
import { throttleFilter } from "./throttle.js";

const SPEC = throttleFilter;
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
