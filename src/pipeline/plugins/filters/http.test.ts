import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { httpFilter } from "./http.js";
import { filterHarness } from "./testing.js";

const SPEC = httpFilter;
const { setup, refused, diagnosticsOf } = filterHarness(SPEC);

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: string;
}
const seen: Seen[] = [];
let server: Server;
let base = "";
let flaky = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => {
      body += chunk;
    });
    req.on("end", () => {
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      const path = new URL(req.url!, "http://x").pathname;
      if (path === "/json") {
        res.writeHead(200, { "content-type": "application/json; charset=utf-8", "x-extra": "1" });
        res.end(JSON.stringify({ ok: true, echo: body }));
      } else if (path === "/badjson") {
        res.writeHead(200, { "content-type": "application/json" });
        res.end("{nope");
      } else if (path === "/missing") {
        res.writeHead(404, { "content-type": "text/plain" });
        res.end("no such thing");
      } else if (path === "/redirect") {
        res.writeHead(302, { location: "/text" });
        res.end();
      } else if (path === "/slow") {
        setTimeout(() => res.end("late"), 500);
      } else if (path === "/flaky" && flaky++ === 0) {
        req.socket.destroy();
      } else if (path === "/empty") {
        res.writeHead(204);
        res.end();
      } else {
        res.writeHead(200, { "content-type": "text/plain" });
        res.end(`  text for ${req.method} ${req.url}  \n`);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe("http filter", () => {
  it("GETs the sprintf'd URL and stores the stripped text body and the headers (legacy targets)", async () => {
    const { runAsync, filter } = setup(`url => "${base}/text/%{id}"`);
    const { event, matched } = await runAsync({ id: "7" });
    expect(matched).toBe(true);
    expect(event.get("body")).toBe("text for GET /text/7");
    expect(event.get("[headers][content-type]")).toBe("text/plain");
    expect(seen.at(-1)!.headers["content-type"]).toBe("text/plain");
    filter.close?.();
  });

  it("POSTs a JSON body built from a hash, with headers and query sprintf'd, and parses a JSON response", async () => {
    const { runAsync } = setup(
      `url => "${base}/json" verb => "POST" body_format => "json" body => { "user" => "%{u}" "n" => 1 } headers => { "X-Who" => "%{u}" } query => { "q" => "%{u}" "list" => ["a", "b"] } target_body => "[resp]" target_headers => "[h]"`,
    );
    const { event, matched } = await runAsync({ u: "ann" });
    expect(matched).toBe(true);
    expect(event.get("[resp][ok]")).toBe(true);
    expect(JSON.parse(event.get("[resp][echo]") as string)).toEqual({ user: "ann", n: 1 });
    expect(event.get("[h][x-extra]")).toBe("1");
    const request = seen.at(-1)!;
    expect(request.method).toBe("POST");
    expect(request.url).toBe("/json?q=ann&list=a&list=b");
    expect(request.headers["content-type"]).toBe("application/json");
    expect(request.headers["x-who"]).toBe("ann");
  });

  it("sends a text body as is and keeps a given content-type; basic auth from user/password", async () => {
    const { runAsync } = setup(
      `url => "${base}/text" verb => "PUT" body => "hello %{u}" headers => { "Content-Type" => "text/csv" } user => "me" password => "secret"`,
    );
    await runAsync({ u: "bob" });
    const request = seen.at(-1)!;
    expect(request.body).toBe("hello bob");
    expect(request.headers["content-type"]).toBe("text/csv");
    expect(request.headers.authorization).toBe(`Basic ${Buffer.from("me:secret").toString("base64")}`);
    expect(refused(`url => "x" user => "me"`)).toContain("without password");
  });

  it("tags a non-2xx status and a connection failure with _httprequestfailure", async () => {
    const { runAsync, failures } = setup(`url => "${base}/missing"`);
    const missing = await runAsync({});
    expect(missing.matched).toBe(false);
    expect(missing.event.get("tags")).toEqual(["_httprequestfailure"]);
    expect(missing.event.includes("body")).toBe(false);
    const refusedPort = setup(
      `url => "http://127.0.0.1:1/" tag_on_request_failure => ["down"] automatic_retries => 0`,
    );
    expect((await refusedPort.runAsync({})).event.get("tags")).toEqual(["down"]);
    expect(failures).toEqual(["http_request_failure"]);
  });

  it("tags unparseable JSON with _jsonparsefailure but still matches", async () => {
    const { runAsync } = setup(
      `url => "${base}/badjson" tag_on_json_failure => ["_jsonparsefailure", "bad"]`,
    );
    const { event, matched } = await runAsync({});
    expect(matched).toBe(true);
    expect(event.get("tags")).toEqual(["_jsonparsefailure", "bad"]);
  });

  it("request_timeout and socket_timeout fail slow requests", async () => {
    const { runAsync } = setup(`url => "${base}/slow" request_timeout => 0.1 automatic_retries => 0`);
    const { event } = await runAsync({});
    expect(event.get("tags")).toEqual(["_httprequestfailure"]);
    const socket = setup(`url => "${base}/slow" socket_timeout => 0.1 automatic_retries => 0`);
    expect((await socket.runAsync({})).event.get("tags")).toEqual(["_httprequestfailure"]);
  });

  it("follows redirects unless follow_redirects => false; retries a dropped connection", async () => {
    const followed = await setup(`url => "${base}/redirect"`).runAsync({});
    expect(followed.event.get("body")).toBe("text for GET /text");
    const notFollowed = await setup(`url => "${base}/redirect" follow_redirects => false`).runAsync({});
    expect(notFollowed.event.get("tags")).toEqual(["_httprequestfailure"]);
    flaky = 0;
    const retried = await setup(`url => "${base}/flaky" automatic_retries => 1 keepalive => false`).runAsync(
      {},
    );
    expect(retried.matched).toBe(true);
  });

  it("HEAD stores only headers; an empty body stores only headers", async () => {
    const head = await setup(`url => "${base}/text" verb => "HEAD"`).runAsync({});
    expect(head.event.includes("body")).toBe(false);
    expect(head.event.get("[headers][content-type]")).toBe("text/plain");
    const empty = await setup(`url => "${base}/empty"`).runAsync({});
    expect(empty.matched).toBe(true);
    expect(empty.event.includes("body")).toBe(false);
  });

  it("ECS mode: target_body required, headers go to @metadata", async () => {
    expect(refused(`url => "${base}/text"`, "v8")).toContain("target_body");
    const { runAsync } = setup(`url => "${base}/text" target_body => "[api]"`, "v8");
    const { event } = await runAsync({});
    expect(event.get("api")).toBe("text for GET /text");
    expect(event.get("[@metadata][filter][http][response][headers][content-type]")).toBe("text/plain");
  });

  it("validates client options like Logstash", () => {
    expect(diagnosticsOf(`url => "x" cacert => "/a"`).map((d) => d.code)).toEqual(["obsolete-option"]);
    expect(diagnosticsOf(`url => "x" verb => "TRACE"`).map((d) => d.code)).toEqual(["invalid-option"]);
    expect(refused(`url => "x" proxy => "http://p:3128"`)).toContain("proxy is not supported");
    expect(refused(`url => "x" ssl_supported_protocols => ["SSLv3"]`)).toContain("ssl_supported_protocols");
    expect(
      refused(
        `url => "x" ssl_verification_mode => "none" cookies => false pool_max => 2 pool_max_per_route => 1 retry_non_idempotent => true connect_timeout => 1 validate_after_inactivity => 10 ssl_enabled => true`,
      ),
    ).toBe("accepted");
  });
});
