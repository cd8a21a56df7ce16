// Pieces HTTP-client plugins share: Logstash's ssl_* client option specs turned into Node TLS settings,
// Authorization headers (basic, ApiKey), and one JSON request with a timeout on the http filter's RequestClient.

import { readFileSync } from "node:fs";
import type { OutgoingHttpHeaders } from "node:http";
import type { SecureContextOptions, SecureVersion } from "node:tls";
import type { FullResponse, RequestClient, RequestSettings } from "../filters/http/request.js";
import type { OptionSpecs, ResolvedOptions } from "../options.js";

export {
  ConnectionFailure,
  type FullResponse,
  RequestClient,
  type RequestSettings,
} from "../filters/http/request.js";

export type TlsSettings = SecureContextOptions & { rejectUnauthorized: boolean };

/** Logstash's `ssl_*` settings of an HTTP client plugin (the elasticsearch filter's set); `ssl_enabled` is the plugin's. */
export const sslClientOptions: OptionSpecs = {
  ssl_certificate_authorities: {
    type: "path",
    list: true,
    doc: "CA certificates (PEM) trusted for https hosts.",
  },
  ssl_certificate: { type: "path", doc: "Client certificate (PEM) for mutual TLS." },
  ssl_key: { type: "path", doc: "Key of `ssl_certificate` (PEM)." },
  ssl_cipher_suites: { type: "string", list: true, doc: "Cipher suites allowed, in OpenSSL names." },
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
};

const tlsVersions: readonly SecureVersion[] = ["TLSv1.1", "TLSv1.2", "TLSv1.3"];

/** Node TLS settings from `sslClientOptions`; throws for combinations Logstash refuses at register. */
export function tlsSettings(options: ResolvedOptions, enabled: boolean): TlsSettings {
  if (!enabled) return { rejectUnauthorized: true };
  const authorities = options.stringArray("ssl_certificate_authorities");
  const certificate = options.optionalString("ssl_certificate");
  const key = options.optionalString("ssl_key");
  const keystore = options.optionalString("ssl_keystore_path");
  if (options.has("ssl_truststore_path"))
    throw new Error(
      "ssl_truststore_path is not supported; give the CA as PEM in ssl_certificate_authorities",
    );
  if (certificate !== undefined && keystore !== undefined)
    throw new Error(
      'Use either "ssl_certificate" or "ssl_keystore_path/keystore" when configuring client certificates',
    );
  if (certificate !== undefined && key === undefined)
    throw new Error('Using an "ssl_certificate" requires an "ssl_key"');
  if (certificate === undefined && key !== undefined)
    throw new Error('An "ssl_certificate" is required when using an "ssl_key"');
  const protocols = options.stringArray("ssl_supported_protocols");
  const chosen = tlsVersions.filter((v) => protocols.includes(v));
  const ciphers = options.stringArray("ssl_cipher_suites");
  return {
    rejectUnauthorized: options.string("ssl_verification_mode") === "full",
    ...(authorities.length > 0 ? { ca: authorities.map((path) => readFileSync(path)) } : {}),
    ...(certificate !== undefined && key !== undefined
      ? { cert: readFileSync(certificate), key: readFileSync(key) }
      : {}),
    ...(keystore !== undefined ? keystoreSettings(options, keystore) : {}),
    ...(chosen.length > 0 ? { minVersion: chosen[0], maxVersion: chosen[chosen.length - 1] } : {}),
    ...(ciphers.length > 0 ? { ciphers: ciphers.join(":") } : {}),
  };
}

function keystoreSettings(options: ResolvedOptions, path: string): SecureContextOptions {
  const type = options.optionalString("ssl_keystore_type") ?? (/\.jks$/i.test(path) ? "jks" : "pkcs12");
  if (type === "jks")
    throw new Error("JKS keystores are not supported; use a PKCS#12 (.p12) keystore or PEM files");
  const passphrase = options.optionalString("ssl_keystore_password");
  return { pfx: readFileSync(path), ...(passphrase !== undefined ? { passphrase } : {}) };
}

export function basicAuthorization(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
}

/** Elasticsearch's `ApiKey` header: an "id:key" pair is base64-encoded, an already encoded key is sent as is. */
export function apiKeyAuthorization(apiKey: string): string {
  const encoded = isBase64(apiKey) ? apiKey : Buffer.from(apiKey).toString("base64");
  return `ApiKey ${encoded}`;
}

function isBase64(text: string): boolean {
  return (
    /^[A-Za-z0-9+/]+={0,2}$/.test(text) &&
    text.length % 4 === 0 &&
    Buffer.from(text, "base64").toString("base64") === text
  );
}

/** One request whose body is JSON when given as an object; the answer's body is parsed when it is JSON. */
export async function requestJson(
  client: RequestClient,
  method: string,
  url: string,
  headers: OutgoingHttpHeaders,
  body?: unknown,
): Promise<{ status: number; json: unknown; response: FullResponse }> {
  const text = body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body);
  const response = await client.request(
    method,
    url,
    text === undefined ? headers : { "content-type": "application/json", ...headers },
    text,
  );
  let json: unknown;
  if (response.body !== undefined && response.body.trim() !== "") {
    try {
      json = JSON.parse(response.body);
    } catch {
      json = undefined;
    }
  }
  return { status: response.status, json, response };
}

/** Settings for `RequestClient` with Manticore's defaults (the HTTP client of Logstash's Elasticsearch plugins). */
export function clientSettings(tls: TlsSettings, overrides: Partial<RequestSettings> = {}): RequestSettings {
  return {
    connectTimeoutMs: 10_000,
    socketTimeoutMs: 10_000,
    requestTimeoutMs: 60_000,
    followRedirects: true,
    automaticRetries: 0,
    retryNonIdempotent: false,
    keepalive: true,
    poolMax: 1000,
    poolMaxPerRoute: 100,
    tls,
    ...overrides,
  };
}
