import { describe, expect, it } from "vitest";
import { createLogger } from "../../../common/logger.js";
import { buildPlan, type PlanPlugin } from "../../config/index.js";
import { Event } from "../../event/index.js";
import type { PluginContext } from "../api.js";
import { type OptionValue, ResolvedOptions } from "../options.js";
import { PluginRegistry, quietContext } from "../registry.js";
import { Dissection } from "./dissect/pattern.js";
import { dissectFilter } from "./dissect.js";

function recordingContext() {
  const logs: string[] = [];
  const failures: string[] = [];
  const context: PluginContext = {
    id: "dissect-1",
    pipelineId: "test",
    logger: createLogger({ level: "debug", write: (line) => logs.push(line) }),
    ecsCompatibility: "v8",
    dataDir: "",
    countFailure: (reason) => failures.push(reason),
  };
  return { context, logs, failures };
}

function make(values: Record<string, OptionValue>) {
  const recorded = recordingContext();
  const options = ResolvedOptions.of({
    mapping: {},
    convert_datatype: {},
    tag_on_failure: ["_dissectfailure"],
    ...values,
  });
  return { filter: dissectFilter.create(options, recorded.context), ...recorded };
}

/** Dissects `message` with `pattern`; the event afterwards and whether the filter matched. */
function dissect(pattern: string, message: string, data: Record<string, unknown> = {}) {
  const { filter } = make({ mapping: { message: pattern } });
  const event = new Event({ message, ...data });
  const matched = filter.filter(event, () => {});
  return { event, matched };
}

function fields(event: Event): Record<string, unknown> {
  const { "@timestamp": _t, "@version": _v, message: _m, ...rest } = event.toObject();
  return rest;
}

describe("dissect patterns", () => {
  it("cuts normal fields at each delimiter; the last field takes the rest", () => {
    const { event, matched } = dissect("%{a} %{b} %{c}", "one two three four");
    expect(matched).toBe(true);
    expect(fields(event)).toEqual({ a: "one", b: "two", c: "three four" });
  });

  it("requires leading text at the start and finds trailing text anywhere after", () => {
    expect(fields(dissect("<%{pri}>%{rest}", "<13>hello").event)).toEqual({ pri: "13", rest: "hello" });
    const missed = dissect("<%{pri}>%{rest}", "x<13>hello");
    expect(missed.matched).toBe(false);
    expect(missed.event.get("tags")).toEqual(["_dissectfailure"]);
    expect(fields(dissect("/var/%{key}/log", "/var/app/log/extra").event)).toEqual({ key: "app" });
  });

  it("multi-character and unicode delimiters", () => {
    const { event } = dissect("%{a} -> %{b}»%{c}", "x -> yé»z");
    expect(fields(event)).toEqual({ a: "x", b: "yé", c: "z" });
  });

  it("skip fields (%{} and %{?name}) are not saved", () => {
    expect(fields(dissect("%{} %{b} %{?c} %{d}", "1 2 3 4").event)).toEqual({ b: "2", d: "4" });
  });

  it("append fields join with the delimiter before them, ordered by /n", () => {
    expect(fields(dissect("%{+ts} %{+ts} %{host}", "Mar 16 box").event)).toEqual({
      ts: "Mar 16",
      host: "box",
    });
    expect(fields(dissect("%{+a/2} %{+a/1} %{+a/3}", "b a c").event)).toEqual({ a: "a b c" });
    // a normal field is saved before any append of the same key, whatever their order in the pattern
    expect(fields(dissect("%{+a} %{a} %{+a} %{b}", "December 31 1999 x").event)).toEqual({
      a: "31 December 1999",
      b: "x",
    });
    expect(fields(dissect("%{a}-%{+a}:%{+a}", "1-2:3").event)).toEqual({ a: "1-2:3" });
  });

  it("append adds to a value already in the event", () => {
    const { event } = dissect("%{+greeting} %{other}", "world x", { greeting: "hello" });
    expect(event.get("greeting")).toBe("hello world");
  });

  it("indirect fields take their key from another field or from the event", () => {
    expect(fields(dissect("%{k} %{&k}", "color red").event)).toEqual({ k: "color", color: "red" });
    expect(fields(dissect("%{?k}=%{&k}, %{?j}=%{&j}", "a=1, b=2").event)).toEqual({ a: "1", b: "2" });
    expect(fields(dissect("%{&src}", "value", { src: "dst" }).event)).toEqual({ src: "dst", dst: "value" });
    // an indirect key nobody supplies saves nothing
    expect(fields(dissect("%{a} %{&missing}", "x y").event)).toEqual({ a: "x" });
  });

  it("-> skips repeated delimiters after the field", () => {
    const { event } = dissect("%{id} %{fn->} %{server}", "0043 View     machine");
    expect(fields(event)).toEqual({ id: "0043", fn: "View", server: "machine" });
    expect(fields(dissect("%{a->}   %{b->}---%{c}", "foo            bar------------baz").event)).toEqual({
      a: "foo",
      b: "bar",
      c: "baz",
    });
    expect(fields(dissect("%{?->}-%{a}", "-----666").event)).toEqual({ a: "666" });
  });

  it("without -> a repeated delimiter stays in the next value", () => {
    expect(fields(dissect("%{a}-%{b}", "foo------bar").event)).toEqual({ a: "foo", b: "-----bar" });
  });

  it("empty values between consecutive delimiters", () => {
    expect(fields(dissect("%{a},%{b},%{c},%{d}", "1,,,4").event)).toEqual({ a: "1", b: "", c: "", d: "4" });
    expect(fields(dissect('"%{v}"%{rest}', '"x"').event)).toEqual({ v: "x", rest: "" });
  });

  it("a delimiter at offset 0 does not advance the scan (Logstash's quirk)", () => {
    expect(fields(dissect("%{}|%{}|foo=%{field}", "||foo=bar").event)).toEqual({ field: "bar" });
    expect(fields(dissect("%{a} %{b}", " foo").event)).toEqual({ a: "", b: " foo" });
  });

  it("nested field references as keys", () => {
    const { event } = dissect("%{[log][level]} %{[log][logger]}", "INFO main");
    expect(event.get("[log]")).toEqual({ level: "INFO", logger: "main" });
  });

  it("braces and newlines inside delimiters", () => {
    expect(fields(dissect("{%{a}}{%{b}}%{rest}", "{foo}{bar}").event)).toEqual({
      a: "foo",
      b: "bar",
      rest: "",
    });
    expect(fields(dissect("%{a}{\n}%{b}", "aaa{\n}bbb").event)).toEqual({ a: "aaa", b: "bbb" });
  });

  it("a missing delimiter is a failure, and so are adjacent fields", () => {
    expect(dissect("%{a} %{b} %{c}", "foo:bar:baz").matched).toBe(false);
    const adjacent = dissect("%{a}%{b} %{c}", "foo bar baz");
    expect(adjacent.matched).toBe(false);
    expect(fields(adjacent.event)).toEqual({ tags: ["_dissectfailure"] });
  });

  it("compiles a pattern into fields with kinds, names and saving order", () => {
    const d = new Dissection("%{+a/2} %{?b} %{&b} %{c->} %{+a/1}x");
    expect(d.fields.map((f) => [f.kind, f.name])).toEqual([
      ["append", "a"],
      ["skip", "b"],
      ["indirect", "b"],
      ["normal", "c"],
      ["append", "a"],
      ["skip", "auto_added_skip"],
    ]);
    expect(d.saveable.map((f) => f.id)).toEqual([3, 4, 0, 2]);
  });
});

describe("dissect filter options and failures", () => {
  it("applies several mappings in order, later ones to fields made by earlier ones", () => {
    const { filter } = make({ mapping: { message: "%{a} %{rest}", rest: "%{b} %{c}" } });
    const event = new Event({ message: "1 2 3" });
    expect(filter.filter(event, () => {})).toBe(true);
    expect([event.get("a"), event.get("b"), event.get("c")]).toEqual(["1", "2", "3"]);
  });

  it("a missing source field is counted and logged but not tagged", () => {
    const { filter, logs, failures } = make({ mapping: { msg: "%{a} %{b}" } });
    const event = new Event({ message: "x y" });
    expect(filter.filter(event, () => {})).toBe(false);
    expect(event.get("tags")).toBeUndefined();
    expect(failures).toHaveLength(1);
    expect(logs.join("")).toContain("field not found");
    expect(logs.join("")).toContain("dissect-1");
  });

  it("an empty or null source field is a tagged failure", () => {
    const { filter, failures } = make({ mapping: { message: "%{a} %{b}" } });
    for (const message of ["", null]) {
      const event = new Event({ message });
      expect(filter.filter(event, () => {})).toBe(false);
      expect(event.get("tags")).toEqual(["_dissectfailure"]);
    }
    expect(failures).toHaveLength(2);
  });

  it("tag_on_failure replaces the default tags", () => {
    const { filter } = make({ mapping: { message: "%{a}|%{b}" }, tag_on_failure: ["bad", "worse"] });
    const event = new Event({ message: "no bar" });
    filter.filter(event, () => {});
    expect(event.get("tags")).toEqual(["bad", "worse"]);
  });

  it("non-text source values are dissected as their text", () => {
    const { filter } = make({ mapping: { n: "%{a}.%{b}" } });
    const event = new Event({ n: 12.5 });
    expect(filter.filter(event, () => {})).toBe(true);
    expect([event.get("a"), event.get("b")]).toEqual(["12", "5"]);
  });

  it("an empty pattern is skipped without failure", () => {
    const { filter, failures } = make({ mapping: { message: "" } });
    const event = new Event({ message: "x" });
    expect(filter.filter(event, () => {})).toBe(false);
    expect(event.get("tags")).toBeUndefined();
    expect(failures).toEqual([]);
  });

  it("an indirect key that is not a usable field reference tags the event", () => {
    const { filter, failures } = make({ mapping: { message: "%{?k} %{&k}" } });
    const event = new Event({ message: "[bad value" });
    filter.filter(event, () => {});
    expect(event.get("tags")).toEqual(["_dissectfailure"]);
    expect(failures).toHaveLength(1);
  });

  it("convert_datatype turns text into int (truncated) and float, after the mappings", () => {
    const { filter } = make({
      mapping: { message: "%{code} %{?k}=%{&k}% %{big}" },
      convert_datatype: { code: "int", cpu: "float", big: "INT" },
    });
    const event = new Event({ message: "00000001 cpu=95.43% -7.9" });
    expect(filter.filter(event, () => {})).toBe(true);
    expect([event.get("code"), event.get("cpu"), event.get("big")]).toEqual([1, 95.43, -7]);
  });

  it("convert_datatype works without a mapping and runs even when dissection fails", () => {
    const { filter } = make({ mapping: { message: "%{a}|%{b}" }, convert_datatype: { n: "float" } });
    const event = new Event({ message: "nope", n: "1e3" });
    expect(filter.filter(event, () => {})).toBe(false);
    expect(event.get("n")).toBe(1000);
  });

  it("failed conversions add Logstash's per-field tags", () => {
    const { filter, logs } = make({ convert_datatype: { ccu: "float", other: "int", word: "int" } });
    const event = new Event({ other: {}, word: "12a" });
    expect(filter.filter(event, () => {})).toBe(false);
    expect(event.get("tags")).toEqual([
      "_dataconversionnullvalue_ccu_float",
      "_dataconversionuncoercible_other_int",
      "_dataconversionuncoercible_word_int",
    ]);
    expect(logs.join("")).toContain("cannot be coerced");
  });

  it("refuses bad configurations at create time", () => {
    expect(() => make({ convert_datatype: { code: "integer" } })).toThrow(/datatype not supported: integer/);
    expect(() => make({ mapping: { message: "%{+&ts}" } })).toThrow(
      /both Append and Indirect Prefix \(\+&\)/,
    );
    expect(() => make({ mapping: { message: "%{&+ts}" } })).toThrow(
      /both Append and Indirect Prefix \(&\+\)/,
    );
    expect(() => make({ mapping: { message: "%{+/2}" } })).toThrow(/without a name section/);
    expect(() => make({ mapping: { message: "%{&}" } })).toThrow(/prefix on its own/);
    expect(() => make({ mapping: { message: "no fields" } })).toThrow(/no %\{\} field/);
  });

  it("declares Logstash's options and defaults", () => {
    expect(dissectFilter.options.tag_on_failure?.default).toEqual(["_dissectfailure"]);
    expect(dissectFilter.options.mapping?.default).toEqual({});
    expect(dissectFilter.options.convert_datatype?.type).toBe("hash");
  });

  it("runs from a Logstash configuration through the registry's option checks", () => {
    const text = `filter { dissect {
      mapping => { "message" => "%{ts} %{+ts} %{level->} %{msg}" }
      convert_datatype => { "n" => "int" }
      tag_on_failure => "no_dissect"
    } }`;
    const { plan, diagnostics } = buildPlan([{ file: "test.conf", text }]);
    expect(diagnostics).toEqual([]);
    const registry = new PluginRegistry([dissectFilter]);
    expect(registry.check(plan!)).toEqual([]);
    const { resolved } = registry.resolve(plan!.sections[0]!.body[0] as PlanPlugin);
    const filter = dissectFilter.create(resolved!.options, quietContext(dissectFilter, resolved!.options));
    const event = new Event({ message: "Jan 01 WARN   disk full", n: "42" });
    expect(filter.filter(event, () => {})).toBe(true);
    expect([event.get("ts"), event.get("level"), event.get("msg"), event.get("n")]).toEqual([
      "Jan 01",
      "WARN",
      "disk full",
      42,
    ]);
    const failed = new Event({ message: "x" });
    filter.filter(failed, () => {});
    expect(failed.get("tags")).toEqual(["no_dissect", "_dataconversionnullvalue_n_int"]);
  });
});
