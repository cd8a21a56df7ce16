// The http output: sends events to an HTTP(S) endpoint, one request per event (json, form, message) or per batch
// (json_batch), with Logstash's options for methods, headers, mapping, retries and the HTTP client (timeouts,
// pool, TLS, basic auth).

import { readFileSync } from "node:fs";
import type { SecureVersion } from "node:tls";
import type { Output, OutputSpec, PluginContext } from "../api.js";
import type { OptionSpecs, ResolvedOptions } from "../options.js";
import { type BodyFormat, defaultContentType } from "./http/body.js";
import { HttpClient, type HttpClientSettings } from "./http/client.js";
import { HttpOutput, type HttpOutputSettings } from "./http/output.js";

const clientOptions: OptionSpecs = {
  request_timeout: { type: "number", default: 60, doc: "Seconds a whole request may take." },
  socket_timeout: {
    type: "number",
    default: 10,
    doc: "Seconds a connection may stay silent during a request.",
  },
  connect_timeout: { type: "number", default: 10, doc: "Seconds to wait for a connection to open." },
  follow_redirects: { type: "boolean", default: true, doc: "Follow 3xx redirects." },
  pool_max: { type: "number", default: 50, doc: "Requests (and connections) in flight at once." },
  pool_max_per_route: { type: "number", default: 25, doc: "Connections to one host at once." },
  keepalive: { type: "boolean", default: true, doc: "Reuse connections between requests." },
  automatic_retries: {
    type: "number",
    default: 1,
    doc: "Immediate retries of a request that failed at the connection level.",
  },
  retry_non_idempotent: {
    type: "boolean",
    default: false,
    doc: "Let automatic_retries also repeat POST and PATCH requests.",
  },
  validate_after_inactivity: {
    type: "number",
    default: 200,
    doc: "Milliseconds idle before a pooled connection is checked (no effect in Sluice).",
  },
  ssl_enabled: { type: "boolean", default: true, doc: "Apply the ssl_* settings to https URLs." },
  ssl_certificate_authorities: {
    type: "path",
    list: true,
    doc: "One PEM file of CAs trusted for the server.",
  },
  ssl_certificate: { type: "path", doc: "Client certificate (PEM) for mutual TLS." },
  ssl_key: { type: "path", doc: "Key of `ssl_certificate` (PEM)." },
  ssl_keystore_path: { type: "path", doc: "Client keystore (not supported: refused)." },
  ssl_keystore_password: { type: "password", doc: "Password of `ssl_keystore_path`." },
  ssl_keystore_type: { type: ["pkcs12", "jks"], doc: "Format of `ssl_keystore_path`." },
  ssl_verification_mode: {
    type: ["full", "none"],
    default: "full",
    doc: "`full` checks the server's certificate and host name; `none` checks nothing.",
  },
  ssl_cipher_suites: { type: "string", list: true, doc: "Cipher suites allowed (ignored by Sluice)." },
  ssl_supported_protocols: {
    type: "array",
    default: [],
    doc: "TLS versions allowed: any of TLSv1.1, TLSv1.2, TLSv1.3 (empty: the TLS library's defaults).",
  },
  ssl_truststore_path: {
    type: "path",
    doc: "Truststore (not supported: refused; use ssl_certificate_authorities).",
  },
  ssl_truststore_password: { type: "password", doc: "Password of `ssl_truststore_path`." },
  ssl_truststore_type: { type: ["pkcs12", "jks"], doc: "Format of `ssl_truststore_path`." },
  cookies: { type: "boolean", default: true, doc: "Keep cookies between requests (not supported: ignored)." },
  proxy: { type: "any", doc: "HTTP proxy URL or hash (not supported: refused)." },
  user: { type: "string", doc: "User name for basic authentication." },
  password: { type: "password", doc: "Password for basic authentication." },
  cacert: { type: "any", obsolete: "Use `ssl_certificate_authorities` instead" },
  client_cert: { type: "any", obsolete: "Use `ssl_certificate` instead" },
  client_key: { type: "any", obsolete: "Use `ssl_key` instead" },
  keystore: { type: "any", obsolete: "Use `ssl_keystore_path` instead" },
  keystore_type: { type: "any", obsolete: "Use `ssl_keystore_type` instead" },
  truststore: { type: "any", obsolete: "Use `ssl_truststore_path` instead" },
  truststore_type: { type: "any", obsolete: "Use `ssl_truststore_type` instead" },
  keystore_password: { type: "password", obsolete: "Use `ssl_keystore_password` instead" },
  truststore_password: { type: "password", obsolete: "Use `ssl_truststore_password` instead" },
};

export function httpOutputSettings(options: ResolvedOptions, context: PluginContext): HttpOutputSettings {
  const format = options.string("format") as BodyFormat;
  const message = options.optionalString("message");
  const given = options.optionalString("content_type");
  if (format === "message") {
    if (message === undefined) throw new Error("message must be set if message format is used");
    if (given === undefined) throw new Error("content_type must be set if message format is used");
    if (options.has("mapping"))
      context.logger.warn("mapping is not supported and will be ignored if message format is used", {
        plugin: context.id,
      });
  }
  return {
    url: options.string("url"),
    method: options.string("http_method").toUpperCase(),
    format,
    message,
    mapping: options.has("mapping") && format !== "message" ? options.hash("mapping") : undefined,
    contentType: given ?? defaultContentType(format),
    headers: options.hash("headers"),
    fixedHeaders: basicAuth(options),
    retryFailed: options.boolean("retry_failed"),
    retryableCodes: options.array("retryable_codes").map(Number),
    ignorableCodes: options.array("ignorable_codes").map(Number),
    compression: options.boolean("http_compression"),
    poolMax: Math.max(1, options.number("pool_max")),
  };
}

function basicAuth(options: ResolvedOptions): Record<string, string> {
  const user = options.optionalString("user");
  if (user === undefined) return {};
  const password = options.optionalString("password");
  if (password === undefined) throw new Error(`User '${user}' specified without password!`);
  return { Authorization: `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}` };
}

export function httpClientSettings(options: ResolvedOptions, context: PluginContext): HttpClientSettings {
  if (options.has("proxy")) throw new Error("proxy is not supported by Sluice's http output yet");
  if (options.has("cookies") && options.boolean("cookies"))
    context.logger.warn("cookies are not kept between requests; the setting is ignored", {
      plugin: context.id,
    });
  const seconds = (name: string) => Math.max(0, options.number(name)) * 1000;
  return {
    connectTimeoutMs: seconds("connect_timeout"),
    socketTimeoutMs: seconds("socket_timeout"),
    requestTimeoutMs: seconds("request_timeout"),
    followRedirects: options.boolean("follow_redirects"),
    poolMax: Math.max(1, options.number("pool_max")),
    poolMaxPerRoute: Math.max(1, options.number("pool_max_per_route")),
    keepalive: options.boolean("keepalive"),
    automaticRetries: Math.max(0, options.number("automatic_retries")),
    retryNonIdempotent: options.boolean("retry_non_idempotent"),
    tls: tlsSettings(options, context),
  };
}

function tlsSettings(options: ResolvedOptions, context: PluginContext): HttpClientSettings["tls"] {
  if (!options.boolean("ssl_enabled")) {
    const ignored = Object.keys(clientOptions).filter(
      (n) => n.startsWith("ssl_") && n !== "ssl_enabled" && options.has(n),
    );
    if (ignored.length > 0)
      context.logger.warn("configured SSL settings are not used when `ssl_enabled` is false", {
        plugin: context.id,
        settings: ignored,
      });
    return { rejectUnauthorized: true };
  }
  for (const name of ["ssl_keystore_path", "ssl_truststore_path"])
    if (options.has(name))
      throw new Error(
        `${name} is not supported by Sluice's http output; use PEM files (ssl_certificate_authorities, ssl_certificate, ssl_key)`,
      );
  const authorities = options.stringArray("ssl_certificate_authorities");
  if (authorities.length > 1)
    throw new Error("Multiple values on `ssl_certificate_authorities` are not supported by this plugin");
  const certificate = options.optionalString("ssl_certificate");
  const key = options.optionalString("ssl_key");
  if ((certificate === undefined) !== (key === undefined))
    throw new Error("You must specify both `ssl_certificate` and `ssl_key` for an HTTP client, or neither!");
  if (options.has("ssl_cipher_suites"))
    context.logger.warn("ssl_cipher_suites is ignored; the TLS library's defaults apply", {
      plugin: context.id,
    });
  return {
    rejectUnauthorized: options.string("ssl_verification_mode") === "full",
    ...(authorities.length === 1 ? { ca: readFileSync(authorities[0]!) } : {}),
    ...(certificate !== undefined && key !== undefined
      ? { cert: readFileSync(certificate), key: readFileSync(key) }
      : {}),
    ...protocolRange(options.stringArray("ssl_supported_protocols")),
  };
}

const tlsVersions: readonly SecureVersion[] = ["TLSv1.1", "TLSv1.2", "TLSv1.3"];

/** Node takes a version range: the lowest and highest listed protocols. */
function protocolRange(listed: string[]): { minVersion?: SecureVersion; maxVersion?: SecureVersion } {
  if (listed.length === 0) return {};
  const unknown = listed.filter((p) => !tlsVersions.includes(p as SecureVersion));
  if (unknown.length > 0)
    throw new Error(`ssl_supported_protocols takes TLSv1.1, TLSv1.2, TLSv1.3; got ${unknown.join(", ")}`);
  const chosen = tlsVersions.filter((v) => listed.includes(v));
  return { minVersion: chosen[0], maxVersion: chosen[chosen.length - 1] };
}

function createHttpOutput(options: ResolvedOptions, context: PluginContext): Output {
  const settings = httpOutputSettings(options, context);
  return new HttpOutput(settings, new HttpClient(httpClientSettings(options, context)), context);
}

export const httpOutput: OutputSpec = {
  kind: "output",
  name: "http",
  doc:
    "Sends events to an HTTP or HTTPS endpoint: one request per event (format json, form or message) or one " +
    "JSON array per batch (json_batch), retrying on 429/5xx and connection failures.",
  defaultCodec: "plain",
  options: {
    url: {
      type: "string",
      required: true,
      doc: "Where to send; `%{field}` is interpolated per event (not for json_batch).",
    },
    http_method: {
      type: ["put", "post", "patch", "delete", "get", "head"],
      required: true,
      doc: "The HTTP method.",
    },
    headers: { type: "hash", default: {}, doc: "Extra headers; values are interpolated per event." },
    content_type: {
      type: "string",
      doc: "Content-Type; by default application/json (json, json_batch) or application/x-www-form-urlencoded (form).",
    },
    retry_failed: {
      type: "boolean",
      default: true,
      doc: "Retry requests that failed with a retryable code or a connection error.",
    },
    retryable_codes: {
      type: "number",
      list: true,
      default: [429, 500, 502, 503, 504],
      doc: "Response codes that are retried.",
    },
    ignorable_codes: { type: "number", list: true, doc: "Non-2xx response codes counted as success." },
    mapping: {
      type: "hash",
      doc: "The body's fields instead of the whole event; values are interpolated per event.",
    },
    format: {
      type: ["json", "json_batch", "form", "message"],
      default: "json",
      doc: "Body format: json (one event), json_batch (an array per batch), form (url-encoded), message (`message`).",
    },
    http_compression: {
      type: "boolean",
      default: false,
      doc: "Gzip request bodies (Content-Encoding: gzip).",
    },
    message: { type: "string", doc: "The body for format => message; `%{field}` is interpolated." },
    ...clientOptions,
  },
  create: createHttpOutput,
};
