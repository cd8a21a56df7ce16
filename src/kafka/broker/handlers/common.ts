// Helpers shared by the broker's handlers: topic name rules and mapping storage errors to Kafka codes.

import type { Logger } from "../../../common/logger.js";
import { LogError } from "../../../log/errors.js";
import { ErrorCode } from "../../protocol/index.js";

const topicNameMaxChars = 249;
const legalTopicName = /^[a-zA-Z0-9._-]+$/;

/** Kafka's rule: 1-249 chars of [a-zA-Z0-9._-], and not "." or "..". */
export function isValidTopicName(name: unknown): name is string {
  return (
    typeof name === "string" &&
    name.length > 0 &&
    name.length <= topicNameMaxChars &&
    name !== "." &&
    name !== ".." &&
    legalTopicName.test(name)
  );
}

const logErrorCodes: Record<string, number> = {
  OFFSET_OUT_OF_RANGE: ErrorCode.OFFSET_OUT_OF_RANGE,
  TOPIC_EXISTS: ErrorCode.TOPIC_ALREADY_EXISTS,
  INVALID_TOPIC: ErrorCode.INVALID_TOPIC_EXCEPTION,
  INVALID_PARTITIONS: ErrorCode.INVALID_PARTITIONS,
  INVALID_CONFIG: ErrorCode.INVALID_CONFIG,
  UNKNOWN_TOPIC: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
  UNKNOWN_TOPIC_OR_PARTITION: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
  UNKNOWN_PARTITION: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
  MESSAGE_TOO_LARGE: ErrorCode.MESSAGE_TOO_LARGE,
  CORRUPT: ErrorCode.CORRUPT_MESSAGE,
  CORRUPT_MESSAGE: ErrorCode.CORRUPT_MESSAGE,
  STORAGE: ErrorCode.KAFKA_STORAGE_ERROR,
  IO: ErrorCode.KAFKA_STORAGE_ERROR,
  CLOSED: ErrorCode.KAFKA_STORAGE_ERROR,
};

/**
 * The Kafka code and message for an error thrown while serving one topic or partition. Unexpected errors are
 * logged (they are bugs or disk trouble) and become UNKNOWN_SERVER_ERROR for that partition only.
 */
export function errorCodeFor(err: unknown, logger: Logger, what: string): { code: number; message: string } {
  if (err instanceof LogError) {
    const code = logErrorCodes[err.code];
    if (code !== undefined) return { code, message: err.message };
  }
  logger.error(`${what} failed`, { err, stack: err instanceof Error ? err.stack : undefined });
  return { code: ErrorCode.UNKNOWN_SERVER_ERROR, message: err instanceof Error ? err.message : String(err) };
}
