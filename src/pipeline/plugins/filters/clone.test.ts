import { describe, expect, it } from "vitest";
import { createLogger } from "../../../common/logger.js";
import { type EcsCompatibility, Event } from "../../event/index.js";
import type { PluginContext } from "../api.js";
import { ResolvedOptions } from "../options.js";
import { cloneFilter } from "./clone.js";

function make(clones: string[], ecs: EcsCompatibility) {
  const logs: string[] = [];
  const context: PluginContext = {
    id: "clone-1",
    pipelineId: "test",
    logger: createLogger({ level: "debug", write: (line) => logs.push(line) }),
    ecsCompatibility: ecs,
    dataDir: "",
    countFailure: () => {},
  };
  return { filter: cloneFilter.create(ResolvedOptions.of({ clones }), context), logs };
}

function run(clones: string[], ecs: EcsCompatibility, data: Record<string, unknown>) {
  const { filter } = make(clones, ecs);
  const event = new Event(data);
  const emitted: Event[] = [];
  const matched = filter.filter(event, (e) => emitted.push(e));
  return { event, emitted, matched };
}

describe("clone filter", () => {
  it("without ECS, sets each clone's type and keeps the original unchanged and undecorated", () => {
    const { event, emitted, matched } = run(["a", "b"], "disabled", { message: "m", type: "orig" });
    expect(emitted.map((e) => e.get("type"))).toEqual(["a", "b"]);
    expect(emitted.map((e) => e.get("message"))).toEqual(["m", "m"]);
    expect(event.get("type")).toBe("orig");
    expect(event.cancelled).toBe(false);
    expect(matched).toBe(false);
  });

  it("with ECS (v1, v8) appends the clone name to tags and leaves type alone", () => {
    for (const ecs of ["v1", "v8"] as const) {
      const { emitted, event } = run(["copy"], ecs, { message: "m", tags: ["t"], type: "orig" });
      expect(emitted[0]!.get("tags")).toEqual(["t", "copy"]);
      expect(emitted[0]!.get("type")).toBe("orig");
      expect(event.get("tags")).toEqual(["t"]);
    }
    expect(run(["x"], "v8", {}).emitted[0]!.get("tags")).toEqual(["x"]);
    expect(run(["x"], "v8", { tags: "solo" }).emitted[0]!.get("tags")).toEqual(["solo", "x"]);
  });

  it("clones are deep copies, @metadata included", () => {
    const { emitted, event } = run(["a"], "disabled", { nested: { n: 1 }, "@metadata": { m: 1 } });
    emitted[0]!.set("[nested][n]", 2);
    expect(event.get("[nested][n]")).toBe(1);
    expect(emitted[0]!.get("[@metadata][m]")).toBe(1);
  });

  it("an empty clones list warns at create and emits nothing", () => {
    const { filter, logs } = make([], "v8");
    const emitted: Event[] = [];
    filter.filter(new Event({}), (e) => emitted.push(e));
    expect(emitted).toEqual([]);
    expect(logs.join("")).toContain("no clones will be created");
  });

  it("declares clones as a required array", () => {
    expect(cloneFilter.options.clones).toMatchObject({ type: "array", required: true });
  });
});
