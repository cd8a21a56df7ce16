import { describe, expect, it } from "vitest";
import { Event, Timestamp } from "../../event/index.js";
import { dotsCodec } from "./dots.js";
import { rubydebugCodec } from "./rubydebug.js";
import { decodeAll, makeCodec, recordingContext } from "./test-support.js";

function sampleEvent(): Event {
  const event = new Event({
    message: "hello",
    host: { hostname: "web-1" },
    tags: ["a", "b"],
    n: 2,
    f: 1.5,
    none: null,
    empty: {},
    list: [],
  });
  event.timestamp = new Timestamp(Date.UTC(2024, 0, 2, 3, 4, 5, 123));
  event.set("[@metadata][k]", "v");
  return event;
}

describe("rubydebug codec", () => {
  it("prints AmazingPrint's aligned layout", () => {
    const text = makeCodec(rubydebugCodec).encode(sampleEvent());
    expect(text).toBe(
      [
        "{",
        '       "message" => "hello",',
        '          "host" => {',
        '        "hostname" => "web-1"',
        "    },",
        '          "tags" => [',
        '        [0] "a",',
        '        [1] "b"',
        "    ],",
        '             "n" => 2,',
        '             "f" => 1.5,',
        '          "none" => nil,',
        '         "empty" => {},',
        '          "list" => [],',
        '    "@timestamp" => 2024-01-02T03:04:05.123Z,',
        '      "@version" => "1"',
        "}",
        "",
      ].join("\n"),
    );
  });

  it("includes [@metadata] with metadata => true", () => {
    expect(makeCodec(rubydebugCodec).encode(sampleEvent())).not.toContain("@metadata");
    expect(makeCodec(rubydebugCodec, { metadata: true }).encode(sampleEvent())).toContain(
      '"@metadata" => {\n        "k" => "v"\n    }',
    );
  });

  it("escapes strings like Ruby's inspect", () => {
    const text = makeCodec(rubydebugCodec).encode(new Event({ s: 'a"b\\c\n#{x}' }));
    expect(text).toContain('"s" => "a\\"b\\\\c\\n\\#{x}"');
  });

  it("drops input it is asked to decode and logs it once", () => {
    const context = recordingContext();
    expect(decodeAll(makeCodec(rubydebugCodec, {}, context), ["a", "b"])).toEqual([]);
    expect(context.failures).toEqual(["decode_not_supported", "decode_not_supported"]);
    expect(context.lines.filter((line) => line.includes("cannot decode"))).toHaveLength(1);
  });
});

describe("dots codec", () => {
  it("writes one dot per event and cannot decode", () => {
    const context = recordingContext();
    const codec = makeCodec(dotsCodec, {}, context);
    expect(codec.encode(new Event())).toBe(".");
    expect(decodeAll(codec, ["x"])).toEqual([]);
    expect(context.lines.join("")).toContain("cannot decode");
  });
});
