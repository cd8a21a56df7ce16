// The broker's check of every produced record set: split into batches and verify headers and CRC32C only.
// It must stay fast (no decompression, no record parsing) and answer bad input with a Kafka error code.

import { attributeBits, type BatchHeader, batchLayout, batchMagic, checkBatch } from "../../../log/batch.js";
import { isCompressionType } from "./compression.js";

/** Kafka error codes this check can answer with. */
export const validateErrorCodes = {
  corruptMessage: 2,
  messageTooLarge: 10,
  invalidRequest: 42,
  unsupportedForMessageFormat: 43,
  invalidRecord: 87,
} as const;

export type ValidatedRecords =
  | { ok: true; batches: { pos: number; header: BatchHeader }[] }
  | { ok: false; errorCode: number; message: string };

function refuse(errorCode: number, message: string): ValidatedRecords {
  return { ok: false, errorCode, message };
}

/** Checks what only the header can tell: the things a client must get right for the broker to append. */
function headerProblem(header: BatchHeader): { errorCode: number; message: string } | null {
  const { invalidRecord, corruptMessage } = validateErrorCodes;
  if (header.recordCount !== header.lastOffsetDelta + 1) {
    return {
      errorCode: invalidRecord,
      message: `record count ${header.recordCount} disagrees with last offset delta ${header.lastOffsetDelta}`,
    };
  }
  if (header.recordCount === 0) return { errorCode: invalidRecord, message: "batch holds no records" };
  if ((header.attributes & attributeBits.control) !== 0) {
    return { errorCode: invalidRecord, message: "clients may not write control batches" };
  }
  if (!isCompressionType(header.attributes & attributeBits.compressionMask)) {
    return { errorCode: corruptMessage, message: `unknown compression id ${header.attributes & 0x07}` };
  }
  if (header.producerId >= 0n && header.baseSequence < 0) {
    return {
      errorCode: invalidRecord,
      message: `idempotent batch with invalid base sequence ${header.baseSequence}`,
    };
  }
  return null;
}

/**
 * Validates one partition's Produce `records` bytes. `maxBytes` is the topic's message.max.bytes: no single
 * batch may be larger. Several batches are accepted, in order; a trailing partial batch is corrupt.
 */
export function validateProduceRecords(
  records: Buffer | null | undefined,
  maxBytes: number,
): ValidatedRecords {
  const codes = validateErrorCodes;
  if (!records || records.length === 0) return refuse(codes.invalidRequest, "no record batches");
  const batches: { pos: number; header: BatchHeader }[] = [];
  for (let pos = 0; pos < records.length; ) {
    // Magic sits at the same byte in message sets v0/v1, so old formats are recognised before sizes are read.
    const magicPos = pos + batchLayout.magic;
    if (magicPos < records.length && records[magicPos]! < batchMagic) {
      return refuse(
        codes.unsupportedForMessageFormat,
        `message format v${records[magicPos]} is not supported`,
      );
    }
    const { header, problem } = checkBatch(records, pos, Number.MAX_SAFE_INTEGER);
    if (problem === "truncated" || header === null)
      return refuse(codes.corruptMessage, `batch at byte ${pos} is truncated`);
    if (header.sizeBytes > maxBytes) {
      return refuse(
        codes.messageTooLarge,
        `batch of ${header.sizeBytes} bytes exceeds the limit of ${maxBytes}`,
      );
    }
    if (problem === "bad-count")
      return refuse(codes.invalidRecord, `batch at byte ${pos} has a negative count`);
    if (problem !== null) return refuse(codes.corruptMessage, `batch at byte ${pos}: ${problem}`);
    const found = headerProblem(header);
    if (found) return refuse(found.errorCode, found.message);
    batches.push({ pos, header });
    pos += header.sizeBytes;
  }
  return { ok: true, batches };
}
