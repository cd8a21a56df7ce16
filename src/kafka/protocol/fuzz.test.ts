import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { limits } from "../../common/limits.js";
import { decodeRequest, encodeRequest, KafkaError, ProtocolError, supportedApis } from "./index.js";
import { messagePlan } from "./registry.js";
import { sampleBody } from "./test-bodies.js";

/** Decoding either succeeds or fails with a KafkaError; anything else (RangeError, AssertionError) is a bug. */
function decodeOrKafkaError(frame: Buffer): void {
  try {
    decodeRequest(frame);
  } catch (err) {
    if (!(err instanceof KafkaError)) throw err;
  }
}

const versions = [...supportedApis].flatMap(([apiKey, { minVersion, maxVersion }]) =>
  Array.from({ length: maxVersion - minVersion + 1 }, (_, i) => ({ apiKey, apiVersion: minVersion + i })),
);

function validFrame(index: number, seed: number): Buffer {
  const { apiKey, apiVersion } = versions[index % versions.length]!;
  const body = sampleBody(messagePlan(apiKey, apiVersion, "request"), seed);
  return Buffer.from(
    encodeRequest({ apiKey, apiVersion, correlationId: seed, clientId: "fuzz" }, body).subarray(4),
  );
}

const mutation = fc.oneof(
  fc.record({ kind: fc.constant("byte" as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant("truncate" as const), at: fc.nat(), value: fc.constant(0) }),
  fc.record({
    kind: fc.constant("bigLength" as const),
    at: fc.nat(),
    value: fc.constantFrom(0x7fffffff, -2, 0x7fff),
  }),
);

function mutate(
  frame: Buffer,
  m: { kind: "byte" | "truncate" | "bigLength"; at: number; value: number },
): Buffer {
  if (frame.length === 0) return frame;
  const at = m.at % frame.length;
  if (m.kind === "truncate") return frame.subarray(0, at);
  if (m.kind === "byte") frame[at] = m.value;
  else if (at + 4 <= frame.length) frame.writeInt32BE(m.value, at);
  return frame;
}

describe("decodeRequest on hostile input", () => {
  it("random bytes only ever raise KafkaError", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => decodeOrKafkaError(Buffer.from(bytes))),
      { numRuns: 3000 },
    );
  });

  it("random bodies behind valid headers only ever raise KafkaError", () => {
    fc.assert(
      fc.property(fc.nat(versions.length - 1), fc.uint8Array({ maxLength: 300 }), (index, bytes) => {
        const { apiKey, apiVersion } = versions[index]!;
        const head = encodeRequest({ apiKey, apiVersion, correlationId: 1, clientId: "f" }, {}).subarray(
          4,
          14,
        );
        decodeOrKafkaError(Buffer.concat([head, Buffer.from(bytes)]));
      }),
      { numRuns: 3000 },
    );
  });

  it("mutated valid frames only ever raise KafkaError", () => {
    fc.assert(
      fc.property(
        fc.nat(),
        fc.nat(100),
        fc.array(mutation, { minLength: 1, maxLength: 4 }),
        (index, seed, ms) => {
          let frame = validFrame(index, seed);
          for (const m of ms) frame = mutate(frame, m);
          decodeOrKafkaError(frame);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it("rejects a 2^31-1 array length before allocating", () => {
    // Produce v3: null transactionalId, acks, timeout, then topicData's int32 count.
    const frame = Buffer.from("0000 0003 00000001 ffff ffff ffff 00007530 7fffffff".replace(/ /g, ""), "hex");
    const before = process.memoryUsage().heapUsed;
    expect(() => decodeRequest(frame)).toThrow(ProtocolError);
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(16 * 1024 * 1024);
  });

  it("rejects array lengths over the decode limit even when the bytes would seem to fit", () => {
    // Metadata v9 (compact): a topic count just over the limit, with no bytes behind it.
    const count = limits.decodeArrayLengthMax + 1;
    const varint: number[] = [];
    for (let v = count + 1; ; v = Math.floor(v / 128)) {
      if (v < 0x80) {
        varint.push(v);
        break;
      }
      varint.push((v & 0x7f) | 0x80);
    }
    const head = Buffer.from("0003 0009 00000001 ffff 00".replace(/ /g, ""), "hex");
    expect(() => decodeRequest(Buffer.concat([head, Buffer.from(varint)]))).toThrow(/exceeds limit/);
  });

  it("rejects a huge string length and a huge bytes length", () => {
    // ApiVersions v3 client software name with a compact length of 2^32-1.
    const name = Buffer.from("0012 0003 00000001 ffff 00 ffffffff0f".replace(/ /g, ""), "hex");
    expect(() => decodeRequest(name)).toThrow(ProtocolError);
    // Produce v3 records with an int32 length of 2^31-1.
    const records = Buffer.from(
      "0000 0003 00000001 ffff ffff ffff 00007530 00000001 0001 74 00000001 00000000 7fffffff aa".replace(
        / /g,
        "",
      ),
      "hex",
    );
    expect(() => decodeRequest(records)).toThrow(ProtocolError);
  });
});
