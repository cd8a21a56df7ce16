// Zigzag varints (Kafka's varint/varlong) for the record format, private to this folder.
// A bounded cursor over a slice: every read past `end` or malformed varint throws RecordFormatError.

import { RecordFormatError } from "./errors.js";

const int32MinBig = -0x80000000n;
const int32MaxBig = 0x7fffffffn;

/** Reads records fields from buf[pos, end); all reads are bounds-checked. */
export class RecordCursor {
  constructor(
    readonly buf: Buffer,
    public pos: number,
    public end: number,
  ) {}

  remaining(): number {
    return this.end - this.pos;
  }

  readInt8(): number {
    if (this.pos >= this.end) throw new RecordFormatError(`record truncated at byte ${this.pos}`);
    return this.buf.readInt8(this.pos++);
  }

  /** A zigzag varint of at most 5 bytes (int32). */
  readVarint(): number {
    const { buf, end } = this;
    let raw = 0;
    for (let i = 0, shift = 0; i < 5; i++, shift += 7) {
      if (this.pos >= end) throw new RecordFormatError(`varint truncated at byte ${this.pos}`);
      const byte = buf[this.pos++]!;
      if (i === 4 && byte > 0x0f)
        throw new RecordFormatError(`varint overflows int32 at byte ${this.pos - 1}`);
      raw |= (byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return (raw >>> 1) ^ -(raw & 1);
    }
    throw new RecordFormatError(`varint longer than 5 bytes at byte ${this.pos}`);
  }

  /** A zigzag varlong of at most 10 bytes (int64). */
  readVarlong(): bigint {
    const start = this.pos;
    // Small values (the usual timestamp delta) decode with plain numbers: 7 bytes hold 49 bits, exact in a double.
    let raw = 0;
    let scale = 1;
    for (let i = 0; i < 7; i++) {
      if (this.pos >= this.end) throw new RecordFormatError(`varlong truncated at byte ${this.pos}`);
      const byte = this.buf[this.pos++]!;
      raw += (byte & 0x7f) * scale;
      if ((byte & 0x80) === 0) return BigInt(raw % 2 === 0 ? raw / 2 : -(raw + 1) / 2);
      scale *= 128;
    }
    this.pos = start;
    return this.readVarlongSlow();
  }

  private readVarlongSlow(): bigint {
    let raw = 0n;
    for (let i = 0n; i < 10n; i++) {
      if (this.pos >= this.end) throw new RecordFormatError(`varlong truncated at byte ${this.pos}`);
      const byte = this.buf[this.pos++]!;
      if (i === 9n && byte > 0x01)
        throw new RecordFormatError(`varlong overflows int64 at byte ${this.pos - 1}`);
      raw |= BigInt(byte & 0x7f) << (7n * i);
      if ((byte & 0x80) === 0) return BigInt.asIntN(64, (raw >> 1n) ^ -(raw & 1n));
    }
    throw new RecordFormatError(`varlong longer than 10 bytes at byte ${this.pos}`);
  }

  /** `length` bytes as a view (no copy), or throws if they are not all there. */
  readBytes(length: number): Buffer {
    if (length > this.end - this.pos) {
      throw new RecordFormatError(`length ${length} at byte ${this.pos} runs past the end (${this.end})`);
    }
    const bytes = this.buf.subarray(this.pos, this.pos + length);
    this.pos += length;
    return bytes;
  }

  /** A varint length then that many bytes; -1 is null, other negatives are malformed. */
  readNullableBytes(): Buffer | null {
    const length = this.readVarint();
    if (length === -1) return null;
    if (length < 0) throw new RecordFormatError(`negative length ${length} at byte ${this.pos}`);
    return this.readBytes(length);
  }
}

/** Bytes the zigzag varint encoding of the int32 `value` takes. */
export function varintSize(value: number): number {
  let raw = ((value << 1) ^ (value >> 31)) >>> 0;
  let size = 1;
  while (raw >= 0x80) {
    raw >>>= 7;
    size++;
  }
  return size;
}

/** Writes the int32 `value` as a zigzag varint at `pos`; returns the position after it. */
export function writeVarint(buf: Buffer, pos: number, value: number): number {
  let raw = ((value << 1) ^ (value >> 31)) >>> 0;
  while (raw >= 0x80) {
    buf[pos++] = (raw & 0x7f) | 0x80;
    raw >>>= 7;
  }
  buf[pos++] = raw;
  return pos;
}

function fitsInt32(value: bigint): boolean {
  return value >= int32MinBig && value <= int32MaxBig;
}

/** Bytes the zigzag varlong encoding of `value` takes. */
export function varlongSize(value: bigint): number {
  // Zigzag of a value that fits in 32 bits has the same bytes whether read as varint or varlong.
  if (fitsInt32(value)) return varintSize(Number(value));
  let raw = BigInt.asUintN(64, (value << 1n) ^ (value >> 63n));
  let size = 1;
  while (raw >= 0x80n) {
    raw >>= 7n;
    size++;
  }
  return size;
}

/** Writes `value` (int64) as a zigzag varlong at `pos`; returns the position after it. */
export function writeVarlong(buf: Buffer, pos: number, value: bigint): number {
  if (fitsInt32(value)) return writeVarint(buf, pos, Number(value));
  let raw = BigInt.asUintN(64, (value << 1n) ^ (value >> 63n));
  while (raw >= 0x80n) {
    buf[pos++] = Number(raw & 0x7fn) | 0x80;
    raw >>= 7n;
  }
  buf[pos++] = Number(raw);
  return pos;
}
