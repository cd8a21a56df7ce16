// The http filter: calls a URL per event (sprintf'd url, headers, query and body) and stores the response
// headers and body (parsed when the response is JSON) in the event; failures tag _httprequestfailure.

import { readFileSync } from "node:fs";
import type { SecureVersion } from "node:tls";
import { type Event, ecsEnabled, type FieldValue } from "../../event/index.js";
import type { Filter, FilterSpec, PluginContext } from "../api.js";
import type { OptionSpecs, OptionValue, ResolvedOptions } from "../options.js";
import { RequestClient, type RequestSettings } from "./http/request.js";

const clientOptions: OptionSpecs = {
  request_timeout: { type: "number", default: 60, doc: "Seconds a whole request may take." },
  socket_timeout: {
    type: "number",
    default: 10,
    doc: "Seconds a connection may stay silent during a request.",
  },
  connect_timeout: { type: "number", default: 10, doc: "Seconds to wait for a connection to open." },
  follow_redirects: { type: "boolean", default: true, doc: "Follow 3xx redirects." },
  pool_max: { type: "number", default: 50, doc: "Connections open at once." },
  pool_max_per_route: { type: "number", default: 25, doc: "Connections to one host at once." },
  keepalive: { type: "boolean", default: true, doc: "Reuse connections between requests." },
  automatic_retries: {
    type: "number",
    default: 1,
    doc: "Retries of a request that failed at the connection level.",
  },
  retry_non_idempotent: {
    type: "boolean",
    default: false,
    doc: "Let automatic_retries also repeat POST and PATCH.",
  },
  validate_after_inactivity: {
    type: "number",
    default: 200,
    doc: "Milliseconds before an idle connection is re-checked (ignored).",
  },
  ssl_enabled: { type: "boolean", default: true, doc: "Apply the ssl_* settings to https URLs." },
  ssl_certificate_authorities: {
    type: "path",
    list: true,
    doc: "CA certificate (PEM) trusted for https URLs.",
  },
  ssl_certificate: { type: "path", doc: "Client certificate (PEM) for mutual TLS." },
  ssl_key: { type: "path", doc: "Key of `ssl_certificate` (PEM)." },
  ssl_keystore_path: { type: "path", doc: "Client keystore (not supported: refused)." },
  ssl_keystore_password: { type: "password", doc: "Password of `ssl_keystore_path`." },
  ssl_keystore_type: { type: ["pkcs12", "jks"], doc: "Format of `ssl_keystore_path`." },
  ssl_truststore_path: {
    type: "path",
    doc: "Truststore (not supported: refused; use ssl_certificate_authorities).",
  },
  ssl_truststore_password: { type: "password", doc: "Password of `ssl_truststore_path`." },
  ssl_truststore_type: { type: ["pkcs12", "jks"], doc: "Format of `ssl_truststore_path`." },
  ssl_verification_mode: {
    type: ["full", "none"],
    default: "full",
    doc: "Verify the server certificate (full) or not.",
  },
  ssl_supported_protocols: {
    type: "string",
    list: true,
    doc: "TLS versions allowed: TLSv1.1, TLSv1.2, TLSv1.3.",
  },
  ssl_cipher_suites: { type: "string", list: true, doc: "Cipher suites allowed (ignored)." },
  cookies: { type: "boolean", default: true, doc: "Keep cookies between requests (ignored: never kept)." },
  proxy: { type: "any", doc: "HTTP proxy (not supported: refused)." },
  user: { type: "string", doc: "User name for basic authentication." },
  password: { type: "password", doc: "Password for basic authentication." },
  cacert: { type: "any", obsolete: "Use `ssl_certificate_authorities` instead" },
  client_cert: { type: "any", obsolete: "Use `ssl_certificate` instead" },
  client_key: { type: "any", obsolete: "Use `ssl_key` instead" },
  keystore: { type: "any", obsolete: "Use `ssl_keystore_path` instead" },
  keystore_type: { type: "any", obsolete: "Use `ssl_keystore_type` instead" },
  keystore_password: { type: "any", obsolete: "Use `ssl_keystore_password` instead" },
  truststore: { type: "any", obsolete: "Use `ssl_truststore_path` instead" },
  truststore_type: { type: "any", obsolete: "Use `ssl_truststore_type` instead" },
  truststore_password: { type: "any", obsolete: "Use `ssl_truststore_password` instead" },
};

export const httpFilter: FilterSpec = {
  kind: "filter",
  name: "http",
  doc: "Calls an HTTP endpoint for each event and stores the response headers and body in the event.",
  options: {
    url: { type: "string", required: true, doc: "The URL to call (sprintf)." },
    verb: {
      type: ["GET", "HEAD", "PATCH", "DELETE", "POST", "PUT"],
      default: "GET",
      doc: "The HTTP method.",
    },
    headers: { type: "hash", default: {}, doc: "Request headers (values sprintf'd)." },
    query: { type: "hash", default: {}, doc: "Query parameters (sprintf'd)." },
    body: { type: "any", doc: "The request body: text, or a hash/array sent as JSON with body_format json." },
    body_format: {
      type: ["text", "json"],
      default: "text",
      doc: "How the body is sent and its default content-type.",
    },
    target_body: {
      type: "field_reference",
      doc: "Where the response body goes; `[body]` with ECS off, required with ECS on.",
    },
    target_headers: {
      type: "field_reference",
      doc: "Where the response headers go; `[headers]` or `[@metadata][filter][http][response][headers]`.",
    },
    tag_on_request_failure: {
      type: "array",
      default: ["_httprequestfailure"],
      doc: "Tags for a failed request or non-2xx status.",
    },
    tag_on_json_failure: {
      type: "array",
      default: ["_jsonparsefailure"],
      doc: "Tags for a JSON response that does not parse.",
    },
    ...clientOptions,
  },
  create: (options, context) => new HttpFilter(options, context),
};

class HttpFilter implements Filter {
  private readonly url: string;
  private readonly verb: string;
  private readonly headers: Record<string, OptionValue>;
  private readonly query: Record<string, OptionValue>;
  private readonly body: OptionValue | undefined;
  private readonly json: boolean;
  private readonly targetBody: string;
  private readonly targetHeaders: string;
  private readonly requestFailureTags: string[];
  private readonly jsonFailureTags: string[];
  private readonly auth: string | undefined;
  private readonly client: RequestClient;

  constructor(
    options: ResolvedOptions,
    private readonly context: PluginContext,
  ) {
    const ecs = ecsEnabled(context.ecsCompatibility);
    const targetBody = options.optionalString("target_body") ?? (ecs ? undefined : "[body]");
    if (targetBody === undefined)
      throw new Error(
        `Missing a required setting for the http filter plugin: target_body (in ecs_compatibility mode ${context.ecsCompatibility})`,
      );
    this.targetBody = targetBody;
    this.targetHeaders =
      options.optionalString("target_headers") ??
      (ecs ? "[@metadata][filter][http][response][headers]" : "[headers]");
    this.url = options.string("url");
    this.verb = options.string("verb");
    this.headers = options.hash("headers");
    this.query = options.hash("query");
    this.body = options.raw("body");
    this.json = options.string("body_format") === "json";
    this.requestFailureTags = options.stringArray("tag_on_request_failure");
    this.jsonFailureTags = options.stringArray("tag_on_json_failure");
    this.auth = basicAuth(options);
    this.client = new RequestClient(clientSettings(options, context));
  }

  async filter(event: Event): Promise<boolean> {
    const url = event.sprintf(this.url);
    const headers = sprintfObject(event, this.headers) as Record<string, string>;
    if (!("content-type" in headers) && !("Content-Type" in headers))
      headers["content-type"] = this.json ? "application/json" : "text/plain";
    if (this.auth !== undefined) headers.authorization = this.auth;
    let body = this.body === undefined ? undefined : sprintfObject(event, this.body);
    if (body !== undefined && typeof body !== "string") body = JSON.stringify(body);
    const target = withQuery(url, sprintfObject(event, this.query) as Record<string, OptionValue>);
    let response: Awaited<ReturnType<RequestClient["request"]>>;
    try {
      response = await this.client.request(this.verb, target, headers, body as string | undefined);
    } catch (err) {
      return this.fail(event, { url, client_error: (err as Error).message });
    }
    if (response.status < 200 || response.status > 299)
      return this.fail(event, { url, code: response.status, response: response.body });
    this.store(event, response.headers, response.body);
    return true;
  }

  close(): void {
    this.client.close();
  }

  private store(event: Event, headers: Record<string, unknown>, body: string | undefined): void {
    event.set(this.targetHeaders, headers);
    if (this.verb === "HEAD" || body === undefined) return;
    if (!isJson(headers["content-type"])) {
      event.set(this.targetBody, body.trim());
      return;
    }
    try {
      event.set(this.targetBody, JSON.parse(body));
    } catch (err) {
      this.context.logger.warn("JSON parsing error", {
        plugin: this.context.id,
        message: (err as Error).message,
      });
      for (const tag of this.jsonFailureTags) event.tag(tag);
      this.context.countFailure("http_json_parse_failure");
    }
  }

  private fail(event: Event, fields: Record<string, unknown>): false {
    this.context.logger.error("error during HTTP request", { plugin: this.context.id, ...fields });
    for (const tag of this.requestFailureTags) event.tag(tag);
    this.context.countFailure("http_request_failure");
    return false;
  }
}

/** Strings anywhere in a hash/array go through sprintf, keys included. */
function sprintfObject(event: Event, value: OptionValue): OptionValue {
  if (typeof value === "string") return event.sprintf(value);
  if (Array.isArray(value)) return value.map((item) => sprintfObject(event, item));
  if (typeof value === "object" && value !== null) {
    const out: Record<string, OptionValue> = {};
    for (const [key, item] of Object.entries(value)) out[event.sprintf(key)] = sprintfObject(event, item);
    return out;
  }
  return value;
}

function withQuery(url: string, query: Record<string, OptionValue>): string {
  const entries = Object.entries(query);
  if (entries.length === 0) return url;
  const parsed = new URL(url);
  for (const [key, value] of entries)
    for (const item of Array.isArray(value) ? value : [value])
      parsed.searchParams.append(key, typeof item === "object" ? JSON.stringify(item) : String(item));
  return parsed.toString();
}

function isJson(contentType: unknown): boolean {
  const parts = Array.isArray(contentType)
    ? contentType
    : typeof contentType === "string"
      ? contentType.split(";")
      : [];
  return parts.some((part: FieldValue) => String(part).trim() === "application/json");
}

function basicAuth(options: ResolvedOptions): string | undefined {
  const user = options.optionalString("user");
  if (user === undefined) return undefined;
  const password = options.optionalString("password");
  if (password === undefined) throw new Error(`User '${user}' specified without password!`);
  return `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
}

function clientSettings(options: ResolvedOptions, context: PluginContext): RequestSettings {
  if (options.has("proxy")) throw new Error("proxy is not supported by Sluice's http filter yet");
  for (const ignored of ["cookies", "validate_after_inactivity", "ssl_cipher_suites"])
    if (options.has(ignored))
      context.logger.warn(`the \`${ignored}\` setting is ignored`, { plugin: context.id });
  const ms = (name: string) => Math.max(1, options.number(name) * 1000);
  return {
    connectTimeoutMs: ms("connect_timeout"),
    socketTimeoutMs: ms("socket_timeout"),
    requestTimeoutMs: ms("request_timeout"),
    followRedirects: options.boolean("follow_redirects"),
    automaticRetries: Math.max(0, options.number("automatic_retries")),
    retryNonIdempotent: options.boolean("retry_non_idempotent"),
    keepalive: options.boolean("keepalive"),
    poolMax: Math.max(1, options.number("pool_max")),
    poolMaxPerRoute: Math.max(1, options.number("pool_max_per_route")),
    tls: tlsSettings(options),
  };
}

const tlsVersions: readonly SecureVersion[] = ["TLSv1.1", "TLSv1.2", "TLSv1.3"];

function tlsSettings(options: ResolvedOptions): RequestSettings["tls"] {
  if (!options.boolean("ssl_enabled")) return { rejectUnauthorized: true };
  for (const name of ["ssl_keystore_path", "ssl_truststore_path"])
    if (options.has(name))
      throw new Error(
        `${name} is not supported; use PEM files (ssl_certificate_authorities, ssl_certificate, ssl_key)`,
      );
  const authorities = options.stringArray("ssl_certificate_authorities");
  const certificate = options.optionalString("ssl_certificate");
  const key = options.optionalString("ssl_key");
  if ((certificate === undefined) !== (key === undefined))
    throw new Error("You must specify both `ssl_certificate` and `ssl_key` for an HTTP client, or neither!");
  const protocols = options.stringArray("ssl_supported_protocols");
  const unknown = protocols.filter((p) => !tlsVersions.includes(p as SecureVersion));
  if (unknown.length > 0)
    throw new Error(`ssl_supported_protocols takes TLSv1.1, TLSv1.2, TLSv1.3; got ${unknown.join(", ")}`);
  const chosen = tlsVersions.filter((v) => protocols.includes(v));
  return {
    rejectUnauthorized: options.string("ssl_verification_mode") === "full",
    ...(authorities.length > 0 ? { ca: authorities.map((path) => readFileSync(path)) } : {}),
    ...(certificate !== undefined && key !== undefined
      ? { cert: readFileSync(certificate), key: readFileSync(key) }
      : {}),
    ...(chosen.length > 0 ? { minVersion: chosen[0], maxVersion: chosen[chosen.length - 1] } : {}),
  };
}
