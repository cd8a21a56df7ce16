// The http input: an HTTP server whose request bodies become events, decoded by Content-Type
// (additional_codecs, else the plugin's codec), answered only once the pipeline has accepted them. Busy → 429,
// too big → 413, bad credentials → 401, undecompressable → 400, as Logstash's Netty-based input answers.

import http from "node:http";
import net from "node:net";
import os from "node:os";
import { Transform } from "node:stream";
import zlib from "node:zlib";
import { limits } from "../../../common/limits.js";
import { Event } from "../../event/index.js";
import type { Codec, Input, InputSink, InputSpec, PluginContext } from "../api.js";
import type { OptionHash, OptionSpecs, ResolvedOptions } from "../options.js";
import { listenTcp } from "../support/listen.js";

/** A request waiting this long for the queue makes new requests get 429 (Logstash's fixed 10 s). */
export const blockedRequestRejectMs = 10_000;
/** How long stop() lets requests in flight finish before their connections are cut (Logstash waits 5 s). */
const stopGraceMs = 5000;
const allowedResponseCodes = [200, 201, 202, 204];
const ssl = "TLS is not supported yet by Sluice's http input";

/** Decodes one request body into events; the content-type specific codecs Sluice knows without the registry. */
type BodyDecoder = (body: string) => Event[];

interface HttpSettings {
  host: string;
  port: number;
  authToken: string | undefined;
  additionalCodecs: Map<string, BodyDecoder>;
  responseHeaders: Record<string, string>;
  responseCode: number;
  remoteHostField: string;
  headersField: string;
  /** Requests handled at once plus those allowed to wait; one more gets 429. */
  requestsInFlightMax: number;
  bodyBytesMax: number;
  ecs: boolean;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export class HttpInput implements Input {
  private server: http.Server | undefined;
  private inFlight = 0;
  /** Start times of requests waiting for the pipeline to accept their events. */
  private readonly waitingSince = new Set<{ at: number }>();
  private stopped = false;
  private resolveAddress!: (address: net.AddressInfo) => void;
  /** Resolves with the bound address once listening; lets tests use port 0. */
  readonly listening: Promise<net.AddressInfo>;

  constructor(
    private readonly settings: HttpSettings,
    private readonly codec: Codec,
    private readonly context: PluginContext,
    private readonly blockedRejectMs = blockedRequestRejectMs,
  ) {
    this.listening = new Promise((resolve) => {
      this.resolveAddress = resolve;
    });
  }

  async run(sink: InputSink): Promise<void> {
    const server = http.createServer((req, res) => void this.handle(req, res, sink));
    this.server = server;
    const address = await listenTcp(server, this.settings.port, this.settings.host, (err) =>
      this.context.logger.warn("http listener error", { id: this.context.id, err }),
    );
    this.context.logger.info("http input listening", {
      id: this.context.id,
      address: `${address.address}:${address.port}`,
    });
    this.resolveAddress(address);
    const closed = new Promise<void>((resolve) => server.once("close", () => resolve()));
    if (this.stopped) this.closeServer(server);
    await closed;
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.server !== undefined) this.closeServer(this.server);
  }

  private closeServer(server: http.Server): void {
    server.close();
    server.closeIdleConnections();
    setTimeout(() => server.closeAllConnections(), stopGraceMs).unref();
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse, sink: InputSink): Promise<void> {
    if (this.overloaded()) {
      this.context.countFailure("http_too_many_requests");
      res.writeHead(429, { "content-length": 0, connection: "close" }).end();
      return;
    }
    this.inFlight++;
    try {
      const status = this.authorize(req);
      if (status !== undefined) {
        const headers: http.OutgoingHttpHeaders = { "content-length": 0 };
        if (status === "missing") headers["www-authenticate"] = 'Basic realm="Logstash HTTP Input"';
        res.writeHead(401, headers).end();
        return;
      }
      const body = await readBody(req, this.settings.bodyBytesMax);
      const events = this.decode(req, body);
      const waiting = { at: Date.now() };
      this.waitingSince.add(waiting);
      try {
        await sink.accept(events);
      } finally {
        this.waitingSince.delete(waiting);
      }
      this.respond(res);
    } catch (err) {
      this.fail(req, res, err);
    } finally {
      this.inFlight--;
    }
  }

  private overloaded(): boolean {
    if (this.inFlight >= this.settings.requestsInFlightMax) return true;
    const now = Date.now();
    for (const waiting of this.waitingSince) if (now - waiting.at > this.blockedRejectMs) return true;
    return false;
  }

  /** undefined when allowed; "missing" without credentials, "wrong" with bad ones. */
  private authorize(req: http.IncomingMessage): "missing" | "wrong" | undefined {
    const expected = this.settings.authToken;
    if (expected === undefined) return undefined;
    const given = req.headers.authorization;
    if (given === undefined) return "missing";
    return given === expected ? undefined : "wrong";
  }

  private decode(req: http.IncomingMessage, body: Buffer): Event[] {
    const contentType = req.headers["content-type"] ?? "";
    const text = decodeCharset(body, contentType);
    const local = this.settings.additionalCodecs.get(mimeTypeOf(contentType));
    let events: Event[];
    try {
      events = local !== undefined ? local(text) : this.decodeWithCodec(text);
    } catch (err) {
      throw new HttpError(500, `unable to process event: ${(err as Error).message}`);
    }
    const headers = formatHeaders(req);
    const remote = plainAddress(req.socket.remoteAddress ?? "");
    for (const event of events) {
      if (this.settings.ecs) addEcsFields(event, headers);
      event.set(this.settings.headersField, headers);
      event.set(this.settings.remoteHostField, remote);
    }
    return events;
  }

  private decodeWithCodec(text: string): Event[] {
    const events: Event[] = [];
    const decoder = this.codec.createDecoder((event) => events.push(event));
    decoder.write(Buffer.from(text, "utf8"));
    decoder.end();
    return events;
  }

  private respond(res: http.ServerResponse): void {
    const code = this.settings.responseCode;
    res.statusCode = code;
    for (const [name, value] of Object.entries(this.settings.responseHeaders)) res.setHeader(name, value);
    if (code === 204) {
      res.end();
      return;
    }
    // Logstash answers "ok" as text/plain whatever response_headers says about Content-Type.
    res.setHeader("content-type", "text/plain");
    res.setHeader("content-length", 2);
    res.end("ok");
  }

  private fail(req: http.IncomingMessage, res: http.ServerResponse, err: unknown): void {
    const status = err instanceof HttpError ? err.status : 500;
    const message = (err as Error).message;
    this.context.logger.warn("http input could not take a request", {
      id: this.context.id,
      status,
      path: req.url,
      err: message,
    });
    this.context.countFailure(`http_${status}`);
    if (res.headersSent) return;
    const payload = Buffer.from(message);
    res.writeHead(status, {
      "content-type": "text/plain",
      "content-length": payload.length,
      connection: "close",
    });
    res.end(payload);
  }
}

/** The body, decompressed per Content-Encoding; 413 past `max` bytes (decompressed), 400 when it will not inflate. */
async function readBody(req: http.IncomingMessage, max: number): Promise<Buffer> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > max) throw new HttpError(413, "Request Entity Too Large");
  const encoding = (req.headers["content-encoding"] ?? "").trim().toLowerCase();
  const chunks: Buffer[] = [];
  let total = 0;
  let stream: NodeJS.ReadableStream = req;
  const inflate = decompressorFor(encoding);
  if (inflate !== undefined) stream = req.pipe(inflate);
  try {
    for await (const chunk of stream) {
      total += (chunk as Buffer).length;
      if (total > max) throw new HttpError(413, "Request Entity Too Large");
      chunks.push(chunk as Buffer);
    }
  } catch (err) {
    if (err instanceof HttpError) throw err;
    if (inflate !== undefined)
      throw new HttpError(400, `cannot decompress the body: ${(err as Error).message}`);
    throw err;
  }
  return Buffer.concat(chunks);
}

/** Netty's HttpContentDecompressor: gzip, deflate (zlib-wrapped or raw), brotli; others pass through. */
function decompressorFor(encoding: string): Transform | undefined {
  if (encoding === "gzip" || encoding === "x-gzip") return zlib.createGunzip();
  if (encoding === "br") return zlib.createBrotliDecompress();
  if (encoding === "deflate" || encoding === "x-deflate") return deflateEitherWay();
  return undefined;
}

/** Inflates zlib-wrapped data, or raw deflate when the first two bytes are no zlib header. */
function deflateEitherWay(): Transform {
  let inner: zlib.Inflate | zlib.InflateRaw | undefined;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      if (inner === undefined) {
        const zlibHeader =
          chunk.length >= 2 && (chunk[0]! & 0x0f) === 8 && ((chunk[0]! << 8) | chunk[1]!) % 31 === 0;
        inner = zlibHeader ? zlib.createInflate() : zlib.createInflateRaw();
        inner.on("data", (data: Buffer) => this.push(data));
        inner.on("error", (err) => this.destroy(err));
      }
      inner.write(chunk, callback);
    },
    flush(callback) {
      if (inner === undefined) return callback();
      inner.once("end", () => callback());
      inner.end();
    },
  });
}

/** "::ffff:10.0.0.1" → "10.0.0.1", as Java reports an IPv4 peer of a dual-stack socket. */
function plainAddress(address: string): string {
  return address.startsWith("::ffff:") && net.isIPv4(address.slice(7)) ? address.slice(7) : address;
}

/** "application/json; charset=UTF-8" → "application/json" (Netty's HttpUtil.getMimeType). */
export function mimeTypeOf(contentType: string): string {
  const semicolon = contentType.indexOf(";");
  return (semicolon < 0 ? contentType : contentType.slice(0, semicolon)).trim();
}

/** The body as text in the charset the Content-Type names, UTF-8 by default or when unknown. */
function decodeCharset(body: Buffer, contentType: string): string {
  const match = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType);
  if (match === null) return body.toString("utf8");
  try {
    return new TextDecoder(match[1]!).decode(body);
  } catch {
    return body.toString("utf8");
  }
}

/** Request headers as Logstash stores them: lower case, "-" → "_", a few renamed, the request line added. */
export function formatHeaders(req: http.IncomingMessage): Record<string, string | null> {
  const headers: Record<string, string | null> = {};
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i]!.toLowerCase().replace(/-/g, "_");
    if (name === "authorization") continue;
    headers[name] = req.rawHeaders[i + 1]!;
  }
  for (const [from, to] of [
    ["accept", "http_accept"],
    ["host", "http_host"],
    ["user_agent", "http_user_agent"],
  ] as const) {
    headers[to] = headers[from] ?? null;
    delete headers[from];
  }
  headers.request_method = req.method ?? "";
  headers.request_path = req.url ?? "";
  headers.http_version = `HTTP/${req.httpVersion}`;
  return headers;
}

function addEcsFields(event: Event, headers: Record<string, string | null>): void {
  const set = (field: string, value: unknown) => {
    if (value !== null && value !== undefined) event.set(field, value);
  };
  set("[http][version]", headers.http_version);
  set("[user_agent][original]", headers.http_user_agent);
  const hostPort = splitHostPort(headers.http_host ?? null);
  if (hostPort !== undefined) {
    set("[url][domain]", hostPort.domain);
    set("[url][port]", hostPort.port);
  }
  set("[http][method]", headers.request_method);
  set("[url][path]", headers.request_path);
  set("[http][request][body][bytes]", headers.content_length);
  set("[http][request][mime_type]", headers.content_type);
}

/** "127.0.0.1:8080" or "[::1]:8080" → domain and port; a host without port keeps port undefined. */
export function splitHostPort(host: string | null): { domain: string; port?: number } | undefined {
  if (host === null) return undefined;
  const match = /^(?:([^:]+)|\[(.*)\]):(\d+)$/.exec(host);
  if (match === null) return { domain: host };
  return { domain: match[1] ?? match[2]!, port: Number(match[3]) };
}

// ---------------------------------------------------------------- content-type codecs

/**
 * Logstash's json codec on a whole body: an object is an event, an array is one event per object. Under ECS a
 * single document keeps the text in [event][original], as the codec does.
 */
export function decodeJsonBody(body: string, ecs = false): Event[] {
  if (body.trim() === "") return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return [jsonFailure(body)];
  }
  if (isObject(parsed)) {
    const event = new Event(parsed);
    if (ecs && !event.includes(originalField)) event.set(originalField, body);
    return [event];
  }
  if (Array.isArray(parsed) && parsed.every(isObject)) return parsed.map((item) => new Event(item));
  if (parsed === null) return [];
  return [jsonFailure(body)];
}

const originalField = "[event][original]";

function jsonFailure(body: string): Event {
  return new Event({ message: body, tags: ["_jsonparsefailure"] });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function lines(body: string): string[] {
  const parts = body.split("\n");
  if (parts[parts.length - 1] === "") parts.pop();
  return parts;
}

/** A message event as plain and line make it: the text also in [event][original] under ECS. */
function messageEvent(text: string, ecs: boolean): Event {
  const event = new Event({ message: text });
  if (ecs) event.set(originalField, text);
  return event;
}

const bodyDecoders: Record<string, (body: string, ecs: boolean) => Event[]> = {
  json: decodeJsonBody,
  plain: (body, ecs) => [messageEvent(body, ecs)],
  line: (body, ecs) => lines(body).map((line) => messageEvent(line, ecs)),
  // json_lines keeps no [event][original], whatever the ECS mode.
  json_lines: (body) => lines(body).flatMap((line) => decodeJsonBody(line)),
};

function additionalCodecsOf(hash: OptionHash, ecs: boolean): Map<string, BodyDecoder> {
  const decoders = new Map<string, BodyDecoder>();
  for (const [contentType, name] of Object.entries(hash)) {
    const decoder = typeof name === "string" ? bodyDecoders[name] : undefined;
    if (decoder === undefined)
      throw new Error(
        `additional_codecs: codec ${JSON.stringify(name)} for ${contentType} is not supported; ` +
          `Sluice's http input decodes ${Object.keys(bodyDecoders).join(", ")} by content type ` +
          "(use the codec option for others)",
      );
    decoders.set(contentType, (body) => decoder(body, ecs));
  }
  return decoders;
}

// ---------------------------------------------------------------- spec

const sslOptionNames = [
  "ssl_certificate",
  "ssl_key",
  "ssl_keystore_password",
  "ssl_keystore_path",
  "ssl_keystore_type",
  "ssl_key_passphrase",
  "ssl_truststore_password",
  "ssl_truststore_path",
  "ssl_truststore_type",
  "ssl_certificate_authorities",
  "ssl_client_authentication",
  "ssl_handshake_timeout",
  "ssl_cipher_suites",
  "ssl_supported_protocols",
];

const httpOptions: OptionSpecs = {
  host: { type: "string", default: "0.0.0.0", doc: "Address to listen on." },
  port: { type: "number", default: 8080, doc: "Port to listen on." },
  user: { type: "string", doc: "Basic authentication user (with password)." },
  password: { type: "password", doc: "Basic authentication password (with user)." },
  ssl_enabled: { type: "boolean", default: false, doc: `Serve HTTPS (${ssl}: true is refused).` },
  ssl_certificate: { type: "path", doc: "PEM certificate (TLS)." },
  ssl_key: { type: "path", doc: "PKCS#8 PEM key (TLS)." },
  ssl_keystore_password: { type: "password", doc: "Keystore password (TLS)." },
  ssl_keystore_path: { type: "path", doc: "Keystore with key and certificate (TLS)." },
  ssl_keystore_type: { type: ["pkcs12", "jks"], doc: "Keystore format (TLS)." },
  ssl_key_passphrase: { type: "password", doc: "Passphrase of ssl_key (TLS)." },
  ssl_truststore_password: { type: "password", doc: "Truststore password (TLS)." },
  ssl_truststore_path: { type: "path", doc: "Truststore of trusted client certificates (TLS)." },
  ssl_truststore_type: { type: ["pkcs12", "jks"], doc: "Truststore format (TLS)." },
  ssl_certificate_authorities: {
    type: "array",
    default: [],
    doc: "CAs client certificates are checked against.",
  },
  ssl_client_authentication: {
    type: ["none", "optional", "required"],
    default: "none",
    doc: "Whether clients must present a certificate (TLS).",
  },
  ssl_handshake_timeout: { type: "number", default: 10000, doc: "Milliseconds allowed for a TLS handshake." },
  ssl_cipher_suites: { type: "string", list: true, doc: "Allowed cipher suites (TLS)." },
  ssl_supported_protocols: {
    type: ["TLSv1.1", "TLSv1.2", "TLSv1.3"],
    list: true,
    default: ["TLSv1.2", "TLSv1.3"],
    doc: "Allowed TLS versions.",
  },
  additional_codecs: {
    type: "hash",
    default: { "application/json": "json" },
    doc: "Content type → codec (json, plain, line, json_lines); other content types use the codec option.",
  },
  response_headers: {
    type: "hash",
    default: { "Content-Type": "text/plain" },
    doc: "Headers added to every successful response.",
  },
  remote_host_target_field: {
    type: "string",
    doc: "Field for the client's address (default `host`, or [host][ip] with ECS).",
  },
  request_headers_target_field: {
    type: "string",
    doc: "Field for the request headers (default `headers`, or [@metadata][input][http][request][headers] with ECS).",
  },
  threads: {
    type: "number",
    default: os.availableParallelism(),
    doc: "Requests handled at once (default: the number of cores).",
  },
  max_pending_requests: {
    type: "number",
    default: 200,
    doc: "Requests that may wait beyond `threads`; more get 429.",
  },
  max_content_length: {
    type: "number",
    default: 100 * 1024 * 1024,
    doc: "Largest body in bytes; larger get 413.",
  },
  response_code: {
    type: "number",
    default: 200,
    doc: "Status of successful responses: 200, 201, 202 or 204.",
  },
  ssl: { type: "any", obsolete: "Set 'ssl_enabled' instead." },
  keystore: { type: "any", obsolete: "Set 'ssl_keystore_path' instead." },
  keystore_password: { type: "any", obsolete: "Set 'ssl_keystore_password' instead." },
  verify_mode: { type: "any", obsolete: "Set 'ssl_client_authentication' instead." },
  cipher_suites: { type: "any", obsolete: "Set 'ssl_cipher_suites' instead." },
  tls_min_version: { type: "any", obsolete: "Set 'ssl_supported_protocols' instead." },
  tls_max_version: { type: "any", obsolete: "Set 'ssl_supported_protocols' instead." },
  ssl_verify_mode: { type: "any", obsolete: "Set 'ssl_client_authentication' instead." },
};

function stringHash(hash: OptionHash): Record<string, string> {
  return Object.fromEntries(Object.entries(hash).map(([k, v]) => [k, String(v)]));
}

function settingsOf(options: ResolvedOptions, context: PluginContext): HttpSettings {
  if (options.boolean("ssl_enabled"))
    throw new Error(`ssl_enabled => true: ${ssl}; terminate TLS in front of Sluice for now`);
  const responseCode = options.number("response_code");
  if (!allowedResponseCodes.includes(responseCode))
    throw new Error(`response_code must be one of ${allowedResponseCodes.join(", ")}, got ${responseCode}`);
  const user = options.optionalString("user");
  const password = options.optionalString("password");
  const threads = options.number("threads");
  const pending = options.number("max_pending_requests");
  if (threads < 1) throw new Error(`threads must be at least 1, got ${threads}`);
  if (pending < 1) throw new Error(`max_pending_requests must be at least 1, got ${pending}`);
  const ecs = context.ecsCompatibility !== "disabled";
  return {
    host: options.string("host"),
    port: options.number("port"),
    authToken:
      user !== undefined && password !== undefined
        ? `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`
        : undefined,
    additionalCodecs: additionalCodecsOf(options.hash("additional_codecs"), ecs),
    responseHeaders: stringHash(options.hash("response_headers")),
    responseCode,
    remoteHostField: options.optionalString("remote_host_target_field") ?? (ecs ? "[host][ip]" : "host"),
    headersField:
      options.optionalString("request_headers_target_field") ??
      (ecs ? "[@metadata][input][http][request][headers]" : "headers"),
    requestsInFlightMax: threads + pending,
    bodyBytesMax: Math.min(options.number("max_content_length"), limits.httpInputBodyBytesMax),
    ecs,
  };
}

/** The input for resolved options; `blockedRejectMs` shortens the 429 threshold for tests. */
export function createHttpInput(
  options: ResolvedOptions,
  context: PluginContext,
  blockedRejectMs = blockedRequestRejectMs,
): HttpInput {
  const settings = settingsOf(options, context);
  const sslGiven = sslOptionNames.filter((name) => options.has(name));
  if (sslGiven.length > 0)
    context.logger.warn("SSL settings are not used when ssl_enabled is false", {
      id: context.id,
      settings: sslGiven,
    });
  if (options.has("user") !== options.has("password"))
    context.logger.warn("basic authentication needs both user and password; it is off", { id: context.id });
  return new HttpInput(settings, options.codec(), context, blockedRejectMs);
}

export const httpInput: InputSpec = {
  kind: "input",
  name: "http",
  doc:
    "Receives events over HTTP: each request body is decoded (JSON for application/json, else the codec) and " +
    "answered once the pipeline has accepted its events; 429 when too many requests wait.",
  defaultCodec: "plain",
  options: httpOptions,
  create: (options, context) => createHttpInput(options, context),
};
