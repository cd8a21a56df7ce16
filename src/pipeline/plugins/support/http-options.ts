// Option specs that HTTP-client plugins declare alike: the `ssl_*` client settings and the options of Logstash's
// http_client mixin (timeouts, pool, retries, TLS, basic auth), which a plugin spreads and overrides docs of; and
// the mixin's options read into RequestSettings.

import { assert } from "../../../common/assert.js";
import type { OptionSpec, OptionSpecs, ResolvedOptions } from "../options.js";
import type { TlsSettings } from "./http-tls.js";
import type { RequestSettings } from "./request-client.js";

/** Logstash's `ssl_*` settings of an HTTP client plugin (the elasticsearch filter's set); `ssl_enabled` is the plugin's. */
export const sslClientOptions: OptionSpecs = {
  ssl_certificate_authorities: {
    type: "path",
    list: true,
    doc: "CA certificates (PEM) trusted for https hosts.",
  },
  ssl_certificate: { type: "path", doc: "Client certificate (PEM) for mutual TLS." },
  ssl_key: { type: "path", doc: "Key of `ssl_certificate` (PEM)." },
  ssl_keystore_path: { type: "path", doc: "Client keystore: PKCS#12 is supported, JKS is refused." },
  ssl_keystore_password: { type: "password", doc: "Password of `ssl_keystore_path`." },
  ssl_keystore_type: {
    type: ["pkcs12", "jks"],
    doc: "Format of `ssl_keystore_path` (from its extension when not set).",
  },
  ssl_truststore_path: {
    type: "path",
    doc: "Truststore (not supported: refused; use ssl_certificate_authorities).",
  },
  ssl_truststore_password: { type: "password", doc: "Password of `ssl_truststore_path`." },
  ssl_truststore_type: { type: ["pkcs12", "jks"], doc: "Format of `ssl_truststore_path`." },
  ssl_verification_mode: {
    type: ["full", "none"],
    default: "full",
    doc: "Verify the server certificate and host name (full) or nothing (none).",
  },
  ssl_supported_protocols: {
    type: ["TLSv1.1", "TLSv1.2", "TLSv1.3"],
    list: true,
    default: [],
    doc: "TLS versions allowed (Node's defaults when empty).",
  },
  ssl_cipher_suites: { type: "string", list: true, doc: "Cipher suites allowed, in OpenSSL names." },
};

/** The keystore is refused by plugins that only take PEM files. */
export const pemOnlyKeystoreOptions: OptionSpecs = {
  ssl_keystore_path: { type: "path", doc: "Client keystore (not supported: refused)." },
  ssl_keystore_type: { type: ["pkcs12", "jks"], doc: "Format of `ssl_keystore_path`." },
};

/** Logstash's http_client mixin (logstash-mixin-http_client), with the http filter's docs. */
export const httpClientMixinOptions: OptionSpecs = {
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
  ...sslClientOptions,
  ...pemOnlyKeystoreOptions,
  ssl_certificate_authorities: {
    type: "path",
    list: true,
    doc: "CA certificate (PEM) trusted for https URLs.",
  },
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

/** The mixin's connection options as RequestSettings; `toMs` turns the plugin's seconds into milliseconds. */
export function httpClientMixinSettings(
  options: ResolvedOptions,
  tls: TlsSettings,
  toMs: (seconds: number) => number,
): RequestSettings {
  return {
    connectTimeoutMs: toMs(options.number("connect_timeout")),
    socketTimeoutMs: toMs(options.number("socket_timeout")),
    requestTimeoutMs: toMs(options.number("request_timeout")),
    followRedirects: options.boolean("follow_redirects"),
    automaticRetries: Math.max(0, options.number("automatic_retries")),
    retryNonIdempotent: options.boolean("retry_non_idempotent"),
    keepalive: options.boolean("keepalive"),
    poolMax: Math.max(1, options.number("pool_max")),
    poolMaxPerRoute: Math.max(1, options.number("pool_max_per_route")),
    tls,
  };
}

/** `specs` with some options' docs replaced, for a plugin that words a shared option its own way. */
export function withDocs(specs: OptionSpecs, docs: Readonly<Record<string, string>>): OptionSpecs {
  const out: Record<string, OptionSpec> = { ...specs };
  for (const [name, doc] of Object.entries(docs)) {
    const spec = out[name];
    assert(spec !== undefined, `withDocs: no option ${name}`);
    out[name] = { ...spec, doc };
  }
  return out;
}
