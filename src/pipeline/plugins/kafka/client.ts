// What the kafka input and output share: the connection and security options Logstash declares for both, how
// they become a kafkajs client (PLAINTEXT, and SASL PLAIN/SCRAM over plaintext), and kafkajs's log routed to ours.

import kafkajs from "kafkajs";
import type { Logger } from "../../../common/logger.js";
import type { OptionSpecs, ResolvedOptions } from "../options.js";

const { Kafka, logLevel } = kafkajs;

const unsupportedTls = "TLS needs JKS/PKCS12 stores, which Sluice cannot read yet";

/** Options both plugins declare with the same names and defaults (Logstash's Kafka common mixin and security). */
export const kafkaConnectionOptions: OptionSpecs = {
  bootstrap_servers: {
    type: "string",
    default: "localhost:9092",
    doc: "Comma-separated host:port list used to discover the cluster.",
  },
  client_dns_lookup: {
    type: ["default", "use_all_dns_ips", "resolve_canonical_bootstrap_servers_only"],
    default: "use_all_dns_ips",
    doc: "How host names are resolved (Node's resolver is always used).",
  },
  connections_max_idle_ms: {
    type: "number",
    default: 540_000,
    doc: "Idle connections are closed after this.",
  },
  metadata_max_age_ms: { type: "number", default: 300_000, doc: "Cluster metadata is refreshed this often." },
  request_timeout_ms: { type: "number", default: 40_000, doc: "Longest wait for a broker's response." },
  reconnect_backoff_ms: { type: "number", default: 50, doc: "Pause before reconnecting to a broker." },
  retry_backoff_ms: { type: "number", default: 100, doc: "Pause before retrying a failed request." },
  receive_buffer_bytes: { type: "number", default: 32_768, doc: "TCP receive buffer (ignored)." },
  send_buffer_bytes: { type: "number", default: 131_072, doc: "TCP send buffer (ignored)." },
  security_protocol: {
    type: ["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"],
    default: "PLAINTEXT",
    doc: "PLAINTEXT, or SASL_PLAINTEXT with PLAIN/SCRAM; SSL and SASL_SSL are refused for now.",
  },
  sasl_mechanism: {
    type: "string",
    default: "GSSAPI",
    doc: "PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512 in Sluice.",
  },
  sasl_jaas_config: { type: "string", doc: 'A JAAS line with username="..." password="...".' },
  sasl_kerberos_service_name: { type: "string", doc: "Kerberos service name (GSSAPI is not supported)." },
  sasl_client_callback_handler_class: { type: "string", doc: "Java class (not supported)." },
  jaas_path: { type: "path", doc: "JAAS file (not supported; use sasl_jaas_config)." },
  kerberos_config: { type: "path", doc: "krb5.conf (not supported)." },
  ssl_truststore_type: { type: "string", doc: "Truststore type (TLS is not supported yet)." },
  ssl_truststore_location: { type: "path", doc: "Truststore path (TLS is not supported yet)." },
  ssl_truststore_password: { type: "password", doc: "Truststore password (TLS is not supported yet)." },
  ssl_keystore_type: { type: "string", doc: "Keystore type (TLS is not supported yet)." },
  ssl_keystore_location: { type: "path", doc: "Keystore path (TLS is not supported yet)." },
  ssl_keystore_password: { type: "password", doc: "Keystore password (TLS is not supported yet)." },
  ssl_key_password: { type: "password", doc: "Key password (TLS is not supported yet)." },
  ssl_endpoint_identification_algorithm: {
    type: "string",
    default: "https",
    doc: "Host name verification (TLS is not supported yet).",
  },
};

export type SaslSettings =
  | { mechanism: "plain"; username: string; password: string }
  | { mechanism: "scram-sha-256"; username: string; password: string }
  | { mechanism: "scram-sha-512"; username: string; password: string };

export interface KafkaClientSettings {
  brokers: string[];
  clientId: string;
  requestTimeoutMs: number;
  retryBackoffMs: number;
  sasl: SaslSettings | undefined;
}

/** Checks the connection options; throws the message Logstash's register would for an unusable combination. */
export function clientSettings(options: ResolvedOptions, clientId: string): KafkaClientSettings {
  const brokers = options
    .string("bootstrap_servers")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  if (brokers.length === 0) throw new Error("bootstrap_servers names no broker");
  for (const broker of brokers)
    if (!/^[^:\s]+:\d+$/.test(broker) && !/^\[[0-9a-fA-F:]+\]:\d+$/.test(broker))
      throw new Error(`bootstrap_servers entry "${broker}" is not host:port`);
  const protocol = options.string("security_protocol");
  if (protocol === "SSL" || protocol === "SASL_SSL")
    throw new Error(`security_protocol ${protocol} is not supported by Sluice yet: ${unsupportedTls}`);
  const sasl = protocol === "SASL_PLAINTEXT" ? saslSettings(options) : undefined;
  return {
    brokers,
    clientId,
    requestTimeoutMs: options.number("request_timeout_ms"),
    retryBackoffMs: options.number("retry_backoff_ms"),
    sasl,
  };
}

function saslSettings(options: ResolvedOptions): SaslSettings {
  const mechanism = options.string("sasl_mechanism").toUpperCase();
  if (mechanism !== "PLAIN" && mechanism !== "SCRAM-SHA-256" && mechanism !== "SCRAM-SHA-512")
    throw new Error(
      `sasl_mechanism ${mechanism} is not supported by Sluice; use PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512`,
    );
  const jaas = options.optionalString("sasl_jaas_config");
  const credentials = jaas === undefined ? undefined : jaasCredentials(jaas);
  if (credentials === undefined)
    throw new Error(
      `SASL ${mechanism} needs sasl_jaas_config with username="..." and password="..." (jaas_path is not supported)`,
    );
  return { mechanism: mechanism.toLowerCase() as SaslSettings["mechanism"], ...credentials };
}

/** username and password from a JAAS login-module line, as Kafka's PlainLoginModule/ScramLoginModule take them. */
export function jaasCredentials(jaas: string): { username: string; password: string } | undefined {
  const value = (name: string) => new RegExp(`\\b${name}\\s*=\\s*"([^"]*)"`).exec(jaas)?.[1];
  const username = value("username");
  const password = value("password");
  return username === undefined || password === undefined ? undefined : { username, password };
}

export function createKafka(settings: KafkaClientSettings, logger: Logger): kafkajs.Kafka {
  return new Kafka({
    clientId: settings.clientId,
    brokers: settings.brokers,
    requestTimeout: settings.requestTimeoutMs,
    connectionTimeout: Math.min(settings.requestTimeoutMs, 10_000),
    retry: { initialRetryTime: Math.max(1, settings.retryBackoffMs), retries: 5 },
    ...(settings.sasl === undefined ? {} : { sasl: settings.sasl }),
    logLevel: logLevel.WARN,
    logCreator: () => (entry) => {
      const { message, ...fields } = entry.log;
      // kafkajs reports reconnects and rebalances as errors; they are retried, so they are warnings to us.
      if (entry.level <= logLevel.WARN)
        logger.warn(`kafka client: ${message}`, { ...fields, namespace: entry.namespace });
      else logger.debug(`kafka client: ${message}`, { ...fields, namespace: entry.namespace });
    },
  });
}

/** Warns once per option that is declared for compatibility but has no effect in Sluice. */
export function warnIgnored(
  options: ResolvedOptions,
  names: readonly string[],
  logger: Logger,
  id: string,
): void {
  for (const name of names)
    if (options.has(name))
      logger.warn(`${name} is not supported by Sluice's kafka client and is ignored`, { plugin: id });
}
