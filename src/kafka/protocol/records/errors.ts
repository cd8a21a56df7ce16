// The one error type for malformed record bytes (bad varint, bad length, bad compression, too large).
// Callers catch it and answer with a Kafka error code; it must never escape as an uncaught RangeError.

export class RecordFormatError extends Error {
  override name = "RecordFormatError";
}
