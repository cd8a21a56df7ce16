// The elasticsearch filter: one `_search` per event (a sprintf'd query string, or a sprintf'd JSON DSL template)
// and copies from the hits' _source, their _id/_index and the aggregations into the event; errors tag the event.

import { readFileSync, statSync } from "node:fs";
import type { OutgoingHttpHeaders } from "node:http";
import { limits } from "../../../common/limits.js";
import type { Event } from "../../event/index.js";
import type { Filter, FilterSpec, PluginContext } from "../api.js";
import type { OptionValue, ResolvedOptions } from "../options.js";
import { apiKeyAuthorization, basicAuthorization } from "../support/http-auth.js";
import { clientSettings, requestJson } from "../support/http-client.js";
import { sslClientOptions } from "../support/http-options.js";
import { tlsSettings } from "../support/http-tls.js";
import { ConnectionFailure, RequestClient } from "../support/request-client.js";

export const elasticsearchFilter: FilterSpec = {
  kind: "filter",
  name: "elasticsearch",
  doc: "Searches Elasticsearch (or Sluice's store) for each event and copies fields of the hits into the event.",
  options: {
    hosts: {
      type: "array",
      default: ["localhost:9200"],
      doc: 'Hosts to query: "host:port" or URLs; used in turn.',
    },
    index: {
      type: "string",
      default: "",
      doc: "Indices to search, comma-separated (sprintf); empty for all.",
    },
    query_type: { type: ["esql", "dsl"], default: "dsl", doc: "dsl (supported) or esql (refused)." },
    query: { type: "string", doc: "A Lucene query string (sprintf), sent as `q`." },
    query_template: {
      type: "string",
      doc: "Path of a JSON query DSL file; its text is sprintf'd per event.",
    },
    sort: { type: "string", default: "@timestamp:desc", doc: 'Sort of a `query` search: "field:dir,...".' },
    fields: {
      type: "array",
      default: [],
      doc: "Fields of the hits' _source to copy: { src => dst } or [[src, dst]].",
    },
    custom_headers: { type: "hash", default: {}, doc: "Headers sent with every request." },
    docinfo_fields: { type: "hash", default: {}, doc: "Hit metadata (_id, _index, ...) => event field." },
    aggregation_fields: { type: "hash", default: {}, doc: "Aggregation name => event field." },
    user: { type: "string", doc: "User for basic authentication." },
    password: { type: "password", doc: "Password for basic authentication." },
    cloud_id: { type: "string", doc: "Elastic Cloud id (not supported: refused)." },
    cloud_auth: { type: "password", doc: "Elastic Cloud user:password (not supported: refused)." },
    api_key: { type: "password", doc: 'API key as "id:key" (or its base64); needs TLS.' },
    proxy: { type: "any", doc: "Forward HTTP proxy (not supported: refused unless empty)." },
    ssl_enabled: { type: "boolean", doc: "Use TLS; by default when every host is an https URL." },
    ...sslClientOptions,
    enable_sort: { type: "boolean", default: true, doc: "Send `sort` with a `query` search." },
    result_size: {
      type: "number",
      default: 1,
      doc: "Hits fetched by a `query` search; several make arrays.",
    },
    tag_on_failure: {
      type: "array",
      default: ["_elasticsearch_lookup_failure"],
      doc: "Tags added when the search fails.",
    },
    target: { type: "field_reference", doc: "Field under which the copied values are nested." },
    retry_on_failure: {
      type: "number",
      default: 0,
      doc: "Retries of a search that failed (connection or status).",
    },
    retry_on_status: {
      type: "number",
      list: true,
      default: [500, 502, 503, 504],
      doc: "HTTP statuses retried.",
    },
    query_params: { type: "array", default: [], doc: "ES|QL placeholders (ES|QL is not supported)." },
    ca_trusted_fingerprint: {
      type: "string",
      doc: "SHA-256 of a trusted CA certificate (not supported: ignored with a warning).",
    },
    ssl: { type: "any", obsolete: "Set 'ssl_enabled' instead." },
    ca_file: { type: "any", obsolete: "Set 'ssl_certificate_authorities' instead." },
    keystore: { type: "any", obsolete: "Set 'ssl_keystore_path' instead." },
    keystore_password: { type: "any", obsolete: "Set 'ssl_keystore_password' instead." },
  },
  create: (options, context) => new ElasticsearchFilter(options, context),
};

type Json = { [key: string]: unknown };

/** A search that answered but failed (an error status, shard failures). */
class SearchError extends Error {}

export class ElasticsearchFilter implements Filter {
  private readonly hosts: URL[];
  private readonly index: string;
  private readonly query: string | undefined;
  private readonly template: string | undefined;
  private readonly sort: string | undefined;
  private readonly resultSize: number;
  private readonly fields: Array<[string, string]>;
  private readonly docinfoFields: Array<[string, string]>;
  private readonly aggregationFields: Array<[string, string]>;
  private readonly tags: string[];
  private readonly target: string | undefined;
  private readonly retries: number;
  private readonly retryStatuses: Set<number>;
  private readonly headers: OutgoingHttpHeaders;
  private readonly client: RequestClient;
  private nextHost = 0;

  constructor(
    options: ResolvedOptions,
    private readonly context: PluginContext,
  ) {
    refuseUnsupported(options, context);
    const query = options.optionalString("query");
    const templatePath = options.optionalString("query_template");
    if (query === undefined && templatePath === undefined)
      throw new Error(
        "Both `query` and `query_template` are empty. Require either `query` or `query_template`.",
      );
    if (query !== undefined && templatePath !== undefined)
      throw new Error("Both `query` and `query_template` are set. Use either `query` or `query_template`.");
    this.query = query;
    this.template = templatePath === undefined ? undefined : readTemplate(templatePath);
    this.index = options.string("index");
    this.sort = options.boolean("enable_sort") ? options.string("sort") : undefined;
    this.resultSize = options.number("result_size");
    this.fields = fieldPairs(options.array("fields"));
    this.docinfoFields = stringPairs(options.hash("docinfo_fields"), "docinfo_fields");
    this.aggregationFields = stringPairs(options.hash("aggregation_fields"), "aggregation_fields");
    this.tags = options.stringArray("tag_on_failure");
    this.target = options.optionalString("target");
    this.retries = Math.max(0, options.number("retry_on_failure"));
    this.retryStatuses = new Set(options.array("retry_on_status").map(Number));
    const hostSpecs = options.stringArray("hosts");
    if (hostSpecs.length === 0) throw new Error("hosts cannot be empty");
    const ssl = options.has("ssl_enabled")
      ? options.boolean("ssl_enabled")
      : hostSpecs.every((h) => h.startsWith("https"));
    this.hosts = hostSpecs.map((spec) => hostUrl(spec, ssl));
    this.headers = requestHeaders(options, ssl);
    if (ssl && options.string("ssl_verification_mode") === "none")
      context.logger.warn(
        "You have enabled encryption but DISABLED certificate verification, to make sure your data is secure set `ssl_verification_mode => full`",
        { plugin: context.id },
      );
    this.client = new RequestClient(
      clientSettings(tlsSettings(options, ssl), {
        requestTimeoutMs: limits.elasticsearchFilterRequestMillisMax,
      }),
    );
  }

  /** Logstash asks the cluster for its info at register and refuses to start when that fails. */
  async register(): Promise<void> {
    try {
      const { status } = await this.send("GET", "/", undefined);
      if (status < 200 || status > 299) throw new Error(`GET / answered ${status}`);
    } catch (err) {
      this.client.close();
      throw new Error(
        `Could not connect to a compatible version of Elasticsearch: ${(err as Error).message}`,
      );
    }
  }

  async filter(event: Event): Promise<boolean> {
    let results: Json;
    try {
      results = await this.search(event);
    } catch (err) {
      return this.fail(event, err as Error);
    }
    return this.apply(event, results);
  }

  close(): void {
    this.client.close();
  }

  private async search(event: Event): Promise<Json> {
    const index = event.sprintf(this.index);
    const path = `${index === "" ? "" : `/${index.split(",").map(encodeURIComponent).join(",")}`}/_search`;
    let answer: { status: number; json: unknown };
    if (this.template !== undefined) {
      const body: unknown = JSON.parse(event.sprintf(this.template));
      answer = await this.send("POST", path, body);
    } else {
      const params = new URLSearchParams({
        q: event.sprintf(this.query as string),
        size: String(this.resultSize),
      });
      if (this.sort !== undefined) params.set("sort", this.sort);
      answer = await this.send("GET", `${path}?${params}`, undefined);
    }
    const json = answer.json as Json | undefined;
    if (answer.status < 200 || answer.status > 299 || json === undefined)
      throw new SearchError(`[${answer.status}] ${errorReason(json)}`);
    const shards = json._shards as Json | undefined;
    if (shards !== undefined && "failures" in shards)
      throw new SearchError(`Elasticsearch query error: ${JSON.stringify(shards.failures)}`);
    return json;
  }

  /** One request, moving to the next host and retrying on connection failures and `retry_on_status`. */
  private async send(
    method: string,
    path: string,
    body: unknown,
  ): Promise<{ status: number; json: unknown }> {
    for (let attempt = 0; ; attempt++) {
      const host = this.hosts[this.nextHost++ % this.hosts.length] as URL;
      const url = `${host.origin}${host.pathname.replace(/\/$/, "")}${path}`;
      try {
        const answer = await requestJson(this.client, method, url, this.headers, body);
        if (!this.retryStatuses.has(answer.status) || attempt >= this.retries) return answer;
      } catch (err) {
        if (!(err instanceof ConnectionFailure) || attempt >= this.retries) throw err;
      }
    }
  }

  private apply(event: Event, results: Json): boolean {
    const hits = (results.hits ?? {}) as Json;
    const total = hits.total;
    event.set("[@metadata][total_hits]", isObject(total) ? total.value : total);
    let matched = false;
    const found = Array.isArray(hits.hits) ? (hits.hits as Json[]) : [];
    if (found.length > 0) {
      matched = true;
      for (const [from, to] of this.fields)
        this.store(event, to, collect(found.map((hit) => extract(hit._source, from))));
      for (const [from, to] of this.docinfoFields)
        this.store(event, to, collect(found.map((hit) => extract(hit, from))));
    }
    const aggregations = results.aggregations;
    if (isObject(aggregations) && Object.keys(aggregations).length > 0) {
      matched = true;
      for (const [name, to] of this.aggregationFields) this.store(event, to, aggregations[name]);
    }
    return matched;
  }

  private store(event: Event, field: string, value: unknown): void {
    event.set(this.target === undefined ? field : `[${this.target}][${field}]`, value ?? null);
  }

  private fail(event: Event, err: Error): false {
    this.context.logger.warn("Failed to query elasticsearch for previous event", {
      plugin: this.context.id,
      index: this.index,
      error: err.message,
    });
    for (const tag of this.tags) event.tag(tag);
    this.context.countFailure("elasticsearch_lookup_failure");
    return false;
  }
}

function refuseUnsupported(options: ResolvedOptions, context: PluginContext): void {
  if (options.string("query_type") === "esql")
    throw new Error("query_type => esql is not supported by Sluice's elasticsearch filter; use a dsl query");
  if (options.has("query_params"))
    throw new Error("`query_params` is not allowed when `query_type => 'dsl'`.");
  for (const name of ["cloud_id", "cloud_auth"])
    if (options.has(name))
      throw new Error(`${name} is not supported by Sluice's elasticsearch filter; set hosts`);
  const proxy = options.raw("proxy");
  if (proxy !== undefined && proxy !== "" && !(Array.isArray(proxy) && proxy.length === 1 && proxy[0] === ""))
    throw new Error("proxy is not supported by Sluice's elasticsearch filter");
  if (options.has("ca_trusted_fingerprint"))
    context.logger.warn("the `ca_trusted_fingerprint` setting is ignored; use ssl_certificate_authorities", {
      plugin: context.id,
    });
}

function readTemplate(path: string): string {
  if (statSync(path).size === 0) throw new Error("template is empty");
  return readFileSync(path, "utf8");
}

/** "host[:port]" takes the scheme from ssl; URLs are kept (their path is a prefix). */
function hostUrl(spec: string, ssl: boolean): URL {
  if (/^https?:\//.test(spec)) return new URL(spec);
  return new URL(`${ssl ? "https" : "http"}://${spec}`);
}

function requestHeaders(options: ResolvedOptions, ssl: boolean): OutgoingHttpHeaders {
  const user = options.optionalString("user");
  const password = options.optionalString("password");
  const apiKey = options.optionalString("api_key");
  if ((user !== undefined || password !== undefined) && apiKey !== undefined)
    throw new Error(
      "Multiple authentication options are specified, please only use one of user/password, cloud_auth or api_key",
    );
  if (apiKey !== undefined && !ssl)
    throw new Error(
      "Using api_key authentication requires SSL/TLS secured communication using the `ssl => true` option",
    );
  const headers: OutgoingHttpHeaders = {
    "user-agent": "sluice logstash-filter-elasticsearch",
    "x-elastic-product-origin": "logstash-filter-elasticsearch",
  };
  if (user !== undefined && password !== undefined)
    headers.authorization = basicAuthorization(user, password);
  if (apiKey !== undefined) headers.authorization = apiKeyAuthorization(apiKey);
  for (const [name, value] of Object.entries(options.hash("custom_headers"))) headers[name] = String(value);
  return headers;
}

/** `fields` as Logstash iterates it: a hash's entries, or [src, dst] pairs (a flat list taken two at a time). */
function fieldPairs(value: OptionValue[]): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  const loose: string[] = [];
  for (const item of value) {
    if (Array.isArray(item) && item.length === 2) pairs.push([String(item[0]), String(item[1])]);
    else if (isObject(item)) pairs.push(...stringPairs(item, "fields"));
    else if (typeof item === "string") loose.push(item);
    else throw new Error(`fields: cannot read ${JSON.stringify(item)} as [source, destination]`);
  }
  if (loose.length % 2 === 1) throw new Error("fields: a list of names needs source and destination pairs");
  for (let i = 0; i < loose.length; i += 2) pairs.push([loose[i] as string, loose[i + 1] as string]);
  return pairs;
}

function stringPairs(hash: Record<string, OptionValue>, name: string): Array<[string, string]> {
  return Object.entries(hash).map(([key, value]) => {
    if (typeof value !== "string") throw new Error(`${name}: ${key} must map to a field name`);
    return [key, value];
  });
}

/** "[a][b]" walks nested objects; a plain name is one key (dots included), as Logstash's extract_path. */
function extract(source: unknown, reference: string): unknown {
  const path =
    reference.startsWith("[") && reference.endsWith("]") ? reference.slice(1, -1).split("][") : [reference];
  let value: unknown = source;
  for (const key of path) {
    if (!isObject(value) || !(key in value)) return undefined;
    value = value[key];
  }
  return value;
}

/** One hit gives its value; several give an array. */
function collect(values: unknown[]): unknown {
  return values.length > 1 ? values.map((v) => v ?? null) : values[0];
}

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function errorReason(json: Json | undefined): string {
  const error = json?.error;
  if (isObject(error)) return `${String(error.type)}: ${String(error.reason)}`;
  return json === undefined ? "answer is not JSON" : JSON.stringify(json).slice(0, 500);
}
