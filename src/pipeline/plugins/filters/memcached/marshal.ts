// The subset of Ruby's Marshal format (4.8) that Logstash's memcached filter (through the dalli client) stores:
// nil, booleans, integers, floats, strings, symbols, arrays and hashes, so both sides read what the other wrote.

const major = 4;
const minor = 8;

export type MarshalValue =
  | string
  | number
  | boolean
  | null
  | MarshalValue[]
  | { [key: string]: MarshalValue };

export class MarshalError extends Error {
  override name = "MarshalError";
}

// ---------------------------------------------------------------- dump

/** The bytes so far, and whether the symbol :E is in the symbol table (later strings link to it). */
type Output = number[] & { encodingSymbolWritten: boolean };

/** Marshal.dump of an event value; strings are written as UTF-8, hashes with string keys. */
export function dumpMarshal(value: unknown): Buffer {
  const out: Output = Object.assign([major, minor], { encodingSymbolWritten: false });
  writeValue(out, value);
  return Buffer.from(out);
}

function writeValue(out: Output, value: unknown): void {
  if (value === null || value === undefined)
    out.push(0x30); // '0'
  else if (value === true)
    out.push(0x54); // 'T'
  else if (value === false)
    out.push(0x46); // 'F'
  else if (typeof value === "number") writeNumber(out, value);
  else if (typeof value === "string") writeString(out, value);
  else if (Array.isArray(value)) {
    out.push(0x5b); // '['
    writeLong(out, value.length);
    for (const item of value) writeValue(out, item);
  } else if (typeof value === "object" && value.constructor === Object) {
    const entries = Object.entries(value);
    out.push(0x7b); // '{'
    writeLong(out, entries.length);
    for (const [key, item] of entries) {
      writeString(out, key);
      writeValue(out, item);
    }
  } else writeString(out, String(value)); // Timestamps and other scalars travel as their text
}

function writeNumber(out: Output, value: number): void {
  if (Number.isInteger(value) && value >= -(2 ** 30) && value < 2 ** 30) {
    out.push(0x69); // 'i'
    writeLong(out, value);
  } else if (Number.isSafeInteger(value)) writeBignum(out, value);
  else {
    out.push(0x66); // 'f'
    writeBytes(out, Buffer.from(floatText(value), "latin1"));
  }
}

function floatText(value: number): string {
  if (Number.isNaN(value)) return "nan";
  if (!Number.isFinite(value)) return value > 0 ? "inf" : "-inf";
  return String(value);
}

function writeBignum(out: number[], value: number): void {
  out.push(0x6c, value < 0 ? 0x2d : 0x2b); // 'l', '-' or '+'
  let magnitude = BigInt(Math.abs(value));
  const bytes: number[] = [];
  while (magnitude > 0n) {
    bytes.push(Number(magnitude & 0xffn));
    magnitude >>= 8n;
  }
  if (bytes.length % 2 === 1) bytes.push(0); // the length is counted in 16-bit words
  writeLong(out, bytes.length / 2);
  out.push(...bytes);
}

function writeString(out: Output, value: string): void {
  out.push(0x49, 0x22); // 'I' '"': a string with instance variables (its encoding)
  writeBytes(out, Buffer.from(value, "utf8"));
  writeLong(out, 1);
  if (out.encodingSymbolWritten)
    out.push(0x3b, 0x00); // ';' link to symbol 0, :E
  else out.push(0x3a, 0x06, 0x45); // ':' the symbol E
  out.encodingSymbolWritten = true;
  out.push(0x54); // true: UTF-8
}

function writeBytes(out: number[], bytes: Buffer): void {
  writeLong(out, bytes.length);
  for (const byte of bytes) out.push(byte);
}

/** Marshal's compact integer: small values in one byte, others as 1-4 little-endian bytes after a count. */
function writeLong(out: number[], value: number): void {
  if (value === 0) out.push(0);
  else if (value > 0 && value < 123) out.push(value + 5);
  else if (value < 0 && value > -124) out.push((value - 5) & 0xff);
  else {
    const bytes: number[] = [];
    let rest = value;
    for (let i = 0; i < 4; i++) {
      bytes.push(rest & 0xff);
      rest >>= 8;
      if ((value >= 0 && rest === 0) || (value < 0 && rest === -1)) break;
    }
    out.push(value >= 0 ? bytes.length : 256 - bytes.length, ...bytes);
  }
}

// ---------------------------------------------------------------- load

/** Marshal.load of the supported subset; anything else (objects, classes, links to them) is a MarshalError. */
export function loadMarshal(data: Buffer): MarshalValue {
  if (data.length < 2 || data[0] !== major || data[1] !== minor)
    throw new MarshalError("not Ruby Marshal 4.8 data");
  const reader = new MarshalReader(data, 2);
  const value = reader.value();
  return value;
}

class MarshalReader {
  private readonly symbols: string[] = [];
  private readonly objects: MarshalValue[] = [];

  constructor(
    private readonly data: Buffer,
    private offset: number,
  ) {}

  value(): MarshalValue {
    const type = this.byte();
    switch (type) {
      case 0x30:
        return null;
      case 0x54:
        return true;
      case 0x46:
        return false;
      case 0x69:
        return this.long();
      case 0x6c:
        return this.remember(this.bignum());
      case 0x66:
        return this.remember(this.float());
      case 0x22:
        return this.remember(this.bytes().toString("utf8"));
      case 0x3a:
      case 0x3b:
        this.offset--;
        return this.symbol();
      case 0x49:
        return this.withIvars();
      case 0x5b:
        return this.array();
      case 0x7b:
        return this.hash();
      case 0x40:
        return this.link();
      default:
        throw new MarshalError(`unsupported Marshal type '${String.fromCharCode(type)}'`);
    }
  }

  /** 'I': a string (or other value) followed by instance variables; only the encoding ones are expected. */
  private withIvars(): MarshalValue {
    const inner = this.value();
    const count = this.long();
    for (let i = 0; i < count; i++) {
      this.symbol();
      this.value();
    }
    return inner;
  }

  private array(): MarshalValue[] {
    const items: MarshalValue[] = [];
    this.remember(items);
    const count = this.long();
    for (let i = 0; i < count; i++) items.push(this.value());
    return items;
  }

  private hash(): { [key: string]: MarshalValue } {
    const map: { [key: string]: MarshalValue } = {};
    this.remember(map);
    const count = this.long();
    for (let i = 0; i < count; i++) {
      const key = this.value();
      map[typeof key === "string" ? key : JSON.stringify(key)] = this.value();
    }
    return map;
  }

  private link(): MarshalValue {
    const index = this.long();
    const target = this.objects[index];
    if (target === undefined) throw new MarshalError(`bad object link ${index}`);
    return target;
  }

  private symbol(): string {
    const type = this.byte();
    if (type === 0x3b) {
      const name = this.symbols[this.long()];
      if (name === undefined) throw new MarshalError("bad symbol link");
      return name;
    }
    if (type !== 0x3a) throw new MarshalError("expected a symbol");
    const name = this.bytes().toString("utf8");
    this.symbols.push(name);
    return name;
  }

  private float(): number {
    const text = this.bytes().toString("latin1");
    if (text === "nan") return Number.NaN;
    if (text === "inf") return Number.POSITIVE_INFINITY;
    if (text === "-inf") return Number.NEGATIVE_INFINITY;
    return Number.parseFloat(text);
  }

  private bignum(): number {
    const sign = this.byte();
    const length = this.long() * 2;
    let magnitude = 0n;
    for (let i = length - 1; i >= 0; i--) magnitude = (magnitude << 8n) | BigInt(this.at(this.offset + i));
    this.offset += length;
    const value = Number(magnitude);
    return sign === 0x2d ? -value : value;
  }

  private remember<T extends MarshalValue>(value: T): T {
    this.objects.push(value);
    return value;
  }

  private bytes(): Buffer {
    const length = this.long();
    if (length < 0 || this.offset + length > this.data.length) throw new MarshalError("truncated data");
    const bytes = this.data.subarray(this.offset, this.offset + length);
    this.offset += length;
    return bytes;
  }

  private long(): number {
    const head = (this.byte() << 24) >> 24; // as a signed byte
    if (head === 0) return 0;
    if (head > 4) return head - 5;
    if (head < -4) return head + 5;
    if (head > 0) {
      let value = 0;
      for (let i = 0; i < head; i++) value += this.byte() * 2 ** (8 * i);
      return value;
    }
    let value = -1;
    for (let i = 0; i < -head; i++) {
      value &= ~(0xff << (8 * i));
      value |= this.byte() << (8 * i);
    }
    return value;
  }

  private byte(): number {
    return this.at(this.offset++);
  }

  private at(index: number): number {
    const byte = this.data[index];
    if (byte === undefined) throw new MarshalError("truncated data");
    return byte;
  }
}
