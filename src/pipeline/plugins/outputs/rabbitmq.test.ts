import { createServer, type Server } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildPlan } from "../../config/index.js";
import { Event } from "../../event/index.js";
import { jsonCodec } from "../codecs/json.js";
import { lineCodec } from "../codecs/line.js";
import { plainCodec } from "../codecs/plain.js";
import { optionsFor, recordingContext } from "../kafka/test-support.js";
import { PluginRegistry } from "../registry.js";
import { MessagePropertiesTemplate, type RabbitmqOutput, rabbitmqOutput } from "./rabbitmq.js";

const registry = new PluginRegistry([rabbitmqOutput, jsonCodec, plainCodec, lineCodec]);

function check(body: string) {
  const { plan } = buildPlan([{ file: "t.conf", text: `input { } output { rabbitmq { ${body} } }` }]);
  const plugin = plan.sections.find((s) => s.type === "output")!.body[0]!;
  if (plugin.kind !== "plugin") throw new Error("expected a plugin");
  return registry.resolve(plugin);
}

function errors(body: string): string[] {
  return check(body)
    .diagnostics.filter((d) => d.severity === "error")
    .map((d) => d.message);
}

let refusing: Server;
let refusingPort = 0;
beforeAll(async () => {
  refusing = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => refusing.listen(0, "127.0.0.1", resolve));
  refusingPort = (refusing.address() as { port: number }).port;
});
afterAll(() => new Promise<void>((resolve) => refusing.close(() => resolve())));

function unreachable(given: Record<string, unknown> = {}) {
  const recorded = recordingContext(rabbitmqOutput);
  const errorsLogged: string[] = [];
  const logger = {
    ...recorded.context.logger,
    error: (msg: string) => errorsLogged.push(msg),
    child: () => logger,
  };
  const output = rabbitmqOutput.create(
    optionsFor(
      rabbitmqOutput,
      {
        host: `127.0.0.1:${refusingPort}`,
        exchange: "x",
        exchange_type: "fanout",
        connect_retry_interval: 0.05,
        ...given,
      } as never,
      "json",
    ),
    { ...recorded.context, logger },
  ) as RabbitmqOutput;
  return { output, errorsLogged, ...recorded };
}

describe("rabbitmq output options", () => {
  it("requires host, exchange and exchange_type and takes Logstash's defaults", () => {
    expect(errors("")).toHaveLength(3);
    const { resolved, diagnostics } = check('host => "mq" exchange => "logs" exchange_type => "fanout"');
    expect(diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const o = resolved!.options;
    expect(o.string("key")).toBe("logstash");
    expect(o.boolean("durable")).toBe(true);
    expect(o.boolean("persistent")).toBe(true);
    expect(o.hash("message_properties")).toEqual({});
    expect(o.number("port")).toBe(5672);
    expect(o.codec()).toBeDefined();
  });

  it("takes every exchange type Logstash does and refuses others", () => {
    for (const type of ["fanout", "direct", "topic", "x-consistent-hash", "x-modulus-hash"])
      expect(errors(`host => "mq" exchange => "e" exchange_type => "${type}"`)).toEqual([]);
    expect(errors('host => "mq" exchange => "e" exchange_type => "headers"')).toHaveLength(1);
  });

  it("accepts a typical config with sprintf key and message properties", () => {
    expect(
      errors(`host => ["mq1","mq2"] exchange => "logs" exchange_type => "topic" key => "app.%{[service]}"
        persistent => false durable => false codec => line { format => "%{message}" }
        message_properties => { "content_type" => "application/json" "priority" => "%{[prio]}" }
        ssl => true ssl_version => "TLSv1.3" heartbeat => 5`),
    ).toEqual([]);
  });

  it("reads its settings", () => {
    const { output } = unreachable({ key: "k.%{a}", durable: false, persistent: false });
    expect(output.settings).toMatchObject({
      exchange: "x",
      exchangeType: "fanout",
      key: "k.%{a}",
      durable: false,
      persistent: false,
    });
  });
});

describe("rabbitmq output message properties", () => {
  it("fills templated values per event, converts priority, carries persistent", () => {
    const warnings: string[] = [];
    const template = new MessagePropertiesTemplate(
      {
        content_type: "application/json",
        priority: "%{[prio]}",
        app_id: "%{app}",
        headers: { h: "v" },
        bogus: "x",
      },
      true,
      (w) => warnings.push(w),
    );
    expect(template.build(new Event({ prio: "5", app: "web" }))).toEqual({
      contentType: "application/json",
      headers: { h: "v" },
      persistent: true,
      priority: 5,
      appId: "web",
    });
    expect(warnings).toEqual(["message property bogus is not an AMQP property; it is ignored"]);
  });

  it("returns the same constant properties when nothing is templated", () => {
    const template = new MessagePropertiesTemplate({ priority: "3" }, false, () => {});
    const a = template.build(new Event({}));
    expect(a).toEqual({ priority: 3, persistent: false });
    expect(template.build(new Event({}))).toBe(a);
  });
});

describe("rabbitmq output with an unreachable broker", () => {
  it("register does not hold the start: one attempt, logged", async () => {
    const { output, errorsLogged } = unreachable();
    await output.register();
    expect(errorsLogged).toEqual(["RabbitMQ connection error, will retry"]);
    await output.close();
  });

  it("receive retries until closed, then counts the batch as abandoned", async () => {
    const { output, errorsLogged, failures } = unreachable();
    const receiving = output.receive([new Event({ message: "m" })]);
    const deadline = Date.now() + 5000;
    while (errorsLogged.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(errorsLogged.length).toBeGreaterThanOrEqual(3);
    await output.close();
    await receiving;
    expect(failures).toEqual(["rabbitmq_publish_abandoned"]);
  });
});
