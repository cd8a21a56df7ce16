import { describe, expect, it } from "vitest";
import type { Event as EventType } from "../../event/index.js";
import { Event, Timestamp } from "../../event/index.js";
import { graphiteCodec, rubyFloatText, rubyStringToF, rubyStringToI } from "./graphite.js";
import { decodeAll, makeCodec, recordingContext } from "./test-support.js";

const at = new Timestamp(1_617_385_070_000);

function eventAt(fields: Record<string, unknown>): EventType {
  const event = new Event(fields);
  event.timestamp = at;
  return event;
}

describe("graphite codec: decode", () => {
  it("makes one event per line with the metric name as a literal field and the time as @timestamp", () => {
    const events = decodeAll(makeCodec(graphiteCodec), [
      "foo.bar.metric1 100 1617385070\n",
      "foo.bar.metric2 200.5 1617385071\n",
    ]);
    expect(events).toHaveLength(2);
    expect(events[0]!.toObject()["foo.bar.metric1"]).toBe(100);
    expect(events[0]!.timestamp!.toString()).toBe("2021-04-02T17:37:50.000Z");
    expect(events[1]!.toObject()["foo.bar.metric2"]).toBe(200.5);
    expect(events[1]!.timestamp!.epochMs).toBe(1_617_385_071_000);
  });

  it("waits for the newline, and emits a last line without one at end", () => {
    const events: EventType[] = [];
    const decoder = makeCodec(graphiteCodec).createDecoder((e) => events.push(e));
    decoder.write(Buffer.from("m 1 10"));
    expect(events).toHaveLength(0);
    decoder.write(Buffer.from("\nn 2 20"));
    expect(events).toHaveLength(1);
    decoder.end();
    expect(events.map((e) => e.get("n") ?? e.get("m"))).toEqual([1, 2]);
  });

  it("reads junk values and times as 0 like Ruby's to_f/to_i, and drops blank lines with a count", () => {
    const context = recordingContext();
    const events = decodeAll(makeCodec(graphiteCodec, {}, context), ["a abc xyz\n\nb 12.5kg 30.9\nc\n"]);
    expect(events.map((e) => Object.entries(e.toObject()).find(([k]) => "abc".includes(k)))).toEqual([
      ["a", 0],
      ["b", 12.5],
      ["c", 0],
    ]);
    expect(events[0]!.timestamp!.epochMs).toBe(0);
    expect(events[1]!.timestamp!.epochMs).toBe(30_000);
    expect(context.failures).toEqual(["graphite_parse"]);
  });

  it("has Ruby's number reading and printing", () => {
    expect(rubyStringToF("  1_000.5e1x")).toBe(10005);
    expect(rubyStringToF(".5")).toBe(0.5);
    expect(rubyStringToF("-e5")).toBe(0);
    expect(rubyStringToI("-42.9")).toBe(-42);
    expect(rubyStringToI("x1")).toBe(0);
    expect(rubyFloatText(100)).toBe("100.0");
    expect(rubyFloatText(0.25)).toBe("0.25");
    expect(rubyFloatText(1e20)).toBe("1.0e+20");
  });
});

describe("graphite codec: encode", () => {
  it("writes the metrics option with sprintf in names and values", () => {
    const codec = makeCodec(graphiteCodec, { metrics: { "%{host}.load": "%{load}", fixed: "3" } });
    expect(codec.encode(eventAt({ host: "web1", load: 0.75 }))).toBe(
      "web1.load 0.75 1617385070\nfixed 3.0 1617385070\n",
    );
  });

  it("skips metric names with unresolved %{field} by default, and writes nothing when no metric is left", () => {
    const codec = makeCodec(graphiteCodec, { metrics: { "%{missing}.x": "1", ok: "2" } });
    expect(codec.encode(eventAt({}))).toBe("ok 2.0 1617385070\n");
    expect(makeCodec(graphiteCodec, { metrics: { "%{missing}": "1" } }).encode(eventAt({}))).toBe("");
    expect(makeCodec(graphiteCodec).encode(eventAt({ a: 1 }))).toBe("");
  });

  it("applies include_metrics and exclude_metrics to the metrics option (an empty include list passes nothing)", () => {
    const metrics = { "cpu.user": "1", "cpu.sys": "2", "mem.free": "3" };
    const include = makeCodec(graphiteCodec, {
      metrics,
      include_metrics: ["^cpu"],
      exclude_metrics: ["sys"],
    });
    expect(include.encode(eventAt({}))).toBe("cpu.user 1.0 1617385070\n");
    expect(makeCodec(graphiteCodec, { metrics, include_metrics: [] }).encode(eventAt({}))).toBe("");
  });

  it("writes top-level fields with fields_are_metrics, ignoring metrics, @timestamp and @version", () => {
    const codec = makeCodec(graphiteCodec, {
      fields_are_metrics: true,
      metrics: { foo: "4" },
      exclude_metrics: ["^skip"],
    });
    const event = eventAt({ requests: 12, ratio: 0.5, name: "web", skipme: 1 });
    event.set("[@metadata][hidden]", 9);
    expect(codec.encode(event)).toBe("requests 12.0 1617385070\nratio 0.5 1617385070\nname 0.0 1617385070\n");
  });

  it("passes every field when include_metrics is empty with fields_are_metrics", () => {
    const codec = makeCodec(graphiteCodec, { fields_are_metrics: true, include_metrics: [] });
    expect(codec.encode(eventAt({ a: 1 }))).toBe("a 1.0 1617385070\n");
  });

  it("formats names with metrics_format: every * is the metric, %{field} is resolved", () => {
    const codec = makeCodec(graphiteCodec, { metrics: { hits: "5" }, metrics_format: "%{host}.foo.*.sum.*" });
    expect(codec.encode(eventAt({ host: "localhost" }))).toBe("localhost.foo.hits.sum.hits 5.0 1617385070\n");
    expect(codec.encode(eventAt({ host: "other" }))).toBe("other.foo.hits.sum.hits 5.0 1617385070\n");
  });

  it("refuses a bad regexp at create time", () => {
    expect(() => makeCodec(graphiteCodec, { include_metrics: ["(unclosed"] })).toThrow(/regexp/);
  });
});
