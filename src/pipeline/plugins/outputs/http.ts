// The http output: sends events to an HTTP(S) endpoint, one request per event (json, form, message) or per batch
// (json_batch), with Logstash's options for methods, headers, mapping, retries and the HTTP client (timeouts,
// pool, TLS, basic auth).

import type { Output, OutputSpec, PluginContext } from "../api.js";
import type { OptionSpecs, ResolvedOptions } from "../options.js";
import { userPasswordAuthorization } from "../support/http-auth.js";
import { httpClientMixinOptions, httpClientMixinSettings, withDocs } from "../support/http-options.js";
import {
  pemTlsSettings,
  refuseJavaStores,
  requireCertificateWithKey,
  type TlsSettings,
} from "../support/http-tls.js";
import { type BodyFormat, defaultContentType } from "./http/body.js";
import { HttpClient, type HttpClientSettings } from "./http/client.js";
import { HttpOutput, type HttpOutputSettings } from "./http/output.js";

const clientOptions: OptionSpecs = {
  ...withDocs(httpClientMixinOptions, {
    pool_max: "Requests (and connections) in flight at once.",
    automatic_retries: "Immediate retries of a request that failed at the connection level.",
    retry_non_idempotent: "Let automatic_retries also repeat POST and PATCH requests.",
    validate_after_inactivity:
      "Milliseconds idle before a pooled connection is checked (no effect in Sluice).",
    ssl_certificate_authorities: "One PEM file of CAs trusted for the server.",
    ssl_verification_mode: "`full` checks the server's certificate and host name; `none` checks nothing.",
    ssl_cipher_suites: "Cipher suites allowed (ignored by Sluice).",
    cookies: "Keep cookies between requests (not supported: ignored).",
    proxy: "HTTP proxy URL or hash (not supported: refused).",
  }),
  ssl_supported_protocols: {
    type: "array",
    default: [],
    doc: "TLS versions allowed: any of TLSv1.1, TLSv1.2, TLSv1.3 (empty: the TLS library's defaults).",
  },
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
  const authorization = userPasswordAuthorization(options);
  return authorization === undefined ? {} : { Authorization: authorization };
}

export function httpClientSettings(options: ResolvedOptions, context: PluginContext): HttpClientSettings {
  if (options.has("proxy")) throw new Error("proxy is not supported by Sluice's http output yet");
  if (options.has("cookies") && options.boolean("cookies"))
    context.logger.warn("cookies are not kept between requests; the setting is ignored", {
      plugin: context.id,
    });
  return httpClientMixinSettings(
    options,
    tlsSettings(options, context),
    (seconds) => Math.max(0, seconds) * 1000,
  );
}

function tlsSettings(options: ResolvedOptions, context: PluginContext): TlsSettings {
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
  refuseJavaStores(
    options,
    "is not supported by Sluice's http output; use PEM files (ssl_certificate_authorities, ssl_certificate, ssl_key)",
  );
  if (options.stringArray("ssl_certificate_authorities").length > 1)
    throw new Error("Multiple values on `ssl_certificate_authorities` are not supported by this plugin");
  requireCertificateWithKey(
    options,
    "You must specify both `ssl_certificate` and `ssl_key` for an HTTP client, or neither!",
  );
  if (options.has("ssl_cipher_suites"))
    context.logger.warn("ssl_cipher_suites is ignored; the TLS library's defaults apply", {
      plugin: context.id,
    });
  return pemTlsSettings(options);
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
