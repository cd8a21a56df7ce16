// The kafka output: encodes each event with the codec and produces the pipeline's batch with one kafkajs
// sendBatch, to a topic and key rendered per event. receive() resolves only once the broker acknowledged (or the
// failure was logged and counted), so a slow or absent cluster slows the pipeline instead of filling memory.

import kafkajs from "kafkajs";
import type { Event } from "../../event/index.js";
import type { Codec, Output, OutputSpec, PluginContext } from "../api.js";
import {
  clientSettings,
  createKafka,
  type KafkaClientSettings,
  kafkaConnectionOptions,
  warnIgnored,
} from "../kafka/client.js";
import { kafkajsCompression, registerKafkaCompressionCodecs } from "../kafka/compression.js";
import type { ResolvedOptions } from "../options.js";

const { Partitioners } = kafkajs;

const stringSerializer = "org.apache.kafka.common.serialization.StringSerializer";
const byteArraySerializer = "org.apache.kafka.common.serialization.ByteArraySerializer";

export interface KafkaOutputSettings {
  client: KafkaClientSettings;
  topicId: string;
  messageKey: string | undefined;
  headers: Record<string, string>;
  partitioner: "default" | "round_robin" | "uniform_sticky";
  compression: kafkajs.CompressionTypes;
  acks: -1 | 0 | 1;
  /** undefined: retry until it succeeds (Logstash's default). */
  retries: number | undefined;
  retryBackoffMs: number;
  maxRequestSize: number;
  requestTimeoutMs: number;
}

type Message = kafkajs.Message & { value: string | Buffer };

export class KafkaOutput implements Output {
  private producer: kafkajs.Producer | undefined;
  private connecting: Promise<kafkajs.Producer> | undefined;
  private closed = false;

  constructor(
    readonly settings: KafkaOutputSettings,
    private readonly codec: Codec,
    private readonly context: PluginContext,
  ) {}

  async receive(events: Event[]): Promise<void> {
    const byTopic = this.encode(events);
    if (byTopic.size === 0) return;
    const topicMessages = [...byTopic].map(([topic, messages]) => ({ topic, messages }));
    await this.sendWithRetries(topicMessages, events.length);
  }

  async close(): Promise<void> {
    this.closed = true;
    const producer = this.producer ?? (await this.connecting?.catch(() => undefined));
    await producer?.disconnect().catch(() => {});
  }

  private encode(events: Event[]): Map<string, Message[]> {
    const byTopic = new Map<string, Message[]>();
    for (const event of events) {
      try {
        const message = this.message(event);
        if (message === undefined) continue;
        const topic = event.sprintf(this.settings.topicId);
        const list = byTopic.get(topic);
        if (list === undefined) byTopic.set(topic, [message]);
        else list.push(message);
      } catch (err) {
        this.context.countFailure("kafka_encode_failure");
        this.context.logger.warn("could not encode an event for kafka; it is dropped", {
          plugin: this.context.id,
          error: err,
        });
      }
    }
    return byTopic;
  }

  private message(event: Event): Message | undefined {
    const value = this.codec.encode(event);
    const size = typeof value === "string" ? Buffer.byteLength(value) : value.length;
    if (size > this.settings.maxRequestSize) {
      // Kafka's RecordTooLargeException is not retriable: Logstash drops the record with a warning.
      this.context.countFailure("kafka_record_too_large");
      this.context.logger.warn("event larger than max_request_size; it is dropped", {
        plugin: this.context.id,
        bytes: size,
        max_request_size: this.settings.maxRequestSize,
      });
      return undefined;
    }
    const message: Message = { value };
    if (this.settings.messageKey !== undefined) message.key = event.sprintf(this.settings.messageKey);
    const names = Object.keys(this.settings.headers);
    if (names.length > 0) {
      const headers: Record<string, string> = {};
      for (const name of names) headers[name] = event.sprintf(this.settings.headers[name]!);
      message.headers = headers;
    }
    return message;
  }

  private async sendWithRetries(topicMessages: kafkajs.TopicMessages[], count: number): Promise<void> {
    let remaining = this.settings.retries;
    for (;;) {
      try {
        const producer = await this.connect();
        await producer.sendBatch({
          topicMessages,
          acks: this.settings.acks,
          compression: this.settings.compression,
          timeout: this.settings.requestTimeoutMs,
        });
        return;
      } catch (err) {
        const retriable = (err as { retriable?: boolean }).retriable !== false;
        if (!retriable || (remaining !== undefined && remaining <= 0) || this.closed) {
          this.context.countFailure("kafka_send_failure");
          this.context.logger.warn("could not send events to kafka; they are dropped", {
            plugin: this.context.id,
            events: count,
            error: err,
          });
          return;
        }
        if (remaining !== undefined) remaining--;
        this.context.logger.info("sending to kafka failed; retrying", {
          plugin: this.context.id,
          events: count,
          error: err,
          retry_in_ms: this.settings.retryBackoffMs,
        });
        await new Promise((resolve) => setTimeout(resolve, this.settings.retryBackoffMs));
      }
    }
  }

  private async connect(): Promise<kafkajs.Producer> {
    if (this.producer !== undefined) return this.producer;
    this.connecting ??= (async () => {
      const producer = createKafka(this.settings.client, this.context.logger).producer({
        allowAutoTopicCreation: true,
        createPartitioner: partitionerFor(this.settings.partitioner),
        retry: { retries: 2, initialRetryTime: Math.max(1, this.settings.retryBackoffMs) },
      });
      await producer.connect();
      return producer;
    })();
    try {
      this.producer = await this.connecting;
      return this.producer;
    } catch (err) {
      this.connecting = undefined;
      throw err;
    }
  }
}

/** Java's partitioners by Logstash's names: murmur2 of the key (default), round robin, and one partition per batch. */
export function partitionerFor(name: KafkaOutputSettings["partitioner"]): kafkajs.ICustomPartitioner {
  if (name === "default") return Partitioners.DefaultPartitioner;
  if (name === "round_robin")
    return () => {
      const next = new Map<string, number>();
      return ({ topic, partitionMetadata }) => {
        const counter = next.get(topic) ?? 0;
        next.set(topic, counter + 1);
        return partitionMetadata[counter % partitionMetadata.length]!.partitionId;
      };
    };
  return () => {
    // Kafka's UniformStickyPartitioner stays on one partition until a batch is sent; kafkajs partitions a whole
    // sendBatch before it sends, so a pause between messages marks the next batch.
    const sticky = new Map<string, { partition: number; at: number }>();
    return ({ topic, partitionMetadata }) => {
      const now = Date.now();
      const current = sticky.get(topic);
      if (current !== undefined && now - current.at < 5) {
        current.at = now;
        return current.partition;
      }
      const partition = partitionMetadata[Math.floor(Math.random() * partitionMetadata.length)]!.partitionId;
      sticky.set(topic, { partition, at: now });
      return partition;
    };
  };
}

function partitionerName(options: ResolvedOptions): KafkaOutputSettings["partitioner"] {
  const value = options.optionalString("partitioner") ?? "default";
  if (value === "default" || value === "round_robin" || value === "uniform_sticky") return value;
  throw new Error(`partitioner "${value}" is not supported; use default, round_robin or uniform_sticky`);
}

export function kafkaOutputSettings(options: ResolvedOptions, context: PluginContext): KafkaOutputSettings {
  for (const name of ["key_serializer", "value_serializer"]) {
    const value = options.string(name);
    if (value !== stringSerializer && value !== byteArraySerializer)
      throw new Error(`${name} only supports ${stringSerializer} and ${byteArraySerializer}, got ${value}`);
  }
  const retries = options.optionalNumber("retries");
  if (retries !== undefined) {
    if (retries < 0)
      throw new Error(`A negative retry count (${retries}) is not valid. Must be a value >= 0`);
    context.logger.warn("kafka output retries is set: events are LOST after that many failed sends", {
      plugin: context.id,
      retries,
    });
  }
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(options.hash("message_headers"))) headers[name] = String(value);
  const acks = options.string("acks");
  return {
    client: clientSettings(options, options.optionalString("client_id") ?? "logstash"),
    topicId: options.string("topic_id"),
    messageKey: options.optionalString("message_key"),
    headers,
    partitioner: partitionerName(options),
    compression: kafkajsCompression(options.string("compression_type")),
    acks: acks === "all" ? -1 : acks === "0" ? 0 : 1,
    retries,
    retryBackoffMs: options.number("retry_backoff_ms"),
    maxRequestSize: options.number("max_request_size"),
    requestTimeoutMs: options.number("request_timeout_ms"),
  };
}

/** Declared for configs that set them; batching follows the pipeline's batches instead. */
const ignoredOptions = [
  "batch_size",
  "buffer_memory",
  "linger_ms",
  "connections_max_idle_ms",
  "metadata_fetch_timeout_ms",
  "receive_buffer_bytes",
  "send_buffer_bytes",
  "reconnect_backoff_ms",
  "client_dns_lookup",
] as const;

export const kafkaOutput: OutputSpec = {
  kind: "output",
  name: "kafka",
  doc: "Writes each event, encoded by its codec, as a record of a Kafka topic; waits for the broker's acknowledgement.",
  defaultCodec: "plain",
  options: {
    ...kafkaConnectionOptions,
    topic_id: { type: "string", required: true, doc: "Topic to write to (sprintf per event)." },
    message_key: { type: "string", doc: "Record key (sprintf per event); none by default." },
    message_headers: { type: "hash", default: {}, doc: "Record headers; values are sprintf templates." },
    partitioner: { type: "string", doc: "default (murmur2 of the key), round_robin or uniform_sticky." },
    compression_type: {
      type: ["none", "gzip", "snappy", "lz4", "zstd"],
      default: "none",
      doc: "Record batch compression.",
    },
    acks: { type: ["0", "1", "all"], default: "1", doc: "Acknowledgements the leader waits for." },
    batch_size: {
      type: "number",
      default: 16_384,
      doc: "Batch bytes (ignored: one request per pipeline batch).",
    },
    buffer_memory: {
      type: "number",
      default: 33_554_432,
      doc: "Producer buffer (ignored: nothing is buffered).",
    },
    linger_ms: {
      type: "number",
      default: 0,
      doc: "Batching delay (ignored: one request per pipeline batch).",
    },
    max_request_size: {
      type: "number",
      default: 1_048_576,
      doc: "Larger records are dropped with a warning.",
    },
    metadata_fetch_timeout_ms: { type: "number", default: 60_000, doc: "Initial metadata wait (ignored)." },
    retries: { type: "number", doc: "Send attempts before events are dropped; unset retries forever." },
    client_id: { type: "string", doc: "Client id sent with every request." },
    key_serializer: {
      type: "string",
      default: stringSerializer,
      doc: "StringSerializer or ByteArraySerializer.",
    },
    value_serializer: {
      type: "string",
      default: stringSerializer,
      doc: "StringSerializer or ByteArraySerializer.",
    },
  },
  create(options, context) {
    const settings = kafkaOutputSettings(options, context);
    warnIgnored(options, ignoredOptions, context.logger, context.id);
    registerKafkaCompressionCodecs();
    return new KafkaOutput(settings, options.codec(), context);
  },
};
