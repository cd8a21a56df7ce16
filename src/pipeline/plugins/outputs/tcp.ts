// The tcp output: events encoded by the codec (json unless told) written over TCP, as a client of host:port or
// as a server broadcasting to its clients. Note that Logstash's json codec adds no delimiter between events;
// use json_lines for newline-delimited output (Sluice keeps that behaviour so configs mean the same thing).

import type { Output, OutputSpec, PluginContext } from "../api.js";
import type { OptionSpecs, ResolvedOptions } from "../options.js";
import { TcpClientOutput } from "./tcp/client.js";
import { TcpServerOutput, tcpServerDefaults } from "./tcp/server.js";

const sslOptions: OptionSpecs = {
  ssl_enabled: { type: "boolean", default: false, doc: "Use TLS (not supported yet: refused when true)." },
  ssl_client_authentication: {
    type: ["none", "optional", "required"],
    default: "none",
    doc: "Server mode: whether clients must present a certificate.",
  },
  ssl_verification_mode: {
    type: ["full", "none"],
    default: "full",
    doc: "Client mode: how the server's certificate is checked.",
  },
  ssl_certificate_authorities: {
    type: "path",
    list: true,
    doc: "CA certificates that clients or servers must chain to.",
  },
  ssl_certificate: { type: "path", doc: "This end's certificate (PEM)." },
  ssl_key: { type: "path", doc: "The key of `ssl_certificate` (PEM)." },
  ssl_key_passphrase: { type: "password", doc: "Passphrase of `ssl_key`." },
  ssl_supported_protocols: {
    type: "array",
    default: [],
    doc: "TLS versions allowed: any of TLSv1.1, TLSv1.2, TLSv1.3 (empty: the TLS library's defaults).",
  },
  ssl_cipher_suites: { type: "string", list: true, doc: "Cipher suites allowed, in order of preference." },
  ssl_enable: { type: "any", obsolete: "Use 'ssl_enabled' instead." },
  ssl_verify: {
    type: "any",
    obsolete:
      "Use 'ssl_client_authentication' when `mode` is 'server' or 'ssl_verification_mode' when mode is `client`",
  },
  ssl_cacert: { type: "any", obsolete: "Use 'ssl_certificate_authorities' instead." },
  ssl_cert: { type: "any", obsolete: "Use 'ssl_certificate' instead." },
};

function createTcpOutput(options: ResolvedOptions, context: PluginContext): Output {
  refuseSsl(options, context);
  const host = options.string("host");
  const port = options.number("port");
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`port must be 0-65535, got ${port}`);
  if (options.string("mode") === "server")
    return new TcpServerOutput({ host, port, ...tcpServerDefaults }, options.codec(), context);
  const reconnectIntervalMs = Math.max(0, options.number("reconnect_interval") * 1000);
  return new TcpClientOutput({ host, port, reconnectIntervalMs }, options.codec(), context);
}

/** TLS is not implemented yet: refuse it loudly rather than send in clear text what was meant to be encrypted. */
function refuseSsl(options: ResolvedOptions, context: PluginContext): void {
  if (options.boolean("ssl_enabled"))
    throw new Error(
      "ssl_enabled => true is not supported by Sluice's tcp output yet; terminate TLS in front of it",
    );
  const ignored = Object.keys(sslOptions).filter((name) => name !== "ssl_enabled" && options.has(name));
  if (ignored.length > 0)
    context.logger.warn("configured SSL settings are not used when `ssl_enabled` is false", {
      plugin: context.id,
      settings: ignored,
    });
}

export const tcpOutput: OutputSpec = {
  kind: "output",
  name: "tcp",
  doc:
    "Writes events over TCP, connecting to a server (mode => client, reconnecting on failure) or accepting " +
    "clients (mode => server) that each receive every event. The default json codec puts no newline between " +
    "events, as in Logstash; use json_lines for one event per line.",
  defaultCodec: "json",
  options: {
    host: {
      type: "string",
      required: true,
      doc: "Client: the address to connect to. Server: the address to listen on.",
    },
    port: {
      type: "number",
      required: true,
      doc: "Client: the port to connect to. Server: the port to listen on.",
    },
    reconnect_interval: {
      type: "number",
      default: 10,
      doc: "Seconds to wait before reconnecting after a failure.",
    },
    mode: {
      type: ["server", "client"],
      default: "client",
      doc: "`client` connects to host:port; `server` listens and sends every event to each connected client.",
    },
    ...sslOptions,
  },
  create: createTcpOutput,
};
