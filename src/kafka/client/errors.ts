// Errors the client raises: a Kafka error code with its protocol name, or a transport failure (connect, timeout, closed).

import { errorInfo } from "../protocol/errors.js";

/** The broker answered with a non-zero error code; `name` is Kafka's (e.g. TOPIC_ALREADY_EXISTS). */
export class KafkaResponseError extends Error {
  override name = "KafkaResponseError";
  readonly errorName: string;
  readonly retriable: boolean;
  constructor(
    readonly code: number,
    readonly context: string,
    detail?: string | null,
  ) {
    const info = describeErrorCode(code);
    super(`${context}: ${info.name}${detail ? ` (${detail})` : ""}`);
    this.errorName = info.name;
    this.retriable = info.retriable;
  }
}

/** The connection failed, closed or timed out; nothing from the broker explains it. */
export class KafkaTransportError extends Error {
  override name = "KafkaTransportError";
}

/** Kafka's name for an error code (the codec reports unknown codes as UNKNOWN_ERROR_CODE_n). */
export function describeErrorCode(code: number): { name: string; retriable: boolean } {
  return errorInfo(code);
}

/** Throws KafkaResponseError when `code` is not NONE (0). */
export function throwIfError(code: number | undefined, context: string, detail?: string | null): void {
  if (code !== undefined && code !== 0) throw new KafkaResponseError(code, context, detail);
}
