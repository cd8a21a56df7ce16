import { describe, expect, it } from "vitest";
import { Event } from "../../event/index.js";
import { jsonLinesCodec } from "./json_lines.js";
import { JSON_FAILURE_TAG } from "./json-events.js";
import { LINE_TOO_LONG_TAG } from "./line-codec.js";
import { decodeAll, makeCodec, recordingContext } from "./test-support.js";

describe("json_lines codec", () => {
  it("decodes one document per line, across write boundaries, flushing the last line at end", () => {
    const events = decodeAll(makeCodec(jsonLinesCodec), ['{"a":1}\n{"a":', '2}\n{"a":3}']);
    expect(events.map((e) => e.get("a"))).toEqual([1, 2, 3]);
    expect(events[0]!.includes("[event][original]")).toBe(false);
  });

  it("skips blank lines and expands arrays", () => {
    const events = decodeAll(makeCodec(jsonLinesCodec), ['\n[{"a":1},{"a":2}]\n   \n']);
    expect(events.map((e) => e.get("a"))).toEqual([1, 2]);
  });

  it("tags a line that is not JSON and goes on with the next", () => {
    const context = recordingContext();
    const events = decodeAll(makeCodec(jsonLinesCodec, {}, context), ['nope\n{"a":1}\n']);
    expect(events[0]!.get("message")).toBe("nope");
    expect(events[0]!.get("tags")).toEqual([JSON_FAILURE_TAG]);
    expect(events[1]!.get("a")).toBe(1);
    expect(context.failures).toEqual(["json_parse"]);
  });

  it("uses the delimiter and target options", () => {
    const events = decodeAll(makeCodec(jsonLinesCodec, { delimiter: "|", target: "[doc]" }), [
      '{"a":1}|{"a":2}|',
    ]);
    expect(events.map((e) => e.get("[doc][a]"))).toEqual([1, 2]);
    expect(makeCodec(jsonLinesCodec, { delimiter: "|" }).encode(new Event({ a: 1 })) as string).toMatch(
      /\}\|$/,
    );
  });

  it("cuts a line longer than decode_size_limit_bytes and tags what it kept", () => {
    const context = recordingContext();
    const codec = makeCodec(jsonLinesCodec, { decode_size_limit_bytes: 10 }, context);
    const events = decodeAll(codec, ['{"a":"0123456789"}\n{"b":1}\n']);
    expect(events[0]!.get("message")).toBe('{"a":"0123');
    expect(events[0]!.hasTag(JSON_FAILURE_TAG)).toBe(true);
    expect(events[0]!.hasTag(LINE_TOO_LONG_TAG)).toBe(true);
    expect(events[1]!.get("b")).toBe(1);
    expect(() => makeCodec(jsonLinesCodec, { decode_size_limit_bytes: 0 })).toThrow(/positive/);
  });

  it("encodes JSON plus a newline", () => {
    const text = makeCodec(jsonLinesCodec).encode(new Event({ foo: "bar" })) as string;
    expect(text.endsWith("}\n")).toBe(true);
    expect(JSON.parse(text).foo).toBe("bar");
  });
});
