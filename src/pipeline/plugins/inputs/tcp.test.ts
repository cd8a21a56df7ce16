import net from "node:net";
import { describe, expect, it, vi } from "vitest";
import type { EcsCompatibility } from "../../event/index.js";
import { jsonCodec } from "../codecs/json.js";
import { lineCodec } from "../codecs/line.js";
import { makeCodec } from "../codecs/test-support.js";
import { type OptionValue, ResolvedOptions } from "../options.js";
import { RecordingSink, sleep, testContext, testLineCodec, waitFor } from "./file/test-helpers.js";
import { reverseLookup, TcpInput, tcpInput, tcpSettingsOf } from "./tcp.js";

const defaults: Record<string, OptionValue> = {
  host: "127.0.0.1",
  port: 0,
  mode: "server",
  proxy_protocol: false,
  ssl_enabled: false,
  tcp_keep_alive: false,
  dns_reverse_lookup_enabled: false,
};

function start(options: Record<string, OptionValue> = {}, ecs: EcsCompatibility = "v8") {
  const context = testContext({ ecsCompatibility: ecs });
  const input = tcpInput.create(ResolvedOptions.of({ ...defaults, ...options }, testLineCodec()), context);
  const sink = new RecordingSink();
  const done = input.run(sink);
  return { input: input as TcpInput, sink, done, context };
}

function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1", () => resolve(socket));
    socket.once("error", reject);
  });
}

function send(socket: net.Socket, data: string | Buffer): Promise<void> {
  return new Promise((resolve) => socket.write(data, () => resolve()));
}

describe("tcp input", () => {
  it("declares Logstash's options and the line codec", () => {
    expect(tcpInput.defaultCodec).toBe("line");
    expect(tcpInput.options.port!.required).toBe(true);
    expect(tcpInput.options.host!.default).toBe("0.0.0.0");
    expect(tcpInput.options.dns_reverse_lookup_enabled!.default).toBe(true);
    expect(tcpInput.options.ssl_enable!.obsolete).toContain("ssl_enabled");
  });

  it("decodes lines from many clients at once, each with its own decoder", async () => {
    const { input, sink, done } = start();
    const { port } = await input.listening;
    const clients = await Promise.all(Array.from({ length: 20 }, () => connect(port)));
    // Half a line from every client first: a shared decoder would splice them together.
    await Promise.all(clients.map((c, i) => send(c, `client ${i} `)));
    await sleep(20);
    await Promise.all(clients.map((c, i) => send(c, `line\nsecond ${i}\n`)));
    await waitFor(() => sink.events.length === 40, 5000, "40 events");
    for (let i = 0; i < 20; i++) {
      expect(sink.messages()).toContain(`client ${i} line`);
      expect(sink.messages()).toContain(`second ${i}`);
    }
    for (const c of clients) c.destroy();
    input.stop();
    await done;
  });

  it("flushes a connection's decoder when it closes", async () => {
    const { input, sink, done } = start();
    const { port } = await input.listening;
    const client = await connect(port);
    await send(client, "complete\nno newline at end");
    client.end();
    await waitFor(() => sink.events.length === 2, 5000, "two events");
    expect(sink.messages()).toEqual(["complete", "no newline at end"]);
    input.stop();
    await done;
  });

  it("adds the peer in ECS metadata fields (v8)", async () => {
    const { input, sink, done } = start();
    const { port } = await input.listening;
    const client = await connect(port);
    await send(client, "hello\n");
    await waitFor(() => sink.events.length === 1);
    const event = sink.events[0]!;
    expect(event.get("[@metadata][input][tcp][source][ip]")).toBe("127.0.0.1");
    expect(event.get("[@metadata][input][tcp][source][name]")).toBe("127.0.0.1");
    expect(event.get("[@metadata][input][tcp][source][port]")).toBe(client.localPort);
    expect(event.get("host")).toBeUndefined();
    client.destroy();
    input.stop();
    await done;
  });

  it("adds host, port and [@metadata][ip_address] with ECS disabled, keeping values the codec set", async () => {
    const { input, sink, done } = start({}, "disabled");
    const { port } = await input.listening;
    const client = await connect(port);
    await send(client, "hello\n");
    await waitFor(() => sink.events.length === 1);
    const event = sink.events[0]!;
    expect(event.get("host")).toBe("127.0.0.1");
    expect(event.get("port")).toBe(client.localPort);
    expect(event.get("[@metadata][ip_address]")).toBe("127.0.0.1");
    client.destroy();
    input.stop();
    await done;
  });

  it("resolves the peer's name when dns_reverse_lookup_enabled", async () => {
    const expected = await reverseLookup("127.0.0.1");
    const { input, sink, done } = start({ dns_reverse_lookup_enabled: true }, "disabled");
    const { port } = await input.listening;
    const client = await connect(port);
    await send(client, "hello\n");
    await waitFor(() => sink.events.length === 1);
    expect(sink.events[0]!.get("host")).toBe(expected);
    client.destroy();
    input.stop();
    await done;
  });

  it("reads a PROXY protocol v1 header when proxy_protocol is on", async () => {
    const { input, sink, done } = start({ proxy_protocol: true }, "disabled");
    const { port } = await input.listening;
    const client = await connect(port);
    await send(client, "PROXY TCP4 192.0.2.1 198.51.100.2 5000 6000\r\nbehind a proxy\n");
    await waitFor(() => sink.events.length === 1);
    const event = sink.events[0]!;
    expect(event.get("message")).toBe("behind a proxy");
    expect(event.get("host")).toBe("192.0.2.1");
    expect(event.get("port")).toBe("5000");
    expect(event.get("proxy_host")).toBe("198.51.100.2");
    expect(event.get("proxy_port")).toBe("6000");
    client.destroy();
    input.stop();
    await done;
  });

  it("closes a connection whose PROXY header is invalid and counts the failure", async () => {
    const { input, sink, done, context } = start({ proxy_protocol: true });
    const { port } = await input.listening;
    const client = await connect(port);
    const closed = new Promise((resolve) => client.once("close", resolve));
    await send(client, "HELLO there\r\nline\n");
    await closed;
    expect(sink.events).toHaveLength(0);
    expect(context.failures).toEqual(["proxy_protocol_header"]);
    input.stop();
    await done;
  });

  it("stops reading while the queue is full and resumes on ready", async () => {
    const { input, sink, done } = start();
    sink.full = true;
    const { port } = await input.listening;
    const client = await connect(port);
    // Enough data that it cannot all sit in kernel buffers: the writer must see the reader stop.
    const line = `${"x".repeat(1000)}\n`;
    let written = 0;
    const chunk = line.repeat(64);
    while (client.write(chunk)) written += chunk.length;
    await sleep(200);
    // Reading paused after the first chunk's events: far fewer events than lines sent.
    const seen = sink.events.length;
    expect(seen).toBeGreaterThan(0);
    expect(seen).toBeLessThan(written / line.length);
    await sleep(100);
    expect(sink.events.length).toBe(seen);
    sink.release();
    client.end();
    await waitFor(() => sink.events.length * line.length >= written + chunk.length, 10_000, "all lines");
    input.stop();
    await done;
  });

  it("closes connections past the connection limit and counts them", async () => {
    const context = testContext();
    const settings = { ...tcpSettingsOf(ResolvedOptions.of(defaults)), connectionsMax: 1 };
    const input = new TcpInput(settings, testLineCodec(), context);
    const sink = new RecordingSink();
    const done = input.run(sink);
    const { port } = await input.listening;
    const first = await connect(port);
    await send(first, "kept\n");
    await waitFor(() => sink.events.length === 1);
    const second = await connect(port);
    await new Promise((resolve) => second.once("close", resolve));
    expect(context.failures).toEqual(["tcp_connections_max"]);
    expect(context.warnings.join("")).toContain("connection limit");
    first.destroy();
    input.stop();
    await done;
  });

  it("connects to a server in client mode", async () => {
    const server = net.createServer((socket) => socket.end("from the server\n"));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as net.AddressInfo).port;
    const { input, sink, done } = start({ mode: "client", port });
    await waitFor(() => sink.events.length >= 1);
    expect(sink.events[0]!.get("message")).toBe("from the server");
    input.stop();
    await done;
    server.close();
  });

  it("run() rejects when the port is taken", async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    const { done } = start({ port });
    await expect(done).rejects.toThrow(/EADDRINUSE/);
    blocker.close();
  });

  it("refuses ssl_enabled and bad ports at create", () => {
    const context = testContext();
    expect(() =>
      tcpInput.create(ResolvedOptions.of({ ...defaults, ssl_enabled: true }, testLineCodec()), context),
    ).toThrow(/TLS is not supported/);
    expect(() =>
      tcpInput.create(ResolvedOptions.of({ ...defaults, port: 70000 }, testLineCodec()), context),
    ).toThrow(/port/);
  });

  it("warns about SSL settings given without ssl_enabled", () => {
    const context = testContext();
    tcpInput.create(
      ResolvedOptions.of({ ...defaults, ssl_verification_mode: "none" }, testLineCodec()),
      context,
    );
    expect(context.warnings.join("")).toContain("ssl_verification_mode");
  });

  it("turns on keep-alive when tcp_keep_alive is set", async () => {
    const keepAlive = vi.spyOn(net.Socket.prototype, "setKeepAlive");
    const { input, sink, done } = start({ tcp_keep_alive: true });
    const { port } = await input.listening;
    const client = await connect(port);
    await send(client, "x\n");
    await waitFor(() => sink.events.length === 1);
    expect(keepAlive).toHaveBeenCalledWith(true);
    keepAlive.mockRestore();
    client.destroy();
    input.stop();
    await done;
  });
});

describe("tcp input with Sluice's codecs", () => {
  it("switches json to json_lines, as Logstash's fix_streaming_codecs does", async () => {
    const context = testContext();
    const input = tcpInput.create(ResolvedOptions.of(defaults, makeCodec(jsonCodec)), context) as TcpInput;
    expect(context.warnings.length).toBe(0);
    const sink = new RecordingSink();
    const done = input.run(sink);
    const { port } = await input.listening;
    const client = await connect(port);
    await send(client, '{"n":1}\n{"n"');
    await send(client, ":2}\n");
    await waitFor(() => sink.events.length === 2);
    expect(sink.events.map((e) => e.get("n"))).toEqual([1, 2]);
    client.destroy();
    input.stop();
    await done;
  });

  it("line: one event per line, the last one flushed when the client closes", async () => {
    const input = tcpInput.create(
      ResolvedOptions.of(defaults, makeCodec(lineCodec)),
      testContext(),
    ) as TcpInput;
    const sink = new RecordingSink();
    const done = input.run(sink);
    const { port } = await input.listening;
    const client = await connect(port);
    await send(client, "a\nb");
    client.end();
    await waitFor(() => sink.events.length === 2);
    expect(sink.messages()).toEqual(["a", "b"]);
    input.stop();
    await done;
  });
});
