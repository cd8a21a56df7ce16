import { describe, expect, it } from "vitest";
import { Event } from "../../../event/index.js";
import type { Codec } from "../../api.js";
import { encodeAll, encodeOne, encodePiece, piecesToBuffer } from "./encode.js";
import { linesCodec, recordingContext } from "./test-support.js";

/** Text for most events, bytes for events with `raw`, a throw for events with `bad`. */
const mixedCodec: Codec = {
  createDecoder: () => ({ write: () => {}, end: () => {} }),
  encode: (event: Event) => {
    if (event.get("bad")) throw new Error("cannot encode");
    const raw = event.get("raw");
    return typeof raw === "string" ? Buffer.from(raw, "latin1") : `${String(event.get("message"))}\n`;
  },
};

describe("output encoding", () => {
  it("joins text pieces into the same bytes as one buffer per piece", () => {
    const pieces = ["héllo\n", "wörld ☃\n", "😀\n", ""];
    const expected = Buffer.concat(pieces.map((p) => Buffer.from(p)));
    expect(piecesToBuffer(pieces).equals(expected)).toBe(true);
  });

  it("keeps the order of text and byte pieces mixed", () => {
    const pieces = ["a\n", Buffer.from([0xff, 0x0a]), "b\n", "c\n", Buffer.from("d\n")];
    expect([...piecesToBuffer(pieces)]).toEqual([...Buffer.from("a\n\xff\nb\nc\nd\n", "latin1")]);
  });

  it("returns a single piece as is and no pieces as empty bytes", () => {
    const bytes = Buffer.from("only");
    expect(piecesToBuffer([bytes])).toBe(bytes);
    expect(piecesToBuffer(["only"]).toString()).toBe("only");
    expect(piecesToBuffer([]).length).toBe(0);
  });

  it("never pairs a lone high surrogate with the next piece's low surrogate", () => {
    const pieces = ["x\ud83d", "\ude00y"];
    const expected = Buffer.concat(pieces.map((p) => Buffer.from(p)));
    expect(piecesToBuffer(pieces).equals(expected)).toBe(true);
    expect(piecesToBuffer(pieces).toString()).toBe("x\ufffd\ufffdy");
  });

  it("encodes a batch in order, dropping and counting events the codec refuses", () => {
    const { context, failures, logs } = recordingContext();
    const events = [
      new Event({ message: "one" }),
      new Event({ bad: true }),
      new Event({ raw: "\xe9\n" }),
      new Event({ message: "two" }),
    ];
    expect([...encodeAll(mixedCodec, events, context)]).toEqual([
      ...Buffer.from("one\n\xe9\ntwo\n", "latin1"),
    ]);
    expect(failures).toEqual(["encode"]);
    expect(logs.some((l) => l.includes("codec failed to encode") && l.includes("plugin=test_output"))).toBe(
      true,
    );
  });

  it("encodes one event as bytes or as the codec's own piece", () => {
    const { context, failures } = recordingContext();
    expect(encodeOne(linesCodec, new Event({ message: "m" }), context)?.toString()).toMatch(/"message":"m"/);
    expect(encodePiece(mixedCodec, new Event({ message: "t" }), context)).toBe("t\n");
    expect(encodeOne(mixedCodec, new Event({ bad: true }), context)).toBeUndefined();
    expect(encodePiece(mixedCodec, new Event({ bad: true }), context)).toBeUndefined();
    expect(failures).toEqual(["encode", "encode"]);
  });
});
