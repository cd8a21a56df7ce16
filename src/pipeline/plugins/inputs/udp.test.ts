import dgram from "node:dgram";
import { describe, expect, it } from "vitest";
import type { EcsCompatibility } from "../../event/index.js";
import { type OptionValue, ResolvedOptions } from "../options.js";
import { RecordingSink, sleep, testContext, testPlainCodec, waitFor } from "./file/test-helpers.js";
import { type UdpInput, udpInput } from "./udp.js";

const defaults: Record<string, OptionValue> = {
  host: "127.0.0.1",
  port: 0,
  buffer_size: 65536,
  workers: 2,
  queue_size: 2000,
};

function start(options: Record<string, OptionValue> = {}, ecs: EcsCompatibility = "v8") {
  const context = testContext({ ecsCompatibility: ecs });
  const codec = testPlainCodec();
  const input = udpInput.create(ResolvedOptions.of({ ...defaults, ...options }, codec), context) as UdpInput;
  const sink = new RecordingSink();
  const done = input.run(sink);
  return { input, sink, done, context, codec };
}

async function sendAll(port: number, payloads: string[]): Promise<void> {
  const client = dgram.createSocket("udp4");
  for (const payload of payloads)
    await new Promise<void>((resolve, reject) =>
      client.send(payload, port, "127.0.0.1", (err) => (err ? reject(err) : resolve())),
    );
  client.close();
}

describe("udp input", () => {
  it("declares Logstash's options and the plain codec", () => {
    expect(udpInput.defaultCodec).toBe("plain");
    expect(udpInput.options.port!.required).toBe(true);
    expect(udpInput.options.buffer_size!.default).toBe(65536);
    expect(udpInput.options.queue_size!.default).toBe(2000);
    expect(udpInput.options.workers!.default).toBe(2);
  });

  it("decodes each packet with its own decoder and adds [host][ip] (ECS)", async () => {
    const { input, sink, done, codec } = start();
    const { port } = await input.listening;
    await sendAll(port, ["first", "second"]);
    await waitFor(() => sink.events.length === 2);
    expect(sink.messages().sort()).toEqual(["first", "second"]);
    expect(sink.events[0]!.get("[host][ip]")).toBe("127.0.0.1");
    expect(codec.decoders).toBe(2);
    expect(codec.ends).toBe(2);
    input.stop();
    await done;
  });

  it("uses host with ECS disabled, and source_ip_fieldname when given (with a warning under ECS)", async () => {
    const plain = start({}, "disabled");
    const { port } = await plain.input.listening;
    await sendAll(port, ["x"]);
    await waitFor(() => plain.sink.events.length === 1);
    expect(plain.sink.events[0]!.get("host")).toBe("127.0.0.1");
    plain.input.stop();
    await plain.done;

    const custom = start({ source_ip_fieldname: "[src][addr]" });
    expect(custom.context.warnings.join("")).toContain("source_ip_fieldname");
    const bound = await custom.input.listening;
    await sendAll(bound.port, ["y"]);
    await waitFor(() => custom.sink.events.length === 1);
    expect(custom.sink.events[0]!.get("[src][addr]")).toBe("127.0.0.1");
    expect(custom.sink.events[0]!.get("[host][ip]")).toBeUndefined();
    custom.input.stop();
    await custom.done;
  });

  it("cuts packets longer than buffer_size", async () => {
    const { input, sink, done } = start({ buffer_size: 4 });
    const { port } = await input.listening;
    await sendAll(port, ["abcdefgh"]);
    await waitFor(() => sink.events.length === 1);
    expect(sink.messages()).toEqual(["abcd"]);
    input.stop();
    await done;
  });

  it("holds packets while the queue is full and drops past queue_size", async () => {
    const { input, sink, done, context } = start({ queue_size: 3 });
    sink.full = true;
    const { port } = await input.listening;
    await sendAll(port, ["p1", "p2", "p3", "p4", "p5", "p6"]);
    await sleep(100);
    // p1 was pushed (and reported full); p2..p4 wait in the queue; p5, p6 are dropped.
    expect(sink.messages()).toEqual(["p1"]);
    expect(context.failures).toEqual(["udp_queue_full", "udp_queue_full"]);
    expect(context.warnings.join("")).toContain("dropping packets");
    sink.release();
    await waitFor(() => sink.events.length === 4);
    expect(sink.messages()).toEqual(["p1", "p2", "p3", "p4"]);
    input.stop();
    await done;
  });

  it("warns that workers is ignored and when receive_buffer_bytes cannot be had", async () => {
    const { input, done, context } = start({ workers: 4, receive_buffer_bytes: 2 ** 30 });
    await input.listening;
    const log = context.warnings.join("");
    expect(log).toContain("workers setting is ignored");
    expect(log).toContain("receive_buffer_bytes");
    input.stop();
    await done;
  });

  it("refuses a zero queue_size and rejects run() when the port is taken", async () => {
    expect(() =>
      udpInput.create(ResolvedOptions.of({ ...defaults, queue_size: 0 }, testPlainCodec()), testContext()),
    ).toThrow(/queue_size/);
    expect(() =>
      udpInput.create(
        ResolvedOptions.of({ ...defaults, receive_buffer_bytes: 2 ** 40 }, testPlainCodec()),
        testContext(),
      ),
    ).toThrow(/receive_buffer_bytes/);
    const first = start();
    const { port } = await first.input.listening;
    const second = start({ port });
    await expect(second.done).rejects.toThrow(/EADDRINUSE/);
    first.input.stop();
    await first.done;
  });
});
