// The syslog input: listens on TCP and UDP on one port for RFC3164 messages, decodes each line or datagram with
// its codec, then parses `<PRI>` and the syslog header with grok, dates the event and adds facility and severity.

import dgram from "node:dgram";
import net from "node:net";
import { limits } from "../../../common/limits.js";
import { type Event, type FieldValue, Timestamp } from "../../event/index.js";
import {
  builtinPatterns,
  type CaptureValue,
  type CompiledGrok,
  compileGrok,
  matchGrok,
} from "../../grok/index.js";
import type { Codec, Decoder, Input, InputSink, InputSpec, PluginContext } from "../api.js";
import { LineSplitter } from "../codecs/line-splitter.js";
import { type DateParser, makeParser } from "../filters/date/parsers.js";
import { systemZone, type Zone, zoneFor } from "../filters/date/zones.js";
import type { OptionSpecs, ResolvedOptions } from "../options.js";
import { bindUdp, listenTcp } from "../support/listen.js";

export const SYSLOG_GROK_FAILURE_TAG = "_grokparsefailure_sysloginput";
const DATE_FAILURE_TAG = "_dateparsefailure";
/** RFC3164: a message without a readable PRI counts as user-level notice. */
const UNKNOWN_PRIORITY = 13;
/** The grok filter's default timeout_millis, which Logstash's embedded grok uses too. */
const grokTimeoutMs = 30_000;
const dateFormats = ["MMM dd HH:mm:ss", "MMM  d HH:mm:ss", "MMM d HH:mm:ss", "ISO8601"];

// biome-ignore format: the RFC3164 label tables read best as lists
const facilityLabels = [
  "kernel", "user-level", "mail", "system", "security/authorization", "syslogd", "line printer", "network news",
  "UUCP", "clock", "security/authorization", "FTP", "NTP", "log audit", "log alert", "clock", "local0", "local1",
  "local2", "local3", "local4", "local5", "local6", "local7",
];
const severityLabels = [
  "Emergency",
  "Alert",
  "Critical",
  "Error",
  "Warning",
  "Notice",
  "Informational",
  "Debug",
];

const syslogOptions: OptionSpecs = {
  host: { type: "string", default: "0.0.0.0", doc: "Address to listen on (TCP and UDP)." },
  port: { type: "number", default: 514, doc: "Port to listen on (TCP and UDP)." },
  syslog_field: { type: "string", default: "message", doc: "Field holding the syslog text to parse." },
  grok_pattern: {
    type: "string",
    doc: "Grok pattern for the message (default <%{POSINT:priority}>%{SYSLOGLINE}, ECS names in ECS mode).",
  },
  proxy_protocol: { type: "boolean", default: false, doc: "Expect a PROXY protocol v1 line first on TCP." },
  use_labels: { type: "boolean", default: true, doc: "Add facility and severity names." },
  facility_labels: { type: "array", default: facilityLabels, doc: "Facility names, by facility number." },
  severity_labels: { type: "array", default: severityLabels, doc: "Severity names, by severity number." },
  timezone: { type: "string", doc: "Zone of timestamps that carry none (default: the system's)." },
  locale: { type: "string", doc: "Locale of month names in timestamps." },
  service_type: { type: "string", default: "system", doc: "[service][type] set in ECS mode." },
};

/** Where the parsed parts go, by ECS mode. */
interface SyslogFields {
  priority: string;
  facility: string;
  severity: string;
  facilityLabel: string;
  severityLabel: string;
  host: string;
}

function syslogFieldsFor(ecs: boolean): SyslogFields {
  if (!ecs)
    return {
      priority: "priority",
      facility: "facility",
      severity: "severity",
      facilityLabel: "facility_label",
      severityLabel: "severity_label",
      host: "host",
    };
  return {
    priority: "[log][syslog][priority]",
    facility: "[log][syslog][facility][code]",
    severity: "[log][syslog][severity][code]",
    facilityLabel: "[log][syslog][facility][name]",
    severityLabel: "[log][syslog][severity][name]",
    host: "[host][ip]",
  };
}

interface RelaySettings {
  syslogField: string;
  grokPattern: string | undefined;
  useLabels: boolean;
  facilityLabels: string[];
  severityLabels: string[];
  timezone: string | undefined;
  locale: string | undefined;
  serviceType: string;
}

/** Parses one decoded event as a relayed RFC3164 message (Logstash's syslog_relay). */
export class SyslogRelay {
  readonly fields: SyslogFields;
  private readonly ecs: boolean;
  private readonly grok: CompiledGrok;
  private readonly parsers: DateParser[];
  private readonly zone: Zone;

  constructor(
    private readonly settings: RelaySettings,
    private readonly context: PluginContext,
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.ecs = context.ecsCompatibility !== "disabled";
    this.fields = syslogFieldsFor(this.ecs);
    const pattern =
      settings.grokPattern ?? `<%{POSINT:${this.fields.priority}${this.ecs ? ":int" : ""}}>%{SYSLOGLINE}`;
    const library = new Map(Object.entries(builtinPatterns(context.ecsCompatibility)));
    this.grok = compileGrok(pattern, library, true);
    const zone = settings.timezone === undefined ? systemZone() : zoneFor(settings.timezone);
    if (zone === undefined) throw new Error(`The datetime zone id '${settings.timezone}' is not recognised`);
    this.zone = zone;
    const locale = settings.locale?.replaceAll("_", "-");
    const defaultYear = clock().getFullYear();
    this.parsers = dateFormats.map((format) => makeParser(format, { locale, defaultYear }));
  }

  relay(event: Event): void {
    const field = this.settings.syslogField;
    if (this.ecs) event.set("[event][original]", event.get(field) ?? null);
    const matched = this.matchGrok(event);
    if (this.ecs && this.settings.serviceType !== "" && !event.includes("[service][type]"))
      event.set("[service][type]", this.settings.serviceType);
    if (matched) {
      this.setPriority(event, rubyInteger(event.get(this.fields.priority)));
      this.date(event);
    } else {
      event.tag(SYSLOG_GROK_FAILURE_TAG);
      this.context.countFailure("syslog_grok_failure");
      this.setPriority(event, UNKNOWN_PRIORITY);
    }
    if (this.settings.useLabels) this.setLabels(event);
  }

  private matchGrok(event: Event): boolean {
    const value = event.get(this.settings.syslogField);
    if (value === undefined || value === null) return false;
    const text = typeof value === "string" ? value : String(value);
    try {
      return matchGrok(this.grok, text, grokTimeoutMs, (name, captured) => this.store(event, name, captured));
    } catch (err) {
      this.context.logger.warn("syslog grok match failed", { id: this.context.id, err });
      return false;
    }
  }

  /** As grok with `overwrite => syslog_field`: empty captures skipped, a second value makes an array. */
  private store(event: Event, name: string, value: CaptureValue): void {
    if (value === null || value === "") return;
    const existing = event.get(name);
    if (name === this.settings.syslogField || existing === undefined || existing === null)
      event.set(name, value);
    else if (Array.isArray(existing)) event.set(name, [...existing, value]);
    else if (typeof existing === "string") event.set(name, [existing, value]);
  }

  private setPriority(event: Event, priority: number): void {
    event.set(this.fields.priority, priority);
    event.set(this.fields.severity, priority & 7);
    event.set(this.fields.facility, priority >> 3);
  }

  private setLabels(event: Event): void {
    const facility = this.settings.facilityLabels[event.get(this.fields.facility) as number];
    if (facility !== undefined) event.set(this.fields.facilityLabel, facility);
    const severity = this.settings.severityLabels[event.get(this.fields.severity) as number];
    if (severity !== undefined) event.set(this.fields.severityLabel, severity);
  }

  /** The embedded date filter on `timestamp` (ISO times captured as timestamp8601 without ECS). */
  private date(event: Event): void {
    if (!this.ecs && event.includes("timestamp8601"))
      event.set("timestamp", event.get("timestamp8601") ?? null);
    const value = event.get("timestamp");
    if (typeof value === "string" || typeof value === "number") {
      const epochMs = this.parseDate(value);
      if (epochMs === undefined) {
        event.tag(DATE_FAILURE_TAG);
        this.context.countFailure("date_parse_failure");
      } else event.timestamp = new Timestamp(epochMs);
    } else if (value !== undefined && value !== null) event.tag(DATE_FAILURE_TAG);
    if (this.ecs) event.remove("timestamp");
  }

  private parseDate(value: string | number): number | undefined {
    const context = { zone: this.zone, now: this.clock() };
    for (const parser of this.parsers) {
      const epochMs = parser.parse(value, context);
      if (epochMs !== undefined && Number.isSafeInteger(epochMs)) return epochMs;
    }
    return undefined;
  }
}

/** Ruby's to_i on the captured priority (a number already with ECS's :int). */
function rubyInteger(value: FieldValue | undefined): number {
  if (typeof value === "number") return Math.trunc(value);
  if (typeof value !== "string") return 0;
  const match = /^\s*([+-]?\d+)/.exec(value);
  return match === null ? 0 : Number.parseInt(match[1]!, 10);
}

interface ListenSettings {
  host: string;
  port: number;
  proxyProtocol: boolean;
}

export class SyslogInput implements Input {
  private server: net.Server | undefined;
  private udp: dgram.Socket | undefined;
  private readonly sockets = new Set<net.Socket>();
  private stopped = false;
  private resolveAddress!: (address: net.AddressInfo) => void;
  /** Resolves with the TCP address once both TCP and UDP listen; UDP uses the same port. */
  readonly listening: Promise<net.AddressInfo>;

  constructor(
    private readonly settings: ListenSettings,
    private readonly codec: Codec,
    private readonly relay: SyslogRelay,
    private readonly context: PluginContext,
  ) {
    this.listening = new Promise((resolve) => {
      this.resolveAddress = resolve;
    });
  }

  async run(sink: InputSink): Promise<void> {
    const server = net.createServer((socket) => this.accept(socket, sink));
    server.maxConnections = limits.tcpInputConnectionsMax;
    this.server = server;
    const address = await listenTcp(server, this.settings.port, this.settings.host, (err) =>
      this.context.logger.warn("syslog tcp listener error", { id: this.context.id, err }),
    );
    const udp = await this.bindUdp(address.port, sink).catch((err) => {
      server.close();
      throw err;
    });
    this.context.logger.info("syslog input listening on tcp and udp", {
      id: this.context.id,
      address: `${address.address}:${address.port}`,
    });
    this.resolveAddress(address);
    if (this.stopped) this.closeListeners();
    await Promise.all([new Promise((resolve) => server.on("close", resolve)), udp.closed]);
    while (this.sockets.size > 0) {
      const [first] = this.sockets;
      await new Promise((resolve) => first!.once("close", resolve));
    }
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.closeListeners();
    for (const socket of this.sockets) socket.destroy();
  }

  private closeListeners(): void {
    this.server?.close();
    try {
      this.udp?.close();
    } catch {
      // already closed
    }
  }

  /** Binds UDP on `port`; `closed` settles when the socket closes. */
  private async bindUdp(port: number, sink: InputSink): Promise<{ closed: Promise<void> }> {
    const socket = dgram.createSocket({ type: net.isIPv6(this.settings.host) ? "udp6" : "udp4" });
    this.udp = socket;
    await bindUdp(socket, port, this.settings.host, (err) =>
      this.context.logger.warn("syslog udp socket error", { id: this.context.id, err }),
    );
    const packets = new UdpPackets(sink, this.context, (payload, ip) =>
      this.decodeDatagram(payload, ip, sink),
    );
    socket.on("message", (payload, remote) => packets.receive(payload, plainAddress(remote.address)));
    return { closed: new Promise<void>((resolve) => socket.once("close", () => resolve())) };
  }

  /** One datagram, one message; false when the queue asked to wait. */
  private decodeDatagram(payload: Buffer, ip: string, sink: InputSink): boolean {
    let room = true;
    try {
      const decoder = this.codec.createDecoder((event) => {
        if (!sink.push(this.relayed(event, ip))) room = false;
      });
      decoder.write(payload);
      decoder.end();
    } catch (err) {
      this.decodeFailed(err, payload);
    }
    return room;
  }

  private relayed(event: Event, ip: string): Event {
    event.set(this.relay.fields.host, ip);
    this.relay.relay(event);
    return event;
  }

  private decodeFailed(err: unknown, data: Buffer): void {
    this.context.logger.error("Error decoding data", {
      id: this.context.id,
      data: data.toString("utf8").slice(0, 256),
      err,
    });
    this.context.countFailure("decoding");
  }

  private accept(socket: net.Socket, sink: InputSink): void {
    this.sockets.add(socket);
    socket.once("close", () => this.sockets.delete(socket));
    socket.on("error", (err) =>
      this.context.logger.debug("syslog connection error", { id: this.context.id, err: err.message }),
    );
    new SyslogConnection(socket, sink, this, this.settings.proxyProtocol, this.context).start();
  }

  /** For connections: a decoder whose events are relayed and queued. */
  decoderFor(ip: () => string, push: (event: Event) => void): Decoder {
    return this.codec.createDecoder((event) => push(this.relayed(event, ip())));
  }

  /** For connections: the codec failed on `data`. */
  reportDecodeFailure(err: unknown, data: Buffer): void {
    this.decodeFailed(err, data);
  }
}

/** One TCP client: lines (newline kept, as Logstash passes them) go one by one to the connection's decoder. */
class SyslogConnection {
  private ip: string;
  private awaitingProxyHeader: boolean;
  private waitingForQueue = false;
  private readonly decoder: Decoder;
  private readonly splitter: LineSplitter;

  constructor(
    private readonly socket: net.Socket,
    private readonly sink: InputSink,
    private readonly input: SyslogInput,
    proxyProtocol: boolean,
    private readonly context: PluginContext,
  ) {
    this.ip = plainAddress(socket.remoteAddress ?? "");
    this.awaitingProxyHeader = proxyProtocol;
    this.decoder = input.decoderFor(
      () => this.ip,
      (event) => this.enqueue(event),
    );
    this.splitter = new LineSplitter("\n", limits.codecLineBytesMax, {
      line: (bytes) => this.line(Buffer.concat([bytes, newline])),
      overflow: (prefix) => {
        this.context.logger.warn("syslog line longer than the limit; kept its start, dropped the rest", {
          id: this.context.id,
          limit_bytes: limits.codecLineBytesMax,
        });
        this.context.countFailure("line_too_long");
        this.line(prefix);
      },
    });
  }

  start(): void {
    this.socket.on("data", (chunk: Buffer) => this.splitter.write(chunk));
    this.socket.once("close", () => this.finish());
  }

  private line(bytes: Buffer): void {
    // The rest of a chunk after a refused PROXY header is not read.
    if (this.socket.destroyed) return;
    if (this.awaitingProxyHeader) {
      this.awaitingProxyHeader = false;
      const parts = bytes.toString("latin1").split(/\s/);
      if (parts[0] !== "PROXY") {
        this.context.logger.error("invalid proxy protocol header label", {
          id: this.context.id,
          header: bytes.toString("latin1").slice(0, 107),
        });
        this.context.countFailure("proxy_protocol_header");
        this.socket.destroy();
        return;
      }
      this.ip = parts[2] ?? this.ip;
      return;
    }
    try {
      this.decoder.write(bytes);
    } catch (err) {
      this.input.reportDecodeFailure(err, bytes);
    }
  }

  /** Like Logstash, a last line without its newline is not a message; the decoder still flushes. */
  private finish(): void {
    const rest = this.splitter.flush();
    if (rest.length > 0)
      this.context.logger.debug("dropped an unterminated last line", {
        id: this.context.id,
        bytes: rest.length,
      });
    try {
      this.decoder.end();
    } catch (err) {
      this.input.reportDecodeFailure(err, Buffer.alloc(0));
    }
  }

  private enqueue(event: Event): void {
    if (this.sink.push(event) || this.waitingForQueue) return;
    this.waitingForQueue = true;
    this.socket.pause();
    void this.sink.ready().then(() => {
      this.waitingForQueue = false;
      if (!this.socket.destroyed) this.socket.resume();
    });
  }
}

const newline = Buffer.from("\n");

/** "::ffff:10.0.0.1" → "10.0.0.1": Java reports IPv4 peers of a dual-stack socket as plain IPv4. */
function plainAddress(address: string): string {
  return address.startsWith("::ffff:") && net.isIPv4(address.slice(7)) ? address.slice(7) : address;
}

/** Datagrams waiting while the pipeline is full; past the limit they are dropped (senders cannot be slowed). */
class UdpPackets {
  private readonly waiting: Array<{ payload: Buffer; ip: string }> = [];
  private draining = false;

  constructor(
    private readonly sink: InputSink,
    private readonly context: PluginContext,
    private readonly decode: (payload: Buffer, ip: string) => boolean,
  ) {}

  receive(payload: Buffer, ip: string): void {
    if (this.waiting.length >= limits.syslogInputUdpQueuePacketsMax) {
      this.context.countFailure("udp_queue_full");
      return;
    }
    this.waiting.push({ payload, ip });
    if (!this.draining) void this.drain();
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      while (this.waiting.length > 0) {
        const packet = this.waiting.shift()!;
        if (!this.decode(packet.payload, packet.ip)) await this.sink.ready();
      }
    } finally {
      this.draining = false;
    }
  }
}

function relaySettingsOf(options: ResolvedOptions): RelaySettings {
  return {
    syslogField: options.string("syslog_field"),
    grokPattern: options.optionalString("grok_pattern"),
    useLabels: options.boolean("use_labels"),
    facilityLabels: options.stringArray("facility_labels"),
    severityLabels: options.stringArray("severity_labels"),
    timezone: options.optionalString("timezone"),
    locale: options.optionalString("locale"),
    serviceType: options.optionalString("service_type") ?? "",
  };
}

/** Builds the relay alone (tests of the parsing; a fixed clock for the year guess). */
export function createSyslogRelay(
  options: ResolvedOptions,
  context: PluginContext,
  clock?: () => Date,
): SyslogRelay {
  return new SyslogRelay(relaySettingsOf(options), context, clock);
}

export const syslogInput: InputSpec = {
  kind: "input",
  name: "syslog",
  doc:
    "Reads RFC3164 syslog messages over TCP and UDP on one port: parses the priority and header with grok, sets " +
    "@timestamp from the message's time and adds facility and severity (with names).",
  defaultCodec: "plain",
  options: syslogOptions,
  create(options, context) {
    const port = options.number("port");
    if (!Number.isInteger(port) || port < 0 || port > 65535)
      throw new Error(`port must be an integer between 0 and 65535, got ${port}`);
    const relay = createSyslogRelay(options, context);
    const settings = { host: options.string("host"), port, proxyProtocol: options.boolean("proxy_protocol") };
    return new SyslogInput(settings, options.codec(), relay, context);
  },
};
