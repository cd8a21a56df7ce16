import { describe, expect, it } from "vitest";
import { createLogger } from "../../../common/logger.js";
import { Event } from "../../event/index.js";
import type { PluginContext } from "../api.js";
import { type OptionValue, ResolvedOptions } from "../options.js";
import { rubySplit, splitFilter } from "./split.js";

function make(values: Record<string, OptionValue> = {}) {
  const logs: string[] = [];
  const failures: string[] = [];
  const context: PluginContext = {
    id: "split-1",
    pipelineId: "test",
    logger: createLogger({ level: "debug", write: (line) => logs.push(line) }),
    ecsCompatibility: "v8",
    dataDir: "",
    countFailure: (reason) => failures.push(reason),
  };
  const options = ResolvedOptions.of({ field: "message", terminator: "\n", ...values });
  return { filter: splitFilter.create(options, context), logs, failures };
}

function run(values: Record<string, OptionValue>, data: Record<string, unknown>) {
  const { filter, logs, failures } = make(values);
  const event = new Event(data);
  const emitted: Event[] = [];
  const matched = filter.filter(event, (e) => emitted.push(e));
  return { event, emitted, matched, logs, failures };
}

describe("split filter", () => {
  it("splits message on newlines into one event per line and cancels the original", () => {
    const { event, emitted, matched } = run({}, { message: "a\nb\nc", host: "h" });
    expect(emitted.map((e) => e.get("message"))).toEqual(["a", "b", "c"]);
    expect(emitted.every((e) => e.get("host") === "h" && !e.cancelled)).toBe(true);
    expect(event.cancelled).toBe(true);
    expect(matched).toBe(false);
  });

  it("skips empty parts, trailing ones included", () => {
    const { emitted } = run({}, { message: "a\n\nb\n" });
    expect(emitted.map((e) => e.get("message"))).toEqual(["a", "b"]);
  });

  it("leaves a single-part string alone: not cancelled, not emitted, not decorated", () => {
    const { event, emitted, matched } = run({}, { message: "just one line" });
    expect(emitted).toEqual([]);
    expect(event.cancelled).toBe(false);
    expect(matched).toBe(false);
  });

  it("an empty string yields no events and the original is still cancelled", () => {
    const { event, emitted } = run({}, { message: "" });
    expect(emitted).toEqual([]);
    expect(event.cancelled).toBe(true);
  });

  it("a custom field and multi-character terminator", () => {
    const { emitted } = run({ field: "list", terminator: ", " }, { list: "x, y, z" });
    expect(emitted.map((e) => e.get("list"))).toEqual(["x", "y", "z"]);
  });

  it("a single space terminator splits on runs of whitespace, as Ruby does", () => {
    const { emitted } = run({ terminator: " " }, { message: "  a \t b  c " });
    expect(emitted.map((e) => e.get("message"))).toEqual(["a", "b", "c"]);
  });

  it("target keeps the source and writes each part to the target", () => {
    const { emitted } = run({ target: "line" }, { message: "a\nb" });
    expect(emitted.map((e) => [e.get("message"), e.get("line")])).toEqual([
      ["a\nb", "a"],
      ["a\nb", "b"],
    ]);
  });

  it("splits arrays into one event per element (nulls and empty strings skipped), even a single element", () => {
    const { emitted, event } = run({ field: "items" }, { items: [{ id: 1 }, null, "", "two", 3] });
    expect(emitted.map((e) => e.get("items"))).toEqual([{ id: 1 }, "two", 3]);
    expect(event.cancelled).toBe(true);
    const single = run({ field: "items" }, { items: ["only"] });
    expect(single.emitted.map((e) => e.get("items"))).toEqual(["only"]);
    expect(single.event.cancelled).toBe(true);
  });

  it("with a target, array copies keep the whole array", () => {
    const { emitted } = run({ field: "items", target: "item" }, { items: ["a", "b"] });
    expect(emitted.map((e) => [e.get("items"), e.get("item")])).toEqual([
      [["a", "b"], "a"],
      [["a", "b"], "b"],
    ]);
  });

  it("copies are independent of each other", () => {
    const { emitted } = run({ field: "items" }, { items: ["a", "b"], meta: { n: 1 } });
    emitted[0]!.set("[meta][n]", 2);
    expect(emitted[1]!.get("[meta][n]")).toBe(1);
  });

  it("tags _split_type_failure for other types and missing fields", () => {
    for (const data of [{ message: 5 }, { message: { a: 1 } }, {}]) {
      const { event, emitted, matched, failures, logs } = run({}, data);
      expect(event.get("tags")).toEqual(["_split_type_failure"]);
      expect(event.cancelled).toBe(false);
      expect(emitted).toEqual([]);
      expect(matched).toBe(false);
      expect(failures).toHaveLength(1);
      expect(logs.join("")).toContain("split-1");
    }
  });

  it("rubySplit keeps Ruby's split(terminator, -1) results", () => {
    expect(rubySplit("a,b,,", ",")).toEqual(["a", "b", "", ""]);
    expect(rubySplit("", ",")).toEqual([]);
    expect(rubySplit(" a b ", " ")).toEqual(["a", "b", ""]);
    expect(rubySplit("   ", " ")).toEqual([""]);
    expect(rubySplit("ab", "")).toEqual(["a", "b", ""]);
  });

  it("declares Logstash's options and defaults", () => {
    expect(splitFilter.options.field?.default).toBe("message");
    expect(splitFilter.options.terminator?.default).toBe("\n");
    expect(splitFilter.options.target?.default).toBeUndefined();
  });
});
