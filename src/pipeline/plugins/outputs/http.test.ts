import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { gunzipSync } from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import { Event } from "../../event/index.js";
import { type OptionValue, ResolvedOptions } from "../options.js";
import { recordingContext } from "./common/test-support.js";
import { formEncode } from "./http/body.js";
import { HttpClient } from "./http/client.js";
import { HttpOutput, logstashBackoffMs } from "./http/output.js";
import { httpClientSettings, httpOutput, httpOutputSettings } from "./http.js";

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

type Responder = (seen: Seen, res: ServerResponse, index: number) => void;

async function server(respond: Responder = (_s, res) => res.end("ok")) {
  const seen: Seen[] = [];
  const srv: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const entry = { method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks) };
      seen.push(entry);
      respond(entry, res, seen.length - 1);
    });
  });
  await new Promise<void>((resolve) => srv.listen(0, "127.0.0.1", resolve));
  const port = (srv.address() as AddressInfo).port;
  cleanup.push(() => new Promise<void>((resolve) => srv.close(() => resolve())));
  cleanup.push(() => void srv.closeAllConnections());
  return { seen, port, base: `http://127.0.0.1:${port}`, srv };
}

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0)) await fn();
});

function withDefaults(given: Record<string, OptionValue>): ResolvedOptions {
  const values: Record<string, OptionValue> = {};
  for (const [name, spec] of Object.entries(httpOutput.options))
    if (spec.default !== undefined) values[name] = spec.default;
  return ResolvedOptions.of({ ...values, ...given });
}

function make(given: Record<string, OptionValue>, backoff: (attempt: number) => number = () => 10) {
  const recording = recordingContext();
  const options = withDefaults({ http_method: "post", ...given });
  const backoffs: number[] = [];
  const output = new HttpOutput(
    httpOutputSettings(options, recording.context),
    new HttpClient(httpClientSettings(options, recording.context)),
    recording.context,
    (attempt) => {
      backoffs.push(attempt);
      return backoff(attempt);
    },
  );
  cleanup.unshift(() => output.close());
  return { output, backoffs, ...recording };
}

describe("http output: spec", () => {
  it("declares Logstash's options and defaults", () => {
    const o = httpOutput.options;
    expect(httpOutput.defaultCodec).toBe("plain");
    expect(o.url!.required).toBe(true);
    expect(o.http_method!.required).toBe(true);
    expect(o.http_method!.type).toEqual(["put", "post", "patch", "delete", "get", "head"]);
    expect(o.format!.default).toBe("json");
    expect(o.retry_failed!.default).toBe(true);
    expect(o.retryable_codes!.default).toEqual([429, 500, 502, 503, 504]);
    expect(o.headers!.default).toEqual({});
    expect(o.http_compression!.default).toBe(false);
    expect(o.request_timeout!.default).toBe(60);
    expect(o.socket_timeout!.default).toBe(10);
    expect(o.connect_timeout!.default).toBe(10);
    expect(o.pool_max!.default).toBe(50);
    expect(o.pool_max_per_route!.default).toBe(25);
    expect(o.automatic_retries!.default).toBe(1);
    expect(o.retry_non_idempotent!.default).toBe(false);
    expect(o.follow_redirects!.default).toBe(true);
    expect(o.keepalive!.default).toBe(true);
    expect(o.ssl_enabled!.default).toBe(true);
    expect(o.ssl_verification_mode!.default).toBe("full");
    for (const name of [
      "cacert",
      "client_cert",
      "client_key",
      "keystore",
      "truststore",
      "truststore_password",
    ])
      expect(o[name]!.obsolete).toBeTruthy();
  });

  it("refuses configurations Logstash refuses, and unsupported ones", () => {
    const ctx = recordingContext().context;
    const create = (given: Record<string, OptionValue>) =>
      httpOutput.create(withDefaults({ url: "http://x", http_method: "post", ...given }), ctx).close?.();
    expect(() => create({ format: "message", content_type: "text/plain" })).toThrow(/message must be set/);
    expect(() => create({ format: "message", message: "%{m}" })).toThrow(/content_type must be set/);
    expect(() => create({ user: "bob" })).toThrow(/without password/);
    expect(() => create({ proxy: "http://proxy:3128" })).toThrow(/proxy/);
    expect(() => create({ ssl_certificate: "/etc/hostname" })).toThrow(/ssl_certificate.*ssl_key/);
    expect(() => create({ ssl_keystore_path: "/etc/hostname" })).toThrow(/not supported/);
    expect(() => create({ ssl_certificate_authorities: ["/etc/hostname", "/etc/hostname"] })).toThrow(
      /Multiple/,
    );
    expect(() => create({ ssl_supported_protocols: ["SSLv3"] })).toThrow(/TLSv1/);
    expect(() => create({ ssl_supported_protocols: ["TLSv1.2", "TLSv1.3"] })).not.toThrow();
  });

  it("warns about settings it ignores", () => {
    const { context, logs } = recordingContext();
    httpOutput
      .create(
        withDefaults({
          url: "http://x",
          http_method: "post",
          cookies: true,
          format: "message",
          message: "m",
          content_type: "text/plain",
          mapping: { a: "b" },
        }),
        context,
      )
      .close?.();
    expect(logs.some((l) => l.includes("cookies"))).toBe(true);
    expect(logs.some((l) => l.includes("mapping is not supported"))).toBe(true);
  });

  it("computes Logstash's back-off", () => {
    for (let i = 0; i < 50; i++) {
      expect(logstashBackoffMs(1)).toBe(0);
      const second = logstashBackoffMs(2);
      expect(second).toBeGreaterThanOrEqual(2000);
      expect(second).toBeLessThanOrEqual(4000);
      const capped = logstashBackoffMs(20);
      expect(capped).toBeGreaterThanOrEqual(30_000);
      expect(capped).toBeLessThanOrEqual(60_000);
    }
  });
});

describe("http output: bodies and requests", () => {
  it("json: one request per event, url interpolated, application/json", async () => {
    const s = await server();
    const { output, failures } = make({ url: `${s.base}/in/%{type}` });
    await output.receive([
      new Event({ type: "a", message: "one" }),
      new Event({ type: "b", message: "two" }),
    ]);
    expect(s.seen.map((r) => r.url).sort()).toEqual(["/in/a", "/in/b"]);
    for (const r of s.seen) {
      expect(r.method).toBe("POST");
      expect(r.headers["content-type"]).toBe("application/json");
      const body = JSON.parse(r.body.toString());
      expect(body["@timestamp"]).toBeTypeOf("string");
      expect(["one", "two"]).toContain(body.message);
    }
    expect(failures).toEqual([]);
  });

  it("json_batch: one request per batch holding a JSON array, url not interpolated", async () => {
    const s = await server();
    const { output } = make({ url: `${s.base}/bulk/%{type}`, format: "json_batch", http_method: "put" });
    await output.receive([new Event({ n: 1 }), new Event({ n: 2 }), new Event({ n: 3 })]);
    expect(s.seen).toHaveLength(1);
    expect(s.seen[0]!.method).toBe("PUT");
    expect(s.seen[0]!.url).toBe("/bulk/%%7Btype%7D"); // the template as written, braces percent-encoded
    expect(JSON.parse(s.seen[0]!.body.toString()).map((e: { n: number }) => e.n)).toEqual([1, 2, 3]);
  });

  it("form: the mapping url-encoded the way Ruby's CGI.escape does", async () => {
    const s = await server();
    const { output } = make({ url: s.base, format: "form", mapping: { who: "%{user}", "a b": "x&y=z~*" } });
    await output.receive([new Event({ user: "Ann Lee" })]);
    expect(s.seen[0]!.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    expect(s.seen[0]!.body.toString()).toBe("who=Ann+Lee&a+b=x%26y%3Dz~%2A");
    expect(formEncode({ n: null, list: ["a", 1], h: { k: true } })).toBe(
      "n=&list=%5B%22a%22%2C+1%5D&h=%7B%22k%22%3D%3Etrue%7D",
    );
  });

  it("message: the interpolated message with the given content type", async () => {
    const s = await server();
    const { output } = make({
      url: s.base,
      format: "message",
      message: "hello %{who}",
      content_type: "text/x-mine",
    });
    await output.receive([new Event({ who: "world" })]);
    expect(s.seen[0]!.body.toString()).toBe("hello world");
    expect(s.seen[0]!.headers["content-type"]).toBe("text/x-mine");
  });

  it("mapping: nested hashes and arrays with interpolated leaves", async () => {
    const s = await server();
    const { output } = make({ url: s.base, mapping: { a: "%{x}", nested: { b: ["%{y}", "lit"] }, n: 5 } });
    await output.receive([new Event({ x: "X", y: 7 })]);
    expect(JSON.parse(s.seen[0]!.body.toString())).toEqual({ a: "X", nested: { b: ["7", "lit"] }, n: "5" });
  });

  it("headers: interpolated per event, Content-Type forced, basic auth", async () => {
    const s = await server();
    const { output } = make({
      url: s.base,
      headers: { "X-Host": "%{host}", "Content-Type": "text/ignored" },
      content_type: "application/x-custom",
      user: "bob",
      password: "s3cret",
    });
    await output.receive([new Event({ host: "web-1" })]);
    const h = s.seen[0]!.headers;
    expect(h["x-host"]).toBe("web-1");
    expect(h["content-type"]).toBe("application/x-custom");
    expect(h.authorization).toBe(`Basic ${Buffer.from("bob:s3cret").toString("base64")}`);
  });

  it("http_compression: gzipped body with Content-Encoding", async () => {
    const s = await server();
    const { output } = make({ url: s.base, http_compression: true });
    await output.receive([new Event({ message: "squeeze" })]);
    expect(s.seen[0]!.headers["content-encoding"]).toBe("gzip");
    expect(JSON.parse(gunzipSync(s.seen[0]!.body).toString()).message).toBe("squeeze");
  });

  it("keeps at most pool_max requests in flight", async () => {
    let open = 0;
    let peak = 0;
    const s = await server((_seen, res) => {
      open++;
      peak = Math.max(peak, open);
      setTimeout(() => {
        open--;
        res.end();
      }, 20);
    });
    const { output } = make({ url: s.base, pool_max: 2 });
    await output.receive(Array.from({ length: 6 }, (_, i) => new Event({ i })));
    expect(s.seen).toHaveLength(6);
    expect(peak).toBe(2);
  });

  it("follows redirects: 302 turns POST into GET, 307 repeats the POST", async () => {
    const s = await server((seen, res) => {
      if (seen.url === "/old") res.writeHead(302, { location: "/new" }).end();
      else if (seen.url === "/temp") res.writeHead(307, { location: "/kept" }).end();
      else res.end();
    });
    const { output, failures } = make({ url: `${s.base}%{p}` });
    await output.receive([new Event({ p: "/old" })]);
    await output.receive([new Event({ p: "/temp" })]);
    expect(s.seen.map((r) => `${r.method} ${r.url}`)).toEqual([
      "POST /old",
      "GET /new",
      "POST /temp",
      "POST /kept",
    ]);
    expect(s.seen[3]!.body.length).toBeGreaterThan(0);
    expect(failures).toEqual([]);
  });

  it("does not follow redirects when follow_redirects => false (a 3xx is a failure)", async () => {
    const s = await server((_seen, res) => res.writeHead(302, { location: "/new" }).end());
    const { output, failures } = make({ url: s.base, follow_redirects: false });
    await output.receive([new Event({})]);
    expect(s.seen).toHaveLength(1);
    expect(failures).toEqual(["http_request_failed"]);
  });
});

describe("http output: retries and failures", () => {
  it("retries on 503 with back-off, then succeeds", async () => {
    const s = await server((_seen, res, i) => res.writeHead(i < 2 ? 503 : 200).end());
    const { output, failures, backoffs, logs } = make({ url: s.base });
    await output.receive([new Event({ message: "persistent" })]);
    expect(s.seen).toHaveLength(3);
    expect(backoffs).toEqual([1, 2]);
    expect(failures).toEqual([]);
    expect(logs.some((l) => l.includes("retryable HTTP response") && l.includes("code=503"))).toBe(true);
  });

  it("honours custom retryable_codes", async () => {
    const s = await server((_seen, res, i) => res.writeHead(i === 0 ? 409 : 201).end());
    const { output, failures } = make({ url: s.base, retryable_codes: [409] });
    await output.receive([new Event({})]);
    expect(s.seen).toHaveLength(2);
    expect(failures).toEqual([]);
  });

  it("treats ignorable codes as success, and other non-2xx as failures without retry", async () => {
    const s = await server((_seen, res) => res.writeHead(404).end("missing"));
    const ignoring = make({ url: s.base, ignorable_codes: [404] });
    await ignoring.output.receive([new Event({})]);
    expect(ignoring.failures).toEqual([]);
    const strict = make({ url: s.base });
    await strict.output.receive([new Event({})]);
    expect(strict.failures).toEqual(["http_request_failed"]);
    expect(
      strict.logs.some((l) => l.includes("non-2xx") && l.includes("code=404") && l.includes("missing")),
    ).toBe(true);
    expect(s.seen).toHaveLength(2);
  });

  it("retry_failed => false: a retryable code fails at once and is counted", async () => {
    const s = await server((_seen, res) => res.writeHead(503).end());
    const { output, failures, backoffs } = make({ url: s.base, retry_failed: false });
    await output.receive([new Event({}), new Event({})]);
    expect(s.seen).toHaveLength(2);
    expect(backoffs).toEqual([]);
    expect(failures).toEqual(["http_request_failed", "http_request_failed"]);
  });

  it("retries connection failures until the server is there", async () => {
    const probe = await server();
    const port = probe.port;
    await new Promise<void>((resolve) => probe.srv.close(() => resolve()));
    const { output, failures, backoffs } = make(
      { url: `http://127.0.0.1:${port}/`, automatic_retries: 0 },
      () => 30,
    );
    const pending = output.receive([new Event({ message: "eventually" })]);
    await new Promise((r) => setTimeout(r, 100));
    const seen: string[] = [];
    const again = createServer((req, res) => {
      req.resume();
      seen.push(req.method!);
      res.end();
    });
    await new Promise<void>((resolve) => again.listen(port, "127.0.0.1", resolve));
    cleanup.push(() => new Promise<void>((resolve) => again.close(() => resolve())));
    await pending;
    expect(seen).toEqual(["POST"]);
    expect(backoffs.length).toBeGreaterThan(0);
    expect(failures).toEqual([]);
  });

  it("automatic_retries repeats an idempotent request at once after a reset connection", async () => {
    const s = await server((seen, res, i) => {
      if (i === 0) res.socket?.destroy();
      else res.end();
      void seen;
    });
    const put = make({ url: s.base, http_method: "put" });
    await put.output.receive([new Event({})]);
    expect(s.seen).toHaveLength(2);
    expect(put.backoffs).toEqual([]);
    expect(put.failures).toEqual([]);
  });

  it("does not repeat a POST automatically unless retry_non_idempotent (the plugin retry does)", async () => {
    const s = await server((_seen, res, i) => (i % 2 === 0 ? res.socket?.destroy() : res.end()));
    const post = make({ url: s.base });
    await post.output.receive([new Event({})]);
    expect(post.backoffs).toEqual([1]);
    const lenient = make({ url: s.base, retry_non_idempotent: true });
    await lenient.output.receive([new Event({})]);
    expect(lenient.backoffs).toEqual([]);
    expect(s.seen).toHaveLength(4);
  });

  it("request_timeout ends a request that never answers", async () => {
    const s = await server(() => {});
    const { output, failures, logs } = make({
      url: s.base,
      request_timeout: 0.2,
      retry_failed: false,
      automatic_retries: 0,
    });
    const started = Date.now();
    await output.receive([new Event({})]);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(failures).toEqual(["http_request_failed"]);
    expect(logs.some((l) => l.includes("timed out"))).toBe(true);
  });

  it("socket_timeout ends a request whose connection goes silent", async () => {
    const s = await server(() => {});
    const { output, failures, logs } = make({
      url: s.base,
      socket_timeout: 0.1,
      retry_failed: false,
      automatic_retries: 0,
    });
    await output.receive([new Event({})]);
    expect(failures).toEqual(["http_request_failed"]);
    expect(logs.some((l) => l.includes("idle"))).toBe(true);
  });

  it("a url that is not http(s) fails without retry", async () => {
    const { output, failures, backoffs } = make({ url: "ftp://example/%{x}" });
    await output.receive([new Event({ x: 1 })]);
    expect(failures).toEqual(["http_request_failed"]);
    expect(backoffs).toEqual([]);
  });

  it("close stops retrying; undelivered events are counted", async () => {
    const s = await server((_seen, res) => res.writeHead(503).end());
    const { output, failures } = make({ url: s.base }, () => 60_000);
    const pending = output.receive([new Event({})]);
    while (s.seen.length === 0) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 20));
    await output.close();
    await output.close();
    await pending;
    expect(failures).toEqual(["http_closed"]);
  });
});
