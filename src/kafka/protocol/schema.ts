// Message schemas as data (fields, versions, nullability, tags), compiled into one flat plan per version.
// The codec walks these plans; no API has hand-written byte handling.

import { assert } from "../../common/assert.js";
import { zeroUuid } from "./primitives.js";

export type PrimitiveType =
  | "bool"
  | "int8"
  | "int16"
  | "int32"
  | "int64"
  | "uint16"
  | "uint32"
  | "float64"
  | "uuid"
  | "string"
  | "bytes"
  | "records";

export type FieldType = PrimitiveType | `[]${PrimitiveType}` | "struct" | "[]struct";

/** A version set as Kafka writes it: "3+", "0-7", "5" or "none". */
export type VersionSpec = string;

export interface FieldSpec {
  /** camelCase of Kafka's field name. */
  readonly name: string;
  readonly type: FieldType;
  readonly versions: VersionSpec;
  readonly nullableVersions?: VersionSpec;
  /** Value when absent from a version or not given to the encoder; a type-appropriate zero otherwise. */
  readonly default?: number | bigint | boolean | string | null;
  readonly tag?: number;
  readonly taggedVersions?: VersionSpec;
  readonly fields?: readonly FieldSpec[];
}

export interface ApiSchema {
  readonly apiKey: number;
  readonly name: string;
  /** The versions Sluice supports, a subset of what Kafka defines. */
  readonly minVersion: number;
  readonly maxVersion: number;
  /** Versions using compact encodings, tagged fields and the newer headers. */
  readonly flexibleVersions: VersionSpec;
  readonly request: readonly FieldSpec[];
  readonly response: readonly FieldSpec[];
}

/** Numeric kinds so the codec's inner loop switches on small integers. */
export const Kind = {
  bool: 0,
  int8: 1,
  int16: 2,
  int32: 3,
  int64: 4,
  uint16: 5,
  uint32: 6,
  float64: 7,
  uuid: 8,
  string: 9,
  bytes: 10,
  records: 11,
  struct: 12,
} as const;
export type Kind = (typeof Kind)[keyof typeof Kind];

export interface CompiledField {
  readonly name: string;
  /** Kind of the value, or of each element when `isArray`. */
  readonly kind: Kind;
  readonly isArray: boolean;
  readonly nullable: boolean;
  readonly struct: CompiledStruct | null;
  /** -1 when the field is not tagged in this version. */
  readonly tag: number;
  /** Default for scalars; arrays and structs get fresh values from `defaultValue`. */
  readonly defaultScalar: unknown;
  /** Fewest bytes the whole field can take on the wire. */
  readonly bytesMin: number;
  /** Fewest bytes one element (or the value) takes, at least 1: bounds array lengths before allocating. */
  readonly bytesMinElement: number;
}

export interface CompiledStruct {
  /** Untagged fields present in this version, in wire order. */
  readonly fields: readonly CompiledField[];
  /** Tagged fields of this version, by ascending tag. */
  readonly tagged: readonly CompiledField[];
  /** Fields this version does not carry; decode fills them with defaults. */
  readonly absent: readonly CompiledField[];
  readonly flexible: boolean;
  readonly bytesMin: number;
}

/** Parses a version set into an inclusive range; "none" is empty. */
export function parseVersions(spec: VersionSpec): { min: number; max: number } {
  if (spec === "none") return { min: 1, max: 0 };
  const plus = spec.endsWith("+");
  const [lo, hi] = plus ? [spec.slice(0, -1), undefined] : spec.split("-");
  const min = Number(lo);
  const max = plus ? Number.POSITIVE_INFINITY : Number(hi ?? lo);
  assert(Number.isInteger(min) && (plus || Number.isInteger(max)), `bad version spec ${spec}`);
  return { min, max };
}

const rangeCache = new Map<string, { min: number; max: number }>();

export function inVersions(spec: VersionSpec | undefined, version: number): boolean {
  if (spec === undefined) return false;
  let range = rangeCache.get(spec);
  if (range === undefined) {
    range = parseVersions(spec);
    rangeCache.set(spec, range);
  }
  return version >= range.min && version <= range.max;
}

function kindOf(type: PrimitiveType | "struct"): Kind {
  return Kind[type];
}

function scalarBytesMin(kind: Kind, flexible: boolean): number {
  switch (kind) {
    case Kind.bool:
    case Kind.int8:
      return 1;
    case Kind.int16:
    case Kind.uint16:
      return 2;
    case Kind.int32:
    case Kind.uint32:
      return 4;
    case Kind.int64:
    case Kind.float64:
      return 8;
    case Kind.uuid:
      return 16;
    case Kind.string:
      return flexible ? 1 : 2;
    case Kind.bytes:
    case Kind.records:
      return flexible ? 1 : 4;
    default:
      return 0;
  }
}

function zeroOf(kind: Kind): unknown {
  switch (kind) {
    case Kind.bool:
      return false;
    case Kind.int64:
      return 0n;
    case Kind.uuid:
      return zeroUuid;
    case Kind.string:
      return "";
    case Kind.bytes:
      return Buffer.alloc(0);
    case Kind.records:
    case Kind.struct:
      return null;
    default:
      return 0;
  }
}

function compileField(spec: FieldSpec, version: number, flexible: boolean): CompiledField {
  const isArray = spec.type.startsWith("[]");
  const base = (isArray ? spec.type.slice(2) : spec.type) as PrimitiveType | "struct";
  const kind = kindOf(base);
  assert(kind !== undefined, `unknown type ${spec.type} for ${spec.name}`);
  const nullable = inVersions(spec.nullableVersions, version);
  assert(
    !(kind === Kind.struct && !isArray && nullable),
    `nullable single structs are unsupported (${spec.name})`,
  );
  let struct: CompiledStruct | null = null;
  if (kind === Kind.struct) {
    assert(spec.fields !== undefined, `struct field ${spec.name} needs fields`);
    struct = compileStruct(spec.fields, version, flexible);
  }
  const tag = flexible && inVersions(spec.taggedVersions, version) ? spec.tag! : -1;
  // Arrays default to empty unless the schema says null; there is no scalar default for them.
  let defaultScalar: unknown;
  if (isArray) defaultScalar = spec.default === null ? null : undefined;
  else defaultScalar = spec.default !== undefined ? spec.default : zeroOf(kind);
  const valueBytesMin = struct !== null ? struct.bytesMin : scalarBytesMin(kind, flexible);
  const bytesMin = isArray ? (flexible ? 1 : 4) : valueBytesMin;
  const bytesMinElement = Math.max(1, valueBytesMin);
  return { name: spec.name, kind, isArray, nullable, struct, tag, defaultScalar, bytesMin, bytesMinElement };
}

export function compileStruct(
  specs: readonly FieldSpec[],
  version: number,
  flexible: boolean,
): CompiledStruct {
  const fields: CompiledField[] = [];
  const tagged: CompiledField[] = [];
  const absent: CompiledField[] = [];
  for (const spec of specs) {
    const field = compileField(spec, version, flexible);
    if (!inVersions(spec.versions, version)) absent.push(field);
    else if (field.tag >= 0) tagged.push(field);
    else fields.push(field);
  }
  tagged.sort((a, b) => a.tag - b.tag);
  let bytesMin = flexible ? 1 : 0;
  for (const f of fields) bytesMin += f.bytesMin;
  return { fields, tagged, absent, flexible, bytesMin };
}

/** A fresh default value for a field (arrays and structs are never shared between messages). */
export function defaultValue(field: CompiledField): unknown {
  if (field.isArray) return field.defaultScalar === null ? null : [];
  if (field.struct !== null) return defaultStruct(field.struct);
  return field.defaultScalar;
}

function defaultStruct(struct: CompiledStruct): Record<string, unknown> {
  const obj: Record<string, unknown> = {};
  for (const f of struct.fields) obj[f.name] = defaultValue(f);
  for (const f of struct.tagged) obj[f.name] = defaultValue(f);
  for (const f of struct.absent) obj[f.name] = defaultValue(f);
  return obj;
}
