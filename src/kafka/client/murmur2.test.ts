import { createRequire } from "node:module";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { murmur2, partitionForKey } from "./murmur2.js";

// kafkajs's Java-compatible murmur2 (an independent implementation on 64-bit Longs), used as a second oracle.
const kafkajsMurmur2 = createRequire(import.meta.url)(
  "kafkajs/src/producer/partitioners/default/murmur2.js",
) as (key: Buffer) => number;

// Vectors from Apache Kafka's own test of Utils.murmur2 (clients/src/test/.../utils/UtilsTest.java, testMurmur2),
// which is the hash the Java DefaultPartitioner and librdkafka's "murmur2_random" partitioner use.
const javaVectors: Array<[Uint8Array, number]> = [
  [Buffer.from("21"), -973932308],
  [Buffer.from("foobar"), -790332482],
  [Buffer.from("a-little-bit-long-string"), -985981536],
  [Buffer.from("a-little-bit-longer-string"), -1486304829],
  [Buffer.from("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8"), -58897971],
  [Uint8Array.from([0x61, 0x62, 0x63]), 479470107],
];

describe("murmur2", () => {
  it("matches the Java client's hash on Kafka's published vectors", () => {
    for (const [key, expected] of javaVectors) expect(murmur2(key)).toBe(expected);
  });

  it("agrees with kafkajs's Java-compatible murmur2 on arbitrary keys", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        expect(murmur2(bytes)).toBe(kafkajsMurmur2(Buffer.from(bytes)));
      }),
      { numRuns: 500 },
    );
  });

  it("hashes the empty key like Java (seed ^ 0 mixed)", () => {
    // Worked by hand from the definition: h = seed; h ^= h>>>13; h *= m; h ^= h>>>15.
    let h = 0x9747b28c | 0;
    h ^= h >>> 13;
    h = Math.imul(h, 0x5bd1e995);
    h ^= h >>> 15;
    expect(murmur2(new Uint8Array(0))).toBe(h | 0);
  });

  it("picks partitions as toPositive(murmur2) % n", () => {
    expect(partitionForKey(Buffer.from("foobar"), 4)).toBe((-790332482 & 0x7fffffff) % 4);
    expect(partitionForKey(Buffer.from("21"), 7)).toBe((-973932308 & 0x7fffffff) % 7);
    for (const [key] of javaVectors) {
      const p = partitionForKey(key, 3);
      expect(p).toBeGreaterThanOrEqual(0);
      expect(p).toBeLessThan(3);
    }
  });

  it("rejects a non-positive partition count as a programmer error", () => {
    expect(() => partitionForKey(Buffer.from("x"), 0)).toThrow();
  });
});
