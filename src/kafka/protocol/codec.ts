// The one generic codec: reads and writes any message body by walking its compiled per-version plan.
// Hot paths (Produce decode, Fetch encode) stay in plain loops and switches, with no per-field closures.

import { assert } from "../../common/assert.js";
import { ProtocolError } from "./errors.js";
import type { Reader } from "./primitives.js";
import { Writer } from "./primitives.js";
import { type CompiledField, type CompiledStruct, defaultValue, Kind } from "./schema.js";

type Body = Record<string, unknown>;

export function readStruct(r: Reader, struct: CompiledStruct): Body {
  const obj: Body = {};
  const fields = struct.fields;
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i]!;
    obj[f.name] = readField(r, f, struct.flexible);
  }
  const absent = struct.absent;
  for (let i = 0; i < absent.length; i++) obj[absent[i]!.name] = defaultValue(absent[i]!);
  if (struct.flexible) readTaggedFields(r, struct, obj);
  return obj;
}

function readField(r: Reader, f: CompiledField, compact: boolean): unknown {
  if (!f.isArray) return readValue(r, f, compact, f.nullable);
  const length = r.arrayLength(compact, f.bytesMinElement);
  if (length < 0) {
    if (!f.nullable) throw new ProtocolError(`null in non-nullable array ${f.name}`);
    return null;
  }
  const out = new Array(length);
  for (let i = 0; i < length; i++) out[i] = readValue(r, f, compact, false);
  return out;
}

function readValue(r: Reader, f: CompiledField, compact: boolean, nullable: boolean): unknown {
  switch (f.kind) {
    case Kind.bool:
      return r.bool();
    case Kind.int8:
      return r.int8();
    case Kind.int16:
      return r.int16();
    case Kind.int32:
      return r.int32();
    case Kind.int64:
      return r.int64();
    case Kind.uint16:
      return r.uint16();
    case Kind.uint32:
      return r.uint32();
    case Kind.float64:
      return r.float64();
    case Kind.uuid:
      return r.uuid();
    case Kind.string:
      if (compact) return nullable ? r.compactNullableString() : r.compactString();
      return nullable ? r.nullableString() : r.string();
    case Kind.bytes:
    case Kind.records:
      if (compact) return nullable ? r.compactNullableBytes() : r.compactBytes();
      return nullable ? r.nullableBytes() : r.bytes();
    case Kind.struct:
      return readStruct(r, f.struct!);
  }
}

/** Reads a tagged-field section: known tags of this version are decoded, the rest skipped. */
function readTaggedFields(r: Reader, struct: CompiledStruct, obj: Body): void {
  const tagged = struct.tagged;
  for (let i = 0; i < tagged.length; i++) obj[tagged[i]!.name] = defaultValue(tagged[i]!);
  const count = r.uvarint();
  for (let i = 0; i < count; i++) {
    const tag = r.uvarint();
    const size = r.uvarint();
    if (size > r.remaining()) throw new ProtocolError(`tagged field ${tag} overruns the frame`);
    const fieldEnd = r.pos + size;
    const field = tagged.find((f) => f.tag === tag);
    if (field !== undefined) {
      // Bound the read to the field's declared size so a bad field cannot consume its neighbours.
      const outerEnd = r.end;
      r.end = fieldEnd;
      try {
        obj[field.name] = readField(r, field, true);
      } finally {
        r.end = outerEnd;
      }
    }
    r.pos = fieldEnd;
  }
}

export function writeStruct(w: Writer, struct: CompiledStruct, obj: Body): void {
  const fields = struct.fields;
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i]!;
    writeField(w, f, obj[f.name], struct.flexible);
  }
  if (struct.flexible) writeTaggedFields(w, struct, obj);
}

function writeField(w: Writer, f: CompiledField, value: unknown, compact: boolean): void {
  if (value === undefined) value = defaultValue(f);
  if (!f.isArray) {
    writeValue(w, f, value, compact);
    return;
  }
  if (value === null) {
    assert(f.nullable, `null given for non-nullable array ${f.name}`);
    w.length(-1, compact);
    return;
  }
  assert(Array.isArray(value), `array expected for ${f.name}`);
  w.length(value.length, compact);
  for (let i = 0; i < value.length; i++) writeValue(w, f, value[i], compact);
}

function writeValue(w: Writer, f: CompiledField, value: unknown, compact: boolean): void {
  if (value === null && f.kind !== Kind.struct) {
    assert(f.nullable, `null given for non-nullable field ${f.name}`);
  }
  switch (f.kind) {
    case Kind.bool:
      w.bool(value as boolean);
      break;
    case Kind.int8:
      w.int8(value as number);
      break;
    case Kind.int16:
      w.int16(value as number);
      break;
    case Kind.int32:
      w.int32(value as number);
      break;
    case Kind.int64:
      w.int64(typeof value === "bigint" ? value : BigInt(value as number));
      break;
    case Kind.uint16:
      w.uint16(value as number);
      break;
    case Kind.uint32:
      w.uint32(value as number);
      break;
    case Kind.float64:
      w.float64(value as number);
      break;
    case Kind.uuid:
      w.uuid(value as string);
      break;
    case Kind.string:
      w.string(value as string | null, compact);
      break;
    case Kind.bytes:
      w.bytes(value as Buffer | null, compact);
      break;
    case Kind.records:
      writeRecords(w, value as Buffer | readonly Buffer[] | null, compact);
      break;
    case Kind.struct:
      assert(value !== null && typeof value === "object", `object expected for struct ${f.name}`);
      writeStruct(w, f.struct!, value as Body);
      break;
  }
}

/** Records go out by reference: one length prefix, then the caller's batches spliced in as chunks. */
function writeRecords(w: Writer, value: Buffer | readonly Buffer[] | null, compact: boolean): void {
  if (value === null) {
    w.length(-1, compact);
    return;
  }
  const buffers = Buffer.isBuffer(value) ? [value] : value;
  let total = 0;
  for (let i = 0; i < buffers.length; i++) total += buffers[i]!.length;
  w.length(total, compact);
  w.refs(buffers);
}

/** Writes a tagged field only when it differs from its default, as Kafka does. */
function writeTaggedFields(w: Writer, struct: CompiledStruct, obj: Body): void {
  const tagged = struct.tagged;
  let count = 0;
  for (let i = 0; i < tagged.length; i++) if (!isDefault(tagged[i]!, obj[tagged[i]!.name])) count++;
  w.uvarint(count);
  if (count === 0) return;
  for (let i = 0; i < tagged.length; i++) {
    const f = tagged[i]!;
    const value = obj[f.name];
    if (isDefault(f, value)) continue;
    const inner = new Writer(false);
    writeField(inner, f, value, true);
    const bytes = inner.finishAsBuffer();
    w.uvarint(f.tag);
    w.uvarint(bytes.length);
    w.raw(bytes);
  }
}

function isDefault(f: CompiledField, value: unknown): boolean {
  if (value === undefined) return true;
  if (f.isArray) return value === null ? f.defaultScalar === null : (value as unknown[]).length === 0;
  if (f.struct !== null) return value === null;
  if (f.kind === Kind.bytes)
    return value === null ? f.defaultScalar === null : (value as Buffer).length === 0;
  if (f.kind === Kind.int64 && typeof value === "number") return BigInt(value) === f.defaultScalar;
  return value === f.defaultScalar;
}
