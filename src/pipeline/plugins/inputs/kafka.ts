// The kafka input: a consumer-group member (kafkajs) per consumer thread. Each fetched batch is decoded by the
// codec, handed to the pipeline with sink.accept, and only then are its offsets resolved and committed: a crash
// replays what was not yet queued (at-least-once), and a full queue stops fetching (back-pressure).

import type kafkajs from "kafkajs";
import type { Event } from "../../event/index.js";
import type { Codec, Decoder, Input, InputSink, InputSpec, PluginContext } from "../api.js";
import {
  clientSettings,
  createKafka,
  type KafkaClientSettings,
  kafkaConnectionOptions,
  warnIgnored,
} from "../kafka/client.js";
import { registerKafkaCompressionCodecs } from "../kafka/compression.js";
import type { ResolvedOptions } from "../options.js";

const stringDeserializer = "org.apache.kafka.common.serialization.StringDeserializer";
const byteArrayDeserializer = "org.apache.kafka.common.serialization.ByteArrayDeserializer";

export type MetadataMode = "none" | "basic" | "extended";

export interface KafkaInputSettings {
  client: KafkaClientSettings;
  topics: string[];
  topicsPattern: RegExp | undefined;
  groupId: string;
  consumerThreads: number;
  /** undefined: Kafka's default (latest). */
  fromBeginning: boolean;
  metadata: MetadataMode;
  maxPollRecords: number;
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
  maxPollIntervalMs: number;
  enableAutoCommit: boolean;
  autoCommitIntervalMs: number;
  fetchMaxBytes: number;
  fetchMaxWaitMs: number;
  fetchMinBytes: number;
  maxPartitionFetchBytes: number;
  readUncommitted: boolean;
  allowAutoTopicCreation: boolean;
  metadataMaxAgeMs: number;
}

type Batch = kafkajs.EachBatchPayload;

export class KafkaInput implements Input {
  private consumers: kafkajs.Consumer[] = [];
  private wakeOnStop: () => void = () => {};
  private readonly stopSignal = new Promise<void>((resolve) => {
    this.wakeOnStop = resolve;
  });
  private stopped = false;

  constructor(
    readonly settings: KafkaInputSettings,
    private readonly codec: Codec,
    private readonly context: PluginContext,
  ) {}

  async run(sink: InputSink): Promise<void> {
    if (this.stopped) return;
    const kafka = createKafka(this.settings.client, this.context.logger);
    const s = this.settings;
    try {
      for (let i = 0; i < s.consumerThreads; i++) {
        const consumer = kafka.consumer({
          groupId: s.groupId,
          sessionTimeout: s.sessionTimeoutMs,
          heartbeatInterval: s.heartbeatIntervalMs,
          rebalanceTimeout: s.maxPollIntervalMs,
          maxBytes: s.fetchMaxBytes,
          maxBytesPerPartition: s.maxPartitionFetchBytes,
          minBytes: s.fetchMinBytes,
          maxWaitTimeInMs: s.fetchMaxWaitMs,
          readUncommitted: s.readUncommitted,
          allowAutoTopicCreation: s.allowAutoTopicCreation,
          metadataMaxAge: s.metadataMaxAgeMs,
        });
        this.consumers.push(consumer);
        await this.start(consumer, sink);
        if (this.stopped) break;
      }
      await this.stopSignal;
    } finally {
      await Promise.all(this.consumers.map((c) => c.disconnect().catch(() => {})));
      this.consumers = [];
    }
  }

  stop(): void {
    this.stopped = true;
    this.wakeOnStop();
  }

  private async start(consumer: kafkajs.Consumer, sink: InputSink): Promise<void> {
    const s = this.settings;
    await consumer.connect();
    await consumer.subscribe({
      topics: s.topicsPattern === undefined ? s.topics : [s.topicsPattern],
      fromBeginning: s.fromBeginning,
    });
    const decoded: Event[] = [];
    const decoder = this.codec.createDecoder((event) => decoded.push(event));
    await consumer.run({
      autoCommit: s.enableAutoCommit,
      autoCommitInterval: s.autoCommitIntervalMs,
      eachBatchAutoResolve: false,
      eachBatch: (batch) => this.consumeBatch(consumer, batch, decoder, decoded, sink),
    });
    this.context.logger.info("kafka input subscribed", {
      plugin: this.context.id,
      group_id: s.groupId,
      topics: s.topicsPattern?.source ?? s.topics,
    });
  }

  /** Queues the batch in slices of max_poll_records; offsets move (and are committed) only after each slice is queued. */
  private async consumeBatch(
    consumer: kafkajs.Consumer,
    payload: Batch,
    decoder: Decoder,
    decoded: Event[],
    sink: InputSink,
  ): Promise<void> {
    const { batch } = payload;
    const messages = batch.messages;
    for (let start = 0; start < messages.length; start += this.settings.maxPollRecords) {
      if (!payload.isRunning() || payload.isStale()) return;
      const slice = messages.slice(start, start + this.settings.maxPollRecords);
      const events: Event[] = [];
      for (const message of slice) {
        decoded.length = 0;
        this.decode(decoder, message);
        for (const event of decoded) {
          this.decorate(event, batch.topic, batch.partition, message);
          events.push(event);
        }
      }
      decoded.length = 0;
      await this.acceptWithHeartbeats(events, sink, payload);
      const last = slice[slice.length - 1]!.offset;
      payload.resolveOffset(last);
      await this.commit(consumer, payload, batch.topic, batch.partition, last, sink.stopping);
      await payload.heartbeat().catch(() => {});
    }
  }

  private decode(decoder: Decoder, message: kafkajs.KafkaMessage): void {
    try {
      decoder.write(message.value ?? Buffer.alloc(0));
    } catch (err) {
      this.context.countFailure("kafka_decode_failure");
      this.context.logger.warn("could not decode a kafka record; it is skipped", {
        plugin: this.context.id,
        offset: message.offset,
        error: err,
      });
    }
  }

  /** A slow pipeline must not cost the group membership: heartbeat while the queue is full. */
  private async acceptWithHeartbeats(events: Event[], sink: InputSink, payload: Batch): Promise<void> {
    if (events.length === 0) return;
    const timer = setInterval(
      () => void payload.heartbeat().catch(() => {}),
      this.settings.heartbeatIntervalMs,
    );
    try {
      await sink.accept(events);
    } finally {
      clearInterval(timer);
    }
  }

  private async commit(
    consumer: kafkajs.Consumer,
    payload: Batch,
    topic: string,
    partition: number,
    lastOffset: string,
    stopping: boolean,
  ): Promise<void> {
    try {
      if (this.settings.enableAutoCommit && !stopping) await payload.commitOffsetsIfNecessary();
      else await consumer.commitOffsets([{ topic, partition, offset: (BigInt(lastOffset) + 1n).toString() }]);
    } catch (err) {
      // The next commit covers these offsets; until then a restart replays them (at-least-once).
      this.context.logger.warn("could not commit kafka offsets", { plugin: this.context.id, error: err });
    }
  }

  private decorate(event: Event, topic: string, partition: number, message: kafkajs.KafkaMessage): void {
    const mode = this.settings.metadata;
    if (mode === "none") return;
    event.set("[@metadata][kafka][topic]", topic);
    event.set("[@metadata][kafka][consumer_group]", this.settings.groupId);
    event.set("[@metadata][kafka][partition]", partition);
    event.set("[@metadata][kafka][offset]", Number(message.offset));
    event.set("[@metadata][kafka][key]", message.key === null ? null : message.key.toString("utf8"));
    event.set("[@metadata][kafka][timestamp]", Number(message.timestamp));
    if (mode !== "extended") return;
    for (const [key, value] of Object.entries(message.headers ?? {})) {
      const text = headerText(value);
      if (text !== undefined) event.set(`[@metadata][kafka][headers][${key}]`, text);
    }
  }
}

/** A header value as text when it is valid UTF-8 (Logstash skips the others). */
function headerText(value: Buffer | string | (Buffer | string)[] | undefined): string | undefined {
  const one = Array.isArray(value) ? value[value.length - 1] : value;
  if (one === undefined) return undefined;
  if (typeof one === "string") return one;
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(one);
  } catch {
    return undefined;
  }
}

function metadataMode(value: string, context: PluginContext): MetadataMode {
  if (value === "true" || value === "false") {
    const canonical = value === "true" ? "basic" : "none";
    context.logger.warn(`decorate_events => ${value} is deprecated; use ${canonical}`, {
      plugin: context.id,
    });
    return canonical;
  }
  return value as MetadataMode;
}

function checkDeserializer(options: ResolvedOptions, name: string): void {
  const value = options.string(name);
  if (value !== stringDeserializer && value !== byteArrayDeserializer)
    throw new Error(
      `${name} ${value} is not supported; use ${stringDeserializer} or ${byteArrayDeserializer}`,
    );
}

function offsetReset(options: ResolvedOptions): boolean {
  const value = options.optionalString("auto_offset_reset");
  if (value === undefined || value === "latest") return false;
  if (value === "earliest") return true;
  throw new Error(`auto_offset_reset "${value}" is not supported; use earliest or latest`);
}

export function kafkaInputSettings(options: ResolvedOptions, context: PluginContext): KafkaInputSettings {
  checkDeserializer(options, "key_deserializer_class");
  checkDeserializer(options, "value_deserializer_class");
  const pattern = options.optionalString("topics_pattern");
  let topicsPattern: RegExp | undefined;
  if (pattern !== undefined) {
    try {
      // Java matches the whole topic name.
      topicsPattern = new RegExp(`^(?:${pattern})$`);
    } catch (err) {
      throw new Error(`topics_pattern is not a valid regular expression: ${(err as Error).message}`);
    }
  }
  const threads = options.number("consumer_threads");
  if (!Number.isInteger(threads) || threads < 1)
    throw new Error("consumer_threads must be a positive integer");
  const maxPollRecords = options.number("max_poll_records");
  if (!Number.isInteger(maxPollRecords) || maxPollRecords < 1)
    throw new Error("max_poll_records must be a positive integer");
  return {
    client: clientSettings(options, options.string("client_id")),
    topics: options.stringArray("topics"),
    topicsPattern,
    groupId: options.string("group_id"),
    consumerThreads: threads,
    fromBeginning: offsetReset(options),
    metadata: metadataMode(options.string("decorate_events"), context),
    maxPollRecords,
    sessionTimeoutMs: options.number("session_timeout_ms"),
    heartbeatIntervalMs: options.number("heartbeat_interval_ms"),
    maxPollIntervalMs: options.number("max_poll_interval_ms"),
    enableAutoCommit: options.boolean("enable_auto_commit"),
    autoCommitIntervalMs: options.number("auto_commit_interval_ms"),
    fetchMaxBytes: options.number("fetch_max_bytes"),
    fetchMaxWaitMs: options.number("fetch_max_wait_ms"),
    fetchMinBytes: options.optionalNumber("fetch_min_bytes") ?? 1,
    maxPartitionFetchBytes: options.number("max_partition_fetch_bytes"),
    readUncommitted: options.string("isolation_level") === "read_uncommitted",
    allowAutoTopicCreation: options.boolean("auto_create_topics"),
    metadataMaxAgeMs: options.number("metadata_max_age_ms"),
  };
}

/** Declared for configs that set them; kafkajs has no equivalent. */
const ignoredOptions = [
  "check_crcs",
  "client_rack",
  "connections_max_idle_ms",
  "exclude_internal_topics",
  "group_instance_id",
  "partition_assignment_strategy",
  "poll_timeout_ms",
  "receive_buffer_bytes",
  "send_buffer_bytes",
  "reconnect_backoff_ms",
  "client_dns_lookup",
  "schema_registry_url",
  "schema_registry_key",
  "schema_registry_secret",
  "schema_registry_proxy",
  "schema_registry_validation",
  "schema_registry_ssl_keystore_location",
  "schema_registry_ssl_keystore_password",
  "schema_registry_ssl_keystore_type",
  "schema_registry_ssl_truststore_location",
  "schema_registry_ssl_truststore_password",
  "schema_registry_ssl_truststore_type",
  "sasl_oauthbearer_token_endpoint_url",
  "sasl_oauthbearer_scope_claim_name",
  "sasl_login_callback_handler_class",
  "sasl_login_connect_timeout_ms",
  "sasl_login_read_timeout_ms",
  "sasl_login_retry_backoff_ms",
  "sasl_login_retry_backoff_max_ms",
] as const;

export const kafkaInput: InputSpec = {
  kind: "input",
  name: "kafka",
  doc: "Reads records from Kafka topics as a consumer-group member; offsets are committed once events are queued.",
  defaultCodec: "plain",
  options: {
    ...kafkaConnectionOptions,
    topics: { type: "array", default: ["logstash"], doc: "Topics to subscribe to." },
    topics_pattern: {
      type: "string",
      doc: "A regular expression of topics to subscribe to; `topics` is then ignored.",
    },
    group_id: { type: "string", default: "logstash", doc: "The consumer group." },
    group_instance_id: { type: "string", doc: "Static membership id (ignored)." },
    client_id: { type: "string", default: "logstash", doc: "Client id sent with every request." },
    client_rack: { type: "string", doc: "Rack of this consumer (ignored)." },
    consumer_threads: { type: "number", default: 1, doc: "Group members this input runs." },
    auto_offset_reset: {
      type: "string",
      doc: "Where to start without a committed offset: earliest or latest.",
    },
    auto_commit_interval_ms: {
      type: "number",
      default: 5000,
      doc: "How often queued offsets are committed.",
    },
    enable_auto_commit: {
      type: "boolean",
      default: true,
      doc: "Commit queued offsets periodically (true) or after every batch (false).",
    },
    auto_create_topics: { type: "boolean", default: true, doc: "Let the broker create subscribed topics." },
    check_crcs: { type: "boolean", default: true, doc: "Check record CRCs (ignored)." },
    decorate_events: {
      type: ["none", "basic", "extended", "false", "true"],
      default: "none",
      doc: "Adds [@metadata][kafka] topic, partition, offset, key, timestamp, consumer_group (and headers: extended).",
    },
    exclude_internal_topics: { type: "string", doc: "Hide internal topics from patterns (ignored)." },
    fetch_max_bytes: { type: "number", default: 52_428_800, doc: "Largest fetch response." },
    fetch_max_wait_ms: { type: "number", default: 500, doc: "Longest wait of a fetch for fetch_min_bytes." },
    fetch_min_bytes: { type: "number", doc: "Smallest fetch response the broker waits for." },
    heartbeat_interval_ms: { type: "number", default: 3000, doc: "Heartbeat period." },
    isolation_level: {
      type: ["read_uncommitted", "read_committed"],
      default: "read_uncommitted",
      doc: "Whether records of aborted transactions are read.",
    },
    key_deserializer_class: {
      type: "string",
      default: stringDeserializer,
      doc: "StringDeserializer or ByteArrayDeserializer.",
    },
    value_deserializer_class: {
      type: "string",
      default: stringDeserializer,
      doc: "StringDeserializer or ByteArrayDeserializer.",
    },
    max_partition_fetch_bytes: { type: "number", default: 1_048_576, doc: "Largest fetch per partition." },
    max_poll_interval_ms: { type: "number", default: 300_000, doc: "Rebalance timeout of the group." },
    max_poll_records: { type: "number", default: 500, doc: "Records queued (and committed) at a time." },
    partition_assignment_strategy: { type: "string", doc: "Assignor (ignored: kafkajs's round robin)." },
    poll_timeout_ms: { type: "number", default: 100, doc: "Poll wait (ignored)." },
    session_timeout_ms: { type: "number", default: 10_000, doc: "Group session timeout." },
    schema_registry_url: { type: "uri", doc: "Avro schema registry (not supported)." },
    schema_registry_key: { type: "string", doc: "Not supported." },
    schema_registry_secret: { type: "password", doc: "Not supported." },
    schema_registry_proxy: { type: "uri", doc: "Not supported." },
    schema_registry_validation: { type: ["auto", "skip"], default: "auto", doc: "Not supported." },
    schema_registry_ssl_keystore_location: { type: "path", doc: "Not supported." },
    schema_registry_ssl_keystore_password: { type: "password", doc: "Not supported." },
    schema_registry_ssl_keystore_type: { type: ["jks", "PKCS12"], default: "jks", doc: "Not supported." },
    schema_registry_ssl_truststore_location: { type: "path", doc: "Not supported." },
    schema_registry_ssl_truststore_password: { type: "password", doc: "Not supported." },
    schema_registry_ssl_truststore_type: { type: ["jks", "PKCS12"], default: "jks", doc: "Not supported." },
    sasl_oauthbearer_token_endpoint_url: { type: "string", doc: "Not supported." },
    sasl_oauthbearer_scope_claim_name: { type: "string", default: "scope", doc: "Not supported." },
    sasl_login_callback_handler_class: { type: "string", doc: "Not supported." },
    sasl_login_connect_timeout_ms: { type: "number", doc: "Not supported." },
    sasl_login_read_timeout_ms: { type: "number", doc: "Not supported." },
    sasl_login_retry_backoff_ms: { type: "number", default: 100, doc: "Not supported." },
    sasl_login_retry_backoff_max_ms: { type: "number", default: 10_000, doc: "Not supported." },
  },
  create(options, context) {
    if (options.has("schema_registry_url"))
      throw new Error(
        "schema_registry_url is not supported by Sluice: Avro decoding needs a schema registry client",
      );
    const settings = kafkaInputSettings(options, context);
    warnIgnored(options, ignoredOptions, context.logger, context.id);
    registerKafkaCompressionCodecs();
    return new KafkaInput(settings, options.codec(), context);
  },
};
