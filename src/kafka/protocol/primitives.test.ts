import { describe, expect, it } from "vitest";
import { ProtocolError } from "./errors.js";
import { Reader, Writer } from "./primitives.js";

function written(write: (w: Writer) => void): Buffer {
  const w = new Writer(false, 8);
  write(w);
  return w.finishAsBuffer();
}

describe("varints", () => {
  it("encode unsigned varints in the protocol's little-endian base-128 form", () => {
    expect(written((w) => w.uvarint(0))).toEqual(Buffer.from([0]));
    expect(written((w) => w.uvarint(127))).toEqual(Buffer.from([0x7f]));
    expect(written((w) => w.uvarint(300))).toEqual(Buffer.from([0xac, 0x02]));
    expect(written((w) => w.uvarint(0xffffffff))).toEqual(Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f]));
  });

  it("zigzag-encode signed values", () => {
    expect(written((w) => w.varint(-1))).toEqual(Buffer.from([0x01]));
    expect(written((w) => w.varint(1))).toEqual(Buffer.from([0x02]));
    expect(written((w) => w.varlong(-2n))).toEqual(Buffer.from([0x03]));
  });

  it("round-trip at the edges", () => {
    const ints = [0, 1, -1, 63, -64, 64, 2 ** 31 - 1, -(2 ** 31)];
    const longs = [0n, -1n, 2n ** 63n - 1n, -(2n ** 63n), 1234567890123n];
    const bytes = written((w) => {
      for (const v of ints) w.varint(v);
      for (const v of longs) w.varlong(v);
    });
    const r = new Reader(bytes);
    expect(ints.map(() => r.varint())).toEqual(ints);
    expect(longs.map(() => r.varlong())).toEqual(longs);
    expect(r.remaining()).toBe(0);
  });

  it("reject overlong and truncated varints", () => {
    expect(() => new Reader(Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0x01])).uvarint()).toThrow(
      ProtocolError,
    );
    expect(() => new Reader(Buffer.from([0xff, 0xff, 0xff, 0xff, 0x1f])).uvarint()).toThrow(/32 bits/);
    expect(() => new Reader(Buffer.from([0x80])).uvarint()).toThrow(ProtocolError);
    expect(() => new Reader(Buffer.alloc(11, 0xff)).varlong()).toThrow(ProtocolError);
  });
});

describe("Reader", () => {
  it("throws ProtocolError, never RangeError, past the end", () => {
    const r = new Reader(Buffer.from([1, 2, 3]));
    expect(() => r.int32()).toThrow(ProtocolError);
    expect(() => r.int64()).toThrow(ProtocolError);
    expect(r.int16()).toBe(0x0102);
    expect(() => r.int16()).toThrow(ProtocolError);
  });

  it("respects a window end inside the buffer", () => {
    const r = new Reader(Buffer.from([0, 0, 0, 1, 0, 0, 0, 2]), 0, 4);
    expect(r.int32()).toBe(1);
    expect(() => r.int8()).toThrow(ProtocolError);
  });

  it("reads strings, nulls and zero-copy bytes in both encodings", () => {
    const buf = written((w) => {
      w.string("héllo", false);
      w.string(null, false);
      w.string("x", true);
      w.string(null, true);
      w.bytes(Buffer.from([9, 8]), false);
      w.bytes(null, true);
      w.uuid("0123456789abcdef0123456789abcdef");
    });
    const r = new Reader(buf);
    expect(r.string()).toBe("héllo");
    expect(r.nullableString()).toBeNull();
    expect(r.compactString()).toBe("x");
    expect(() => r.compactString()).toThrow(/null/);
    const bytes = r.bytes();
    expect([...bytes]).toEqual([9, 8]);
    expect(bytes.buffer).toBe(buf.buffer);
    expect(r.compactNullableBytes()).toBeNull();
    expect(r.uuid()).toBe("0123456789abcdef0123456789abcdef");
  });

  it("rejects lengths that exceed the remaining bytes", () => {
    expect(() => new Reader(Buffer.from([0, 5, 0x61])).string()).toThrow(ProtocolError);
    expect(() => new Reader(Buffer.from([0x7f, 0xff, 0xff, 0xff])).bytes()).toThrow(ProtocolError);
    expect(() => new Reader(Buffer.from([0xff, 0xfe])).nullableString()).toThrow(/negative/);
    expect(() => new Reader(Buffer.from([0, 0, 0, 3, 0, 0, 0, 1])).arrayLength(false, 4)).toThrow(
      ProtocolError,
    );
    expect(new Reader(Buffer.from([0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 2])).arrayLength(false, 4)).toBe(2);
  });
});

describe("Writer", () => {
  it("grows past its initial size and keeps spliced buffers by reference", () => {
    const big = Buffer.alloc(1000, 7);
    const w = new Writer(true, 4);
    for (let i = 0; i < 100; i++) w.int32(i);
    w.refs([big]);
    w.int16(-1);
    const chunks = w.finish();
    expect(chunks).toHaveLength(3);
    expect(chunks[1]).toBe(big);
    const all = Buffer.concat(chunks);
    expect(all.readInt32BE(0)).toBe(400 + 1000 + 2);
    expect(all.readInt32BE(4 + 99 * 4)).toBe(99);
    expect(all.readInt16BE(all.length - 2)).toBe(-1);
  });
});
