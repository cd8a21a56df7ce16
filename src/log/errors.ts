// The one error type the log storage engine throws for operating errors; `code` maps onto Kafka error codes.
// Programmer errors are AssertionErrors instead (src/common/assert.ts).

export type LogErrorCode =
  | "OFFSET_OUT_OF_RANGE"
  | "CORRUPT"
  | "STORAGE"
  | "CLOSED"
  | "MESSAGE_TOO_LARGE"
  | "TOPIC_EXISTS"
  | "UNKNOWN_TOPIC"
  | "INVALID_TOPIC"
  | "INVALID_PARTITIONS"
  | "INVALID_CONFIG";

export class LogError extends Error {
  override name = "LogError";
  constructor(
    readonly code: LogErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${code}: ${message}`, options);
  }
}
