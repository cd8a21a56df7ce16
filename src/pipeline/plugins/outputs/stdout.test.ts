import { PassThrough, Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { Event } from "../../event/index.js";
import type { Codec } from "../api.js";
import { linesCodec, recordingContext } from "./common/test-support.js";
import { StdoutOutput, stdoutOutput } from "./stdout.js";

describe("stdout output", () => {
  it("declares rubydebug as its default codec", () => {
    expect(stdoutOutput.defaultCodec).toBe("rubydebug");
  });

  it("writes a batch as one write, in order", async () => {
    const stream = new PassThrough();
    const writes: string[] = [];
    stream.on("data", (chunk: Buffer) => writes.push(chunk.toString()));
    const { context } = recordingContext();
    const output = new StdoutOutput(linesCodec, context, stream);
    await output.receive([new Event({ message: "one" }), new Event({ message: "two" })]);
    await new Promise((r) => setImmediate(r));
    expect(writes).toHaveLength(1);
    const lines = writes[0]!
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l).message);
    expect(lines).toEqual(["one", "two"]);
    output.close();
    output.close();
  });

  it("waits for drain when the reader is slow", async () => {
    let release: (() => void) | undefined;
    const received: Buffer[] = [];
    const slow = new Writable({
      highWaterMark: 4,
      write(chunk, _enc, cb) {
        received.push(chunk);
        release = cb;
      },
    });
    const output = new StdoutOutput(linesCodec, recordingContext().context, slow);
    let resolved = false;
    const pending = Promise.resolve(output.receive([new Event({ message: "x".repeat(100) })])).then(() => {
      resolved = true;
    });
    await new Promise((r) => setTimeout(r, 20));
    expect(resolved).toBe(false);
    release!();
    await pending;
    expect(resolved).toBe(true);
    expect(received).toHaveLength(1);
  });

  it("survives EPIPE: logs once, counts, drops later batches", async () => {
    const broken = new Writable({
      write(_chunk, _enc, cb) {
        const err = Object.assign(new Error("write EPIPE"), { code: "EPIPE" });
        cb(err);
      },
    });
    const { context, failures, logs } = recordingContext();
    const output = new StdoutOutput(linesCodec, context, broken);
    await output.receive([new Event({ message: "a" })]);
    await new Promise((r) => setImmediate(r));
    await output.receive([new Event({ message: "b" })]);
    expect(failures).toEqual(["stdout_closed", "stdout_closed"]);
    expect(logs.filter((l) => l.includes("stdout is closed"))).toHaveLength(1);
    output.close();
  });

  it("drops an event the codec cannot encode and writes the rest", async () => {
    const picky: Codec = {
      createDecoder: () => ({ write: () => {}, end: () => {} }),
      encode: (e) => {
        if (e.get("bad")) throw new Error("cannot");
        return `${e.get("message")}\n`;
      },
    };
    const stream = new PassThrough();
    const { context, failures } = recordingContext();
    const output = new StdoutOutput(picky, context, stream);
    await output.receive([
      new Event({ message: "ok" }),
      new Event({ bad: true }),
      new Event({ message: "ok2" }),
    ]);
    expect(stream.read().toString()).toBe("ok\nok2\n");
    expect(failures).toEqual(["encode"]);
  });
});
