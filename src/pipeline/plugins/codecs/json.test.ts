import { describe, expect, it } from "vitest";
import { Event } from "../../event/index.js";
import { jsonCodec } from "./json.js";
import { JSON_FAILURE_TAG } from "./json-events.js";
import { streamingCodecFor } from "./streaming.js";
import { decodeAll, makeCodec, recordingContext } from "./test-support.js";

describe("json codec", () => {
  it("decodes an object into an event with [event][original] under ECS", () => {
    const text = '{"foo":"bar","baz":{"bah":["a","b"]}}';
    const [event] = decodeAll(makeCodec(jsonCodec), [text]);
    expect(event!.get("foo")).toBe("bar");
    expect(event!.get("[baz][bah]")).toEqual(["a", "b"]);
    expect(event!.get("[event][original]")).toBe(text);
    const [legacy] = decodeAll(makeCodec(jsonCodec, {}, recordingContext("disabled")), [text]);
    expect(legacy!.includes("event")).toBe(false);
  });

  it("keeps an [event][original] the document brings", () => {
    const [event] = decodeAll(makeCodec(jsonCodec), ['{"event":{"original":"actual"}}']);
    expect(event!.get("[event][original]")).toBe("actual");
  });

  it("makes one event per array element, without [event][original]", () => {
    const events = decodeAll(makeCodec(jsonCodec), ['[{"foo":"bar"},{"foo":"baz"},{}]']);
    expect(events.map((e) => e.get("foo") ?? null)).toEqual(["bar", "baz", null]);
    expect(events.every((e) => !e.includes("[event][original]"))).toBe(true);
  });

  it("places documents under target", () => {
    const [event] = decodeAll(makeCodec(jsonCodec, { target: "root" }), ['{"foo":"bar"}']);
    expect(event!.includes("foo")).toBe(false);
    expect(event!.get("[root][foo]")).toBe("bar");
  });

  it("falls back to plain text tagged _jsonparsefailure for invalid JSON and scalars", () => {
    const context = recordingContext();
    const codec = makeCodec(jsonCodec, {}, context);
    for (const text of ["something that isn't json", "123", '"hello"', "[1,2]", '{"a":']) {
      const [event] = decodeAll(codec, [text]);
      expect(event!.get("message")).toBe(text);
      expect(event!.get("tags")).toEqual([JSON_FAILURE_TAG]);
    }
    expect(context.failures).toHaveLength(5);
    expect(context.lines.join("")).toContain("JSON parse error");
  });

  it("falls back when [event][original] cannot be set, as Logstash's raise does", () => {
    const [event] = decodeAll(makeCodec(jsonCodec), ['{"event":"x"}']);
    expect(event!.hasTag(JSON_FAILURE_TAG)).toBe(true);
  });

  it("ignores text after the first document, as Jackson does, and blank input makes no event", () => {
    const [event] = decodeAll(makeCodec(jsonCodec), ['{"a":1} trailing']);
    expect(event!.get("a")).toBe(1);
    expect(decodeAll(makeCodec(jsonCodec), ["  \n"])).toEqual([]);
  });

  it("parses @timestamp text and tags one it cannot parse", () => {
    const [good] = decodeAll(makeCodec(jsonCodec), ['{"@timestamp":"2024-01-02T03:04:05.000Z"}']);
    expect(good!.timestamp!.toString()).toBe("2024-01-02T03:04:05.000Z");
    const [bad] = decodeAll(makeCodec(jsonCodec), ['{"@timestamp":"nope"}']);
    expect(bad!.hasTag("_timestampparsefailure")).toBe(true);
  });

  it("encodes compact JSON without a newline and without @metadata", () => {
    const event = new Event({ foo: "bar", "@timestamp": "2024-01-02T03:04:05.000Z" });
    event.set("[@metadata][secret]", 1);
    const text = makeCodec(jsonCodec).encode(event) as string;
    expect(text.endsWith("\n")).toBe(false);
    expect(JSON.parse(text)).toEqual({
      foo: "bar",
      "@timestamp": "2024-01-02T03:04:05.000Z",
      "@version": "1",
    });
  });

  it("becomes json_lines for streaming inputs", () => {
    const context = recordingContext();
    const codec = streamingCodecFor(makeCodec(jsonCodec, {}, context), context.logger, "stdin");
    const events = decodeAll(codec, ['{"a":1}\n{"a"', ":2}\n"]);
    expect(events.map((e) => e.get("a"))).toEqual([1, 2]);
    expect(codec.encode(new Event({ a: 1 })) as string).toMatch(/\n$/);
  });
});
