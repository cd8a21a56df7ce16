// Chooses a partition for a record the way the Java client's default partitioner does:
// murmur2 of the key bytes, made positive, modulo the partition count; so keys land where Java/librdkafka put them.

import { assert } from "../../common/assert.js";

const seed = 0x9747b28c;
const multiplier = 0x5bd1e995;

/** Kafka's murmur2 (org.apache.kafka.common.utils.Utils.murmur2): a signed 32-bit hash. */
export function murmur2(data: Uint8Array): number {
  const length = data.length;
  let h = seed ^ length;
  const wholeWords = length & ~3;
  for (let i = 0; i < wholeWords; i += 4) {
    let k = data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24);
    k = Math.imul(k, multiplier);
    k ^= k >>> 24;
    k = Math.imul(k, multiplier);
    h = Math.imul(h, multiplier) ^ k;
  }
  const rest = length & 3;
  // The Java switch falls through from 3 to 1, mixing every trailing byte.
  if (rest === 3) h ^= data[wholeWords + 2] << 16;
  if (rest >= 2) h ^= data[wholeWords + 1] << 8;
  if (rest >= 1) {
    h ^= data[wholeWords];
    h = Math.imul(h, multiplier);
  }
  h ^= h >>> 13;
  h = Math.imul(h, multiplier);
  h ^= h >>> 15;
  return h | 0;
}

/** The partition the Java default partitioner gives a non-null key. */
export function partitionForKey(key: Uint8Array, partitionCount: number): number {
  assert(Number.isInteger(partitionCount) && partitionCount > 0, "partitionCount must be a positive integer");
  return (murmur2(key) & 0x7fffffff) % partitionCount;
}
