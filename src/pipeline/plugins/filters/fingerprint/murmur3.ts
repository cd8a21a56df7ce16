// MurmurHash3 (Austin Appleby's public-domain algorithm): x86_32 and x64_128, over bytes, as the Ruby
// murmurhash3 gem computes them for Logstash's fingerprint filter.

const c1 = 0xcc9e2d51;
const c2 = 0x1b873593;

/** MurmurHash3_x86_32 as an unsigned 32-bit integer. */
export function murmur3x86_32(data: Uint8Array, seed = 0): number {
  let h = seed >>> 0;
  const blocks = data.length >> 2;
  for (let i = 0; i < blocks; i++) {
    const o = i * 4;
    let k = data[o]! | (data[o + 1]! << 8) | (data[o + 2]! << 16) | (data[o + 3]! << 24);
    k = Math.imul(k, c1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, c2);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  const tail = blocks * 4;
  const rest = data.length & 3;
  if (rest > 0) {
    let k = 0;
    for (let i = rest - 1; i >= 0; i--) k = (k << 8) | data[tail + i]!;
    k = Math.imul(k, c1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, c2);
    h ^= k;
  }
  h ^= data.length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const mask64 = (1n << 64n) - 1n;
const k1c = 0x87c37b91114253d5n;
const k2c = 0x4cf5ad432745937fn;

function rotl64(x: bigint, r: bigint): bigint {
  return ((x << r) | (x >> (64n - r))) & mask64;
}

function fmix64(k: bigint): bigint {
  let x = k;
  x ^= x >> 33n;
  x = (x * 0xff51afd7ed558ccdn) & mask64;
  x ^= x >> 33n;
  x = (x * 0xc4ceb9fe1a85ec53n) & mask64;
  x ^= x >> 33n;
  return x;
}

function readLe64(data: Uint8Array, offset: number, length: number): bigint {
  let value = 0n;
  for (let i = length - 1; i >= 0; i--) value = (value << 8n) | BigInt(data[offset + i]!);
  return value;
}

/** MurmurHash3_x64_128: the 16 output bytes (h1 then h2, little-endian), as the gem packs them. */
export function murmur3x64_128(data: Uint8Array, seed = 0): Buffer {
  let h1 = BigInt(seed >>> 0);
  let h2 = h1;
  const blocks = data.length >> 4;
  for (let i = 0; i < blocks; i++) {
    let k1 = readLe64(data, i * 16, 8);
    let k2 = readLe64(data, i * 16 + 8, 8);
    k1 = rotl64((k1 * k1c) & mask64, 31n);
    h1 ^= (k1 * k2c) & mask64;
    h1 = (((rotl64(h1, 27n) + h2) & mask64) * 5n + 0x52dce729n) & mask64;
    k2 = rotl64((k2 * k2c) & mask64, 33n);
    h2 ^= (k2 * k1c) & mask64;
    h2 = (((rotl64(h2, 31n) + h1) & mask64) * 5n + 0x38495ab5n) & mask64;
  }
  const tail = blocks * 16;
  const rest = data.length & 15;
  if (rest > 8) {
    let k2 = readLe64(data, tail + 8, rest - 8);
    k2 = rotl64((k2 * k2c) & mask64, 33n);
    h2 ^= (k2 * k1c) & mask64;
  }
  if (rest > 0) {
    let k1 = readLe64(data, tail, Math.min(rest, 8));
    k1 = rotl64((k1 * k1c) & mask64, 31n);
    h1 ^= (k1 * k2c) & mask64;
  }
  const length = BigInt(data.length);
  h1 ^= length;
  h2 ^= length;
  h1 = (h1 + h2) & mask64;
  h2 = (h2 + h1) & mask64;
  h1 = fmix64(h1);
  h2 = fmix64(h2);
  h1 = (h1 + h2) & mask64;
  h2 = (h2 + h1) & mask64;
  const out = Buffer.alloc(16);
  out.writeBigUInt64LE(h1, 0);
  out.writeBigUInt64LE(h2, 8);
  return out;
}

/** An integer as the little-endian bytes of a C int32/int64 (two's complement), as the gem hashes numbers. */
export function integerBytes(value: number, width: 4 | 8): Buffer {
  const out = Buffer.alloc(width);
  if (width === 4) out.writeInt32LE(value);
  else out.writeBigUInt64LE(BigInt.asUintN(64, BigInt(value)));
  return out;
}
