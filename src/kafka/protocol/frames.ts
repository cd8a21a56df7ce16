// Whole frames: request/response headers plus bodies, in both directions.
// Frames handed to the decoders exclude the 4-byte size prefix; the encoders include it.

import { readStruct, writeStruct } from "./codec.js";
import { ErrorCode, KafkaError } from "./errors.js";
import { Reader, Writer } from "./primitives.js";
import {
  ApiKey,
  apiName,
  isFlexibleVersion,
  isSupportedVersion,
  messagePlan,
  responseHeaderVersion,
  supportedApis,
} from "./registry.js";

export interface RequestHeader {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  clientId: string | null;
}

function readHeaderFields(r: Reader): RequestHeader {
  const apiKey = r.int16();
  const apiVersion = r.int16();
  const correlationId = r.int32();
  // The client id keeps its int16 length even in header v2, for clients that cannot parse the rest.
  const clientId = r.nullableString();
  return { apiKey, apiVersion, correlationId, clientId };
}

/** Reads just the header (apiKey, apiVersion, correlationId, clientId). Throws ProtocolError if it cannot. */
export function decodeRequestHeader(frame: Buffer): RequestHeader {
  return readHeaderFields(new Reader(frame));
}

/**
 * Decodes the whole request. Throws KafkaError(UNSUPPORTED_VERSION) for an unknown key or a version out of
 * range, ProtocolError for malformed bytes. Bytes and records fields are zero-copy subarrays of `frame`.
 */
// biome-ignore lint/suspicious/noExplicitAny: bodies are schema-shaped data; handlers narrow them.
export function decodeRequest(frame: Buffer): { header: RequestHeader; body: any } {
  const r = new Reader(frame);
  const header = readHeaderFields(r);
  if (!isSupportedVersion(header.apiKey, header.apiVersion)) {
    throw new KafkaError(
      ErrorCode.UNSUPPORTED_VERSION,
      `${apiName(header.apiKey)} v${header.apiVersion} is not supported`,
    );
  }
  if (isFlexibleVersion(header.apiKey, header.apiVersion)) r.skipTaggedFields();
  const body = readStruct(r, messagePlan(header.apiKey, header.apiVersion, "request"));
  return { header, body };
}

/**
 * Encodes a response, size prefix included, as chunks for a gathering write. Records fields
 * (Buffer or Buffer[]) are passed through by reference. Missing body fields take schema defaults.
 */
export function encodeResponse(header: RequestHeader, body: object): Buffer[] {
  const w = new Writer(true);
  w.int32(header.correlationId);
  if (responseHeaderVersion(header.apiKey, header.apiVersion) === 1) w.uvarint(0);
  writeStruct(w, messagePlan(header.apiKey, header.apiVersion, "response"), body as Record<string, unknown>);
  return w.finish();
}

/** Encodes a request, size prefix included, as one buffer (for tests and Sluice's own clients). */
export function encodeRequest(header: RequestHeader, body: object): Buffer {
  const flexible = isFlexibleVersion(header.apiKey, header.apiVersion);
  const w = new Writer(true);
  w.int16(header.apiKey);
  w.int16(header.apiVersion);
  w.int32(header.correlationId);
  w.string(header.clientId, false);
  if (flexible) w.uvarint(0);
  writeStruct(w, messagePlan(header.apiKey, header.apiVersion, "request"), body as Record<string, unknown>);
  return w.finishAsBuffer();
}

/** Decodes a response frame (without its size prefix) of a known API and version. */
export function decodeResponse(
  apiKey: number,
  apiVersion: number,
  frame: Buffer,
  // biome-ignore lint/suspicious/noExplicitAny: bodies are schema-shaped data; callers narrow them.
): { correlationId: number; body: any } {
  if (!isSupportedVersion(apiKey, apiVersion)) {
    throw new KafkaError(ErrorCode.UNSUPPORTED_VERSION, `${apiName(apiKey)} v${apiVersion} is not supported`);
  }
  const r = new Reader(frame);
  const correlationId = r.int32();
  if (responseHeaderVersion(apiKey, apiVersion) === 1) r.skipTaggedFields();
  const body = readStruct(r, messagePlan(apiKey, apiVersion, "response"));
  return { correlationId, body };
}

/**
 * The answer to an ApiVersions request whose version we do not support: a v0 response with
 * UNSUPPORTED_VERSION and our version ranges, which every client can parse and then retry lower.
 * `apiKeys` defaults to everything the codec supports; a broker may pass what it actually serves.
 */
export function encodeApiVersionsFallback(
  correlationId: number,
  apiKeys: readonly { apiKey: number; minVersion: number; maxVersion: number }[] = allSupportedRanges(),
): Buffer[] {
  const header = { apiKey: ApiKey.ApiVersions, apiVersion: 0, correlationId, clientId: null };
  return encodeResponse(header, { errorCode: ErrorCode.UNSUPPORTED_VERSION, apiKeys });
}

function allSupportedRanges(): { apiKey: number; minVersion: number; maxVersion: number }[] {
  return [...supportedApis].map(([apiKey, range]) => ({ apiKey, ...range }));
}
