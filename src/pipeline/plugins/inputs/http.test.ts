import http from "node:http";
import net from "node:net";
import zlib from "node:zlib";
import { describe, expect, it } from "vitest";
import type { EcsCompatibility } from "../../event/index.js";
import { jsonCodec } from "../codecs/json.js";
import { makeCodec } from "../codecs/test-support.js";
import { type OptionValue, ResolvedOptions } from "../options.js";
import { RecordingSink, sleep, testContext, testPlainCodec } from "./file/test-helpers.js";
import {
  createHttpInput,
  decodeJsonBody,
  type HttpInput,
  httpInput,
  mimeTypeOf,
  splitHostPort,
} from "./http.js";

const specDefaults: Record<string, OptionValue> = Object.fromEntries(
  Object.entries(httpInput.options)
    .filter(([, spec]) => spec.default !== undefined)
    .map(([name, spec]) => [name, spec.default!]),
);

function start(
  options: Record<string, OptionValue> = {},
  ecs: EcsCompatibility = "v8",
  sink = new RecordingSink(),
) {
  const context = testContext({ ecsCompatibility: ecs });
  const input = httpInput.create(
    ResolvedOptions.of({ ...specDefaults, host: "127.0.0.1", port: 0, ...options }, testPlainCodec()),
    context,
  ) as HttpInput;
  const done = input.run(sink);
  return { input, sink, done, context };
}

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function request(
  port: number,
  options: {
    method?: string;
    path?: string;
    headers?: Record<string, string | number>;
    body?: string | Buffer;
  } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: "127.0.0.1",
        port,
        method: options.method ?? "POST",
        path: options.path ?? "/",
        headers: options.headers,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString() }),
        );
      },
    );
    req.on("error", reject);
    req.end(options.body);
  });
}

describe("http input", () => {
  it("declares Logstash's options and the plain codec", () => {
    expect(httpInput.defaultCodec).toBe("plain");
    expect(httpInput.options.port!.default).toBe(8080);
    expect(httpInput.options.additional_codecs!.default).toEqual({ "application/json": "json" });
    expect(httpInput.options.max_pending_requests!.default).toBe(200);
    expect(httpInput.options.ssl!.obsolete).toContain("ssl_enabled");
  });

  it("turns a text body into an event with the codec and answers 200 ok", async () => {
    const { input, sink, done } = start();
    const { port } = await input.listening;
    const reply = await request(port, { body: "hello", headers: { "content-type": "text/plain" } });
    expect(reply.status).toBe(200);
    expect(reply.body).toBe("ok");
    expect(reply.headers["content-type"]).toBe("text/plain");
    expect(sink.messages()).toEqual(["hello"]);
    input.stop();
    await done;
  });

  it("parses application/json bodies: an object, an array of objects, and a failure tag for bad JSON", async () => {
    const { input, sink, done } = start();
    const { port } = await input.listening;
    const json = { "content-type": "application/json; charset=UTF-8" };
    await request(port, { body: '{"message_body":"Hello"}', headers: json });
    await request(port, { body: '[{"n":1},{"n":2}]', headers: json });
    await request(port, { body: "{nope", headers: json });
    expect(sink.events[0]!.get("message_body")).toBe("Hello");
    expect(sink.events[0]!.get("[event][original]")).toBe('{"message_body":"Hello"}');
    expect(sink.events[1]!.get("[event][original]")).toBeUndefined();
    expect(sink.events.slice(1, 3).map((e) => e.get("n"))).toEqual([1, 2]);
    expect(sink.events[3]!.get("message")).toBe("{nope");
    expect(sink.events[3]!.hasTag("_jsonparsefailure")).toBe(true);
    input.stop();
    await done;
  });

  it("maps other content types with additional_codecs (json_lines, line, plain)", async () => {
    const { input, sink, done } = start({
      additional_codecs: {
        "application/x-ndjson": "json_lines",
        "text/lines": "line",
        "application/json": "plain",
      },
    });
    const { port } = await input.listening;
    await request(port, {
      body: '{"foo":1}\n{"foo":2}',
      headers: { "content-type": "application/x-ndjson" },
    });
    await request(port, { body: "a\nb\n", headers: { "content-type": "text/lines" } });
    await request(port, { body: '{"raw":true}', headers: { "content-type": "application/json" } });
    expect(sink.events.slice(0, 2).map((e) => e.get("foo"))).toEqual([1, 2]);
    expect(sink.events.slice(2, 4).map((e) => e.get("message"))).toEqual(["a", "b"]);
    expect(sink.events[4]!.get("message")).toBe('{"raw":true}');
    expect(sink.events[4]!.get("[event][original]")).toBe('{"raw":true}');
    expect(sink.events[0]!.get("[event][original]")).toBeUndefined();
    input.stop();
    await done;
  });

  it("refuses additional_codecs it cannot decode", () => {
    expect(() =>
      httpInput.create(
        ResolvedOptions.of({ ...specDefaults, additional_codecs: { "text/csv": "csv" } }, testPlainCodec()),
        testContext(),
      ),
    ).toThrow(/not supported/);
  });

  it("decodes the body in the charset the Content-Type names", async () => {
    const { input, sink, done } = start();
    const { port } = await input.listening;
    await request(port, {
      body: Buffer.from("A Coru\xf1a", "latin1"),
      headers: { "content-type": "text/plain; charset=ISO-8859-1" },
    });
    expect(sink.messages()).toEqual(["A Coruña"]);
    input.stop();
    await done;
  });

  it("decompresses gzip and deflate bodies, answering 400 when they do not inflate", async () => {
    const { input, sink, done } = start();
    const { port } = await input.listening;
    expect(
      (await request(port, { body: zlib.gzipSync("zipped"), headers: { "content-encoding": "gzip" } }))
        .status,
    ).toBe(200);
    await request(port, { body: zlib.deflateSync("deflated"), headers: { "content-encoding": "deflate" } });
    await request(port, {
      body: zlib.deflateRawSync("raw deflate"),
      headers: { "content-encoding": "deflate" },
    });
    expect(sink.messages()).toEqual(["zipped", "deflated", "raw deflate"]);
    const bad = await request(port, { body: "not gzip", headers: { "content-encoding": "gzip" } });
    expect(bad.status).toBe(400);
    expect(sink.events).toHaveLength(3);
    input.stop();
    await done;
  });

  it("answers 413 to bodies over max_content_length, declared or streamed or inflated", async () => {
    const { input, sink, done, context } = start({ max_content_length: 10 });
    const { port } = await input.listening;
    expect((await request(port, { body: "x".repeat(11) })).status).toBe(413);
    expect(
      (
        await request(port, {
          body: zlib.gzipSync("y".repeat(1000)),
          headers: { "content-encoding": "gzip" },
        })
      ).status,
    ).toBe(413);
    expect((await request(port, { body: "small" })).status).toBe(200);
    expect(sink.messages()).toEqual(["small"]);
    expect(context.failures).toEqual(["http_413", "http_413"]);
    input.stop();
    await done;
  });

  it("asks for basic credentials (401 with WWW-Authenticate), refuses wrong ones, accepts right ones", async () => {
    const { input, sink, done } = start({ user: "alice", password: "secret" });
    const { port } = await input.listening;
    const missing = await request(port, { body: "x" });
    expect(missing.status).toBe(401);
    expect(missing.headers["www-authenticate"]).toMatch(/^Basic realm=/);
    const wrong = await request(port, {
      body: "x",
      headers: { authorization: `Basic ${Buffer.from("alice:nope").toString("base64")}` },
    });
    expect(wrong.status).toBe(401);
    expect(wrong.headers["www-authenticate"]).toBeUndefined();
    expect(sink.events).toHaveLength(0);
    const right = await request(port, {
      body: "x",
      headers: { authorization: `Basic ${Buffer.from("alice:secret").toString("base64")}` },
    });
    expect(right.status).toBe(200);
    expect(sink.events).toHaveLength(1);
    expect(JSON.stringify(sink.events[0]!.toObject({ includeMetadata: true }))).not.toContain(
      "authorization",
    );
    input.stop();
    await done;
  });

  it("answers only after the pipeline accepted the events", async () => {
    const sink = new RecordingSink();
    sink.holdAccept();
    const { input, done } = start({}, "v8", sink);
    const { port } = await input.listening;
    let answered = false;
    const reply = request(port, { body: "wait" }).then((r) => {
      answered = true;
      return r;
    });
    await sleep(100);
    expect(answered).toBe(false);
    sink.openAccept();
    expect((await reply).status).toBe(200);
    expect(sink.messages()).toEqual(["wait"]);
    input.stop();
    await done;
  });

  it("answers 429 once threads + max_pending_requests requests are waiting", async () => {
    const sink = new RecordingSink();
    sink.holdAccept();
    const { input, done, context } = start({ threads: 1, max_pending_requests: 1 }, "v8", sink);
    const { port } = await input.listening;
    const waiting = [request(port, { body: "1" }), request(port, { body: "2" })];
    await sleep(100);
    const rejected = await request(port, { body: "3" });
    expect(rejected.status).toBe(429);
    expect(context.failures).toContain("http_too_many_requests");
    sink.openAccept();
    expect((await Promise.all(waiting)).map((r) => r.status)).toEqual([200, 200]);
    expect(sink.messages().sort()).toEqual(["1", "2"]);
    input.stop();
    await done;
  });

  it("answers 429 while a request has waited longer than the blocking threshold", async () => {
    const sink = new RecordingSink();
    sink.holdAccept();
    const options = ResolvedOptions.of({ ...specDefaults, host: "127.0.0.1", port: 0 }, testPlainCodec());
    const input = createHttpInput(options, testContext(), 50);
    const done = input.run(sink);
    const { port } = await input.listening;
    const blocked = request(port, { body: "slow" });
    await sleep(150);
    expect((await request(port, { body: "next" })).status).toBe(429);
    sink.openAccept();
    expect((await blocked).status).toBe(200);
    expect((await request(port, { body: "after" })).status).toBe(200);
    input.stop();
    await done;
  });

  it("uses response_code and response_headers (Content-Type stays text/plain)", async () => {
    const { input, done } = start({
      response_code: 202,
      response_headers: { "Access-Control-Allow-Origin": "*", "Content-Type": "application/json" },
    });
    const { port } = await input.listening;
    const reply = await request(port, { body: "x" });
    expect(reply.status).toBe(202);
    expect(reply.headers["access-control-allow-origin"]).toBe("*");
    expect(reply.headers["content-type"]).toBe("text/plain");
    input.stop();
    await done;
    const noContent = start({ response_code: 204 });
    const bound = await noContent.input.listening;
    const empty = await request(bound.port, { body: "x" });
    expect(empty.status).toBe(204);
    expect(empty.body).toBe("");
    noContent.input.stop();
    await noContent.done;
  });

  it("refuses response codes Logstash refuses, and ssl_enabled", () => {
    const create = (options: Record<string, OptionValue>) =>
      httpInput.create(ResolvedOptions.of({ ...specDefaults, ...options }, testPlainCodec()), testContext());
    expect(() => create({ response_code: 500 })).toThrow(/response_code/);
    expect(() => create({ ssl_enabled: true })).toThrow(/TLS is not supported/);
    expect(() => create({ threads: 0 })).toThrow(/threads/);
  });

  it("warns about SSL settings without ssl_enabled and about user without password", () => {
    const context = testContext();
    httpInput.create(
      ResolvedOptions.of({ ...specDefaults, ssl_handshake_timeout: 5, user: "bob" }, testPlainCodec()),
      context,
    );
    const log = context.warnings.join("");
    expect(log).toContain("ssl_handshake_timeout");
    expect(log).toContain("needs both user and password");
  });

  it("adds ECS fields, the headers under [@metadata] and [host][ip] (v8)", async () => {
    const { input, sink, done } = start();
    const { port } = await input.listening;
    await request(port, {
      path: "/meh.json?x=1",
      body: "hello",
      headers: { "content-type": "text/plain", "user-agent": "tester/1.0", "x-custom": "yes" },
    });
    const event = sink.events[0]!;
    expect(event.get("[host][ip]")).toBe("127.0.0.1");
    expect(event.get("[http][method]")).toBe("POST");
    expect(event.get("[url][path]")).toBe("/meh.json?x=1");
    expect(event.get("[http][version]")).toBe("HTTP/1.1");
    expect(event.get("[user_agent][original]")).toBe("tester/1.0");
    expect(event.get("[url][domain]")).toBe("127.0.0.1");
    expect(event.get("[url][port]")).toBe(port);
    expect(event.get("[http][request][body][bytes]")).toBe("5");
    expect(event.get("[http][request][mime_type]")).toBe("text/plain");
    const headers = event.get("[@metadata][input][http][request][headers]") as Record<string, unknown>;
    expect(headers.x_custom).toBe("yes");
    expect(headers.http_host).toBe(`127.0.0.1:${port}`);
    expect(headers.http_accept).toBeNull();
    expect(event.get("headers")).toBeUndefined();
    input.stop();
    await done;
  });

  it("puts headers in `headers` and the client in `host` with ECS disabled, or in the target fields given", async () => {
    const plain = start({}, "disabled");
    const { port } = await plain.input.listening;
    await request(port, { method: "PUT", body: "hello", headers: { "content-type": "text/plain" } });
    const event = plain.sink.events[0]!;
    expect(event.get("host")).toBe("127.0.0.1");
    expect(event.get("[headers][request_method]")).toBe("PUT");
    expect(event.get("[headers][content_length]")).toBe("5");
    expect(event.get("[http][method]")).toBeUndefined();
    plain.input.stop();
    await plain.done;

    const targeted = start({ remote_host_target_field: "remote_host", request_headers_target_field: "req" });
    const bound = await targeted.input.listening;
    await request(bound.port, { body: "x" });
    expect(targeted.sink.events[0]!.get("remote_host")).toBe("127.0.0.1");
    expect(targeted.sink.events[0]!.get("[req][request_method]")).toBe("POST");
    targeted.input.stop();
    await targeted.done;
  });

  it("makes an event for a GET without a body", async () => {
    const { input, sink, done } = start();
    const { port } = await input.listening;
    expect((await request(port, { method: "GET", path: "/ping" })).status).toBe(200);
    expect(sink.messages()).toEqual([""]);
    input.stop();
    await done;
  });

  it("answers 500 when the codec throws", async () => {
    const context = testContext();
    const throwing = {
      createDecoder: () => ({
        write: () => {
          throw new Error("bad bytes");
        },
        end: () => {},
      }),
      encode: () => "",
    };
    const input = httpInput.create(
      ResolvedOptions.of({ ...specDefaults, host: "127.0.0.1", port: 0 }, throwing),
      context,
    ) as HttpInput;
    const sink = new RecordingSink();
    const done = input.run(sink);
    const { port } = await input.listening;
    expect((await request(port, { body: "x" })).status).toBe(500);
    expect(context.failures).toEqual(["http_500"]);
    input.stop();
    await done;
  });

  it("run() rejects when the port is taken", async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    const { done } = start({ port });
    await expect(done).rejects.toThrow(/EADDRINUSE/);
    blocker.close();
  });

  it("stops promptly with an idle keep-alive connection open", async () => {
    const { input, done } = start();
    const { port } = await input.listening;
    const agent = new http.Agent({ keepAlive: true });
    await new Promise<void>((resolve) =>
      http
        .request({ host: "127.0.0.1", port, method: "POST", agent }, (res) => res.resume().on("end", resolve))
        .end("x"),
    );
    const started = Date.now();
    input.stop();
    await done;
    expect(Date.now() - started).toBeLessThan(2000);
    agent.destroy();
  });
});

describe("http input helpers", () => {
  it("reads mime types, host:port and JSON bodies like Logstash", () => {
    expect(mimeTypeOf("application/json; charset=UTF-8")).toBe("application/json");
    expect(splitHostPort("127.0.0.1:8080")).toEqual({ domain: "127.0.0.1", port: 8080 });
    expect(splitHostPort("[2001:db8::1]:8080")).toEqual({ domain: "2001:db8::1", port: 8080 });
    expect(splitHostPort("localhost")).toEqual({ domain: "localhost" });
    expect(decodeJsonBody("")).toEqual([]);
    expect(decodeJsonBody("5")[0]!.hasTag("_jsonparsefailure")).toBe(true);
    expect(decodeJsonBody('[{"a":1}, 2]')[0]!.hasTag("_jsonparsefailure")).toBe(true);
  });
});

describe("http input with Sluice's codecs", () => {
  it("uses the codec option for content types additional_codecs does not map", async () => {
    const input = httpInput.create(
      ResolvedOptions.of({ ...specDefaults, host: "127.0.0.1", port: 0 }, makeCodec(jsonCodec)),
      testContext(),
    ) as HttpInput;
    const sink = new RecordingSink();
    const done = input.run(sink);
    const { port } = await input.listening;
    await request(port, { body: '{"message":"Hello"}', headers: { "content-type": "text/plain" } });
    expect(sink.messages()).toEqual(["Hello"]);
    input.stop();
    await done;
  });
});
