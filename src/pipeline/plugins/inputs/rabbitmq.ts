// The rabbitmq input: consumes a queue (declared, optionally bound to an exchange) and acknowledges each batch of
// messages only once sink.accept has queued its events, so a crash or a lost connection redelivers, never loses.
// A lost connection or a failed setup is retried every connect_retry_interval until the input is stopped.

import type amqp from "amqplib";
import type { Event } from "../../event/index.js";
import type { Codec, Decoder, Input, InputSink, InputSpec, PluginContext } from "../api.js";
import type { ResolvedOptions } from "../options.js";
import {
  closeQuietly,
  connectionLost,
  connectWithRetry,
  type RabbitmqConnectionSettings,
  rabbitmqConnectionOptions,
  rabbitmqConnectionSettings,
  StoppableSleep,
} from "../support/rabbitmq.js";

export type RabbitmqMetadataLevel = "none" | "basic" | "extended";

export interface RabbitmqInputSettings {
  connection: RabbitmqConnectionSettings;
  queue: string;
  durable: boolean;
  exclusive: boolean;
  autoDelete: boolean;
  exchange: string | undefined;
  exchangeType: string | undefined;
  key: string;
  ack: boolean;
  prefetchCount: number;
  threads: number;
  subscriptionRetryMs: number;
  metadata: RabbitmqMetadataLevel;
}

/** One consumer's messages waiting to be decoded and queued, and who to wake when more arrive. */
interface Inbox {
  messages: amqp.ConsumeMessage[];
  wake: () => void;
}

export class RabbitmqInput implements Input {
  private stopped = false;
  private readonly sleeper = new StoppableSleep();
  private readonly wakers = new Set<() => void>();
  private readonly decoder: Decoder;
  private readonly decoded: Event[] = [];

  constructor(
    readonly settings: RabbitmqInputSettings,
    codec: Codec,
    private readonly context: PluginContext,
  ) {
    this.decoder = codec.createDecoder((event) => this.decoded.push(event));
  }

  async run(sink: InputSink): Promise<void> {
    const consumers = Array.from({ length: this.settings.threads }, () => this.consumeForever(sink));
    await Promise.all(consumers);
  }

  stop(): void {
    this.stopped = true;
    this.sleeper.wake();
    for (const wake of [...this.wakers]) wake();
  }

  /** One consumer (Logstash: one per `threads`): connect, consume until the connection is lost, retry. */
  private async consumeForever(sink: InputSink): Promise<void> {
    const control = {
      logger: this.context.logger,
      pluginId: this.context.id,
      stopped: () => this.stopped || sink.stopping,
      sleeper: this.sleeper,
    };
    while (!control.stopped()) {
      const connection = await connectWithRetry(this.settings.connection, control);
      if (connection === undefined) return;
      try {
        await this.consume(connection, sink, control.stopped);
      } catch (err) {
        if (control.stopped()) break;
        this.context.logger.warn("Error while setting up connection, will retry", {
          plugin: this.context.id,
          error: err,
        });
      } finally {
        await closeQuietly(connection);
      }
      if (!control.stopped()) await this.sleeper.sleep(this.settings.connection.retryIntervalMs);
    }
  }

  /** Declares, binds, subscribes, then moves messages to the pipeline until stopped or the connection is lost. */
  private async consume(
    connection: amqp.ChannelModel,
    sink: InputSink,
    stopped: () => boolean,
  ): Promise<void> {
    let lost = false;
    const lostSignal = connectionLost(connection).then((cause) => {
      lost = true;
      if (!stopped())
        this.context.logger.warn("RabbitMQ connection was closed", { plugin: this.context.id, cause });
    });
    const channel = await connection.createChannel();
    channel.on("error", () => {}); // a channel error also closes the connection's use of it; handled below
    const queue = await this.declare(channel);
    await channel.prefetch(this.settings.prefetchCount);
    const inbox: Inbox = { messages: [], wake: () => {} };
    const consumer = await this.subscribe(channel, queue, inbox);
    const wakeAll = () => inbox.wake();
    this.wakers.add(wakeAll);
    void lostSignal.then(wakeAll);
    try {
      while (!stopped() && !lost) {
        if (inbox.messages.length === 0) {
          await new Promise<void>((resolve) => (inbox.wake = resolve));
          continue;
        }
        await this.deliver(channel, inbox.messages.splice(0, this.settings.prefetchCount), sink);
      }
    } finally {
      this.wakers.delete(wakeAll);
      // Unacknowledged messages still in the inbox go back to the queue when the channel closes.
      if (!lost) await channel.cancel(consumer).catch(() => {});
    }
    if (lost && !stopped()) throw new Error("the connection to RabbitMQ was lost");
  }

  private async declare(channel: amqp.Channel): Promise<string> {
    const s = this.settings;
    const options = {
      durable: s.durable,
      exclusive: s.exclusive,
      autoDelete: s.autoDelete,
      arguments: s.connection.queueArguments,
    };
    const declared = s.connection.passive
      ? await channel.checkQueue(s.queue)
      : await channel.assertQueue(s.queue, options);
    if (s.exchange !== undefined) {
      if (s.exchangeType !== undefined) {
        this.context.logger.info(`Declaring exchange '${s.exchange}' with type ${s.exchangeType}`, {
          plugin: this.context.id,
        });
        await channel.assertExchange(s.exchange, s.exchangeType, { durable: s.durable });
      }
      await channel.bindQueue(declared.queue, s.exchange, s.key);
    }
    return declared.queue;
  }

  /** Subscribes; a refused subscription is retried after subscription_retry_interval_seconds, on a new connection. */
  private async subscribe(channel: amqp.Channel, queue: string, inbox: Inbox): Promise<string> {
    try {
      // Always manual acks: with ack => false a message is acknowledged on arrival, so prefetch still bounds memory.
      const { consumerTag } = await channel.consume(
        queue,
        (message) => {
          if (message === null) {
            this.context.logger.info("Received cancellation, shutting down", { plugin: this.context.id });
            this.stop();
            return;
          }
          if (!this.settings.ack) channel.ack(message);
          inbox.messages.push(message);
          inbox.wake();
        },
        { noAck: false },
      );
      return consumerTag;
    } catch (err) {
      this.context.logger.warn(
        `Could not subscribe to queue, will retry in ${this.settings.subscriptionRetryMs / 1000} seconds`,
        { plugin: this.context.id, queue, error: err },
      );
      await this.sleeper.sleep(this.settings.subscriptionRetryMs);
      throw err;
    }
  }

  /** Decodes a run of messages, queues their events, then acknowledges them all with one multiple-ack. */
  private async deliver(
    channel: amqp.Channel,
    messages: amqp.ConsumeMessage[],
    sink: InputSink,
  ): Promise<void> {
    const events: Event[] = [];
    for (const message of messages) {
      this.decoded.length = 0;
      try {
        this.decoder.write(message.content);
      } catch (err) {
        this.context.countFailure("rabbitmq_decode_failure");
        this.context.logger.warn("could not decode a RabbitMQ message; it is skipped", {
          plugin: this.context.id,
          error: err,
        });
      }
      for (const event of this.decoded) {
        decorateWithMetadata(event, message, this.settings.metadata);
        events.push(event);
      }
    }
    this.decoded.length = 0;
    if (events.length > 0) await sink.accept(events);
    if (!this.settings.ack) return;
    try {
      channel.ack(messages[messages.length - 1]!, true);
    } catch (err) {
      // The channel is gone: the broker redelivers these messages (at-least-once).
      this.context.logger.warn("could not acknowledge RabbitMQ messages; they will be redelivered", {
        plugin: this.context.id,
        error: err,
      });
    }
  }
}

/** Logstash's names for a message's properties and envelope fields, in its order. */
const propertyReaders: ReadonlyArray<[string, (m: amqp.ConsumeMessage) => unknown]> = [
  ["app-id", (m) => m.properties.appId],
  ["cluster-id", (m) => m.properties.clusterId],
  ["consumer-tag", (m) => m.fields.consumerTag],
  ["content-encoding", (m) => m.properties.contentEncoding],
  ["content-type", (m) => m.properties.contentType],
  ["correlation-id", (m) => m.properties.correlationId],
  ["delivery-mode", (m) => m.properties.deliveryMode],
  ["exchange", (m) => m.fields.exchange],
  ["expiration", (m) => m.properties.expiration],
  ["message-id", (m) => m.properties.messageId],
  ["priority", (m) => m.properties.priority],
  ["redeliver", (m) => m.fields.redelivered],
  ["reply-to", (m) => m.properties.replyTo],
  ["routing-key", (m) => m.fields.routingKey],
  ["timestamp", (m) => m.properties.timestamp],
  ["type", (m) => m.properties.type],
  ["user-id", (m) => m.properties.userId],
];

/** Sets [@metadata][rabbitmq_headers|rabbitmq_properties|rabbitmq_payload] as metadata_enabled asks. */
export function decorateWithMetadata(
  event: Event,
  message: amqp.ConsumeMessage,
  level: RabbitmqMetadataLevel,
): void {
  if (level === "none") return;
  event.set("[@metadata][rabbitmq_headers]", plainHeaders(message.properties.headers));
  const properties: Record<string, unknown> = {};
  // As in Ruby, absent and false values are left out.
  for (const [name, read] of propertyReaders) {
    const value = read(message);
    if (value !== undefined && value !== null && value !== false) properties[name] = value;
  }
  event.set("[@metadata][rabbitmq_properties]", properties);
  if (level === "extended") event.set("[@metadata][rabbitmq_payload]", message.content.toString("utf8"));
}

function plainHeaders(headers: Record<string, unknown> | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(headers ?? {}))
    out[key] = Buffer.isBuffer(value) ? value.toString("utf8") : value;
  return out;
}

/** metadata_enabled: the legacy booleans map to none/basic, with Logstash's warning. */
export function metadataLevel(value: string, warn: (message: string) => void): RabbitmqMetadataLevel {
  if (value === "true" || value === "false") {
    const canonical = value === "true" ? "basic" : "none";
    warn(`Deprecated value \`${value}\` for \`metadata_enabled\` option; use \`${canonical}\` instead.`);
    return canonical;
  }
  return value as RabbitmqMetadataLevel;
}

export function rabbitmqInputSettings(
  options: ResolvedOptions,
  context: PluginContext,
): RabbitmqInputSettings {
  const warn = (message: string) => context.logger.warn(message, { plugin: context.id });
  const prefetchCount = options.number("prefetch_count");
  if (!Number.isInteger(prefetchCount) || prefetchCount < 1)
    throw new Error(`prefetch_count must be a whole number of at least 1, got ${prefetchCount}`);
  const threads = options.number("threads");
  if (!Number.isInteger(threads) || threads < 1)
    throw new Error(`threads must be a whole number of at least 1, got ${threads}`);
  return {
    connection: rabbitmqConnectionSettings(options, warn),
    queue: options.string("queue"),
    durable: options.boolean("durable"),
    exclusive: options.boolean("exclusive"),
    autoDelete: options.boolean("auto_delete"),
    exchange: options.optionalString("exchange"),
    exchangeType: options.optionalString("exchange_type"),
    key: options.string("key"),
    ack: options.boolean("ack"),
    prefetchCount,
    threads,
    subscriptionRetryMs: Math.max(0, options.number("subscription_retry_interval_seconds") * 1000),
    metadata: metadataLevel(options.string("metadata_enabled"), warn),
  };
}

export const rabbitmqInput: InputSpec = {
  kind: "input",
  name: "rabbitmq",
  doc: "Consumes messages from a RabbitMQ queue (declared, and bound to an exchange when `exchange` is set); each message is decoded by the codec and acknowledged once its events are queued.",
  defaultCodec: "json",
  options: {
    ...rabbitmqConnectionOptions,
    queue: { type: "string", default: "", doc: "Queue to consume; empty: a server-named transient queue." },
    durable: { type: "boolean", default: false, doc: "Declare the queue (and exchange) durable." },
    auto_delete: {
      type: "boolean",
      default: false,
      doc: "Let the broker delete the queue when its last consumer leaves.",
    },
    exclusive: { type: "boolean", default: false, doc: "Declare the queue exclusive to this connection." },
    prefetch_count: {
      type: "number",
      default: 256,
      doc: "Unacknowledged messages the broker may send ahead; also the acknowledgement batch.",
    },
    ack: { type: "boolean", default: true, doc: "Acknowledge messages only after their events are queued." },
    exchange: { type: "string", doc: "Exchange to bind the queue to." },
    exchange_type: { type: "string", doc: "Declare `exchange` with this type before binding." },
    key: { type: "string", default: "logstash", doc: "Routing key of the binding." },
    subscription_retry_interval_seconds: {
      // Logstash marks it required but defaults it, so it can never be missing.
      type: "number",
      default: 5,
      doc: "Seconds to wait after a refused subscription.",
    },
    metadata_enabled: {
      type: ["none", "basic", "extended", "false", "true"],
      default: "none",
      doc: "Store headers and properties (basic), and the raw payload (extended), under [@metadata].",
    },
    threads: { type: "number", default: 1, doc: "Consumers, each with its own connection." },
  },
  create: (options, context) => {
    const settings = rabbitmqInputSettings(options, context);
    return new RabbitmqInput(settings, options.codec(), context);
  },
};
