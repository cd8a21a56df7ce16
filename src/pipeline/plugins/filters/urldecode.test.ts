import { describe, expect, it } from "vitest";
import { createLogger } from "../../../common/logger.js";
import { Event, Timestamp } from "../../event/index.js";
import type { PluginContext } from "../api.js";
import { type OptionValue, ResolvedOptions } from "../options.js";
import { urldecodeFilter } from "./urldecode.js";

function make(values: Record<string, OptionValue> = {}) {
  const logs: string[] = [];
  const failures: string[] = [];
  const context: PluginContext = {
    id: "url-1",
    pipelineId: "test",
    logger: createLogger({ level: "debug", write: (line) => logs.push(line) }),
    ecsCompatibility: "v8",
    dataDir: "",
    countFailure: (reason) => failures.push(reason),
  };
  const options = ResolvedOptions.of({
    field: "message",
    all_fields: false,
    charset: "UTF-8",
    tag_on_failure: ["_urldecodefailure"],
    ...values,
  });
  return { filter: urldecodeFilter.create(options, context), logs, failures };
}

function run(values: Record<string, OptionValue>, data: Record<string, unknown>) {
  const made = make(values);
  const event = new Event(data);
  const matched = made.filter.filter(event, () => {});
  return { event, matched, ...made };
}

describe("urldecode filter", () => {
  it("decodes %XX escapes in message, multi-byte sequences included", () => {
    const { event, matched } = run({}, { message: "a%20b%2Fc%C3%A9%e2%82%ac" });
    expect(matched).toBe(true);
    expect(event.get("message")).toBe("a b/cé€");
  });

  it("leaves + and malformed escapes as written", () => {
    const { event } = run({}, { message: "a+b%zz%4%%41" });
    expect(event.get("message")).toBe("a+b%zz%4%A");
  });

  it("invalid UTF-8 after decoding becomes Ruby-style \\x escapes, with a warning", () => {
    const { event, logs } = run({}, { message: "bad%FFbyte" });
    expect(event.get("message")).toBe("bad\\xFFbyte");
    expect(logs.join("")).toContain("different character encoding");
  });

  it("charset reads the decoded bytes in another encoding", () => {
    const { event } = run({ charset: "ISO-8859-1" }, { message: "caf%E9" });
    expect(event.get("message")).toBe("café");
    const cyrillic = run({ charset: "Windows-1251" }, { message: "%C0%80" });
    expect(cyrillic.event.get("message")).toBe("АЂ");
    const japanese = run({ charset: "Shift_JIS" }, { message: "%82%A0" });
    expect(japanese.event.get("message")).toBe("あ");
  });

  it("decodes another field, walking arrays and hashes (keys stay)", () => {
    const { event } = run({ field: "[q]" }, { q: { "k%20": ["a%21", 1], n: "x%3Dy" } });
    expect(event.get("q")).toEqual({ "k%20": ["a!", 1], n: "x=y" });
  });

  it("a missing field is set to null, as Logstash does", () => {
    const { event } = run({ field: "absent" }, { message: "x" });
    expect(event.includes("absent")).toBe(true);
    expect(event.get("absent")).toBeNull();
  });

  it("all_fields decodes every top-level field, not [@metadata], and keeps @timestamp", () => {
    const { event } = run(
      { all_fields: true },
      { message: "a%20b", path: "%2Fx", n: 5, "@metadata": { m: "%20" } },
    );
    expect([event.get("message"), event.get("path"), event.get("n")]).toEqual(["a b", "/x", 5]);
    expect(event.get("[@metadata][m]")).toBe("%20");
    expect(event.timestamp).toBeInstanceOf(Timestamp);
  });

  it("tags _urldecodefailure (or tag_on_failure) when the value cannot be stored, and still matches", () => {
    const { event, matched, failures, logs } = run(
      { field: "[message][x]", tag_on_failure: ["bad_url"] },
      { message: "scalar" },
    );
    expect(event.get("tags")).toEqual(["bad_url"]);
    expect(matched).toBe(true);
    expect(failures).toHaveLength(1);
    expect(logs.join("")).toContain("url-1");
    expect(run({ field: "[message][x]" }, { message: "s" }).event.get("tags")).toEqual(["_urldecodefailure"]);
  });

  it("declares Logstash's options and defaults", () => {
    expect(urldecodeFilter.options.field?.default).toBe("message");
    expect(urldecodeFilter.options.all_fields?.default).toBe(false);
    expect(urldecodeFilter.options.charset?.default).toBe("UTF-8");
    expect(urldecodeFilter.options.charset?.type).toContain("ISO-8859-1");
    expect(urldecodeFilter.options.tag_on_failure?.default).toEqual(["_urldecodefailure"]);
  });
});
