// The tcp input: listens on (or connects to) a TCP port and decodes each connection's bytes with its own codec
// decoder, adding the peer's address to every event the way Logstash's tcp input does for the ECS mode.

import { promises as dns } from "node:dns";
import net from "node:net";
import { limits } from "../../../common/limits.js";
import type { EcsCompatibility, Event, FieldMap } from "../../event/index.js";
import type { Codec, Input, InputSink, InputSpec, PluginContext } from "../api.js";
import { streamingCodecFor } from "../codecs/streaming.js";
import type { OptionSpecs, ResolvedOptions } from "../options.js";

/** Where the peer's details go, by ECS mode (Logstash's setup_fields!). */
interface TcpFields {
  host: string;
  hostIp: string;
  port: string;
  proxyHost: string;
  proxyPort: string;
}

export function tcpFieldsFor(mode: EcsCompatibility): TcpFields {
  if (mode === "disabled")
    return {
      host: "host",
      hostIp: "[@metadata][ip_address]",
      port: "port",
      proxyHost: "proxy_host",
      proxyPort: "proxy_port",
    };
  return {
    host: "[@metadata][input][tcp][source][name]",
    hostIp: "[@metadata][input][tcp][source][ip]",
    port: "[@metadata][input][tcp][source][port]",
    proxyHost: "[@metadata][input][tcp][proxy][ip]",
    proxyPort: "[@metadata][input][tcp][proxy][port]",
  };
}

/** What one connection stamps on its events. */
interface PeerInfo {
  ip: string;
  name: string;
  port: number | string;
  proxyIp?: string;
  proxyPort?: string;
}

/** A reverse lookup that takes longer than this falls back to the address (Java's resolver gives up too). */
const reverseLookupTimeoutMs = 2000;
/** The longest PROXY protocol v1 header (its spec says 107 bytes with CRLF). */
const proxyHeaderBytesMax = 107;
/** Pause between attempts to reach the server in client mode. */
const clientReconnectDelayMs = 1000;

const ssl = "TLS is not supported yet by Sluice's tcp input";

const tcpOptions: OptionSpecs = {
  host: { type: "string", default: "0.0.0.0", doc: "Address to listen on (server) or connect to (client)." },
  port: { type: "number", required: true, doc: "Port to listen on (server) or connect to (client)." },
  mode: { type: ["server", "client"], default: "server", doc: "Accept connections, or connect to a server." },
  proxy_protocol: {
    type: "boolean",
    default: false,
    doc: "Expect a PROXY protocol v1 header first on each connection.",
  },
  ssl_enabled: { type: "boolean", default: false, doc: `Enable TLS (${ssl}: true is refused).` },
  ssl_client_authentication: {
    type: ["none", "optional", "required"],
    default: "required",
    doc: "Whether clients must present a certificate (server mode, TLS).",
  },
  ssl_verification_mode: {
    type: ["full", "none"],
    default: "full",
    doc: "How the server's certificate is checked (client mode, TLS).",
  },
  ssl_certificate: { type: "path", doc: "PEM certificate (TLS)." },
  ssl_key: { type: "path", doc: "PEM private key (TLS)." },
  ssl_key_passphrase: { type: "password", doc: "Passphrase of ssl_key (TLS)." },
  ssl_extra_chain_certs: { type: "array", default: [], doc: "Extra certificates for the chain (TLS)." },
  ssl_certificate_authorities: {
    type: "array",
    default: [],
    doc: "CA files that client certificates are checked against (TLS).",
  },
  ssl_supported_protocols: {
    type: ["TLSv1.1", "TLSv1.2", "TLSv1.3"],
    list: true,
    default: [],
    doc: "Allowed TLS versions (TLS).",
  },
  ssl_cipher_suites: { type: "string", list: true, default: [], doc: "Allowed cipher suites (TLS)." },
  tcp_keep_alive: { type: "boolean", default: false, doc: "Turn on TCP keep-alive for connections." },
  dns_reverse_lookup_enabled: {
    type: "boolean",
    default: true,
    doc: "Resolve the peer's name for the host field (else its address is used).",
  },
  ssl_enable: { type: "any", obsolete: "Use 'ssl_enabled' instead." },
  ssl_verify: {
    type: "any",
    obsolete:
      "Use 'ssl_client_authentication' when mode is 'server' or 'ssl_verification_mode' when mode is 'client'",
  },
  ssl_cert: { type: "any", obsolete: "Use 'ssl_certificate' instead." },
};

interface TcpSettings {
  host: string;
  port: number;
  mode: "server" | "client";
  proxyProtocol: boolean;
  keepAlive: boolean;
  reverseLookup: boolean;
  /** Connections held at once; more are closed on accept. */
  connectionsMax: number;
}

export class TcpInput implements Input {
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  private readonly fields: TcpFields;
  private stopped = false;
  private wakeStopped: (() => void) | undefined;
  private readonly stoppedSignal: Promise<void>;
  private resolveAddress!: (address: net.AddressInfo) => void;
  /** Resolves with the bound address once listening (server mode); lets tests use port 0. */
  readonly listening: Promise<net.AddressInfo>;

  constructor(
    private readonly settings: TcpSettings,
    private readonly codec: Codec,
    private readonly context: PluginContext,
  ) {
    this.fields = tcpFieldsFor(context.ecsCompatibility);
    this.listening = new Promise((resolve) => {
      this.resolveAddress = resolve;
    });
    this.stoppedSignal = new Promise((resolve) => {
      this.wakeStopped = resolve;
    });
  }

  async run(sink: InputSink): Promise<void> {
    if (this.settings.mode === "client") {
      // A client has nothing to bind: it is ready as soon as it runs (it connects, and reconnects, by itself).
      this.resolveAddress({ address: this.settings.host, family: "IPv4", port: this.settings.port });
      return this.runClient(sink);
    }
    const server = net.createServer((socket) => this.accept(socket, sink));
    server.maxConnections = this.settings.connectionsMax;
    server.on("drop", (peer) => {
      this.context.logger.warn("tcp input at its connection limit; closing a new connection", {
        id: this.context.id,
        max: this.settings.connectionsMax,
        client: `${peer?.remoteAddress}:${peer?.remotePort}`,
      });
      this.context.countFailure("tcp_connections_max");
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.settings.port, this.settings.host, () => {
        server.off("error", reject);
        resolve();
      });
    });
    server.on("error", (err) => this.context.logger.warn("tcp listener error", { id: this.context.id, err }));
    const address = server.address() as net.AddressInfo;
    this.context.logger.info("tcp input listening", {
      id: this.context.id,
      address: `${address.address}:${address.port}`,
    });
    this.resolveAddress(address);
    if (this.stopped) server.close();
    await new Promise<void>((resolve) => server.on("close", resolve));
    await this.connectionsClosed();
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.wakeStopped?.();
    this.server?.close();
    // Logstash closes every connection on stop; each one still flushes its decoder as it closes.
    for (const socket of this.sockets) socket.destroy();
  }

  private async connectionsClosed(): Promise<void> {
    while (this.sockets.size > 0) {
      const [first] = this.sockets;
      await new Promise((resolve) => first!.once("close", resolve));
    }
  }

  private async runClient(sink: InputSink): Promise<void> {
    while (!this.stopped && !sink.stopping) {
      const socket = net.connect(this.settings.port, this.settings.host);
      const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
      socket.once("connect", () => this.accept(socket, sink));
      socket.once("error", (err) =>
        this.context.logger.warn("tcp input could not reach its server", {
          id: this.context.id,
          server: `${this.settings.host}:${this.settings.port}`,
          err,
        }),
      );
      this.sockets.add(socket);
      await closed;
      this.sockets.delete(socket);
      if (this.stopped) break;
      await Promise.race([this.stoppedSignal, delay(clientReconnectDelayMs)]);
    }
  }

  private accept(socket: net.Socket, sink: InputSink): void {
    this.sockets.add(socket);
    socket.once("close", () => this.sockets.delete(socket));
    socket.on("error", (err) =>
      this.context.logger.debug("tcp connection error", { id: this.context.id, err: err.message }),
    );
    if (this.settings.keepAlive) socket.setKeepAlive(true);
    socket.pause();
    void new TcpConnection(socket, sink, this.codec, this.fields, this.settings, this.context).start();
  }
}

/** One connection: its decoder, its peer fields, and pausing while the queue is full. */
class TcpConnection {
  private peer: PeerInfo | undefined;
  private waitingForQueue = false;
  private readonly decoder;
  private headerBuffer: Buffer | undefined;
  /** ECS mode: the source fields live under [@metadata][input][tcp]. */
  private readonly ecs: boolean;

  constructor(
    private readonly socket: net.Socket,
    private readonly sink: InputSink,
    codec: Codec,
    private readonly fields: TcpFields,
    private readonly settings: TcpSettings,
    private readonly context: PluginContext,
  ) {
    this.decoder = codec.createDecoder((event) => this.enqueue(event));
    this.ecs = context.ecsCompatibility !== "disabled";
  }

  async start(): Promise<void> {
    const ip = plainAddress(this.socket.remoteAddress ?? "");
    if (!this.settings.proxyProtocol)
      this.peer = { ip, name: await this.nameOf(ip), port: this.socket.remotePort ?? 0 };
    else this.headerBuffer = Buffer.alloc(0);
    this.socket.on("data", (chunk: Buffer) => this.receive(chunk));
    this.socket.once("close", () => this.finish());
    if (!this.socket.destroyed) this.socket.resume();
  }

  private receive(chunk: Buffer): void {
    if (this.headerBuffer !== undefined) {
      this.headerBuffer = Buffer.concat([this.headerBuffer, chunk]);
      const end = this.headerBuffer.indexOf("\r\n");
      if (end < 0) {
        if (this.headerBuffer.length > proxyHeaderBytesMax) this.refuseProxyHeader(this.headerBuffer);
        return;
      }
      const header = this.headerBuffer.subarray(0, end);
      const rest = this.headerBuffer.subarray(end + 2);
      this.headerBuffer = undefined;
      this.socket.pause();
      void this.readProxyHeader(header).then((ok) => {
        if (!ok) return this.refuseProxyHeader(header);
        if (rest.length > 0) this.decode(rest);
        if (!this.waitingForQueue) this.socket.resume();
      });
      return;
    }
    this.decode(chunk);
  }

  private decode(chunk: Buffer): void {
    try {
      this.decoder.write(chunk);
    } catch (err) {
      this.context.logger.warn("tcp input codec failed; closing the connection", {
        id: this.context.id,
        client: `${this.peer?.ip}:${this.peer?.port}`,
        err,
      });
      this.context.countFailure("codec_error");
      this.socket.destroy();
    }
  }

  private async readProxyHeader(header: Buffer): Promise<boolean> {
    // PROXY TCP4 <client ip> <proxy ip> <client port> <proxy port>
    const parts = header.toString("latin1").split(/\s/);
    if (parts[0] !== "PROXY" || parts.length < 6) return false;
    const ip = parts[2]!;
    this.peer = {
      ip,
      name: await this.nameOf(ip),
      port: parts[4]!,
      proxyIp: parts[3]!,
      proxyPort: parts[5]!,
    };
    return true;
  }

  private refuseProxyHeader(header: Buffer): void {
    this.context.logger.error("invalid proxy protocol header; closing the connection", {
      id: this.context.id,
      header: header.subarray(0, proxyHeaderBytesMax).toString("latin1"),
    });
    this.context.countFailure("proxy_protocol_header");
    this.headerBuffer = undefined;
    this.socket.destroy();
  }

  private finish(): void {
    try {
      this.decoder.end();
    } catch (err) {
      this.context.logger.warn("tcp input codec failed at end of connection", { id: this.context.id, err });
      this.context.countFailure("codec_error");
    }
  }

  private async nameOf(ip: string): Promise<string> {
    if (!this.settings.reverseLookup) return ip;
    return reverseLookup(ip);
  }

  private enqueue(event: Event): void {
    const peer = this.peer;
    if (peer !== undefined && this.ecs && event.get("@metadata") === undefined) {
      // The usual case: nothing in [@metadata] yet, so the source subtree is built in one go instead of five walks.
      const tcp: FieldMap = { source: { name: peer.name, ip: peer.ip, port: peer.port } };
      if (peer.proxyIp !== undefined) tcp.proxy = { ip: peer.proxyIp, port: peer.proxyPort ?? null };
      event.adoptField("@metadata", { input: { tcp } });
    } else if (peer !== undefined) {
      if (peer.proxyIp !== undefined) {
        setUnlessTruthy(event, this.fields.proxyHost, peer.proxyIp);
        setUnlessTruthy(event, this.fields.proxyPort, peer.proxyPort);
      }
      setUnlessTruthy(event, this.fields.host, peer.name);
      setUnlessTruthy(event, this.fields.hostIp, peer.ip);
      setUnlessTruthy(event, this.fields.port, peer.port);
    }
    if (this.sink.push(event) || this.waitingForQueue) return;
    this.waitingForQueue = true;
    this.socket.pause();
    void this.sink.ready().then(() => {
      this.waitingForQueue = false;
      if (this.headerBuffer === undefined && !this.socket.destroyed) this.socket.resume();
    });
  }
}

/** Logstash sets a source field only when the event has no (truthy) value there yet. */
function setUnlessTruthy(event: Event, field: string, value: unknown): void {
  const current = event.get(field);
  if (current === undefined || current === null || current === false) event.set(field, value);
}

/** "::ffff:10.0.0.1" → "10.0.0.1": Java reports IPv4 peers of a dual-stack socket as plain IPv4. */
export function plainAddress(address: string): string {
  return address.startsWith("::ffff:") && net.isIPv4(address.slice(7)) ? address.slice(7) : address;
}

/** The peer's name by the system resolver (hosts file included), or its address when that fails. */
export async function reverseLookup(ip: string): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(ip), reverseLookupTimeoutMs);
  });
  const lookup = dns.lookupService(ip, 0).then(
    (found) => found.hostname,
    () => ip,
  );
  try {
    return await Promise.race([lookup, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function tcpSettingsOf(options: ResolvedOptions): TcpSettings {
  if (options.boolean("ssl_enabled"))
    throw new Error(`ssl_enabled => true: ${ssl}; terminate TLS in front of Sluice for now`);
  const port = options.number("port");
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`port must be an integer between 0 and 65535, got ${port}`);
  return {
    host: options.string("host"),
    port,
    mode: options.string("mode") as "server" | "client",
    proxyProtocol: options.boolean("proxy_protocol"),
    keepAlive: options.boolean("tcp_keep_alive"),
    reverseLookup: options.boolean("dns_reverse_lookup_enabled"),
    connectionsMax: limits.tcpInputConnectionsMax,
  };
}

export const tcpInput: InputSpec = {
  kind: "input",
  name: "tcp",
  doc:
    "Reads events over TCP: listens for clients (or connects to a server with mode => client) and decodes " +
    "each connection with its own codec instance (line by default). The peer's address is added to each event.",
  defaultCodec: "line",
  options: tcpOptions,
  create(options, context) {
    const settings = tcpSettingsOf(options);
    const sslGiven = Object.keys(tcpOptions).filter(
      (k) => k.startsWith("ssl_") && k !== "ssl_enabled" && options.has(k),
    );
    if (sslGiven.length > 0)
      context.logger.warn("SSL settings are not used when ssl_enabled is false", {
        id: context.id,
        settings: sslGiven,
      });
    // Logstash's fix_streaming_codecs: a byte stream needs framing, so plain becomes line and json json_lines.
    return new TcpInput(settings, streamingCodecFor(options.codec(), context.logger, context.id), context);
  },
};
