import { describe, expect, it } from "vitest";
import { Event } from "../../event/index.js";
import { readEdn } from "./edn/reader.js";
import { ednLinesCodec } from "./edn_lines.js";
import { decodeAll, makeCodec, recordingContext } from "./test-support.js";

const data = '{"foo" "bar", "baz" {"bah" ["a" "b" "c"]}, "@timestamp" "2014-05-30T02:52:17.929Z"}';

describe("edn_lines codec", () => {
  it("decodes one EDN map per line, across writes, and waits for the newline", () => {
    const events: Event[] = [];
    const decoder = makeCodec(ednLinesCodec).createDecoder((e) => events.push(e));
    decoder.write(Buffer.from(data));
    expect(events).toHaveLength(0);
    decoder.write(Buffer.from('\n{:test "bar", :value 1}\n{:test "baz"'));
    expect(events).toHaveLength(2);
    decoder.write(Buffer.from(", :value 2}"));
    decoder.end();
    expect(events.map((e) => e.get("test"))).toEqual([undefined, "bar", "baz"]);
    expect(events[0]!.get("baz")).toEqual({ bah: ["a", "b", "c"] });
    expect(events[0]!.timestamp!.toString()).toBe("2014-05-30T02:52:17.929Z");
    expect(events[2]!.get("value")).toBe(2);
  });

  it("uses target", () => {
    const [event] = decodeAll(makeCodec(ednLinesCodec, { target: "[doc]" }), [`${data}\n`]);
    expect(event!.includes("foo")).toBe(false);
    expect(event!.get("[doc][baz]")).toEqual({ bah: ["a", "b", "c"] });
  });

  it("turns a bad line into a plain-text event and goes on", () => {
    const context = recordingContext();
    const events = decodeAll(makeCodec(ednLinesCodec, {}, context), ["oops {\n{:a 1}\n"]);
    expect(events[0]!.get("message")).toBe("oops {");
    expect(events[0]!.get("tags")).toBeUndefined();
    expect(events[1]!.get("a")).toBe(1);
    expect(context.failures).toEqual(["edn_parse"]);
  });

  it("encodes one EDN map per line", () => {
    const text = makeCodec(ednLinesCodec).encode(new Event({ foo: "bar", n: 3 })) as string;
    expect(text.endsWith("}\n")).toBe(true);
    expect(text.split("\n")).toHaveLength(2);
    const back = readEdn(text) as Record<string, unknown>;
    expect(back.foo).toBe("bar");
    expect(back.n).toBe(3);
    expect(text).toContain('"n" 3M');
  });
});
