import { createServer, type Server } from "node:net";
import type amqp from "amqplib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildPlan } from "../../config/index.js";
import { Event } from "../../event/index.js";
import { jsonCodec } from "../codecs/json.js";
import { plainCodec } from "../codecs/plain.js";
import { optionsFor, recordingContext, recordingSink } from "../kafka/test-support.js";
import { PluginRegistry } from "../registry.js";
import { parseAddress, queueArguments } from "../support/rabbitmq.js";
import { decorateWithMetadata, metadataLevel, type RabbitmqInput, rabbitmqInput } from "./rabbitmq.js";

const registry = new PluginRegistry([rabbitmqInput, jsonCodec, plainCodec]);

function check(body: string) {
  const { plan } = buildPlan([{ file: "t.conf", text: `input { rabbitmq { ${body} } } output { }` }]);
  const plugin = plan.sections[0]!.body[0]!;
  if (plugin.kind !== "plugin") throw new Error("expected a plugin");
  return registry.resolve(plugin);
}

function errors(body: string): string[] {
  return check(body)
    .diagnostics.filter((d) => d.severity === "error")
    .map((d) => d.message);
}

function create(given: Record<string, never>) {
  const recorded = recordingContext(rabbitmqInput);
  const instance = rabbitmqInput.create(
    optionsFor(rabbitmqInput, given, "json"),
    recorded.context,
  ) as RabbitmqInput;
  return { instance, ...recorded };
}

/** A port that refuses AMQP: accepts the TCP connection and closes it at once. */
let refusing: Server;
let refusingPort = 0;
beforeAll(async () => {
  refusing = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => refusing.listen(0, "127.0.0.1", resolve));
  refusingPort = (refusing.address() as { port: number }).port;
});
afterAll(() => new Promise<void>((resolve) => refusing.close(() => resolve())));

describe("rabbitmq input options", () => {
  it("takes Logstash's defaults and requires host", () => {
    expect(errors("")).toEqual([
      expect.stringContaining('missing a required setting for input "rabbitmq": host'),
    ]);
    const { resolved, diagnostics } = check('host => "mq"');
    expect(diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const o = resolved!.options;
    expect(o.stringArray("host")).toEqual(["mq"]);
    expect(o.number("port")).toBe(5672);
    expect(o.string("user")).toBe("guest");
    expect(o.string("password")).toBe("guest");
    expect(o.string("vhost")).toBe("/");
    expect(o.string("queue")).toBe("");
    expect(o.boolean("durable")).toBe(false);
    expect(o.boolean("exclusive")).toBe(false);
    expect(o.boolean("auto_delete")).toBe(false);
    expect(o.boolean("ack")).toBe(true);
    expect(o.number("prefetch_count")).toBe(256);
    expect(o.string("key")).toBe("logstash");
    expect(o.number("subscription_retry_interval_seconds")).toBe(5);
    expect(o.string("metadata_enabled")).toBe("none");
    expect(o.number("connect_retry_interval")).toBe(1);
    expect(o.string("ssl_version")).toBe("TLSv1.2");
    expect(o.boolean("automatic_recovery")).toBe(true);
    expect(o.boolean("passive")).toBe(false);
    expect(o.number("threads")).toBe(1);
    expect(o.raw("ssl")).toBeUndefined();
    expect(o.codec()).toBeDefined();
  });

  it("accepts a typical Logstash config with a list of hosts, arguments and a binding", () => {
    expect(
      errors(`host => ["mq1", "mq2:5673"] port => 5672 user => "u" password => "p" vhost => "logs"
        queue => "q" durable => true exchange => "logs" exchange_type => "topic" key => "app.#"
        arguments => { "x-queue-type" => "quorum" } metadata_enabled => "extended" prefetch_count => 50
        threads => 2 heartbeat => 30 connection_timeout => 5000 codec => plain`),
    ).toEqual([]);
  });

  it("refuses a metadata_enabled word Logstash does not know and an unknown setting", () => {
    expect(errors('host => "mq" metadata_enabled => "all"')).toHaveLength(1);
    expect(errors('host => "mq" routing_key => "x"')).toEqual([
      expect.stringContaining("unknown setting 'routing_key'"),
    ]);
  });

  it("maps the legacy metadata_enabled booleans with a warning", () => {
    const warnings: string[] = [];
    expect(metadataLevel("true", (w) => warnings.push(w))).toBe("basic");
    expect(metadataLevel("false", (w) => warnings.push(w))).toBe("none");
    expect(metadataLevel("extended", (w) => warnings.push(w))).toBe("extended");
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toContain("Deprecated value `true`");
    const { instance, warnings: logged } = create({ host: "mq", metadata_enabled: "true" } as never);
    expect(instance.settings.metadata).toBe("basic");
    expect(logged.some((w) => w.includes("metadata_enabled"))).toBe(true);
  });

  it("reads every option into its settings", () => {
    const { instance } = create({
      host: ["a", "b:5999"],
      port: 5700,
      queue: "q",
      durable: true,
      exclusive: true,
      auto_delete: true,
      exchange: "x",
      exchange_type: "direct",
      key: "k",
      ack: false,
      prefetch_count: 10,
      threads: 3,
      subscription_retry_interval_seconds: 2,
      connect_retry_interval: 0.5,
      connection_timeout: 3000,
      heartbeat: 10,
      passive: true,
      arguments: { "x-max-length": 10 },
      vhost: "v",
      user: "u",
      password: "p",
    } as never);
    const s = instance.settings;
    expect(s.connection.addresses).toEqual([
      { host: "a", port: 5700 },
      { host: "b", port: 5999 },
    ]);
    expect(s).toMatchObject({
      queue: "q",
      durable: true,
      exclusive: true,
      autoDelete: true,
      exchange: "x",
      exchangeType: "direct",
      key: "k",
      ack: false,
      prefetchCount: 10,
      threads: 3,
      subscriptionRetryMs: 2000,
    });
    expect(s.connection).toMatchObject({
      user: "u",
      password: "p",
      vhost: "v",
      retryIntervalMs: 500,
      connectionTimeoutMs: 3000,
      heartbeatSeconds: 10,
      passive: true,
      queueArguments: { "x-max-length": 10 },
      tls: undefined,
    });
  });

  it("refuses prefetch_count below 1 and threads below 1 (Logstash cannot build its queue)", () => {
    expect(() => create({ host: "mq", prefetch_count: 0 } as never)).toThrow(/prefetch_count/);
    expect(() => create({ host: "mq", threads: 0 } as never)).toThrow(/threads/);
  });

  it("needs both ssl_certificate_path and ssl_certificate_password with ssl", () => {
    expect(() => create({ host: "mq", ssl: true, ssl_certificate_password: "x" } as never)).toThrow(
      /both ssl_certificate_path AND ssl_certificate_password/,
    );
    const { instance } = create({ host: "mq", ssl: true, ssl_version: "TLSv1.3" } as never);
    expect(instance.settings.connection.tls).toEqual({
      version: "TLSv1.3",
      pfx: undefined,
      passphrase: undefined,
    });
    const { instance: odd, warnings } = create({ host: "mq", ssl: true, ssl_version: "SSLv3" } as never);
    expect(odd.settings.connection.tls?.version).toBeUndefined();
    expect(warnings.some((w) => w.includes("ssl_version SSLv3"))).toBe(true);
  });

  it("warns that automatic_recovery => false is ignored", () => {
    const { warnings } = create({ host: "mq", automatic_recovery: false } as never);
    expect(warnings.some((w) => w.includes("automatic_recovery"))).toBe(true);
  });

  it("parses host:port forms and queue arguments written as hash or flat array", () => {
    expect(parseAddress("mq", 5672)).toEqual({ host: "mq", port: 5672 });
    expect(parseAddress("mq:1234", 5672)).toEqual({ host: "mq", port: 1234 });
    expect(parseAddress("[::1]:99", 5672)).toEqual({ host: "::1", port: 99 });
    expect(parseAddress("::1", 5672)).toEqual({ host: "::1", port: 5672 });
    expect(queueArguments({ a: 1 })).toEqual({ a: 1 });
    expect(queueArguments(["x-ha-policy", "all", "n", 2])).toEqual({ "x-ha-policy": "all", n: 2 });
    expect(queueArguments([{ a: "b" }])).toEqual({ a: "b" });
    expect(() => queueArguments(["odd"])).toThrow(/pairs/);
  });
});

describe("rabbitmq input metadata", () => {
  const message = {
    content: Buffer.from('{"a":1}'),
    fields: { consumerTag: "ctag", deliveryTag: 7, redelivered: false, exchange: "ex", routingKey: "rk" },
    properties: {
      contentType: "application/json",
      contentEncoding: undefined,
      headers: { trace: "t1", raw: Buffer.from("bytes") },
      deliveryMode: 2,
      priority: undefined,
      correlationId: "c1",
      replyTo: undefined,
      expiration: undefined,
      messageId: "m1",
      timestamp: 1700000000,
      type: undefined,
      userId: undefined,
      appId: "app",
      clusterId: undefined,
    },
  } as unknown as amqp.ConsumeMessage;

  it("adds nothing with none", () => {
    const event = new Event({});
    decorateWithMetadata(event, message, "none");
    expect(event.get("[@metadata][rabbitmq_headers]")).toBeUndefined();
    expect(event.get("[@metadata][rabbitmq_properties]")).toBeUndefined();
  });

  it("adds headers and the set properties (not false ones) with basic", () => {
    const event = new Event({});
    decorateWithMetadata(event, message, "basic");
    expect(event.get("[@metadata][rabbitmq_headers]")).toEqual({ trace: "t1", raw: "bytes" });
    expect(event.get("[@metadata][rabbitmq_properties]")).toEqual({
      "app-id": "app",
      "consumer-tag": "ctag",
      "content-type": "application/json",
      "correlation-id": "c1",
      "delivery-mode": 2,
      exchange: "ex",
      "message-id": "m1",
      "routing-key": "rk",
      timestamp: 1700000000,
    });
    expect(event.get("[@metadata][rabbitmq_payload]")).toBeUndefined();
  });

  it("adds the raw payload with extended", () => {
    const event = new Event({});
    decorateWithMetadata(event, message, "extended");
    expect(event.get("[@metadata][rabbitmq_payload]")).toBe('{"a":1}');
  });
});

describe("rabbitmq input connection handling", () => {
  it("retries an unreachable broker every connect_retry_interval and stops promptly", async () => {
    const lines: string[] = [];
    const recorded = recordingContext(rabbitmqInput);
    const logger = {
      ...recorded.context.logger,
      error: (msg: string) => lines.push(msg),
      child: () => logger,
    };
    const instance = rabbitmqInput.create(
      optionsFor(
        rabbitmqInput,
        { host: `127.0.0.1:${refusingPort}`, connect_retry_interval: 0.05 } as never,
        "json",
      ),
      { ...recorded.context, logger },
    );
    const { sink } = recordingSink();
    const running = instance.run(sink);
    const deadline = Date.now() + 5000;
    while (lines.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(lines.length).toBeGreaterThanOrEqual(3);
    expect(lines[0]).toBe("RabbitMQ connection error, will retry");
    const stoppedAt = Date.now();
    await instance.stop();
    await running;
    expect(Date.now() - stoppedAt).toBeLessThan(2000);
  });
});
