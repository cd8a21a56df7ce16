import { hostname } from "node:os";
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { jsonCodec } from "../codecs/json.js";
import { lineCodec } from "../codecs/line.js";
import { multilineCodec } from "../codecs/multiline.js";
import { plainCodec } from "../codecs/plain.js";
import { makeCodec, RecordingSink, recordingContext, waitFor } from "../codecs/test-support.js";
import { StdinInput, stdinInput } from "./stdin.js";

describe("stdin input", () => {
  it("reads lines until EOF, flushing a last line without newline, with ECS host and original", async () => {
    const stream = new PassThrough();
    const input = new StdinInput(makeCodec(lineCodec), recordingContext(), stream);
    const sink = new RecordingSink();
    const running = input.run(sink);
    stream.write("one\ntw");
    stream.write("o\nthree");
    stream.end();
    await running;
    expect(sink.events.map((e) => e.get("message"))).toEqual(["one", "two", "three"]);
    expect(sink.events[0]!.get("[host][hostname]")).toBe(hostname());
    expect(sink.events[0]!.get("[event][original]")).toBe("one");
  });

  it("sets host with ECS disabled and no [event][original]", async () => {
    const stream = new PassThrough();
    const context = recordingContext("disabled");
    const input = new StdinInput(makeCodec(lineCodec, {}, context), context, stream);
    const sink = new RecordingSink();
    stream.end("a\n");
    await input.run(sink);
    expect(sink.events[0]!.get("host")).toBe(hostname());
    expect(sink.events[0]!.includes("event")).toBe(false);
  });

  it("switches json to json_lines and stores the raw chunk as [event][original], as Logstash does", async () => {
    const stream = new PassThrough();
    const context = recordingContext();
    const input = new StdinInput(makeCodec(jsonCodec, {}, context), context, stream);
    const sink = new RecordingSink();
    stream.end('{"a":1}\n{"a":2}\n');
    await input.run(sink);
    expect(sink.events.map((e) => e.get("a"))).toEqual([1, 2]);
    expect(sink.events[0]!.get("[event][original]")).toBe('{"a":1}\n{"a":2}\n');
  });

  it("switches plain to line", async () => {
    const stream = new PassThrough();
    const context = recordingContext();
    const input = new StdinInput(makeCodec(plainCodec, {}, context), context, stream);
    const sink = new RecordingSink();
    stream.end("a\nb\n");
    await input.run(sink);
    expect(sink.events.map((e) => e.get("message"))).toEqual(["a", "b"]);
  });

  it("passes events a codec emits later (multiline auto flush) straight on", async () => {
    const stream = new PassThrough();
    const codec = makeCodec(multilineCodec, { pattern: "^\\s", what: "previous", auto_flush_interval: 0.03 });
    const input = new StdinInput(codec, recordingContext(), stream);
    const sink = new RecordingSink();
    const running = input.run(sink);
    stream.write("a\n b\n");
    await waitFor(() => sink.events.length === 1);
    expect(sink.events[0]!.get("message")).toBe("a\n b");
    stream.end();
    await running;
  });

  it("stops reading when stopped, and waits for ready() when the sink is full", async () => {
    const stream = new PassThrough();
    const input = new StdinInput(makeCodec(lineCodec), recordingContext(), stream);
    const sink = new RecordingSink(1);
    const running = input.run(sink);
    stream.write("a\nb\n");
    await waitFor(() => sink.readyCalls === 1);
    stream.write("c\n");
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(sink.events.map((e) => e.get("message"))).toEqual(["a", "b"]);
    sink.release(10);
    await waitFor(() => sink.events.length === 3);
    input.stop();
    await running;
  });

  it("declares line as its default codec", () => {
    expect(stdinInput.defaultCodec).toBe("line");
  });
});
