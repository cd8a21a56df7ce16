import { describe, expect, it } from "vitest";
import { createLogger } from "../../../common/logger.js";
import { Event, Timestamp } from "../../event/index.js";
import type { PluginContext } from "../api.js";
import { ResolvedOptions } from "../options.js";
import { jsonEncodeFilter } from "./json_encode.js";

function make(values: Record<string, string>) {
  const logs: string[] = [];
  const failures: string[] = [];
  const context: PluginContext = {
    id: "enc-1",
    pipelineId: "test",
    logger: createLogger({ level: "debug", write: (line) => logs.push(line) }),
    ecsCompatibility: "v8",
    dataDir: "",
    countFailure: (reason) => failures.push(reason),
  };
  return { filter: jsonEncodeFilter.create(ResolvedOptions.of(values), context), logs, failures };
}

describe("json_encode filter", () => {
  it("replaces the source with its JSON text when no target is given", () => {
    const { filter } = make({ source: "data" });
    const event = new Event({ data: { a: [1, "x", null], b: { c: true } } });
    expect(filter.filter(event, () => {})).toBe(true);
    expect(event.get("data")).toBe('{"a":[1,"x",null],"b":{"c":true}}');
  });

  it("writes to the target and keeps the source", () => {
    const { filter } = make({ source: "[a][b]", target: "[out]" });
    const event = new Event({ a: { b: 'text "q"' } });
    filter.filter(event, () => {});
    expect(event.get("out")).toBe('"text \\"q\\""');
    expect(event.get("[a][b]")).toBe('text "q"');
  });

  it("encodes timestamps as their text and a missing source as null", () => {
    const { filter } = make({ source: "when", target: "out" });
    const event = new Event({ when: Timestamp.parse("2024-01-02T03:04:05.678Z") });
    filter.filter(event, () => {});
    expect(event.get("out")).toBe('"2024-01-02T03:04:05.678Z"');
    const missing = new Event({});
    filter.filter(missing, () => {});
    expect(missing.get("out")).toBe("null");
  });

  it("tags _jsongeneratefailure when the result cannot be stored", () => {
    const { filter, logs, failures } = make({ source: "message", target: "[message][json]" });
    const event = new Event({ message: "scalar" });
    expect(filter.filter(event, () => {})).toBe(false);
    expect(event.get("tags")).toEqual(["_jsongeneratefailure"]);
    expect(failures).toHaveLength(1);
    expect(logs.join("")).toContain("enc-1");
  });

  it("declares source (required) and target", () => {
    expect(jsonEncodeFilter.options.source).toMatchObject({ type: "string", required: true });
    expect(jsonEncodeFilter.options.target?.default).toBeUndefined();
  });
});
