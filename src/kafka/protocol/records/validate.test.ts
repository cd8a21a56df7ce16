import { describe, expect, it } from "vitest";
import { attributeBits, batchLayout, computeBatchCrc } from "../../../log/batch.js";
import { encodeBatch } from "./record-batch.js";
import { validateErrorCodes as codes, validateProduceRecords } from "./validate.js";

const maxBytes = 1024 * 1024;

function refreshCrc(batch: Buffer): Buffer {
  batch.writeUInt32BE(computeBatchCrc(batch, 0, batch.length), batchLayout.crc);
  return batch;
}

const batchOf = (n: number, compression: 0 | 1 | 2 | 3 | 4 = 0) =>
  encodeBatch({
    records: Array.from({ length: n }, (_, i) => ({ value: Buffer.from(`v${i}`) })),
    compression,
  });

function expectCode(result: ReturnType<typeof validateProduceRecords>, errorCode: number) {
  expect(result.ok).toBe(false);
  if (!result.ok) {
    expect(result.errorCode).toBe(errorCode);
    expect(result.message.length).toBeGreaterThan(0);
  }
}

describe("validateProduceRecords", () => {
  it("accepts one or several intact batches and reports where they are", async () => {
    const a = await batchOf(3, 3);
    const b = await batchOf(1);
    const result = validateProduceRecords(Buffer.concat([a, b]), maxBytes);
    expect(result.ok).toBe(true);
    if (result.ok) {
      expect(result.batches.map((x) => x.pos)).toEqual([0, a.length]);
      expect(result.batches.map((x) => x.header.recordCount)).toEqual([3, 1]);
    }
  });

  it("INVALID_REQUEST for an empty or absent record set", () => {
    expectCode(validateProduceRecords(null, maxBytes), codes.invalidRequest);
    expectCode(validateProduceRecords(Buffer.alloc(0), maxBytes), codes.invalidRequest);
    expect(codes.invalidRequest).toBe(42);
  });

  it("CORRUPT_MESSAGE for a bad CRC, a truncated batch, a bad length or an unknown magic", async () => {
    const flipped = await batchOf(2);
    flipped[flipped.length - 1]! ^= 1;
    expectCode(validateProduceRecords(flipped, maxBytes), 2);
    const whole = await batchOf(2);
    expectCode(validateProduceRecords(whole.subarray(0, whole.length - 1), maxBytes), 2);
    expectCode(validateProduceRecords(Buffer.concat([whole, whole.subarray(0, 20)]), maxBytes), 2);
    expectCode(validateProduceRecords(whole.subarray(0, 10), maxBytes), 2);
    const shortLength = await batchOf(1);
    shortLength.writeInt32BE(-5, batchLayout.batchLength);
    expectCode(validateProduceRecords(shortLength, maxBytes), 2);
    const magic3 = await batchOf(1);
    magic3.writeInt8(3, batchLayout.magic);
    expectCode(validateProduceRecords(magic3, maxBytes), 2);
    const badCodec = await batchOf(1);
    badCodec.writeInt16BE(5, batchLayout.attributes);
    expectCode(validateProduceRecords(refreshCrc(badCodec), maxBytes), 2);
  });

  it("UNSUPPORTED_FOR_MESSAGE_FORMAT for message sets v0 and v1", () => {
    // v1 message: offset, size, crc, magic 1, attributes, timestamp, key -1, value "x".
    const v1 = Buffer.from(
      "0000000000000000" +
        "00000017" +
        "00000000" +
        "01" +
        "00" +
        "0000000000000000" +
        "ffffffff" +
        "0000000178",
      "hex",
    );
    expectCode(validateProduceRecords(v1, maxBytes), 43);
    const v0 = Buffer.from(v1);
    v0[16] = 0;
    expectCode(validateProduceRecords(v0, maxBytes), 43);
  });

  it("MESSAGE_TOO_LARGE for a batch over message.max.bytes", async () => {
    const batch = await encodeBatch({ records: [{ value: Buffer.alloc(2000) }] });
    expectCode(validateProduceRecords(batch, 1000), 10);
    expect(validateProduceRecords(batch, batch.length).ok).toBe(true);
  });

  it("INVALID_RECORD when the record count disagrees with lastOffsetDelta, or for control batches", async () => {
    const mismatch = await batchOf(3);
    mismatch.writeInt32BE(1, batchLayout.lastOffsetDelta);
    expectCode(validateProduceRecords(refreshCrc(mismatch), maxBytes), 87);
    const negative = await batchOf(1);
    negative.writeInt32BE(-1, batchLayout.recordCount);
    expectCode(validateProduceRecords(refreshCrc(negative), maxBytes), 87);
    const control = await batchOf(1);
    control.writeInt16BE(attributeBits.control, batchLayout.attributes);
    expectCode(validateProduceRecords(refreshCrc(control), maxBytes), 87);
    const noSequence = await encodeBatch({ records: [{ value: null }], producerId: 7n, producerEpoch: 0 });
    expectCode(validateProduceRecords(noSequence, maxBytes), 87);
  });
});
