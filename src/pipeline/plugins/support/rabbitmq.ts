// What the rabbitmq input and output share (Logstash's RabbitMQConnection mixin): the connection options, their
// reading into settings, and a connect that retries every connect_retry_interval until it succeeds or is stopped.

import { readFileSync } from "node:fs";
import type { SecureVersion } from "node:tls";
import amqp from "amqplib";
import type { Logger } from "../../../common/logger.js";
import type { OptionSpecs, OptionValue, ResolvedOptions } from "../options.js";

export const rabbitmqConnectionOptions: OptionSpecs = {
  host: {
    type: "string",
    list: true,
    required: true,
    doc: "RabbitMQ host, or several (`host:port` allowed); one is picked at random for each connection.",
  },
  port: { type: "number", default: 5672, doc: "Port for hosts written without one." },
  user: { type: "string", default: "guest", doc: "User name." },
  password: { type: "password", default: "guest", doc: "Password." },
  vhost: { type: "string", default: "/", doc: "Virtual host." },
  ssl: { type: "boolean", doc: "Connect with TLS (amqps); the server's certificate is not verified." },
  ssl_version: { type: "string", default: "TLSv1.2", doc: "TLS protocol version to use." },
  ssl_certificate_path: { type: "path", doc: "Client certificate and key as a PKCS12 (.p12) file." },
  ssl_certificate_password: { type: "password", doc: "Password of `ssl_certificate_path`." },
  automatic_recovery: {
    type: "boolean",
    default: true,
    doc: "Reconnect after a lost connection (Sluice always does).",
  },
  connect_retry_interval: {
    type: "number",
    default: 1,
    doc: "Seconds between connection attempts.",
  },
  connection_timeout: { type: "number", doc: "Milliseconds a connection attempt may take (default: none)." },
  heartbeat: { type: "number", doc: "Heartbeat interval in seconds (default: none)." },
  passive: {
    type: "boolean",
    default: false,
    doc: "Only check that the queue exists instead of declaring it.",
  },
  arguments: {
    type: "any",
    default: {},
    doc: 'Extra queue arguments, e.g. `{ "x-queue-type" => "quorum" }`.',
  },
};

export interface RabbitmqAddress {
  host: string;
  port: number;
}

export interface RabbitmqConnectionSettings {
  addresses: RabbitmqAddress[];
  user: string;
  password: string;
  vhost: string;
  tls:
    | { version: SecureVersion | undefined; pfx: Buffer | undefined; passphrase: string | undefined }
    | undefined;
  retryIntervalMs: number;
  connectionTimeoutMs: number | undefined;
  heartbeatSeconds: number;
  passive: boolean;
  queueArguments: Record<string, unknown>;
}

const tlsVersions: readonly string[] = ["TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"];

/** Reads the connection options; throws for combinations Logstash refuses at register. */
export function rabbitmqConnectionSettings(
  options: ResolvedOptions,
  warn: (message: string) => void,
): RabbitmqConnectionSettings {
  if (options.has("automatic_recovery") && !options.boolean("automatic_recovery"))
    warn("automatic_recovery => false is ignored: Sluice always reconnects");
  const port = options.number("port");
  const addresses = options.stringArray("host").map((host) => parseAddress(host, port));
  return {
    addresses,
    user: options.string("user"),
    password: options.string("password"),
    vhost: options.string("vhost"),
    tls: options.raw("ssl") === true ? tlsSettings(options, warn) : undefined,
    retryIntervalMs: Math.max(0, options.number("connect_retry_interval") * 1000),
    connectionTimeoutMs: options.optionalNumber("connection_timeout") || undefined,
    heartbeatSeconds: options.optionalNumber("heartbeat") ?? 0,
    passive: options.boolean("passive"),
    queueArguments: queueArguments(options.raw("arguments")),
  };
}

/** "host", "host:port" or "[v6]:port" → address; a host without a port takes `port`. */
export function parseAddress(text: string, port: number): RabbitmqAddress {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  if (bracketed !== null) return { host: bracketed[1]!, port: Number(bracketed[2] ?? port) };
  const colon = text.lastIndexOf(":");
  if (colon > 0 && text.indexOf(":") === colon && /^\d+$/.test(text.slice(colon + 1)))
    return { host: text.slice(0, colon), port: Number(text.slice(colon + 1)) };
  return { host: text, port };
}

function tlsSettings(
  options: ResolvedOptions,
  warn: (message: string) => void,
): NonNullable<RabbitmqConnectionSettings["tls"]> {
  const path = options.optionalString("ssl_certificate_path");
  const passphrase = options.optionalString("ssl_certificate_password");
  if ((path === undefined) !== (passphrase === undefined))
    throw new Error("RabbitMQ requires both ssl_certificate_path AND ssl_certificate_password to be set");
  const version = options.string("ssl_version");
  if (!tlsVersions.includes(version))
    warn(
      `ssl_version ${version} is not one of ${tlsVersions.join(", ")}; the TLS library's defaults are used`,
    );
  return {
    version: tlsVersions.includes(version) ? (version as SecureVersion) : undefined,
    pfx: path === undefined ? undefined : readFileSync(path),
    passphrase,
  };
}

/** `arguments` as written: a hash, or Logstash's flat [key, value, ...] array. */
export function queueArguments(value: OptionValue | undefined): Record<string, unknown> {
  if (value === undefined) return {};
  if (!Array.isArray(value)) {
    if (typeof value === "object") return { ...value };
    throw new Error(`arguments must be a hash, got ${JSON.stringify(value)}`);
  }
  if (value.length === 1 && typeof value[0] === "object" && !Array.isArray(value[0]))
    return { ...(value[0] as Record<string, unknown>) };
  if (value.length % 2 === 1) throw new Error("arguments written as an array need key, value pairs");
  const out: Record<string, unknown> = {};
  for (let i = 0; i < value.length; i += 2) out[String(value[i])] = value[i + 1];
  return out;
}

/** A sleep that `wake()` cuts short (stopping plugins must not wait out a retry interval). */
export class StoppableSleep {
  private wakers = new Set<() => void>();

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakers.add(done);
    });
  }

  wake(): void {
    for (const waker of [...this.wakers]) waker();
  }
}

export interface ConnectControl {
  logger: Logger;
  pluginId: string;
  stopped: () => boolean;
  sleeper: StoppableSleep;
  /** Give up (undefined) after this many failed attempts; default: keep trying. */
  attemptsMax?: number;
}

/** Connects to one of the hosts, retrying every retry interval; undefined when stopped (or out of attempts) first. */
export async function connectWithRetry(
  settings: RabbitmqConnectionSettings,
  control: ConnectControl,
): Promise<amqp.ChannelModel | undefined> {
  for (let attempt = 1; !control.stopped(); attempt++) {
    const address = settings.addresses[Math.floor(Math.random() * settings.addresses.length)]!;
    try {
      const connection = await connectOnce(settings, address);
      // An 'error' without a listener would throw from the emitter; callers watch 'close' to notice the loss.
      connection.on("error", () => {});
      control.logger.info("Connected to RabbitMQ", {
        plugin: control.pluginId,
        url: connectionUrl(settings, address),
      });
      return connection;
    } catch (err) {
      control.logger.error("RabbitMQ connection error, will retry", {
        plugin: control.pluginId,
        url: connectionUrl(settings, address),
        error: err,
      });
      if (attempt >= (control.attemptsMax ?? Number.POSITIVE_INFINITY)) return undefined;
      await control.sleeper.sleep(settings.retryIntervalMs);
    }
  }
  return undefined;
}

function connectOnce(
  settings: RabbitmqConnectionSettings,
  address: RabbitmqAddress,
): Promise<amqp.ChannelModel> {
  const tls = settings.tls;
  const socketOptions: Record<string, unknown> = {};
  if (settings.connectionTimeoutMs !== undefined) socketOptions.timeout = settings.connectionTimeoutMs;
  if (tls !== undefined) {
    // Logstash leaves the server's certificate unverified; the .p12 is the client's credential.
    socketOptions.rejectUnauthorized = false;
    socketOptions.servername = address.host;
    if (tls.version !== undefined) {
      socketOptions.minVersion = tls.version;
      socketOptions.maxVersion = tls.version;
    }
    if (tls.pfx !== undefined) {
      socketOptions.pfx = tls.pfx;
      socketOptions.passphrase = tls.passphrase;
    }
  }
  return amqp.connect(
    {
      protocol: tls === undefined ? "amqp" : "amqps",
      hostname: address.host,
      port: address.port,
      username: settings.user,
      password: settings.password,
      vhost: settings.vhost,
      heartbeat: settings.heartbeatSeconds,
    },
    socketOptions,
  );
}

/** For logs: the URL without the password. */
export function connectionUrl(settings: RabbitmqConnectionSettings, address: RabbitmqAddress): string {
  const scheme = settings.tls === undefined ? "amqp" : "amqps";
  return `${scheme}://${settings.user}:XXXXXX@${address.host}:${address.port}${settings.vhost}`;
}

/** Resolves when the connection closes or fails, whichever comes first (errors are logged by the caller). */
export function connectionLost(connection: amqp.ChannelModel): Promise<unknown> {
  return new Promise((resolve) => {
    connection.on("close", resolve);
    connection.on("error", resolve);
  });
}

export async function closeQuietly(connection: amqp.ChannelModel | undefined): Promise<void> {
  try {
    await connection?.close();
  } catch {
    // Already closed (broker gone): nothing left to release.
  }
}
