import { describe, expect, it } from "vitest";
import { Timestamp } from "../../event/index.js";
import { jsonFilter } from "./json.js";
import { filterHarness } from "./testing.js";

const SPEC = jsonFilter;
const { setup, refused, diagnosticsOf } = filterHarness(SPEC);

describe("json filter", () => {
  it("parses an object into the root", () => {
    const { run } = setup(`source => "message"`);
    const { event, matched } = run({
      message: '{ "hello": "world", "list": [1, 2, 3], "hash": { "k": "v" } }',
    });
    expect(matched).toBe(true);
    expect(event.get("hello")).toBe("world");
    expect(event.get("list")).toEqual([1, 2, 3]);
    expect(event.get("hash")).toEqual({ k: "v" });
    expect(event.get("tags")).toBeUndefined();
  });

  it("parses into a target field reference, arrays and scalars included, source == target too", () => {
    const { run } = setup(`source => "message" target => "[data][in]"`);
    expect(run({ message: '[ { "k": "v" }, { "l": [1, 2] } ]' }).event.get("[data][in]")).toEqual([
      { k: "v" },
      { l: [1, 2] },
    ]);
    expect(run({ message: "42" }).event.get("[data][in]")).toBe(42);
    const same = setup(`source => "example" target => "example"`).run({ example: '{ "hello": "world" }' });
    expect(same.event.get("example")).toEqual({ hello: "world" });
  });

  it("tags invalid JSON with every tag_on_failure tag and keeps the source", () => {
    const { run, logs, failures } = setup(
      `source => "message" tag_on_failure => ["_jsonparsefailure", "_custom"]`,
    );
    const { event, matched } = run({ message: "invalid json", tags: ["_other"] });
    expect(matched).toBe(false);
    expect(event.get("tags")).toEqual(["_other", "_jsonparsefailure", "_custom"]);
    expect(event.get("message")).toBe("invalid json");
    expect(logs.some((l) => l.includes("error parsing json"))).toBe(true);
    expect(failures).toEqual(["json_parse_failure"]);
  });

  it("skip_on_invalid_json skips silently", () => {
    const { run, logs } = setup(`source => "message" skip_on_invalid_json => true`);
    const { event, matched } = run({ message: "this is not a json message" });
    expect(matched).toBe(false);
    expect(event.get("tags")).toBeUndefined();
    expect(logs).toEqual([]);
  });

  it("needs a target for arrays and scalars", () => {
    const { run, logs } = setup(`source => "message"`);
    expect(run({ message: "[1, 2, 3]" }).event.get("tags")).toEqual(["_jsonparsefailure"]);
    expect(run({ message: '"text"' }).event.get("tags")).toEqual(["_jsonparsefailure"]);
    expect(run({ message: "   " }).event.get("tags")).toEqual(["_jsonparsefailure"]);
    expect(logs.some((l) => l.includes("requires a target"))).toBe(true);
  });

  it("does nothing when the source is missing or null; a non-string source is a failure", () => {
    const { run } = setup(`source => "message"`);
    expect(run({}).matched).toBe(false);
    expect(run({}).event.get("tags")).toBeUndefined();
    expect(run({ message: null }).event.get("tags")).toBeUndefined();
    expect(run({ message: { a: 1 } }).event.get("tags")).toEqual(["_jsonparsefailure"]);
  });

  it("turns a parsed @timestamp into the event timestamp", () => {
    const { run } = setup(`source => "message"`);
    const { event } = run({ message: '{"foo":"bar", "@timestamp":"2015-12-02T17:40:00.666Z"}' });
    expect(event.timestamp).toBeInstanceOf(Timestamp);
    expect(event.timestamp!.toString()).toBe("2015-12-02T17:40:00.666Z");
    expect(event.get("foo")).toBe("bar");
  });

  it("an unparseable @timestamp becomes now, tagged, with the original in _@timestamp", () => {
    const { run } = setup(`source => "message"`);
    const before = Date.now();
    const { event, matched } = run({ message: '{"foo":"bar", "@timestamp":"foobar"}' });
    expect(matched).toBe(true);
    expect(event.get("tags")).toEqual(["_timestampparsefailure"]);
    expect(event.get("_@timestamp")).toBe("foobar");
    expect(event.timestamp!.epochMs).toBeGreaterThanOrEqual(before);
    const numeric = run({ message: '{"@timestamp": 12}' }).event;
    expect(numeric.get("_@timestamp")).toBe("12");
  });

  it("tags a key that is not a valid field reference", () => {
    const { run } = setup(`source => "message" target => "data"`);
    const { event } = run({ message: '{"ok": true}' });
    expect(event.get("[data][ok]")).toBe(true);
    const bad = setup(`source => "message"`).run({ message: '{"un[sup]]ported": "foo"}' });
    expect(bad.event.get("tags")).toEqual(["_jsonparsefailure"]);
    expect(bad.matched).toBe(false);
  });

  it("says when ECS is on and no target is set", () => {
    const withoutTarget = setup(`source => "message"`, "v8");
    expect(withoutTarget.logs.some((l) => l.includes("`target` option was not specified"))).toBe(true);
    const withTarget = setup(`source => "message" target => "[baz]"`, "v8");
    expect(withTarget.logs).toEqual([]);
    expect(withTarget.run({ message: '{"foo":"bar"}' }).event.get("baz")).toEqual({ foo: "bar" });
  });

  it("accepts any target field reference at create time", () => {
    expect(refused(`source => "m" target => "[a][b]"`)).toBe("accepted");
    expect(diagnosticsOf(`source => "m" target => "[a"`).map((d) => d.code)).toEqual(["invalid-option"]);
  });

  it("requires source", () => {
    expect(diagnosticsOf("").map((d) => d.code)).toEqual(["missing-option"]);
  });
});
