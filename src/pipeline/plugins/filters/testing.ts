// The harness filter tests share: a filter built from real config text through the parser and the registry (so
// defaults, coercions and refusals are the ones users get), with its logs, failures and emitted events recorded.

import { expect } from "vitest";
import { createLogger } from "../../../common/logger.js";
import type { Diagnostic } from "../../config/diagnostics.js";
import { buildPlan, type PlanPlugin } from "../../config/index.js";
import { type EcsCompatibility, Event } from "../../event/index.js";
import type { FilterSpec, PluginContext } from "../api.js";
import { PluginRegistry } from "../registry.js";

export function filterHarness(spec: FilterSpec) {
  const planOf = (body: string) => {
    const { plan, diagnostics } = buildPlan([
      { file: "test.conf", text: `filter { ${spec.name} { ${body} } }` },
    ]);
    expect(diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    return plan.sections[0]!.body[0] as PlanPlugin;
  };

  /** Options and a recording context for `filter { <name> { body } }`; option errors fail the test. */
  const configure = (body: string, ecs: EcsCompatibility = "disabled") => {
    const outcome = new PluginRegistry([spec]).resolve(planOf(body));
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
  };

  /** The filter, with `run` (sync filters), `runAsync` and every event it emitted. */
  const setup = (body: string, ecs: EcsCompatibility = "disabled") => {
    const configured = configure(body, ecs);
    const filter = spec.create(configured.options, configured.context);
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
  };

  /** The message create() throws for a configuration Logstash refuses at register time, or "accepted". */
  const refused = (body: string, ecs: EcsCompatibility = "disabled"): string => {
    const { options, context } = configure(body, ecs);
    try {
      spec.create(options, context);
    } catch (err) {
      return (err as Error).message;
    }
    return "accepted";
  };

  /** Diagnostics of option validation (unknown, obsolete, mistyped options). */
  const diagnosticsOf = (body: string): Diagnostic[] =>
    new PluginRegistry([spec]).resolve(planOf(body)).diagnostics;

  return { configure, setup, refused, diagnosticsOf };
}
