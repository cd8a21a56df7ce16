import { hostname } from "node:os";
import { describe, expect, it } from "vitest";
import { Timestamp } from "../../event/index.js";
import { elapsedFilter } from "./elapsed.js";
import { filterHarness } from "./testing.js";

const SPEC = elapsedFilter;
const { setup, refused, diagnosticsOf } = filterHarness(SPEC);
const base = `start_tag => "start" end_tag => "end" unique_id_field => "tid"`;
const at = (iso: string) => Timestamp.parse(iso)!;

describe("elapsed filter", () => {
  it("times an end event against its start and tags it", () => {
    const { run } = setup(base);
    expect(run({ tid: "a", tags: ["start"], "@timestamp": at("2024-01-01T00:00:00.000Z") }).matched).toBe(
      true,
    );
    const { event, matched } = run({ tid: "a", tags: ["end"], "@timestamp": at("2024-01-01T00:00:02.500Z") });
    expect(matched).toBe(true);
    expect(event.get("elapsed_time")).toBe(2.5);
    expect(event.get("tags")).toEqual(["end", "elapsed", "elapsed_match"]);
    expect(event.get("elapsed_timestamp_start")).toEqual(at("2024-01-01T00:00:00.000Z"));
  });

  it("tags an end without a start; ignores events without the id or the tags", () => {
    const { run } = setup(base);
    expect(run({ tid: "x", tags: ["end"] }).event.get("tags")).toEqual(["end", "elapsed_end_without_start"]);
    expect(run({ tags: ["start"] }).matched).toBe(false);
    expect(run({ tid: "x", tags: ["other"] }).matched).toBe(false);
  });

  it("new_event_on_match emits a new event and leaves the end event alone", () => {
    const { run, emitted } = setup(`${base} new_event_on_match => true`);
    run({ tid: 7, tags: ["start"], "@timestamp": at("2024-01-01T00:00:00Z") });
    const end = run({ tid: 7, tags: ["end"], "@timestamp": at("2024-01-01T00:01:00Z") });
    expect(end.event.get("tags")).toEqual(["end"]);
    expect(emitted.length).toBe(1);
    expect(emitted[0]!.get("elapsed_time")).toBe(60);
    expect(emitted[0]!.get("tid")).toBe(7);
    expect(emitted[0]!.get("host")).toBe(hostname());
    expect(emitted[0]!.get("tags")).toEqual(["elapsed", "elapsed_match"]);
  });

  it("keep_start_event first or last", () => {
    for (const [keep, expected] of [
      ["first", 10],
      ["last", 5],
    ] as const) {
      const { run } = setup(`${base} keep_start_event => "${keep}"`);
      run({ tid: "a", tags: ["start"], "@timestamp": at("2024-01-01T00:00:00Z") });
      run({ tid: "a", tags: ["start"], "@timestamp": at("2024-01-01T00:00:05Z") });
      expect(
        run({ tid: "a", tags: ["end"], "@timestamp": at("2024-01-01T00:00:10Z") }).event.get("elapsed_time"),
      ).toBe(expected);
    }
  });

  it("expired starts come out of the flush as elapsed_expired_error events (5 s of age per flush)", () => {
    const { run, filter } = setup(`${base} timeout => 10`);
    run({ tid: "slow", tags: ["start"], "@timestamp": at("2024-01-01T00:00:00Z") });
    expect(filter.flush!(false)).toEqual([]);
    const [expired, ...rest] = filter.flush!(false);
    expect(rest).toEqual([]);
    expect(expired!.get("tags")).toEqual(["elapsed", "elapsed_expired_error"]);
    expect(expired!.get("tid")).toBe("slow");
    expect(expired!.get("elapsed_time")).toBe(10);
    expect(expired!.get("elapsed_timestamp_start")).toEqual(at("2024-01-01T00:00:00Z"));
    expect(expired!.get("host")).toBe(hostname());
    expect(run({ tid: "slow", tags: ["end"] }).event.get("tags")).toEqual([
      "end",
      "elapsed_end_without_start",
    ]);
  });

  it("periodic_flush => false ages only on the final flush", () => {
    const { run, filter } = setup(`${base} timeout => 5 periodic_flush => false`);
    run({ tid: "a", tags: ["start"] });
    expect(filter.flush!(false)).toEqual([]);
    expect(filter.flush!(true).length).toBe(1);
    expect(diagnosticsOf(`start_tag => "s"`).map((d) => d.code)).toEqual([
      "missing-option",
      "missing-option",
    ]);
    expect(refused(base)).toBe("accepted");
  });
});
