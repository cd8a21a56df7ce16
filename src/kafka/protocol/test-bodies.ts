// Test helper: builds a non-trivial body for any compiled message plan, deterministic from a seed.
// Fields absent from the version hold their defaults, so the body equals what decoding returns.

import { type CompiledField, type CompiledStruct, defaultValue, Kind } from "./schema.js";

export function sampleBody(plan: CompiledStruct, seed: number): Record<string, unknown> {
  const state = { n: seed };
  return sampleStruct(plan, state);
}

function sampleStruct(plan: CompiledStruct, state: { n: number }): Record<string, unknown> {
  const obj: Record<string, unknown> = {};
  for (const f of plan.fields) obj[f.name] = sampleField(f, state);
  for (const f of plan.absent) obj[f.name] = defaultValue(f);
  for (const f of plan.tagged) obj[f.name] = sampleField(f, state);
  return obj;
}

function sampleField(f: CompiledField, state: { n: number }): unknown {
  state.n++;
  if (f.nullable && state.n % 5 === 0) return null;
  if (!f.isArray) return sampleValue(f, state);
  const length = 1 + (state.n % 3);
  return Array.from({ length }, () => sampleValue(f, state));
}

function sampleValue(f: CompiledField, state: { n: number }): unknown {
  const n = ++state.n;
  switch (f.kind) {
    case Kind.bool:
      return n % 2 === 0;
    case Kind.int8:
      return (n % 200) - 100;
    case Kind.int16:
      return 1000 + n;
    case Kind.int32:
      return -70_000 - n;
    case Kind.int64:
      return 2n ** 40n + BigInt(n);
    case Kind.uint16:
      return 60_000 + n;
    case Kind.uint32:
      return 4_000_000_000 + n;
    case Kind.float64:
      return n + 0.25;
    case Kind.uuid:
      return n.toString(16).padStart(32, "a");
    case Kind.string:
      return `s${n}-é`;
    case Kind.bytes:
      return Buffer.from([n & 0xff, 1, 2, 3]);
    case Kind.records:
      return Buffer.alloc(10 + (n % 7), n & 0xff);
    case Kind.struct:
      return sampleStruct(f.struct!, state);
  }
}
