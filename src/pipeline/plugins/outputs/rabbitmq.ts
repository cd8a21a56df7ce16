// The rabbitmq output: publishes each event, encoded by the codec, to an exchange with a sprintf'd routing key and
// message properties. A batch counts as handled only once the broker has confirmed every message of it; a failed
// publish (broker gone, connection lost) is retried every connect_retry_interval, on a new connection, until it is.

import type amqp from "amqplib";
import type { Event } from "../../event/index.js";
import type { Codec, Output, OutputSpec, PluginContext } from "../api.js";
import type { OptionHash, OptionValue, ResolvedOptions } from "../options.js";
import {
  closeQuietly,
  connectWithRetry,
  type RabbitmqConnectionSettings,
  rabbitmqConnectionOptions,
  rabbitmqConnectionSettings,
  StoppableSleep,
} from "../support/rabbitmq.js";

export const rabbitmqExchangeTypes = ["fanout", "direct", "topic", "x-consistent-hash", "x-modulus-hash"];

export interface RabbitmqOutputSettings {
  connection: RabbitmqConnectionSettings;
  exchange: string;
  exchangeType: string;
  key: string;
  durable: boolean;
  persistent: boolean;
  properties: OptionHash;
}

type Publish = amqp.Options.Publish;

/** Logstash's (March Hare's) property names and the AMQP client's. */
const propertyNames: Readonly<Record<string, keyof Publish>> = {
  content_type: "contentType",
  content_encoding: "contentEncoding",
  headers: "headers",
  delivery_mode: "deliveryMode",
  persistent: "persistent",
  priority: "priority",
  correlation_id: "correlationId",
  reply_to: "replyTo",
  expiration: "expiration",
  message_id: "messageId",
  timestamp: "timestamp",
  type: "type",
  user_id: "userId",
  app_id: "appId",
};

/** message_properties with `%{...}` values filled in per event, the constant ones computed once. */
export class MessagePropertiesTemplate {
  private readonly constant: Publish = {};
  private readonly templated: Array<[keyof Publish, string]> = [];

  constructor(properties: OptionHash, persistent: boolean, warn: (message: string) => void) {
    const entries: Array<[string, OptionValue]> = [...Object.entries(properties), ["persistent", persistent]];
    for (const [name, value] of entries) {
      const target = propertyNames[name];
      if (target === undefined) {
        warn(`message property ${name} is not an AMQP property; it is ignored`);
        continue;
      }
      if (typeof value === "string" && value.includes("%{")) this.templated.push([target, value]);
      else Object.assign(this.constant, normalize(target, value));
    }
  }

  build(event: Event): Publish {
    if (this.templated.length === 0) return this.constant;
    const out: Publish = { ...this.constant };
    for (const [target, template] of this.templated)
      Object.assign(out, normalize(target, event.sprintf(template)));
    return out;
  }
}

/** Priority and timestamp are numbers on the wire; written as text they are converted (Logstash: priority). */
function normalize(target: keyof Publish, value: OptionValue): Publish {
  if ((target === "priority" || target === "timestamp") && typeof value === "string")
    return { [target]: Number.parseInt(value, 10) || 0 };
  return { [target]: value };
}

export class RabbitmqOutput implements Output {
  private connection: amqp.ChannelModel | undefined;
  private channel: amqp.ConfirmChannel | undefined;
  private closed = false;
  private readonly sleeper = new StoppableSleep();
  private readonly template: MessagePropertiesTemplate;

  constructor(
    readonly settings: RabbitmqOutputSettings,
    private readonly codec: Codec,
    private readonly context: PluginContext,
  ) {
    const warn = (message: string) => context.logger.warn(message, { plugin: context.id });
    this.template = new MessagePropertiesTemplate(settings.properties, settings.persistent, warn);
  }

  /**
   * Logstash connects and declares the exchange at register: a refused declaration stops the start. Unlike Logstash,
   * an unreachable broker does not hold the start (and shutdown) hostage: publishing retries the connection.
   */
  async register(): Promise<void> {
    await this.open(1);
  }

  async receive(events: Event[]): Promise<void> {
    const messages = events.map((event) => this.message(event));
    while (!this.closed) {
      try {
        const channel = this.channel ?? (await this.open());
        if (channel === undefined) break;
        await this.publish(channel, messages);
        return;
      } catch (err) {
        this.context.logger.error("Error while publishing, will retry", {
          plugin: this.context.id,
          error: err,
        });
        await this.reset();
        await this.sleeper.sleep(this.settings.connection.retryIntervalMs);
      }
    }
    this.context.countFailure("rabbitmq_publish_abandoned");
    this.context.logger.error("the rabbitmq output closed with events not published", {
      plugin: this.context.id,
      events: events.length,
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    this.sleeper.wake();
    await this.reset();
  }

  private message(event: Event): { routingKey: string; content: Buffer; properties: Publish } {
    const encoded = this.codec.encode(event);
    return {
      routingKey: event.sprintf(this.settings.key),
      content: typeof encoded === "string" ? Buffer.from(encoded) : encoded,
      properties: this.template.build(event),
    };
  }

  private async publish(
    channel: amqp.ConfirmChannel,
    messages: ReadonlyArray<{ routingKey: string; content: Buffer; properties: Publish }>,
  ): Promise<void> {
    for (const { routingKey, content, properties } of messages) {
      const hasRoom = channel.publish(this.settings.exchange, routingKey, content, properties);
      if (!hasRoom) await new Promise((resolve) => channel.once("drain", resolve));
    }
    await channel.waitForConfirms();
  }

  /** Connects (retrying until closed) and declares the exchange; throws when the broker refuses the exchange. */
  private async open(attemptsMax?: number): Promise<amqp.ConfirmChannel | undefined> {
    const connection = await connectWithRetry(this.settings.connection, {
      logger: this.context.logger,
      pluginId: this.context.id,
      stopped: () => this.closed,
      sleeper: this.sleeper,
      attemptsMax,
    });
    if (connection === undefined) return undefined;
    connection.on("error", () => {}); // loss is noticed by the next publish, which reconnects
    connection.on("close", () => {
      if (this.connection === connection) this.channel = undefined;
    });
    try {
      const channel = await connection.createConfirmChannel();
      channel.on("error", () => {});
      const s = this.settings;
      await channel.assertExchange(s.exchange, s.exchangeType, { durable: s.durable });
      this.connection = connection;
      this.channel = channel;
      return channel;
    } catch (err) {
      await closeQuietly(connection);
      this.context.logger.error("Could not declare exchange", {
        plugin: this.context.id,
        exchange: this.settings.exchange,
        type: this.settings.exchangeType,
        durable: this.settings.durable,
        error: err,
      });
      throw err;
    }
  }

  private async reset(): Promise<void> {
    const connection = this.connection;
    this.connection = undefined;
    this.channel = undefined;
    await closeQuietly(connection);
  }
}

export function rabbitmqOutputSettings(
  options: ResolvedOptions,
  context: PluginContext,
): RabbitmqOutputSettings {
  const warn = (message: string) => context.logger.warn(message, { plugin: context.id });
  return {
    connection: rabbitmqConnectionSettings(options, warn),
    exchange: options.string("exchange"),
    exchangeType: options.string("exchange_type"),
    key: options.string("key"),
    durable: options.boolean("durable"),
    persistent: options.boolean("persistent"),
    properties: options.hash("message_properties"),
  };
}

export const rabbitmqOutput: OutputSpec = {
  kind: "output",
  name: "rabbitmq",
  doc: "Publishes events to a RabbitMQ exchange, encoded by the codec, with a sprintf'd routing key; waits for the broker's confirmation and retries on a new connection when publishing fails.",
  defaultCodec: "json",
  options: {
    ...rabbitmqConnectionOptions,
    exchange: { type: "string", required: true, doc: "Exchange to publish to (declared at start)." },
    exchange_type: { type: rabbitmqExchangeTypes, required: true, doc: "Type of `exchange`." },
    key: { type: "string", default: "logstash", doc: "Routing key; `%{field}` is filled in per event." },
    durable: { type: "boolean", default: true, doc: "Declare the exchange durable." },
    persistent: { type: "boolean", default: true, doc: "Ask the broker to write messages to disk." },
    message_properties: {
      type: "hash",
      default: {},
      doc: "AMQP properties of every message (content_type, priority, headers, ...); `%{field}` allowed.",
    },
  },
  create: (options, context) => {
    const settings = rabbitmqOutputSettings(options, context);
    return new RabbitmqOutput(settings, options.codec(), context);
  },
};
