import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Event } from "../../event/index.js";
import { MAX_BYTES_TAG, MAX_LINES_TAG, multilineCodec } from "./multiline.js";
import { decodeAll, makeCodec, recordingContext } from "./test-support.js";

const messages = (events: Event[]) => events.map((event) => event.get("message"));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("multiline codec", () => {
  it("joins indented lines to the previous one (what => previous) and tags joined events", () => {
    const codec = makeCodec(multilineCodec, { pattern: "^\\s", what: "previous" });
    const events = decodeAll(codec, ["hello world\n   second line\nanother first line\n"]);
    expect(messages(events)).toEqual(["hello world\n   second line", "another first line"]);
    expect(events[0]!.get("tags")).toEqual(["multiline"]);
    expect(events[1]!.get("tags")).toBeUndefined();
    expect(events[0]!.get("[event][original]")).toBe("hello world\n   second line");
  });

  it("joins a line ending in a backslash to the next one (what => next)", () => {
    const codec = makeCodec(multilineCodec, { pattern: "\\\\$", what: "next" });
    const events = decodeAll(codec, ["a \\\nb \\\nc\nd\n"]);
    expect(messages(events)).toEqual(["a \\\nb \\\nc", "d"]);
  });

  it("negates the pattern and expands grok names", () => {
    const codec = makeCodec(multilineCodec, {
      pattern: "^%{NUMBER} %{TIME}",
      negate: true,
      what: "previous",
    });
    const events = decodeAll(codec, [
      "120913 12:04:33 first line\nsecond line\nthird line\n121013 01:00:00 next\n",
    ]);
    expect(messages(events)).toEqual([
      "120913 12:04:33 first line\nsecond line\nthird line",
      "121013 01:00:00 next",
    ]);
  });

  it("matches Java stack traces with TIMESTAMP_ISO8601", () => {
    const codec = makeCodec(multilineCodec, {
      pattern: "^%{TIMESTAMP_ISO8601} ",
      negate: true,
      what: "previous",
    });
    const log = [
      "2024-01-02T03:04:05.123Z ERROR boom",
      "java.lang.RuntimeException: x",
      "\tat a.b.C.d(C.java:1)",
      "2024-01-02 03:04:06,000 INFO ok",
    ].join("\n");
    expect(decodeAll(codec, [log]).map((e) => (e.get("message") as string).split("\n").length)).toEqual([
      3, 1,
    ]);
  });

  it("keeps a line split across writes whole and flushes the pending event at end", () => {
    const codec = makeCodec(multilineCodec, { pattern: "^\\s", what: "previous" });
    expect(messages(decodeAll(codec, ["first\n  sec", "ond\nthird"]))).toEqual(["first\n  second", "third"]);
  });

  it("uses a custom multiline_tag, and none when it is empty", () => {
    const tagged = decodeAll(
      makeCodec(multilineCodec, { pattern: "^\\s", what: "previous", multiline_tag: "hurray" }),
      ["a\n b\n"],
    );
    expect(tagged[0]!.get("tags")).toEqual(["hurray"]);
    const untagged = decodeAll(
      makeCodec(multilineCodec, { pattern: "^\\s", what: "previous", multiline_tag: "" }),
      ["a\n b\n"],
    );
    expect(untagged[0]!.get("tags")).toBeUndefined();
  });

  it("cuts an event past max_lines (Logstash lets it reach max_lines + 1) and tags it", () => {
    const codec = makeCodec(multilineCodec, { pattern: "^-", what: "previous", max_lines: 3 });
    const events = decodeAll(codec, [`start\n${"- x\n".repeat(6)}`]);
    expect(events.map((e) => (e.get("message") as string).split("\n").length)).toEqual([4, 3]);
    expect(events[0]!.hasTag(MAX_LINES_TAG)).toBe(true);
    expect(events[1]!.hasTag(MAX_LINES_TAG)).toBe(false);
  });

  it("cuts an event once max_bytes is reached and tags it", () => {
    const codec = makeCodec(multilineCodec, { pattern: "^-", what: "previous", max_bytes: 10 });
    const events = decodeAll(codec, ["- 3456\n- 3456\n- 3456\n"]);
    expect(events.map((e) => e.get("message"))).toEqual(["- 3456\n- 3456", "- 3456"]);
    expect(events[0]!.hasTag(MAX_BYTES_TAG)).toBe(true);
  });

  it("flushes after auto_flush_interval of quiet, per source", async () => {
    const codec = makeCodec(multilineCodec, { pattern: "^\\s", what: "previous", auto_flush_interval: 0.05 });
    const first: Event[] = [];
    const second: Event[] = [];
    const a = codec.createDecoder((e) => first.push(e));
    const b = codec.createDecoder((e) => second.push(e));
    a.write(Buffer.from("hello\n more\n"));
    b.write(Buffer.from("other\n"));
    expect(first).toHaveLength(0);
    await sleep(200);
    expect(messages(first)).toEqual(["hello\n more"]);
    expect(messages(second)).toEqual(["other"]);
    a.end();
    b.end();
  });

  it("does not flush on a timer without auto_flush_interval; close flushes what is pending", async () => {
    const codec = makeCodec(multilineCodec, { pattern: "^\\s", what: "previous" });
    const events: Event[] = [];
    codec.createDecoder((e) => events.push(e)).write(Buffer.from("a\n b\n"));
    await sleep(50);
    expect(events).toHaveLength(0);
    codec.close?.();
    expect(messages(events)).toEqual(["a\n b"]);
  });

  it("end stops the auto-flush timer", async () => {
    const codec = makeCodec(multilineCodec, { pattern: "^\\s", what: "previous", auto_flush_interval: 0.03 });
    const events: Event[] = [];
    const decoder = codec.createDecoder((e) => events.push(e));
    decoder.write(Buffer.from("a\n"));
    decoder.end();
    await sleep(80);
    expect(messages(events)).toEqual(["a"]);
  });

  it("loads patterns from patterns_dir, and refuses an unknown pattern name or bad regex", () => {
    const dir = mkdtempSync(join(tmpdir(), "sluice-multiline-"));
    writeFileSync(join(dir, "mine"), "# comment\nMYSTAMP \\[\\d+\\]\n");
    const codec = makeCodec(multilineCodec, {
      pattern: "^%{MYSTAMP}",
      negate: true,
      what: "previous",
      patterns_dir: [dir],
    });
    expect(messages(decodeAll(codec, ["[1] a\nb\n[2] c\n"]))).toEqual(["[1] a\nb", "[2] c"]);
    expect(() => makeCodec(multilineCodec, { pattern: "%{NOPE}", what: "previous" })).toThrow(
      /NOPE.*not defined/,
    );
    expect(() => makeCodec(multilineCodec, { pattern: "(", what: "previous" })).toThrow(
      /cannot compile grok pattern/,
    );
  });

  it("converts the charset and writes no [event][original] with ECS disabled", () => {
    const codec = makeCodec(
      multilineCodec,
      { pattern: "^\\s", what: "previous", charset: "ISO-8859-1" },
      recordingContext("disabled"),
    );
    const [event] = decodeAll(codec, [Buffer.from([0xe0, 0x0a, 0x20, 0xe9, 0x0a])]);
    expect(event!.get("message")).toBe("à\n é");
    expect(event!.includes("event")).toBe(false);
  });
});
