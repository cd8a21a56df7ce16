// The http filter: calls a URL per event (sprintf'd url, headers, query and body) and stores the response
// headers and body (parsed when the response is JSON) in the event; failures tag _httprequestfailure.

import { type Event, ecsEnabled, type FieldValue } from "../../event/index.js";
import type { Filter, FilterSpec, PluginContext } from "../api.js";
import type { OptionValue, ResolvedOptions } from "../options.js";
import { userPasswordAuthorization } from "../support/http-auth.js";
import { httpClientMixinOptions, httpClientMixinSettings } from "../support/http-options.js";
import {
  pemTlsSettings,
  refuseJavaStores,
  requireCertificateWithKey,
  type TlsSettings,
} from "../support/http-tls.js";
import { RequestClient, type RequestSettings } from "../support/request-client.js";

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
    ...httpClientMixinOptions,
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
    this.auth = userPasswordAuthorization(options);
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

function clientSettings(options: ResolvedOptions, context: PluginContext): RequestSettings {
  if (options.has("proxy")) throw new Error("proxy is not supported by Sluice's http filter yet");
  for (const ignored of ["cookies", "validate_after_inactivity", "ssl_cipher_suites"])
    if (options.has(ignored))
      context.logger.warn(`the \`${ignored}\` setting is ignored`, { plugin: context.id });
  return httpClientMixinSettings(options, tlsSettings(options), (seconds) => Math.max(1, seconds * 1000));
}

function tlsSettings(options: ResolvedOptions): TlsSettings {
  if (!options.boolean("ssl_enabled")) return { rejectUnauthorized: true };
  refuseJavaStores(
    options,
    "is not supported; use PEM files (ssl_certificate_authorities, ssl_certificate, ssl_key)",
  );
  requireCertificateWithKey(
    options,
    "You must specify both `ssl_certificate` and `ssl_key` for an HTTP client, or neither!",
  );
  return pemTlsSettings(options);
}
