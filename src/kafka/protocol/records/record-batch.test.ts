import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  attributeBits,
  batchLayout,
  checkBatch,
  computeBatchCrc,
  setBaseOffset,
} from "../../../log/batch.js";
import { type CompressionType, compressionName } from "./compression.js";
import {
  type BatchInput,
  decodeBatch,
  decodeRecords,
  encodeBatch,
  firstOffsetAtOrAfter,
  iterateBatches,
  RecordFormatError,
  type RecordInput,
} from "./record-batch.js";

const allTypes: CompressionType[] = [0, 1, 2, 3, 4];
const ts = 1_700_000_000_000n;

/** Rewrites the CRC so a test can corrupt the records section and still get past the checksum. */
function refreshCrc(batch: Buffer): Buffer {
  batch.writeUInt32BE(computeBatchCrc(batch, 0, batch.length), batchLayout.crc);
  return batch;
}

function expectSameRecords(
  decoded: Awaited<ReturnType<typeof decodeBatch>>["records"],
  input: RecordInput[],
) {
  expect(decoded.length).toBe(input.length);
  decoded.forEach((record, i) => {
    const want = input[i]!;
    // Plain comparisons: deep equality on 10k records is too slow for a unit test.
    const same = (a: Buffer | null, b: Buffer | null | undefined) =>
      a === null ? b == null : b != null && a.equals(b);
    if (!same(record.key, want.key) || !same(record.value, want.value))
      expect({ i, record }).toEqual({ i, want });
    const headers = want.headers ?? [];
    expect(record.headers.length).toBe(headers.length);
    record.headers.forEach((h, j) => {
      if (h.key !== headers[j]!.key || !same(h.value, headers[j]!.value)) expect(h).toEqual(headers[j]);
    });
    if (want.timestamp !== undefined && record.timestamp !== want.timestamp)
      expect(record.timestamp).toBe(want.timestamp);
  });
}

const shapes: [string, RecordInput[]][] = [
  ["null key", [{ key: null, value: Buffer.from("v"), timestamp: ts }]],
  ["null value", [{ key: Buffer.from("k"), value: null, timestamp: ts }]],
  ["empty key and value", [{ key: Buffer.alloc(0), value: Buffer.alloc(0), timestamp: ts }]],
  [
    "headers with null values",
    [
      {
        value: Buffer.from("v"),
        headers: [
          { key: "a", value: null },
          { key: "", value: Buffer.alloc(0) },
          { key: "b", value: Buffer.from([0, 255]) },
        ],
        timestamp: ts,
      },
    ],
  ],
  [
    "unicode keys",
    [{ key: Buffer.from("ключ-🔑"), value: Buffer.from("值"), headers: [{ key: "ヘッダー✓", value: null }] }],
  ],
  [
    "timestamps going backwards and far apart",
    [
      { value: Buffer.from("1"), timestamp: ts },
      { value: Buffer.from("2"), timestamp: ts - 5000n },
      { value: Buffer.from("3"), timestamp: ts + 2n ** 40n },
    ],
  ],
  [
    "10k records",
    Array.from({ length: 10_000 }, (_, i) => ({
      key: i % 3 === 0 ? null : Buffer.from(`key-${i}`),
      value: Buffer.alloc(100, i % 251),
      headers: i % 7 === 0 ? [{ key: "h", value: Buffer.from(String(i)) }] : [],
      timestamp: ts + BigInt(i),
    })),
  ],
];

describe("encodeBatch / decodeBatch round trips", () => {
  for (const compression of allTypes) {
    for (const [name, records] of shapes) {
      it(`${compressionName(compression)}: ${name}`, async () => {
        const batch = await encodeBatch({ records, compression, baseOffset: 42n });
        expect(checkBatch(batch, 0, batch.length).problem).toBeNull();
        const { header, records: decoded } = await decodeBatch(batch);
        expect(header.attributes & attributeBits.compressionMask).toBe(compression);
        expect(header.recordCount).toBe(records.length);
        expect(header.lastOffsetDelta).toBe(records.length - 1);
        expect(decoded.map((r) => r.offset)).toEqual(records.map((_, i) => 42n + BigInt(i)));
        expectSameRecords(decoded, records);
      });
    }
  }

  it("fills producer fields, flags and the timestamp range", async () => {
    const input: BatchInput = {
      records: [
        { value: Buffer.from("a"), timestamp: 50n },
        { value: Buffer.from("b"), timestamp: 90n },
        { value: Buffer.from("c"), timestamp: 70n },
      ],
      producerId: 1234n,
      producerEpoch: 5,
      baseSequence: 17,
      transactional: true,
    };
    const { header } = await decodeBatch(await encodeBatch(input));
    expect(header).toMatchObject({
      producerId: 1234n,
      producerEpoch: 5,
      baseSequence: 17,
      partitionLeaderEpoch: -1,
    });
    expect(header.baseTimestamp).toBe(50n);
    expect(header.maxTimestamp).toBe(90n);
    expect(header.attributes & attributeBits.transactional).toBe(attributeBits.transactional);
    expect(header.attributes & attributeBits.timestampTypeLogAppend).toBe(0);
  });

  it("defaults missing timestamps to now and gives log-append batches the batch's max timestamp", async () => {
    const before = BigInt(Date.now());
    const created = await decodeBatch(await encodeBatch({ records: [{ value: null }] }));
    expect(created.records[0]!.timestamp).toBeGreaterThanOrEqual(before);
    expect(created.records[0]!.timestamp).toBeLessThanOrEqual(BigInt(Date.now()));
    const appended = await encodeBatch({
      records: [
        { value: null, timestamp: 1n },
        { value: null, timestamp: 9n },
      ],
      timestampType: "log-append",
    });
    expect((await decodeBatch(appended)).records.map((r) => r.timestamp)).toEqual([9n, 9n]);
  });

  it("round-trips arbitrary records (property)", async () => {
    const recordArb = fc.record({
      key: fc.option(fc.uint8Array({ maxLength: 40 }).map((a) => Buffer.from(a))),
      value: fc.option(fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a))),
      headers: fc.array(
        fc.record({
          key: fc.string(),
          value: fc.option(fc.uint8Array({ maxLength: 20 }).map((a) => Buffer.from(a))),
        }),
        { maxLength: 3 },
      ),
      timestamp: fc.bigInt({ min: 0n, max: 2n ** 50n }),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(recordArb, { minLength: 1, maxLength: 20 }),
        fc.constantFrom(...allTypes),
        async (records, compression) => {
          const { records: decoded } = await decodeBatch(await encodeBatch({ records, compression }));
          expectSameRecords(decoded, records);
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe("golden bytes", () => {
  it("encodes one small uncompressed batch exactly as the spec lays it out", async () => {
    const batch = await encodeBatch({
      records: [{ key: null, value: Buffer.from("hi"), headers: [{ key: "k", value: null }], timestamp: ts }],
    });
    const expected = [
      "0000000000000000", // baseOffset 0
      "0000003d", // batchLength 61: total 73 minus the 12 bytes of baseOffset and batchLength
      "ffffffff", // partitionLeaderEpoch -1
      "02", // magic
      "c50a1b40", // CRC32C of everything after this field, computed independently with a bitwise CRC32C
      "0000", // attributes: no compression, create time
      "00000000", // lastOffsetDelta
      "0000018bcfe56800", // baseTimestamp 1700000000000
      "0000018bcfe56800", // maxTimestamp
      "ffffffffffffffff", // producerId -1
      "ffff", // producerEpoch -1
      "ffffffff", // baseSequence -1
      "00000001", // recordCount
      "16", // record length 11 (zigzag)
      "00", // record attributes
      "00", // timestampDelta 0
      "00", // offsetDelta 0
      "01", // key length -1: null
      "04", // value length 2
      "6869", // "hi"
      "02", // one header
      "02", // header key length 1
      "6b", // "k"
      "01", // header value length -1: null
    ].join("");
    expect(batch.toString("hex")).toBe(expected);
    const { records } = await decodeBatch(Buffer.from(expected, "hex"));
    expect(records).toEqual([
      {
        offset: 0n,
        timestamp: ts,
        key: null,
        value: Buffer.from("hi"),
        headers: [{ key: "k", value: null }],
      },
    ]);
  });
});

describe("malformed batches raise RecordFormatError", () => {
  const good = () =>
    encodeBatch({ records: [{ key: Buffer.from("key"), value: Buffer.from("value"), timestamp: ts }] });

  it("bad CRC, truncation and trailing bytes", async () => {
    const flipped = await good();
    flipped[flipped.length - 1]! ^= 1;
    await expect(decodeBatch(flipped)).rejects.toThrow(/bad-crc/);
    const batch = await good();
    await expect(decodeBatch(batch.subarray(0, batch.length - 1))).rejects.toThrow(RecordFormatError);
    await expect(decodeBatch(batch.subarray(0, 30))).rejects.toThrow(RecordFormatError);
    await expect(decodeBatch(Buffer.concat([batch, Buffer.alloc(3)]))).rejects.toThrow(/declares/);
  });

  it("a record length past the end, a bad varint, a count mismatch", async () => {
    const longRecord = await good();
    longRecord[batchLayout.records] = 0x7e; // record length 63, far more than is there
    await expect(decodeBatch(refreshCrc(longRecord))).rejects.toThrow(/bad record length/);

    const badVarint = await good();
    badVarint.fill(0xff, batchLayout.records + 3, badVarint.length); // from the offset delta on: endless varint
    await expect(decodeBatch(refreshCrc(badVarint))).rejects.toThrow(RecordFormatError);

    const moreRecords = await good();
    moreRecords.writeInt32BE(2, batchLayout.recordCount);
    await expect(decodeBatch(refreshCrc(moreRecords))).rejects.toThrow(RecordFormatError);

    const hugeCount = await good();
    hugeCount.writeInt32BE(2_000_000_000, batchLayout.recordCount);
    await expect(decodeBatch(refreshCrc(hugeCount))).rejects.toThrow(/record count/);

    const keyTooLong = await good();
    keyTooLong[batchLayout.records + 4] = 0x40; // key length 32 inside a 14-byte record
    await expect(decodeBatch(refreshCrc(keyTooLong))).rejects.toThrow(/runs past the end/);
  });

  it("unknown compression and corrupt compressed data", async () => {
    const unknown = await good();
    unknown.writeInt16BE(6, batchLayout.attributes);
    await expect(decodeBatch(refreshCrc(unknown))).rejects.toThrow(/unknown compression/);
    const gz = await encodeBatch({ records: [{ value: Buffer.alloc(500, 1) }], compression: 1 });
    gz.fill(0x55, batchLayout.records + 12, batchLayout.records + 20);
    await expect(decodeBatch(refreshCrc(gz))).rejects.toThrow(RecordFormatError);
  });

  it("random corruption never escapes as another error type", async () => {
    const base = await encodeBatch({
      records: Array.from({ length: 5 }, (_, i) => ({
        key: Buffer.from(`k${i}`),
        value: Buffer.from("v"),
        headers: [{ key: "h", value: null }],
      })),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: batchLayout.records, max: base.length - 1 }),
        fc.integer({ min: 0, max: 255 }),
        async (at, byte) => {
          const copy = Buffer.from(base);
          copy[at] = byte;
          try {
            await decodeBatch(refreshCrc(copy));
          } catch (err) {
            expect(err).toBeInstanceOf(RecordFormatError);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("concatenations of batches", () => {
  it("iterates batches, stops at a truncated tail and decodes all records except control batches", async () => {
    const first = await encodeBatch({
      records: [{ value: Buffer.from("a") }, { value: Buffer.from("b") }],
      baseOffset: 0n,
    });
    const control = await encodeBatch({
      records: [{ key: Buffer.from([0, 0, 0, 0]), value: Buffer.from([0, 0]) }],
    });
    control.writeInt16BE(attributeBits.control | attributeBits.transactional, batchLayout.attributes);
    setBaseOffset(control, 0, 2n);
    refreshCrc(control);
    const last = await encodeBatch({
      records: [{ value: Buffer.from("c") }],
      baseOffset: 3n,
      compression: 4,
    });
    const all = Buffer.concat([first, control, last]);
    const truncated = all.subarray(0, all.length - 5);
    expect([...iterateBatches(all)].map((b) => b.pos)).toEqual([
      0,
      first.length,
      first.length + control.length,
    ]);
    expect([...iterateBatches(truncated)].length).toBe(2);
    const records = await decodeRecords(all);
    expect(records.map((r) => [r.offset, r.value?.toString()])).toEqual([
      [0n, "a"],
      [1n, "b"],
      [3n, "c"],
    ]);
    expect((await decodeRecords(truncated)).length).toBe(2);
    expect(await decodeRecords(Buffer.alloc(0))).toEqual([]);
  });

  it("refuses a batch that declares an impossible size", async () => {
    const batch = await encodeBatch({ records: [{ value: null }] });
    batch.writeInt32BE(3, batchLayout.batchLength);
    expect(() => [...iterateBatches(batch)]).toThrow(RecordFormatError);
  });
});

describe("firstOffsetAtOrAfter", () => {
  it("finds the first record at or after a timestamp", async () => {
    const batch = await encodeBatch({
      baseOffset: 100n,
      compression: 3,
      records: [10n, 30n, 20n, 40n].map((timestamp) => ({ value: null, timestamp })),
    });
    expect(await firstOffsetAtOrAfter(batch, 0n)).toEqual({ offset: 100n, timestamp: 10n });
    expect(await firstOffsetAtOrAfter(batch, 15n)).toEqual({ offset: 101n, timestamp: 30n });
    expect(await firstOffsetAtOrAfter(batch, 40n)).toEqual({ offset: 103n, timestamp: 40n });
    expect(await firstOffsetAtOrAfter(batch, 41n)).toBeNull();
  });
});
