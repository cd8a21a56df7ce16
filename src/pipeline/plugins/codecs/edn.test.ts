import { describe, expect, it } from "vitest";
import { Event, Timestamp } from "../../event/index.js";
import { readEdn } from "./edn/reader.js";
import { ednCodec } from "./edn.js";
import { decodeAll, makeCodec, recordingContext } from "./test-support.js";

const data = '{"foo" "bar", "baz" {"bah" ["a" "b" "c"]}, "@timestamp" "2014-05-30T02:52:17.929Z"}';

describe("edn codec", () => {
  it("decodes one EDN map per chunk into an event", () => {
    const events = decodeAll(makeCodec(ednCodec), [data, '{:test "foo", :value 0}']);
    expect(events).toHaveLength(2);
    expect(events[0]!.get("foo")).toBe("bar");
    expect(events[0]!.get("baz")).toEqual({ bah: ["a", "b", "c"] });
    expect(events[0]!.timestamp!.toString()).toBe("2014-05-30T02:52:17.929Z");
    expect(events[1]!.get("test")).toBe("foo");
    expect(events[1]!.get("value")).toBe(0);
  });

  it("puts decoded data under target, and a non-map value too", () => {
    const [event, scalar] = decodeAll(makeCodec(ednCodec, { target: "[doc]" }), [data, "[1 2]"]);
    expect(event!.includes("foo")).toBe(false);
    expect(event!.get("[doc][foo]")).toBe("bar");
    expect(event!.get("[doc][@timestamp]")).toBe("2014-05-30T02:52:17.929Z");
    expect(scalar!.get("[doc]")).toEqual([1, 2]);
  });

  it("falls back to plain text without a tag when the data is not an EDN map", () => {
    const context = recordingContext();
    const events = decodeAll(makeCodec(ednCodec, {}, context), ["{:a", "[1 2]"]);
    expect(events.map((e) => e.get("message"))).toEqual(["{:a", "[1 2]"]);
    expect(events[0]!.get("tags")).toBeUndefined();
    expect(context.failures).toEqual(["edn_parse", "edn_parse"]);
    expect(context.lines.join("\n")).toMatch(/EDN parse failure/);
  });

  it("encodes an event as an EDN map with @timestamp as ISO-8601 text, without [@metadata] or newline", () => {
    const event = new Event({
      foo: "bar",
      baz: { bah: ["a", "b", "c"] },
      "@timestamp": "2014-05-30T02:52:17.929Z",
    });
    event.set("[@metadata][secret]", 1);
    const text = makeCodec(ednCodec).encode(event) as string;
    expect(text.endsWith("}")).toBe(true);
    const back = readEdn(text) as Record<string, unknown>;
    expect(back.foo).toBe("bar");
    expect(back.baz).toEqual({ bah: ["a", "b", "c"] });
    expect(back["@timestamp"]).toBe(new Timestamp(Date.parse("2014-05-30T02:52:17.929Z")).toString());
    expect(back["@metadata"]).toBeUndefined();
    expect(text).toContain('"@version" "1"');
  });
});
