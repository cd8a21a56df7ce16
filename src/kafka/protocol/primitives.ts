// Kafka wire primitives: a bounds-checked Reader over one frame and a growable Writer that emits chunks.
// Every length read from the wire is checked against the bytes left (and a limit) before anything is allocated.

import { assert } from "../../common/assert.js";
import { limits } from "../../common/limits.js";
import { ProtocolError } from "./errors.js";

/** UUIDs are 32 lowercase hex characters; this is Kafka's "zero" UUID, the default for uuid fields. */
export const zeroUuid = "00000000000000000000000000000000";

const emptyBuffer = Buffer.alloc(0);
const uuidPattern = /^[0-9a-fA-F]{32}$/;

function truncated(what: string): ProtocolError {
  return new ProtocolError(`frame truncated reading ${what}`);
}

/** Reads Kafka primitives from `buf[pos, end)`. Strings are copied out; bytes are zero-copy subarrays. */
export class Reader {
  constructor(
    readonly buf: Buffer,
    public pos = 0,
    public end = buf.length,
  ) {}

  remaining(): number {
    return this.end - this.pos;
  }

  private need(bytes: number, what: string): void {
    if (this.pos + bytes > this.end) throw truncated(what);
  }

  skip(bytes: number): void {
    if (bytes < 0) throw new ProtocolError("negative skip");
    this.need(bytes, "skipped bytes");
    this.pos += bytes;
  }

  int8(): number {
    this.need(1, "int8");
    return this.buf.readInt8(this.pos++);
  }

  bool(): boolean {
    return this.int8() !== 0;
  }

  int16(): number {
    this.need(2, "int16");
    const v = this.buf.readInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  uint16(): number {
    this.need(2, "uint16");
    const v = this.buf.readUInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  int32(): number {
    this.need(4, "int32");
    const v = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  uint32(): number {
    this.need(4, "uint32");
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  int64(): bigint {
    this.need(8, "int64");
    const v = this.buf.readBigInt64BE(this.pos);
    this.pos += 8;
    return v;
  }

  float64(): number {
    this.need(8, "float64");
    const v = this.buf.readDoubleBE(this.pos);
    this.pos += 8;
    return v;
  }

  uuid(): string {
    this.need(16, "uuid");
    const v = this.buf.toString("hex", this.pos, this.pos + 16);
    this.pos += 16;
    return v;
  }

  /** Unsigned varint of at most 32 bits (5 bytes). */
  uvarint(): number {
    const buf = this.buf;
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 5; i++) {
      if (this.pos >= this.end) throw truncated("varint");
      const b = buf[this.pos++]!;
      result += (b & 0x7f) * scale;
      if (b < 0x80) {
        if (result > 0xffffffff) throw new ProtocolError("unsigned varint exceeds 32 bits");
        return result;
      }
      scale *= 128;
    }
    throw new ProtocolError("unsigned varint longer than 5 bytes");
  }

  /** Zigzag-encoded signed 32-bit varint. */
  varint(): number {
    const u = this.uvarint();
    return (u >>> 1) ^ -(u & 1);
  }

  /** Unsigned varint of at most 64 bits (10 bytes), as a bigint. */
  uvarlong(): bigint {
    let result = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw truncated("varlong");
      const b = this.buf[this.pos++]!;
      result |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) return BigInt.asUintN(64, result);
      shift += 7n;
    }
    throw new ProtocolError("varlong longer than 10 bytes");
  }

  /** Zigzag-encoded signed 64-bit varint. */
  varlong(): bigint {
    const u = this.uvarlong();
    return BigInt.asIntN(64, (u >> 1n) ^ -(u & 1n));
  }

  /** A byte length read from the wire, -1 for null; checked against what is left before use. */
  private checkedLength(length: number, what: string): number {
    if (length < -1) throw new ProtocolError(`negative ${what} length ${length}`);
    if (length > this.end - this.pos) throw truncated(what);
    return length;
  }

  private utf8(length: number): string {
    if (length > limits.decodeArrayLengthMax)
      throw new ProtocolError(`string of ${length} bytes exceeds limit`);
    const v = this.buf.toString("utf8", this.pos, this.pos + length);
    this.pos += length;
    return v;
  }

  nullableString(): string | null {
    const length = this.checkedLength(this.int16(), "string");
    return length < 0 ? null : this.utf8(length);
  }

  string(): string {
    const v = this.nullableString();
    if (v === null) throw new ProtocolError("null in a non-nullable string");
    return v;
  }

  compactNullableString(): string | null {
    const length = this.checkedLength(this.uvarint() - 1, "compact string");
    return length < 0 ? null : this.utf8(length);
  }

  compactString(): string {
    const v = this.compactNullableString();
    if (v === null) throw new ProtocolError("null in a non-nullable compact string");
    return v;
  }

  private slice(length: number): Buffer {
    const v = this.buf.subarray(this.pos, this.pos + length);
    this.pos += length;
    return v;
  }

  nullableBytes(): Buffer | null {
    const length = this.checkedLength(this.int32(), "bytes");
    return length < 0 ? null : this.slice(length);
  }

  bytes(): Buffer {
    const v = this.nullableBytes();
    if (v === null) throw new ProtocolError("null in non-nullable bytes");
    return v;
  }

  compactNullableBytes(): Buffer | null {
    const length = this.checkedLength(this.uvarint() - 1, "compact bytes");
    return length < 0 ? null : this.slice(length);
  }

  compactBytes(): Buffer {
    const v = this.compactNullableBytes();
    if (v === null) throw new ProtocolError("null in non-nullable compact bytes");
    return v;
  }

  /**
   * An array's element count (-1 for null), refused before any allocation if it exceeds the decode
   * limit or could not fit in the bytes left given each element takes at least `elementBytesMin`.
   */
  arrayLength(compact: boolean, elementBytesMin: number): number {
    const length = compact ? this.uvarint() - 1 : this.int32();
    if (length < -1) throw new ProtocolError(`negative array length ${length}`);
    if (length > limits.decodeArrayLengthMax) throw new ProtocolError(`array of ${length} exceeds limit`);
    if (length * elementBytesMin > this.end - this.pos) throw truncated("array");
    return length;
  }

  /** Skips a tagged-field section entirely (used for headers, whose tagged fields we do not know). */
  skipTaggedFields(): void {
    const count = this.uvarint();
    for (let i = 0; i < count; i++) {
      this.uvarint();
      this.skip(this.uvarint());
    }
  }
}

const writerInitialBytes = 256;

/**
 * Writes Kafka primitives into a growing buffer. `refs` splices caller-owned buffers into the
 * output without copying, so the result is a list of chunks meant for a gathering socket write.
 */
export class Writer {
  private buf: Buffer;
  private pos: number;
  /** Start of the bytes in `buf` not yet handed out as a chunk. */
  private chunkStart = 0;
  private readonly chunks: Buffer[] = [];
  private totalBytes = 0;

  /** With `sizePrefix`, the output starts with an int32 holding the length of everything after it. */
  constructor(
    private readonly sizePrefix: boolean,
    initialBytes = writerInitialBytes,
  ) {
    this.buf = Buffer.allocUnsafe(initialBytes);
    this.pos = sizePrefix ? 4 : 0;
  }

  private ensure(bytes: number): void {
    if (this.pos + bytes <= this.buf.length) return;
    const pending = this.pos - this.chunkStart;
    const grown = Buffer.allocUnsafe(Math.max(this.buf.length * 2, pending + bytes + writerInitialBytes));
    this.buf.copy(grown, 0, this.chunkStart, this.pos);
    this.buf = grown;
    this.chunkStart = 0;
    this.pos = pending;
  }

  int8(v: number): void {
    this.ensure(1);
    this.pos = this.buf.writeInt8(v, this.pos);
  }

  bool(v: boolean): void {
    this.int8(v ? 1 : 0);
  }

  int16(v: number): void {
    this.ensure(2);
    this.pos = this.buf.writeInt16BE(v, this.pos);
  }

  uint16(v: number): void {
    this.ensure(2);
    this.pos = this.buf.writeUInt16BE(v, this.pos);
  }

  int32(v: number): void {
    this.ensure(4);
    this.pos = this.buf.writeInt32BE(v, this.pos);
  }

  uint32(v: number): void {
    this.ensure(4);
    this.pos = this.buf.writeUInt32BE(v, this.pos);
  }

  int64(v: bigint): void {
    this.ensure(8);
    this.pos = this.buf.writeBigInt64BE(v, this.pos);
  }

  float64(v: number): void {
    this.ensure(8);
    this.pos = this.buf.writeDoubleBE(v, this.pos);
  }

  uuid(v: string): void {
    assert(uuidPattern.test(v), `uuid must be 32 hex characters, got ${JSON.stringify(v)}`);
    this.ensure(16);
    this.pos += this.buf.write(v, this.pos, 16, "hex");
  }

  uvarint(v: number): void {
    assert(v >= 0 && v <= 0xffffffff && Number.isInteger(v), `uvarint out of range: ${v}`);
    this.ensure(5);
    const buf = this.buf;
    while (v >= 0x80) {
      buf[this.pos++] = (v & 0x7f) | 0x80;
      v = Math.floor(v / 128);
    }
    buf[this.pos++] = v;
  }

  varint(v: number): void {
    this.uvarint(((v << 1) ^ (v >> 31)) >>> 0);
  }

  uvarlong(v: bigint): void {
    this.ensure(10);
    v = BigInt.asUintN(64, v);
    while (v >= 0x80n) {
      this.buf[this.pos++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.buf[this.pos++] = Number(v);
  }

  varlong(v: bigint): void {
    const n = BigInt.asIntN(64, v);
    this.uvarlong((n << 1n) ^ (n >> 63n));
  }

  /** Raw bytes, copied. */
  raw(v: Buffer): void {
    this.ensure(v.length);
    this.pos += v.copy(this.buf, this.pos);
  }

  private utf8(v: string, compact: boolean): void {
    const length = Buffer.byteLength(v, "utf8");
    if (compact) this.uvarint(length + 1);
    else {
      assert(length <= 0x7fff, `string of ${length} bytes is too long for an int16 length`);
      this.int16(length);
    }
    this.ensure(length);
    this.pos += this.buf.write(v, this.pos, length, "utf8");
  }

  string(v: string | null, compact: boolean): void {
    if (v !== null) this.utf8(v, compact);
    else if (compact) this.uvarint(0);
    else this.int16(-1);
  }

  bytes(v: Buffer | null, compact: boolean): void {
    this.length(v === null ? -1 : v.length, compact);
    if (v !== null) this.raw(v);
  }

  /** An int32 length (non-compact) or an unsigned varint length+1 (compact); -1 is null. */
  length(v: number, compact: boolean): void {
    if (compact) this.uvarint(v + 1);
    else this.int32(v);
  }

  /** Splices buffers into the output by reference; the caller must not change them until written. */
  refs(buffers: readonly Buffer[]): void {
    this.flushPending();
    for (const b of buffers) {
      if (b.length === 0) continue;
      this.chunks.push(b);
      this.totalBytes += b.length;
    }
  }

  private flushPending(): void {
    if (this.pos === this.chunkStart) return;
    this.chunks.push(this.buf.subarray(this.chunkStart, this.pos));
    this.totalBytes += this.pos - this.chunkStart;
    this.chunkStart = this.pos;
  }

  /** Ends writing: the chunks in order, with the size prefix filled in if one was asked for. */
  finish(): Buffer[] {
    this.flushPending();
    if (this.sizePrefix) this.chunks[0]!.writeInt32BE(this.totalBytes - 4, 0);
    return this.chunks;
  }

  /** Ends writing as one contiguous buffer (copies only if records were spliced in). */
  finishAsBuffer(): Buffer {
    const chunks = this.finish();
    if (chunks.length === 1) return chunks[0]!;
    return chunks.length === 0 ? emptyBuffer : Buffer.concat(chunks, this.totalBytes);
  }
}
