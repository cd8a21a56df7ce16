// Every buffer, queue and request size in Sluice has a named limit here; units come last in the name.
// Exceeding one is an explicit error (a Kafka error code, a closed connection, a log line), never an OOM.

export const limits = {
  /** Largest Kafka request frame accepted from a client (Kafka's socket.request.max.bytes). */
  requestFrameBytesMax: 100 * 1024 * 1024,
  /** Requests read from one connection but not yet answered; reading pauses at this depth. */
  connectionInflightRequestsMax: 64,
  /** Open client connections to the broker. */
  brokerConnectionsMax: 4096,
  /** Largest record batch accepted by Produce (Kafka's message.max.bytes default, 1 MiB + overhead). */
  messageBytesMax: 1024 * 1024 + 12 * 1024,
  /** Upper bound on one Fetch response, whatever the client asks for. */
  fetchResponseBytesMax: 64 * 1024 * 1024,
  /** Longest a Fetch may wait for min_bytes. */
  fetchWaitMsMax: 30_000,
  /** Array/string lengths the decoder accepts before allocating (elements, bytes). */
  decodeArrayLengthMax: 1_000_000,
  /** Records inside one batch. */
  batchRecordsMax: 1_000_000,
  /** Decompressed size of one batch's records. */
  decompressedBatchBytesMax: 256 * 1024 * 1024,
  /** Topics a broker holds. */
  topicsMax: 100_000,
  /** Partitions one topic may have. */
  topicPartitionsMax: 10_000,
  /** Appended bytes held in memory before they reach the file (per partition). */
  appendBufferBytesMax: 64 * 1024 * 1024,
  /** Idempotent producers remembered by the broker (oldest evicted past this). */
  producerStatesMax: 100_000,
} as const;

export type LimitName = keyof typeof limits;
