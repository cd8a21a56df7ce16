// The elasticsearch output: events to an Elasticsearch-compatible server (Sluice's embedded store, Elasticsearch,
// OpenSearch) through the bulk API, with Logstash's options: hosts, index, actions, data streams, templates, ILM,
// authentication, TLS, compression and retries. The settings are checked here; the work is in elasticsearch/.

import type { Output, OutputSpec, PluginContext } from "../api.js";
import type { OptionSpecs, ResolvedOptions } from "../options.js";
import { basicAuthorization } from "../support/http-auth.js";
import { pemOnlyKeystoreOptions, sslClientOptions, withDocs } from "../support/http-options.js";
import { pemTlsSettings, requireCertificateWithKey, type TlsSettings } from "../support/http-tls.js";
import type { ActionSettings } from "./elasticsearch/actions.js";
import { EsClient, type EsClientSettings } from "./elasticsearch/client.js";
import { ElasticsearchOutput } from "./elasticsearch/output.js";
import type { SetupSettings } from "./elasticsearch/setup.js";

const defaultIlmPolicyName = "logstash-policy";

/** The options every Elasticsearch-speaking plugin shares (Logstash's APIConfigs); they never stop a data stream. */
const apiOptions: OptionSpecs = {
  hosts: {
    type: "uri",
    list: true,
    default: ["//127.0.0.1"],
    doc: "Servers to send to (several: round robin with health checks); port 9200 when none is given.",
  },
  cloud_id: { type: "string", doc: "Elastic Cloud id (not supported by Sluice: refused)." },
  cloud_auth: { type: "password", doc: "Elastic Cloud user:password (not supported by Sluice: refused)." },
  user: { type: "string", doc: "User name for basic authentication." },
  password: { type: "password", doc: "Password for basic authentication." },
  api_key: { type: "password", doc: "API key (`id:key` or its base64 form); needs TLS." },
  document_id: { type: "string", doc: "Document id (sprintf); the server picks one when absent." },
  path: { type: "string", doc: "Path prefix of the server's API (behind a proxy)." },
  bulk_path: { type: "string", doc: "Path of the bulk endpoint; default `<path>/_bulk`." },
  parameters: { type: "hash", doc: "Query parameters added to every request." },
  ssl_enabled: { type: "boolean", doc: "Use TLS; by default, when every host is an https URL." },
  ...withDocs(
    { ...sslClientOptions, ...pemOnlyKeystoreOptions },
    {
      ssl_verification_mode: "`full` checks the server's certificate and host name; `none` checks nothing.",
      ssl_certificate_authorities: "PEM files of CAs trusted for the server.",
      ssl_keystore_path: "Client keystore (not supported: refused; use ssl_certificate/ssl_key).",
      ssl_cipher_suites: "Cipher suites allowed (ignored by Sluice).",
    },
  ),
  ssl_supported_protocols: {
    type: "string",
    list: true,
    default: [],
    doc: "TLS versions allowed (empty: the TLS library's defaults).",
  },
  ca_trusted_fingerprint: {
    type: "string",
    doc: "SHA-256 fingerprint of a trusted CA (not supported: refused).",
  },
  sniffing: {
    type: "boolean",
    default: false,
    doc: "Ask the cluster for its nodes (not supported: ignored).",
  },
  sniffing_delay: { type: "number", default: 5, doc: "Seconds between sniffs (ignored)." },
  sniffing_path: { type: "string", doc: "Path of the sniffing request (ignored)." },
  proxy: { type: "uri", doc: "Forward HTTP proxy (not supported: refused; an empty string is ignored)." },
  timeout: { type: "number", default: 60, doc: "Seconds a request may take before it is retried." },
  failure_type_logging_whitelist: {
    type: "array",
    default: [],
    deprecated: "use 'silence_errors_in_log' instead",
    doc: "Old name of silence_errors_in_log.",
  },
  silence_errors_in_log: {
    type: "array",
    default: [],
    doc: "Error types of failed items that are not logged.",
  },
  pool_max: { type: "number", default: 1000, doc: "Connections open at once." },
  pool_max_per_route: { type: "number", default: 100, doc: "Connections to one host at once." },
  healthcheck_path: { type: "string", doc: "Path a HEAD request checks a dead host with (default /)." },
  resurrect_delay: { type: "number", default: 5, doc: "Seconds between health checks of dead hosts." },
  validate_after_inactivity: {
    type: "number",
    default: 10000,
    doc: "Milliseconds idle before a pooled connection is checked (no effect in Sluice).",
  },
  http_compression: {
    type: "boolean",
    default: true,
    deprecated: "Set 'compression_level' instead.",
    doc: "Gzip request bodies (true: level 1); superseded by compression_level.",
  },
  compression_level: {
    type: "number",
    default: 1,
    doc: "Gzip level of request bodies, 1-9; 0 sends them plain.",
  },
  custom_headers: { type: "hash", default: {}, doc: "Headers added to every request." },
  retry_initial_interval: {
    type: "number",
    default: 2,
    doc: "Seconds before the first retry; doubled each time.",
  },
  retry_max_interval: { type: "number", default: 64, doc: "Longest pause between retries, in seconds." },
  dlq_custom_codes: {
    type: "number",
    list: true,
    default: [],
    doc: "More item status codes sent to the dead letter queue (besides 400 and 404).",
  },
  dlq_on_failed_indexname_interpolation: {
    type: "boolean",
    default: true,
    doc: "Send events whose index still holds %{...} after interpolation to the dead letter queue.",
  },
  drop_error_types: {
    type: "string",
    list: true,
    default: [],
    doc: "Error types of failed items that are dropped instead of retried.",
  },
  ssl: { type: "any", obsolete: "Set 'ssl_enabled' instead." },
  ssl_certificate_verification: { type: "any", obsolete: "Set 'ssl_verification_mode' instead." },
  cacert: { type: "any", obsolete: "Set 'ssl_certificate_authorities' instead." },
  truststore: { type: "any", obsolete: "Set 'ssl_truststore_path' instead." },
  keystore: { type: "any", obsolete: "Set 'ssl_keystore_path' instead." },
  truststore_password: { type: "password", obsolete: "Use 'ssl_truststore_password' instead." },
  keystore_password: { type: "password", obsolete: "Set 'ssl_keystore_password' instead." },
};

const ownOptions: OptionSpecs = {
  action: {
    type: "string",
    doc: "index, create, update, delete, or a sprintf template giving one (default index; create for data streams).",
  },
  index: {
    type: "string",
    doc: "Index to write to (sprintf); default `ecs-logstash-%{+yyyy.MM.dd}` (`logstash-...` with ECS disabled).",
  },
  document_type: {
    type: "string",
    deprecated:
      "Document types were deprecated in Elasticsearch 7.0, and no longer configurable since 8.0. You should avoid this feature.",
    doc: "Mapping type (sent to Elasticsearch 7 only).",
  },
  manage_template: {
    type: "boolean",
    default: true,
    doc: "Install an index template at startup unless one exists (off by default for data streams).",
  },
  template_name: {
    type: "string",
    doc: "Name of the installed template (default ecs-logstash, or logstash).",
  },
  template: { type: "path", doc: "A JSON template file to install instead of the default one." },
  template_overwrite: { type: "boolean", default: false, doc: "Replace an existing template of that name." },
  template_api: {
    type: ["auto", "legacy", "composable"],
    default: "auto",
    doc: "_template (legacy) or _index_template (composable); auto picks by server version.",
  },
  version: { type: "string", doc: "Document version (sprintf)." },
  version_type: {
    type: ["internal", "external", "external_gt", "external_gte", "force"],
    doc: "How `version` is checked.",
  },
  routing: { type: "string", doc: "Routing value (sprintf)." },
  parent: { type: "string", doc: "Parent document id (sprintf), for join fields." },
  join_field: { type: "string", doc: "Join field that gets {name, parent} when `parent` is set." },
  upsert: {
    type: "string",
    default: "",
    doc: "JSON document (sprintf) created by an update when the id is new.",
  },
  doc_as_upsert: {
    type: "boolean",
    default: false,
    doc: "An update creates the document from the event when new.",
  },
  script: { type: "string", default: "", doc: "Scripted updates (not supported by Sluice: refused)." },
  script_type: { type: ["inline", "indexed", "file"], default: "inline", doc: "Kind of `script`." },
  script_lang: { type: "string", default: "painless", doc: "Language of `script`." },
  script_var_name: { type: "string", default: "event", doc: "Name of the event in `script`." },
  scripted_upsert: { type: "boolean", default: false, doc: "The script creates missing documents." },
  retry_on_conflict: {
    type: "number",
    default: 1,
    doc: "Server-side retries of an update on a version conflict.",
  },
  pipeline: { type: "string", doc: "Ingest pipeline (not supported by Sluice: refused)." },
  ilm_enabled: {
    type: ["true", "false", "auto"],
    default: "auto",
    doc: "Index lifecycle management: auto uses it with the default index when the server has ILM.",
  },
  ilm_rollover_alias: { type: "string", doc: "Rollover alias written to with ILM (default ecs-logstash)." },
  ilm_pattern: { type: "string", default: "{now/d}-000001", doc: "Suffix of the first rollover index." },
  ilm_policy: { type: "string", default: defaultIlmPolicyName, doc: "ILM policy of the indices." },
  data_stream: {
    type: ["true", "false", "auto"],
    doc: "Write to a data stream; auto (the default) when no option conflicts and ECS is on.",
  },
  data_stream_type: {
    type: ["logs", "metrics", "synthetics", "traces"],
    default: "logs",
    doc: "Data stream type: the first part of its name.",
  },
  data_stream_dataset: {
    type: "string",
    default: "generic",
    doc: "Data stream dataset: the middle of its name.",
  },
  data_stream_namespace: {
    type: "string",
    default: "default",
    doc: "Data stream namespace: the end of its name.",
  },
  data_stream_sync_fields: {
    type: "boolean",
    default: true,
    doc: "Set the event's data_stream.* fields to the stream written to.",
  },
  data_stream_auto_routing: {
    type: "boolean",
    default: true,
    doc: "Name the data stream from the event's data_stream.* fields.",
  },
};

const ignoredOptions = [
  "sniffing",
  "sniffing_path",
  "sniffing_delay",
  "ssl_cipher_suites",
  "validate_after_inactivity",
];
const refusedOptions: Record<string, string> = {
  cloud_id: "cloud_id is not supported by Sluice; give `hosts` instead",
  cloud_auth: "cloud_auth is not supported by Sluice; give `user` and `password` instead",
  ca_trusted_fingerprint:
    "ca_trusted_fingerprint is not supported by Sluice; use ssl_certificate_authorities",
  ssl_truststore_path:
    "ssl_truststore_path is not supported by Sluice; use PEM files (ssl_certificate_authorities)",
  ssl_keystore_path: "ssl_keystore_path is not supported by Sluice; use PEM files (ssl_certificate, ssl_key)",
  pipeline:
    "the elasticsearch output's `pipeline` (an ingest pipeline run by the server) is not supported by Sluice; do the processing in the Sluice pipeline's filters",
};

/** Common output options Logstash lets a data stream configuration have. */
const pluginCommonOptions = ["id", "codec", "enable_metric", "workers", "ecs_compatibility"];

function ecsDefaults(context: PluginContext): { index: string; alias: string; template: string } {
  return context.ecsCompatibility === "disabled"
    ? { index: "logstash-%{+yyyy.MM.dd}", alias: "logstash", template: "logstash" }
    : { index: "ecs-logstash-%{+yyyy.MM.dd}", alias: "ecs-logstash", template: "ecs-logstash" };
}

function givenNames(options: ResolvedOptions): string[] {
  return [...Object.keys(apiOptions), ...Object.keys(ownOptions), ...pluginCommonOptions].filter((n) =>
    options.has(n),
  );
}

/** Options that stop `data_stream => auto` from choosing a data stream (Logstash's invalid_data_stream_params). */
function dataStreamConflicts(options: ResolvedOptions): string[] {
  return givenNames(options).filter((name) => {
    if (name === "action") return options.optionalString("action") !== "create";
    if (name === "data_stream") return options.string("data_stream") !== "true";
    if (name === "manage_template") return options.boolean("manage_template");
    if (name === "routing" || name === "pipeline" || name.startsWith("data_stream_")) return false;
    return !(name in apiOptions) && !pluginCommonOptions.includes(name);
  });
}

/** Whether events go to a data stream; throws for the combinations Logstash refuses. */
export function dataStreamEnabled(options: ResolvedOptions, context: PluginContext): boolean {
  const explicit = options.optionalString("data_stream");
  const dsSettings = givenNames(options).filter((n) => n.startsWith("data_stream_"));
  const refuseDisabled = () => {
    if (dsSettings.length > 0)
      throw new Error(
        `Ambiguous configuration; data stream settings must not be present when data streams are disabled: ${dsSettings.join(", ")}`,
      );
    return false;
  };
  if (explicit === "false") return refuseDisabled();
  const conflicts = dataStreamConflicts(options);
  if (explicit === "true") {
    if (conflicts.length > 0) throw new Error(`Invalid data stream configuration: ${conflicts.join(", ")}`);
    if (context.ecsCompatibility === "disabled")
      throw new Error("Invalid data stream configuration: `ecs_compatibility => disabled`");
    return true;
  }
  const chosen = context.ecsCompatibility !== "disabled" && conflicts.length === 0;
  context.logger.info(
    `Data streams auto configuration (\`data_stream => auto\` or unset) resolved to \`${chosen}\``,
    {
      plugin: context.id,
    },
  );
  return chosen || refuseDisabled();
}

function validateIdentifier(name: string, value: string): void {
  if (value === "") throw new Error(`${name}: Invalid identifier - empty string`);
  if (Buffer.byteLength(value) > 100) throw new Error(`${name}: Invalid identifier - too long`);
  if (/[\\/*?"<>| ,#:]/.test(value))
    throw new Error(`${name}: Invalid characters detected \\ / * ? " < > | ' ' , # : are not allowed`);
}

function checkAction(options: ResolvedOptions): void {
  const action = options.optionalString("action");
  if (action === undefined) return;
  if (action === "") throw new Error("No action specified!");
  if (/%\{.+\}/.test(action) || ["index", "delete", "create", "update"].includes(action)) return;
  throw new Error(
    `Action '${action}' is invalid! Pick one of index, delete, create, update or use a sprintf style statement`,
  );
}

/** Refusals and warnings for options Sluice does not implement. */
function checkSupport(options: ResolvedOptions, context: PluginContext): void {
  for (const [name, reason] of Object.entries(refusedOptions)) if (options.has(name)) throw new Error(reason);
  if (options.has("script") && options.string("script") !== "")
    throw new Error(
      "scripted updates (`script`) are not supported by Sluice; use doc_as_upsert or upsert instead",
    );
  if (options.has("proxy") && options.string("proxy") !== "")
    throw new Error("proxy is not supported by Sluice's elasticsearch output");
  for (const name of ignoredOptions)
    if (options.has(name))
      context.logger.warn(`${name} is not supported by Sluice and is ignored`, { plugin: context.id });
}

function compressionLevel(options: ResolvedOptions): number {
  const level = options.has("compression_level")
    ? options.number("compression_level")
    : options.has("http_compression")
      ? options.boolean("http_compression")
        ? 1
        : 0
      : options.number("compression_level");
  if (!Number.isInteger(level) || level < 0 || level > 9)
    throw new Error(`compression_level must be an integer from 0 to 9, got ${level}`);
  return level;
}

/** The hosts as base URLs: scheme from the URL or ssl_enabled, port 9200 by default, `path` and `parameters`. */
export function hostUrls(options: ResolvedOptions): URL[] {
  const given = options.stringArray("hosts");
  const hosts = given.length === 0 ? ["//127.0.0.1"] : given;
  const ssl = options.has("ssl_enabled") ? options.boolean("ssl_enabled") : undefined;
  const pathOption = options.optionalString("path");
  const parameters = options.hash("parameters");
  return hosts.map((host) => {
    const explicit = /^[a-z][a-z0-9+.-]*:\/\//i.test(host);
    const url = new URL(explicit ? host : `http://${host.replace(/^\/\//, "")}`);
    if (url.protocol !== "http:" && url.protocol !== "https:")
      throw new Error(`Bad scheme '${url.protocol.slice(0, -1)}' found should be one of http/https`);
    if (explicit && ssl !== undefined && (url.protocol === "https:") !== ssl)
      throw new Error(
        `SSL option was explicitly set to ${ssl} but a URL was also declared with a scheme of '${url.protocol.slice(0, -1)}'. Please reconcile this`,
      );
    if (!explicit && ssl) url.protocol = "https:";
    if (url.port === "") url.port = "9200";
    if (pathOption !== undefined && url.pathname !== "/" && url.pathname !== "")
      throw new Error("the `path` option cannot be used when a host URL has a path");
    if (pathOption !== undefined) url.pathname = pathOption.startsWith("/") ? pathOption : `/${pathOption}`;
    for (const [key, value] of Object.entries(parameters)) url.searchParams.append(key, String(value));
    return url;
  });
}

function authHeaders(options: ResolvedOptions, urls: URL[]): Record<string, string> {
  let user = options.optionalString("user");
  let password = options.optionalString("password");
  const inUrl = urls.find((u) => u.username !== "");
  if (user === undefined && inUrl !== undefined) {
    user = decodeURIComponent(inUrl.username);
    password = decodeURIComponent(inUrl.password);
  }
  for (const url of urls) {
    url.username = "";
    url.password = "";
  }
  const apiKey = options.optionalString("api_key");
  if (apiKey !== undefined && apiKey !== "" && (user !== undefined || password !== undefined))
    throw new Error(
      "Multiple authentication options are specified, please only use one of user/password, cloud_auth or api_key",
    );
  if (apiKey !== undefined && apiKey !== "") {
    if (!urls.every((u) => u.protocol === "https:"))
      throw new Error(
        "Using api_key authentication requires SSL/TLS secured communication using the `ssl_enabled => true` option",
      );
    const encoded = apiKey.includes(":") ? Buffer.from(apiKey).toString("base64") : apiKey;
    return { Authorization: `ApiKey ${encoded}` };
  }
  if (user === undefined && password === undefined) return {};
  return { Authorization: basicAuthorization(user ?? "", password ?? "") };
}

function tlsSettings(options: ResolvedOptions): TlsSettings {
  requireCertificateWithKey(options, "You must specify both `ssl_certificate` and `ssl_key`, or neither");
  return pemTlsSettings(options);
}

function clientSettings(options: ResolvedOptions, context: PluginContext): EsClientSettings {
  const urls = hostUrls(options);
  const auth = authHeaders(options, urls);
  const custom = Object.fromEntries(
    Object.entries(options.hash("custom_headers")).map(([k, v]) => [k, String(v)]),
  );
  return {
    urls,
    headers: { ...custom, ...auth, "User-Agent": "Sluice elasticsearch output" },
    timeoutMs: Math.max(1, options.number("timeout")) * 1000,
    poolMax: Math.max(1, options.number("pool_max")),
    poolMaxPerRoute: Math.max(1, options.number("pool_max_per_route")),
    tls: tlsSettings(options),
    healthcheckPath: options.optionalString("healthcheck_path") ?? "/",
    resurrectDelayMs: Math.max(0.1, options.number("resurrect_delay")) * 1000,
    logger: context.logger,
  };
}

function actionSettings(
  options: ResolvedOptions,
  context: PluginContext,
  dataStream: boolean,
): ActionSettings {
  const defaults = ecsDefaults(context);
  const type = options.string("data_stream_type");
  const dataset = options.string("data_stream_dataset");
  const namespace = options.string("data_stream_namespace");
  const index = dataStream
    ? `${type}-${dataset}-${namespace}`
    : (options.optionalString("index") ?? defaults.index);
  return {
    action: options.optionalString("action"),
    index,
    defaultIndex: dataStream ? index : defaults.index,
    documentId: options.optionalString("document_id"),
    routing: options.optionalString("routing"),
    documentType: options.optionalString("document_type"),
    parent: options.optionalString("parent"),
    joinField: options.optionalString("join_field"),
    upsert: options.string("upsert"),
    docAsUpsert: options.boolean("doc_as_upsert"),
    retryOnConflict: options.number("retry_on_conflict"),
    version: options.optionalString("version"),
    versionType: options.optionalString("version_type"),
    dlqOnFailedIndexnameInterpolation: options.boolean("dlq_on_failed_indexname_interpolation"),
    dataStream: dataStream
      ? {
          type,
          dataset,
          namespace,
          autoRouting: options.boolean("data_stream_auto_routing"),
          syncFields: options.boolean("data_stream_sync_fields"),
        }
      : undefined,
  };
}

function setupSettings(options: ResolvedOptions, context: PluginContext, dataStream: boolean): SetupSettings {
  const defaults = ecsDefaults(context);
  const alias = options.optionalString("ilm_rollover_alias") ?? defaults.alias;
  const index = options.optionalString("index") ?? defaults.index;
  const policy = options.string("ilm_policy");
  return {
    dataStream,
    // Data streams come with their own templates; Logstash turns template management off unless asked.
    manageTemplate:
      dataStream && !options.has("manage_template") ? false : options.boolean("manage_template"),
    template: options.optionalString("template"),
    templateName: options.optionalString("template_name") ?? defaults.template,
    templateNameGiven: options.has("template_name"),
    templateOverwrite: options.boolean("template_overwrite"),
    templateApi: options.string("template_api") as SetupSettings["templateApi"],
    ecs: context.ecsCompatibility !== "disabled",
    ilmEnabled: dataStream ? "false" : (options.string("ilm_enabled") as SetupSettings["ilmEnabled"]),
    ilmAliasSet: index === defaults.index || alias !== defaults.alias,
    ilmRolloverAlias: alias,
    ilmPattern: options.string("ilm_pattern"),
    ilmPolicy: policy,
    ilmPolicyIsDefault: policy === defaultIlmPolicyName,
  };
}

function dlqCodes(options: ResolvedOptions, context: PluginContext): Set<number> {
  const custom = options.array("dlq_custom_codes").map(Number);
  const clash = (codes: number[], what: string) => {
    const found = custom.filter((c) => codes.includes(c));
    if (found.length > 0) throw new Error(`[${found.join(", ")}] ${what}`);
  };
  clash([400, 404], "are already defined as standard DLQ error codes");
  clash([200, 201], "are success codes which cannot be redefined in dlq_custom_codes");
  clash([409], "are error codes already defined as conflict which cannot be redefined in dlq_custom_codes");
  if (custom.length > 0)
    context.logger.warn(
      "Sluice has no dead letter queue yet: items with dlq_custom_codes are logged and dropped",
      {
        plugin: context.id,
      },
    );
  return new Set([400, 404, ...custom]);
}

export function createElasticsearchOutput(
  options: ResolvedOptions,
  context: PluginContext,
): ElasticsearchOutput {
  checkSupport(options, context);
  checkAction(options);
  for (const name of ["data_stream_dataset", "data_stream_namespace"])
    validateIdentifier(name, options.string(name));
  const dataStream = dataStreamEnabled(options, context);
  const client = clientSettings(options, context);
  const level = compressionLevel(options);
  const silenced = [
    ...options.stringArray("silence_errors_in_log"),
    ...options.stringArray("failure_type_logging_whitelist"),
  ];
  context.logger.info("New Elasticsearch output", {
    plugin: context.id,
    hosts: client.urls.map((u) => u.href),
  });
  return new ElasticsearchOutput(
    new EsClient(client),
    actionSettings(options, context, dataStream),
    { bulkPath: options.optionalString("bulk_path") ?? "/_bulk", compressionLevel: level },
    {
      retryInitialMs: Math.max(0, options.number("retry_initial_interval")) * 1000,
      retryMaxMs: Math.max(0, options.number("retry_max_interval")) * 1000,
      dlqCodes: dlqCodes(options, context),
      dropErrorTypes: options.stringArray("drop_error_types"),
      silencedErrorTypes: silenced,
    },
    setupSettings(options, context, dataStream),
    context,
  );
}

export const elasticsearchOutput: OutputSpec = {
  kind: "output",
  name: "elasticsearch",
  doc:
    "Stores events in Elasticsearch or Sluice's embedded store through the bulk API: index, create, update or " +
    "delete actions, data streams, index templates and ILM, several hosts with health checks, and retries with " +
    "back-off on 429/503 and connection errors.",
  defaultCodec: "plain",
  options: { ...apiOptions, ...ownOptions },
  create: (options, context): Output => createElasticsearchOutput(options, context),
};
