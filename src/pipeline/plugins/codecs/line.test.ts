import { describe, expect, it } from "vitest";
import { limits } from "../../../common/limits.js";
import { Event, Timestamp } from "../../event/index.js";
import { lineCodec } from "./line.js";
import { LINE_TOO_LONG_TAG } from "./line-codec.js";
import { decodeAll, makeCodec, recordingContext } from "./test-support.js";

const messages = (events: Event[]) => events.map((event) => event.get("message"));

describe("line codec", () => {
  it("splits on newlines and flushes the last line without one at end", () => {
    const codec = makeCodec(lineCodec);
    expect(messages(decodeAll(codec, ["a\nb\n", "c"]))).toEqual(["a", "b", "c"]);
  });

  it("keeps a line split across two writes whole, and waits for its end", () => {
    const codec = makeCodec(lineCodec);
    expect(messages(decodeAll(codec, ["hel", "lo\nwor"], false))).toEqual(["hello"]);
    expect(messages(decodeAll(codec, ["hel", "lo\nwor", "ld\n"]))).toEqual(["hello", "world"]);
  });

  it("keeps a multibyte UTF-8 character split across writes", () => {
    const bytes = Buffer.from("München\n");
    const codec = makeCodec(lineCodec);
    const events = decodeAll(codec, [bytes.subarray(0, 2), bytes.subarray(2)]);
    expect(messages(events)).toEqual(["München"]);
  });

  it("keeps empty lines as empty messages", () => {
    expect(messages(decodeAll(makeCodec(lineCodec), ["a\n\nb\n"]))).toEqual(["a", "", "b"]);
  });

  it("uses a custom delimiter, also one of several bytes split across writes", () => {
    expect(messages(decodeAll(makeCodec(lineCodec, { delimiter: "|" }), ["l1\nx|l2|l3|"]))).toEqual([
      "l1\nx",
      "l2",
      "l3",
    ]);
    const codec = makeCodec(lineCodec, { delimiter: "\r\n" });
    expect(messages(decodeAll(codec, ["a\r", "\nb\r\n"]))).toEqual(["a", "b"]);
  });

  it("sets [event][original] under ECS and not when disabled", () => {
    const [v8] = decodeAll(makeCodec(lineCodec), ["x\n"]);
    expect(v8!.get("[event][original]")).toBe("x");
    const [legacy] = decodeAll(makeCodec(lineCodec, {}, recordingContext("disabled")), ["x\n"]);
    expect(legacy!.includes("event")).toBe(false);
    expect(legacy!.get("@version")).toBe("1");
  });

  it("converts ISO-8859-1 input and escapes invalid UTF-8 like Logstash", () => {
    const latin = makeCodec(lineCodec, { charset: "ISO-8859-1" });
    expect(messages(decodeAll(latin, [Buffer.from([0xe0, 0x20, 0x4d, 0x0a])]))).toEqual(["à M"]);
    const context = recordingContext();
    const utf8 = makeCodec(lineCodec, {}, context);
    expect(
      messages(decodeAll(utf8, [Buffer.from([0x66, 0x6f, 0x6f, 0x20, 0xed, 0xb9, 0x81, 0xc3, 0x0a])])),
    ).toEqual(["foo \\xED\\xB9\\x81\\xC3"]);
    expect(context.lines.join("")).toContain("different character encoding");
  });

  it("tags the kept start of an overlong line and drops the rest up to the next delimiter", () => {
    const context = recordingContext();
    const codec = makeCodec(lineCodec, {}, context);
    const big = Buffer.alloc(limits.codecLineBytesMax + 10, 0x61);
    const events = decodeAll(codec, [big, "tail\nnext\n"]);
    expect(events).toHaveLength(2);
    expect((events[0]!.get("message") as string).length).toBe(limits.codecLineBytesMax);
    expect(events[0]!.hasTag(LINE_TOO_LONG_TAG)).toBe(true);
    expect(events[1]!.get("message")).toBe("next");
    expect(context.failures).toEqual(["line_too_long"]);
  });

  it("encodes the event text plus delimiter, or the format", () => {
    const event = new Event({
      message: "hello world",
      host: "test",
      "@timestamp": "2024-01-02T03:04:05.000Z",
    });
    expect(makeCodec(lineCodec).encode(event)).toBe("2024-01-02T03:04:05.000Z test hello world\n");
    expect(makeCodec(lineCodec, { format: "%{host}" }).encode(event)).toBe("test\n");
    expect(makeCodec(lineCodec, { delimiter: "|" }).encode(event)).toBe(
      "2024-01-02T03:04:05.000Z test hello world|",
    );
  });

  it("prints an ECS host the way Java prints a map, and missing fields as placeholders", () => {
    const event = new Event({ host: { name: "web-1" } });
    event.timestamp = new Timestamp(0);
    expect(makeCodec(lineCodec).encode(event)).toBe("1970-01-01T00:00:00.000Z {name=web-1} %{message}\n");
  });

  it("refuses an empty delimiter", () => {
    expect(() => makeCodec(lineCodec, { delimiter: "" })).toThrow(/delimiter/);
  });
});
