import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { RecordFormatError } from "./errors.js";
import { RecordCursor, varintSize, varlongSize, writeVarint, writeVarlong } from "./varint.js";

function encodeVarint(value: number): Buffer {
  const buf = Buffer.alloc(5);
  return buf.subarray(0, writeVarint(buf, 0, value));
}

function encodeVarlong(value: bigint): Buffer {
  const buf = Buffer.alloc(10);
  return buf.subarray(0, writeVarlong(buf, 0, value));
}

describe("zigzag varints", () => {
  it("encodes the spec's examples", () => {
    expect(encodeVarint(0).toString("hex")).toBe("00");
    expect(encodeVarint(-1).toString("hex")).toBe("01");
    expect(encodeVarint(1).toString("hex")).toBe("02");
    expect(encodeVarint(-64).toString("hex")).toBe("7f");
    expect(encodeVarint(64).toString("hex")).toBe("8001");
    expect(encodeVarint(2147483647).toString("hex")).toBe("feffffff0f");
    expect(encodeVarint(-2147483648).toString("hex")).toBe("ffffffff0f");
    expect(encodeVarlong(-(2n ** 63n)).toString("hex")).toBe("ffffffffffffffffff01");
  });

  it("round-trips any int32 and int64, with matching sizes", () => {
    fc.assert(
      fc.property(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), (value) => {
        const bytes = encodeVarint(value);
        expect(bytes.length).toBe(varintSize(value));
        const cursor = new RecordCursor(bytes, 0, bytes.length);
        expect(cursor.readVarint()).toBe(value);
        expect(cursor.remaining()).toBe(0);
      }),
    );
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), (value) => {
        const bytes = encodeVarlong(value);
        expect(bytes.length).toBe(varlongSize(value));
        expect(new RecordCursor(bytes, 0, bytes.length).readVarlong()).toBe(value);
      }),
    );
  });

  it("rejects truncated, overlong and overflowing varints", () => {
    const read = (hex: string, long = false) => {
      const buf = Buffer.from(hex, "hex");
      const cursor = new RecordCursor(buf, 0, buf.length);
      return () => (long ? cursor.readVarlong() : cursor.readVarint());
    };
    expect(read("80")).toThrow(RecordFormatError);
    expect(read("ffffffff1f")).toThrow(/overflows/);
    expect(read("ffffffffff01")).toThrow(RecordFormatError);
    expect(read("ffffffffffffffffff02", true)).toThrow(/overflows/);
    expect(read("ffffffffffffffffffff01", true)).toThrow(RecordFormatError);
    expect(read("8080", true)).toThrow(/truncated/);
  });

  it("refuses byte reads past the end and negative lengths", () => {
    const buf = Buffer.from("0a6869", "hex"); // length 5, only 2 bytes follow
    expect(() => new RecordCursor(buf, 0, buf.length).readNullableBytes()).toThrow(/runs past the end/);
    const negative = Buffer.from("03", "hex"); // -2
    expect(() => new RecordCursor(negative, 0, 1).readNullableBytes()).toThrow(/negative length/);
    expect(new RecordCursor(Buffer.from("01", "hex"), 0, 1).readNullableBytes()).toBeNull();
  });
});
