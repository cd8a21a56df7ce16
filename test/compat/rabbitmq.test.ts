// The Debian RabbitMQ server as a real peer of the rabbitmq input and output: a private broker process (own node
// name, ports, data dir) carries events between in-process pipelines; acknowledgements survive a killed consumer,
// and a broker restart in the middle of a run loses nothing that was confirmed.

import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import amqp from "amqplib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger, silentLogger } from "../../src/common/logger.js";
import { buildPlan } from "../../src/pipeline/config/index.js";
import { Event } from "../../src/pipeline/event/index.js";
import type { InputSink, OutputSpec } from "../../src/pipeline/plugins/api.js";
import { builtinSpecs, PluginRegistry } from "../../src/pipeline/plugins/index.js";
import { rabbitmqInput } from "../../src/pipeline/plugins/inputs/rabbitmq.js";
import { optionsFor, recordingContext } from "../../src/pipeline/plugins/kafka/test-support.js";
import { type RabbitmqOutput, rabbitmqOutput } from "../../src/pipeline/plugins/outputs/rabbitmq.js";
import { createPipeline, type Pipeline } from "../../src/pipeline/runtime/index.js";
import { repoRoot } from "../helpers/broker-process.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const rabbitmqLib = "/usr/lib/rabbitmq/lib";

/** The broker's own scripts (the /usr/sbin wrappers insist on running as the rabbitmq user). */
function rabbitmqScript(name: string): string | undefined {
  if (!existsSync(rabbitmqLib)) return undefined;
  const server = readdirSync(rabbitmqLib).find((d) => d.startsWith("rabbitmq_server-"));
  const script = server === undefined ? undefined : join(rabbitmqLib, server, "sbin", name);
  return script !== undefined && existsSync(script) ? script : undefined;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address !== null ? address.port : 0));
    });
  });
}

async function waitFor(
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

function portAccepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/** One private RabbitMQ node: started as a plain process in `dir`, stopped with rabbitmqctl. */
class RabbitBroker {
  private child: ChildProcess | undefined;
  private stderr = "";
  readonly node = `sluice-test-${process.pid}@localhost`;
  lastStartupMs = 0;

  constructor(
    readonly dir: string,
    readonly port: number,
    readonly distPort: number,
  ) {
    writeFileSync(join(dir, "enabled_plugins"), "");
    writeFileSync(join(dir, "rabbitmq.conf"), "");
  }

  private get env(): NodeJS.ProcessEnv {
    return {
      ...process.env,
      HOME: this.dir,
      RABBITMQ_MNESIA_BASE: join(this.dir, "mnesia"),
      RABBITMQ_LOG_BASE: join(this.dir, "log"),
      RABBITMQ_NODENAME: this.node,
      RABBITMQ_NODE_PORT: String(this.port),
      RABBITMQ_DIST_PORT: String(this.distPort),
      RABBITMQ_ENABLED_PLUGINS_FILE: join(this.dir, "enabled_plugins"),
      RABBITMQ_CONFIG_FILE: join(this.dir, "rabbitmq"),
      RABBITMQ_PID_FILE: join(this.dir, "rabbitmq.pid"),
    };
  }

  async start(): Promise<void> {
    const started = performance.now();
    const child = spawn(rabbitmqScript("rabbitmq-server")!, [], {
      cwd: this.dir,
      env: this.env,
      stdio: ["ignore", "ignore", "pipe"],
    });
    child.stderr!.setEncoding("utf8").on("data", (chunk: string) => {
      this.stderr = (this.stderr + chunk).slice(-64 * 1024);
    });
    this.child = child;
    await waitFor(
      async () => {
        if (child.exitCode !== null)
          throw new Error(`rabbitmq-server exited ${child.exitCode}: ${this.stderr}`);
        return portAccepts(this.port);
      },
      60_000,
      "rabbitmq-server to accept AMQP connections",
    );
    this.lastStartupMs = Math.round(performance.now() - started);
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (child === undefined || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    const ctl = spawn(rabbitmqScript("rabbitmqctl")!, ["-n", this.node, "stop"], {
      cwd: this.dir,
      env: this.env,
      stdio: "ignore",
    });
    const timer = setTimeout(() => child.kill("SIGTERM"), 20_000);
    await Promise.race([exited, new Promise((resolve) => ctl.once("exit", resolve))]);
    await exited;
    clearTimeout(timer);
    this.child = undefined;
  }
}

/** `capture {}`: keeps what reaches the output; a test output so the check does not depend on another plugin. */
function captureOutput() {
  const events: Event[] = [];
  const spec: OutputSpec = {
    kind: "output",
    name: "capture",
    doc: "test",
    defaultCodec: "plain",
    options: {},
    create: () => ({
      receive(batch) {
        events.push(...batch);
      },
    }),
  };
  return { spec, events };
}

function registryWith(extra: OutputSpec) {
  const mine = new Set(["input/rabbitmq", "output/rabbitmq"]);
  const builtins = builtinSpecs.filter((s) => !mine.has(`${s.kind}/${s.name}`));
  return new PluginRegistry([...builtins, rabbitmqInput, rabbitmqOutput, extra]);
}

function pipelineFrom(config: string, registry: PluginRegistry, id: string): Pipeline {
  const { plan, diagnostics } = buildPlan([{ file: `${id}.conf`, text: config }]);
  expect(diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  const dataDir = mkdtempSync(join(tmpdir(), "sluice-rmq-data-"));
  return createPipeline(plan, registry, { id, logger: silentLogger, workers: 1, batchSize: 50, dataDir });
}

/** The queue's ready and consumer counts; zeros while it does not exist yet. */
async function queueState(
  port: number,
  queue: string,
): Promise<{ messageCount: number; consumerCount: number }> {
  try {
    return await withChannel(port, (ch) => ch.checkQueue(queue));
  } catch {
    return { messageCount: -1, consumerCount: 0 };
  }
}

async function withChannel<T>(port: number, use: (channel: amqp.Channel) => Promise<T>): Promise<T> {
  const connection = await amqp.connect(`amqp://guest:guest@127.0.0.1:${port}/`);
  connection.on("error", () => {});
  try {
    const channel = await connection.createChannel();
    channel.on("error", () => {});
    return await use(channel);
  } finally {
    await connection.close().catch(() => {});
  }
}

describe("rabbitmq input and output against the Debian RabbitMQ server", () => {
  const dir = mkdtempSync(join(tmpdir(), "sluice-rabbitmq-"));
  let broker: RabbitBroker;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    if (rabbitmqScript("rabbitmq-server") === undefined || rabbitmqScript("rabbitmqctl") === undefined)
      throw new Error(
        `RabbitMQ is not installed (no ${rabbitmqLib}/rabbitmq_server-*/sbin/rabbitmq-server): apt-get install rabbitmq-server`,
      );
    broker = new RabbitBroker(dir, await freePort(), await freePort());
    await broker.start();
    process.stderr.write(`rabbitmq-server startup: ${broker.lastStartupMs} ms\n`);
  }, 90_000);

  afterAll(async () => {
    for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
    await broker?.stop();
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it("carries json events from the output through a topic exchange to the input, routed by sprintf'd keys", async () => {
    const capture = captureOutput();
    const registry = registryWith(capture.spec);
    const host = `127.0.0.1:${broker.port}`;
    const consumer = pipelineFrom(
      `input {
         rabbitmq { host => "${host}" queue => "web-only" durable => true exchange => "sluice.logs"
                    exchange_type => "topic" key => "app.web.#" metadata_enabled => "basic" }
       }
       output { capture {} }`,
      registry,
      "consumer",
    );
    const consuming = consumer.run();
    await waitFor(
      async () => (await queueState(broker.port, "web-only")).consumerCount === 1,
      15_000,
      "the input to subscribe",
    );
    const producer = pipelineFrom(
      `input {
         generator { count => 20 message => "hello ünïcödé" add_field => { "service" => "web" } }
         generator { count => 20 message => "hello ünïcödé" add_field => { "service" => "db" } }
       }
       output {
         rabbitmq { host => "${host}" exchange => "sluice.logs" exchange_type => "topic"
                    key => "app.%{service}.%{[event][sequence]}" message_properties => { "app_id" => "sluice-%{service}" } }
       }`,
      registry,
      "producer",
    );
    await producer.run();
    await waitFor(() => capture.events.length >= 20, 15_000, "20 web events");
    await sleep(300);
    await consumer.stop();
    await consuming;
    expect(capture.events).toHaveLength(20);
    const sequences = capture.events.map((e) => e.get("[event][sequence]"));
    expect(sequences).toEqual(Array.from({ length: 20 }, (_, i) => i));
    for (const event of capture.events) {
      expect(event.get("message")).toBe("hello ünïcödé");
      expect(event.get("service")).toBe("web");
      expect(event.get("[@metadata][rabbitmq_properties][routing-key]")).toBe(
        `app.web.${event.get("[event][sequence]")}`,
      );
      expect(event.get("[@metadata][rabbitmq_properties][app-id]")).toBe("sluice-web");
      expect(event.get("[@metadata][rabbitmq_properties][delivery-mode]")).toBe(2);
      expect(event.get("[@metadata][rabbitmq_properties][exchange]")).toBe("sluice.logs");
    }
  }, 60_000);

  it("does not lose messages when the consuming process is killed before acknowledging", async () => {
    const queue = "unacked";
    await withChannel(broker.port, async (ch) => {
      await ch.assertQueue(queue, { durable: true });
      for (let i = 0; i < 25; i++)
        ch.sendToQueue(queue, Buffer.from(JSON.stringify({ n: i })), { persistent: true });
      await sleep(100);
    });
    // A consumer whose pipeline never finishes accepting: it prints once events reach it, then is killed.
    const script = `
      const { rabbitmqInput } = await import("./src/pipeline/plugins/inputs/rabbitmq.ts");
      const { optionsFor, recordingContext } = await import("./src/pipeline/plugins/kafka/test-support.ts");
      const input = rabbitmqInput.create(
        optionsFor(rabbitmqInput, { host: "127.0.0.1:${broker.port}", queue: "${queue}", durable: true }, "json"),
        recordingContext(rabbitmqInput).context,
      );
      await input.run({ stopping: false, push: () => true, ready: async () => {},
        accept: (events) => { process.stdout.write("accepting " + events.length + "\\n"); return new Promise(() => {}); } });
    `;
    const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      cwd: repoRoot,
      stdio: ["ignore", "pipe", "pipe"],
    });
    children.push(child);
    let out = "";
    child.stdout!.setEncoding("utf8").on("data", (c: string) => (out += c));
    await waitFor(
      () => /accepting \d+/.test(out),
      30_000,
      "the child consumer to hand events to its pipeline",
    );
    // Every message is out with the child (none ready), none acknowledged: its pipeline never accepted them.
    await waitFor(
      async () => (await queueState(broker.port, queue)).messageCount === 0,
      15_000,
      "every message delivered to the child",
    );
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGKILL");
    await exited;
    // The broker requeues what the dead connection never acknowledged.
    await waitFor(
      async () => (await queueState(broker.port, queue)).messageCount === 25,
      15_000,
      "25 messages back in the queue",
    );
    const recorded = recordingContext(rabbitmqInput);
    const input = rabbitmqInput.create(
      optionsFor(
        rabbitmqInput,
        { host: `127.0.0.1:${broker.port}`, queue, durable: true, metadata_enabled: "basic" } as never,
        "json",
      ),
      recorded.context,
    );
    const received: Event[] = [];
    const sink: InputSink = {
      stopping: false,
      push: () => true,
      ready: async () => {},
      accept: async (events) => {
        received.push(...events);
      },
    };
    const running = input.run(sink);
    await waitFor(() => received.length >= 25, 15_000, "the redelivered messages");
    await sleep(200);
    await input.stop();
    await running;
    expect(received.map((e) => e.get("n"))).toEqual(Array.from({ length: 25 }, (_, i) => i));
    expect(received.every((e) => e.get("[@metadata][rabbitmq_properties][redeliver]") === true)).toBe(true);
    // Acknowledged this time: the queue is empty.
    const left = await withChannel(broker.port, async (ch) => (await ch.checkQueue(queue)).messageCount);
    expect(left).toBe(0);
  }, 90_000);

  it("loses nothing confirmed when the broker restarts during a run: the output retries, the input reconnects", async () => {
    const host = `127.0.0.1:${broker.port}`;
    const queue = "restart";
    const lines: string[] = [];
    const logger = createLogger({ level: "info", write: (line) => lines.push(line) });
    const context = { ...recordingContext(rabbitmqOutput).context, logger };
    const output = rabbitmqOutput.create(
      optionsFor(
        rabbitmqOutput,
        {
          host,
          exchange: "durable.x",
          exchange_type: "direct",
          key: "k",
          connect_retry_interval: 0.2,
        } as never,
        "json",
      ),
      context,
    ) as RabbitmqOutput;
    await withChannel(broker.port, async (ch) => {
      await ch.assertExchange("durable.x", "direct", { durable: true });
      await ch.assertQueue(queue, { durable: true });
      await ch.bindQueue(queue, "durable.x", "k");
    });
    await output.register();
    const received = new Set<number>();
    const input = rabbitmqInput.create(
      optionsFor(
        rabbitmqInput,
        { host, queue, durable: true, connect_retry_interval: 0.2, prefetch_count: 20 } as never,
        "json",
      ),
      { ...recordingContext(rabbitmqInput).context, logger },
    );
    const running = input.run({
      stopping: false,
      push: () => true,
      ready: async () => {},
      accept: async (events) => {
        for (const e of events) received.add(e.get("seq") as number);
      },
    });
    const batches = 60;
    const confirmed: number[] = [];
    const publishing = (async () => {
      for (let b = 0; b < batches; b++) {
        const events = Array.from({ length: 10 }, (_, i) => new Event({ seq: b * 10 + i }));
        await output.receive(events);
        confirmed.push(...events.map((e) => e.get("seq") as number));
        await sleep(40);
      }
    })();
    await waitFor(() => confirmed.length >= 100, 20_000, "some confirmed batches before the restart");
    await broker.stop();
    await sleep(500);
    await broker.start();
    process.stderr.write(`rabbitmq-server restart: ${broker.lastStartupMs} ms\n`);
    await publishing;
    expect(confirmed).toHaveLength(batches * 10);
    await waitFor(() => received.size >= batches * 10, 30_000, "every confirmed event at the input");
    await input.stop();
    await running;
    await output.close();
    for (const seq of confirmed) expect(received.has(seq)).toBe(true);
    // The broker was really gone for a while: both sides had to reconnect.
    expect(lines.some((l) => l.includes("RabbitMQ connection error, will retry"))).toBe(true);
    expect(lines.filter((l) => l.includes("Connected to RabbitMQ")).length).toBeGreaterThanOrEqual(4);
  }, 180_000);
});
