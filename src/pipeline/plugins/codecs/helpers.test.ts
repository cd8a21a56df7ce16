import { describe, expect, it } from "vitest";
import { Event, Timestamp } from "../../event/index.js";
import { createTextConverter } from "./charset.js";
import { eventToString, javaToString } from "./event-text.js";
import { LineSplitter } from "./line-splitter.js";
import { rubyInspectBytes, rubyInspectString, rubyNumber } from "./ruby-format.js";
import { recordingContext } from "./test-support.js";

describe("charset conversion", () => {
  const logger = recordingContext().logger;
  it("reads UTF-8, Latin-1, ASCII, Windows-1252 and TextDecoder charsets", () => {
    expect(createTextConverter("UTF-8", logger).convert(Buffer.from("κόσμε"))).toBe("κόσμε");
    expect(createTextConverter("ISO8859-1", logger).convert(Buffer.from([0xe9]))).toBe("é");
    expect(createTextConverter("US-ASCII", logger).convert(Buffer.from([0x41, 0xe9]))).toBe("A\uFFFD");
    expect(createTextConverter("Windows-1252", logger).convert(Buffer.from([0x93, 0x94]))).toBe("“”");
    expect(createTextConverter("Shift_JIS", logger).convert(Buffer.from([0x82, 0xa0]))).toBe("あ");
    expect(createTextConverter("UTF-16LE", logger).convert(Buffer.from("hi", "utf16le"))).toBe("hi");
  });

  it("warns and reads UTF-8 for a charset it cannot convert", () => {
    const context = recordingContext();
    expect(createTextConverter("Emacs-Mule", context.logger).convert(Buffer.from("ok"))).toBe("ok");
    expect(context.lines.join("")).toContain("not supported");
  });
});

describe("Ruby printing", () => {
  it("inspects strings and byte strings with Ruby's escapes", () => {
    expect(rubyInspectString('a"\\\t\u0001\u007f#{é')).toBe('"a\\"\\\\\\t\\u0001\\u007F\\#{é"');
    expect(rubyInspectBytes(Buffer.from([0x62, 0x61, 0x72, 0x20, 0xad]))).toBe("bar \\xAD");
    expect(rubyInspectBytes(Buffer.from([0xc3, 0xa9, 0xff]))).toBe("é\\xFF");
  });

  it("prints floats like Ruby", () => {
    expect(rubyNumber(1.5)).toBe("1.5");
    expect(rubyNumber(3)).toBe("3");
    expect(rubyNumber(0.00001)).toBe("1.0e-05");
    expect(rubyNumber(1.5e20)).toBe("1.5e+20");
  });
});

describe("Event#to_s", () => {
  it("prints timestamp, host and message with Java's toString for structures", () => {
    const event = new Event({ host: { name: "h", ip: ["1", "2"] }, message: "m" });
    event.timestamp = new Timestamp(0);
    expect(eventToString(event)).toBe("1970-01-01T00:00:00.000Z {name=h, ip=[1, 2]} m");
    expect(javaToString(0.0001)).toBe("1.0E-4");
    expect(javaToString(null)).toBe("null");
  });
});

describe("LineSplitter", () => {
  it("cuts lines, keeps partial ones and flushes the remainder", () => {
    const lines: string[] = [];
    const splitter = new LineSplitter("\n", 100, {
      line: (b) => lines.push(b.toString()),
      overflow: () => {},
    });
    splitter.write(Buffer.from("a\nb"));
    splitter.write(Buffer.from("c\n\nd"));
    expect(lines).toEqual(["a", "bc", ""]);
    expect(splitter.flush().toString()).toBe("d");
    expect(splitter.flush().length).toBe(0);
  });

  it("hands over the first maxBytes of an overlong line once and drops the rest", () => {
    const lines: string[] = [];
    const overflows: string[] = [];
    const splitter = new LineSplitter("\n", 4, {
      line: (b) => lines.push(b.toString()),
      overflow: (b) => overflows.push(b.toString()),
    });
    splitter.write(Buffer.from("abc"));
    splitter.write(Buffer.from("defgh"));
    splitter.write(Buffer.from("ij\nok\n"));
    expect(overflows).toEqual(["abcd"]);
    expect(lines).toEqual(["ok"]);
  });
});
