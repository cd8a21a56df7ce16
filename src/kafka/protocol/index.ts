// The Kafka protocol layer's public surface: header/body codecs, supported versions and error codes.
// Pure functions over Buffers; the broker owns sockets, framing by size prefix and dispatch.

export { ErrorCode, type ErrorInfo, type ErrorName, errorInfo, KafkaError, ProtocolError } from "./errors.js";
export {
  decodeRequest,
  decodeRequestHeader,
  decodeResponse,
  encodeApiVersionsFallback,
  encodeRequest,
  encodeResponse,
  type RequestHeader,
} from "./frames.js";
export { Reader, Writer, zeroUuid } from "./primitives.js";
export {
  ApiKey,
  apiName,
  apiSchema,
  isFlexibleVersion,
  isSupportedVersion,
  requestHeaderVersion,
  responseHeaderVersion,
  supportedApis,
} from "./registry.js";
export type { ApiSchema, FieldSpec, FieldType } from "./schema.js";
