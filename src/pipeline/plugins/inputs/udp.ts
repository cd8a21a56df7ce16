// The udp input: receives datagrams, decodes each packet with a fresh codec decoder and adds the sender's
// address. Like Logstash, packets wait in a bounded queue (queue_size) while the pipeline is full, and are
// dropped past it: UDP senders cannot be slowed down.

import dgram from "node:dgram";
import net from "node:net";
import type { Event } from "../../event/index.js";
import type { Codec, Input, InputSink, InputSpec, PluginContext } from "../api.js";
import type { ResolvedOptions } from "../options.js";
import { bindUdp } from "../support/listen.js";

interface UdpSettings {
  host: string;
  port: number;
  bufferSize: number;
  receiveBufferBytes: number | undefined;
  queueSize: number;
  sourceIpField: string;
}

interface Packet {
  payload: Buffer;
  ip: string;
}

/** Dropped packets are reported at most this often, so a flood does not become a log flood. */
const dropReportIntervalMs = 10_000;

export class UdpInput implements Input {
  private socket: dgram.Socket | undefined;
  private readonly packets: Packet[] = [];
  private draining = false;
  private stopped = false;
  private dropped = 0;
  private lastDropReport = 0;
  private resolveAddress!: (address: net.AddressInfo) => void;
  /** Resolves with the bound address; lets tests use port 0. */
  readonly listening: Promise<net.AddressInfo>;

  constructor(
    private readonly settings: UdpSettings,
    private readonly codec: Codec,
    private readonly context: PluginContext,
  ) {
    this.listening = new Promise((resolve) => {
      this.resolveAddress = resolve;
    });
  }

  async run(sink: InputSink): Promise<void> {
    const socketOptions: dgram.SocketOptions = { type: net.isIPv6(this.settings.host) ? "udp6" : "udp4" };
    if (this.settings.receiveBufferBytes !== undefined)
      socketOptions.recvBufferSize = this.settings.receiveBufferBytes;
    const socket = dgram.createSocket(socketOptions);
    this.socket = socket;
    await bindUdp(socket, this.settings.port, this.settings.host, (err) =>
      this.context.logger.warn("udp socket error", { id: this.context.id, err }),
    );
    this.checkReceiveBuffer(socket);
    socket.on("message", (payload, remote) => this.receive(payload, remote.address, sink));
    const closed = new Promise<void>((resolve) => socket.once("close", resolve));
    this.resolveAddress(socket.address());
    if (this.stopped) socket.close();
    await closed;
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    try {
      this.socket?.close();
    } catch {
      // already closed
    }
  }

  private checkReceiveBuffer(socket: dgram.Socket): void {
    const wanted = this.settings.receiveBufferBytes;
    if (wanted === undefined) return;
    const obtained = socket.getRecvBufferSize();
    if (obtained < wanted)
      this.context.logger.warn("unable to set receive_buffer_bytes to the desired size", {
        id: this.context.id,
        requested: wanted,
        obtained,
      });
  }

  private receive(payload: Buffer, address: string, sink: InputSink): void {
    if (this.packets.length >= this.settings.queueSize) {
      this.drop();
      return;
    }
    // A datagram longer than buffer_size is cut, as recvfrom into a buffer_size buffer would.
    const cut =
      payload.length > this.settings.bufferSize ? payload.subarray(0, this.settings.bufferSize) : payload;
    this.packets.push({ payload: cut, ip: address });
    if (!this.draining) void this.drain(sink);
  }

  private drop(): void {
    this.dropped++;
    this.context.countFailure("udp_queue_full");
    const now = Date.now();
    if (now - this.lastDropReport < dropReportIntervalMs) return;
    this.lastDropReport = now;
    this.context.logger.warn("udp input queue is full; dropping packets", {
      id: this.context.id,
      queue_size: this.settings.queueSize,
      dropped: this.dropped,
    });
  }

  private async drain(sink: InputSink): Promise<void> {
    this.draining = true;
    try {
      while (this.packets.length > 0) {
        const packet = this.packets.shift()!;
        if (!this.decodePacket(packet, sink)) await sink.ready();
      }
    } finally {
      this.draining = false;
    }
  }

  /** Decodes one packet; false when the sink asked to wait. */
  private decodePacket(packet: Packet, sink: InputSink): boolean {
    let room = true;
    const emit = (event: Event) => {
      const current = event.get(this.settings.sourceIpField);
      if (current === undefined || current === null) event.set(this.settings.sourceIpField, packet.ip);
      if (!sink.push(event)) room = false;
    };
    try {
      const decoder = this.codec.createDecoder(emit);
      decoder.write(packet.payload);
      decoder.end();
    } catch (err) {
      this.context.logger.warn("udp input could not decode a packet", {
        id: this.context.id,
        from: packet.ip,
        err,
      });
      this.context.countFailure("codec_error");
    }
    return room;
  }
}

function settingsOf(options: ResolvedOptions, context: PluginContext): UdpSettings {
  const custom = options.optionalString("source_ip_fieldname");
  if (custom !== undefined && context.ecsCompatibility !== "disabled")
    context.logger.warn(
      "'source_ip_fieldname' is user customized, please check it has an ECS compatible name",
      {
        id: context.id,
      },
    );
  const bufferSize = options.number("buffer_size");
  const queueSize = options.number("queue_size");
  if (bufferSize < 1) throw new Error(`buffer_size must be at least 1, got ${bufferSize}`);
  if (queueSize < 1) throw new Error(`queue_size must be at least 1, got ${queueSize}`);
  const receiveBufferBytes = options.optionalNumber("receive_buffer_bytes");
  if (receiveBufferBytes !== undefined && !(receiveBufferBytes >= 1 && receiveBufferBytes <= 2 ** 31 - 1))
    throw new Error(`receive_buffer_bytes must be between 1 and 2147483647, got ${receiveBufferBytes}`);
  return {
    host: options.string("host"),
    port: options.number("port"),
    bufferSize,
    receiveBufferBytes,
    queueSize,
    sourceIpField: custom ?? (context.ecsCompatibility === "disabled" ? "host" : "[host][ip]"),
  };
}

export const udpInput: InputSpec = {
  kind: "input",
  name: "udp",
  doc:
    "Reads events from UDP datagrams; each packet is decoded on its own (plain codec by default) and the " +
    "sender's address is stored in `host` ([host][ip] with ECS).",
  defaultCodec: "plain",
  options: {
    host: { type: "string", default: "0.0.0.0", doc: "Address to listen on." },
    port: { type: "number", required: true, doc: "Port to listen on." },
    buffer_size: { type: "number", default: 65536, doc: "Largest packet read; longer ones are cut." },
    receive_buffer_bytes: {
      type: "number",
      doc: "Socket receive buffer size (SO_RCVBUF); OS default if unset.",
    },
    workers: {
      type: "number",
      default: 2,
      doc: "Threads decoding packets in Logstash; Sluice decodes on its event loop and ignores this.",
    },
    queue_size: {
      type: "number",
      default: 2000,
      doc: "Packets held while the pipeline is full; more are dropped.",
    },
    source_ip_fieldname: {
      type: "string",
      doc: "Field for the sender's address (default `host`, or [host][ip] with ECS).",
    },
  },
  create(options, context) {
    if (options.has("workers"))
      context.logger.warn(
        "the udp input's workers setting is ignored: packets are decoded on the event loop",
        {
          id: context.id,
        },
      );
    return new UdpInput(settingsOf(options, context), options.codec(), context);
  },
};
