import { describe, expect, it } from "vitest";
import { Event } from "../../event/index.js";
import { plainCodec } from "./plain.js";
import { streamingCodecFor } from "./streaming.js";
import { decodeAll, makeCodec, recordingContext } from "./test-support.js";

describe("plain codec", () => {
  it("makes one event per chunk, newlines and all", () => {
    const events = decodeAll(makeCodec(plainCodec), ["a\nb", "c"]);
    expect(events.map((e) => e.get("message"))).toEqual(["a\nb", "c"]);
    expect(events[0]!.get("[event][original]")).toBe("a\nb");
  });

  it("does not set [event][original] with ECS disabled", () => {
    const [event] = decodeAll(makeCodec(plainCodec, {}, recordingContext("disabled")), ["x"]);
    expect(event!.includes("[event][original]")).toBe(false);
  });

  it("converts the charset", () => {
    const [event] = decodeAll(makeCodec(plainCodec, { charset: "CP1252" }), [Buffer.from([0x80, 0x41])]);
    expect(event!.get("message")).toBe("€A");
    const [ascii] = decodeAll(makeCodec(plainCodec, { charset: "ASCII-8BIT" }), [Buffer.from([0xe0, 0x41])]);
    expect(ascii!.get("message")).toBe("\uFFFDA");
  });

  it("encodes without a newline, with or without format", () => {
    const event = new Event({ message: "m", host: "h", "@timestamp": "2024-01-02T03:04:05.123Z" });
    expect(makeCodec(plainCodec).encode(event)).toBe("2024-01-02T03:04:05.123Z h m");
    expect(makeCodec(plainCodec, { format: "[%{message}]" }).encode(event)).toBe("[m]");
  });

  it("becomes a line codec (charset kept, format dropped) for streaming inputs", () => {
    const context = recordingContext();
    const plain = makeCodec(plainCodec, { charset: "ISO-8859-1", format: "x" }, context);
    const line = streamingCodecFor(plain, context.logger, "stdin");
    expect(line).not.toBe(plain);
    const events = decodeAll(line, [Buffer.from([0xe9, 0x0a, 0x62])]);
    expect(events.map((e) => e.get("message"))).toEqual(["é", "b"]);
    expect(line.encode(new Event({ message: "m", host: "h" }))).toMatch(/ h m\n$/);
    expect(context.lines.join("")).toContain("switching to the line codec");
  });
});
