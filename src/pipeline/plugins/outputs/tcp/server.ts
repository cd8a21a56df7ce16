// The tcp output in server mode: listens on host:port and sends every batch to each client connected at that
// moment (none connected: the batch is dropped, as in Logstash). A client too slow to keep up is disconnected
// rather than buffered without bound.

import { type AddressInfo, createServer, type Server, type Socket } from "node:net";
import { limits } from "../../../../common/limits.js";
import type { Event } from "../../../event/index.js";
import type { Codec, Output, PluginContext } from "../../api.js";
import { encodeAll } from "../common/encode.js";

export interface TcpServerSettings {
  host: string;
  port: number;
  clientBufferBytesMax: number;
}

export class TcpServerOutput implements Output {
  private readonly server: Server;
  private readonly clients = new Set<Socket>();
  /** Resolves once listening; never rejects (a failure to listen is logged and remembered). */
  readonly listening: Promise<void>;
  private listenError: Error | undefined;
  private closing: Promise<void> | undefined;

  constructor(
    private readonly settings: TcpServerSettings,
    private readonly codec: Codec,
    private readonly context: PluginContext,
  ) {
    this.server = createServer((socket) => this.accept(socket));
    this.listening = new Promise((resolve) => {
      this.server.on("error", (err) => {
        if (!this.server.listening) this.listenError = err;
        context.logger.error("tcp output listener failed", {
          plugin: context.id,
          host: settings.host,
          port: settings.port,
          error: err.message,
        });
        resolve();
      });
      this.server.listen(settings.port, settings.host, () => {
        context.logger.info("tcp output listening", { plugin: context.id, address: this.addressText() });
        resolve();
      });
    });
  }

  /** Where the server listens (the real port when configured with port 0). */
  address(): AddressInfo | undefined {
    const address = this.server.address();
    return typeof address === "object" && address !== null ? address : undefined;
  }

  /** Clients connected now. */
  get clientCount(): number {
    return this.clients.size;
  }

  async receive(events: Event[]): Promise<void> {
    await this.listening;
    if (this.listenError !== undefined || this.closing !== undefined) {
      this.context.countFailure("tcp_not_listening");
      return;
    }
    const data = encodeAll(this.codec, events, this.context);
    if (data.length === 0) return;
    for (const client of this.clients) {
      if (client.writableLength + data.length > this.settings.clientBufferBytesMax) {
        this.context.logger.warn("tcp output client is too slow; disconnecting it", {
          plugin: this.context.id,
          client: `${client.remoteAddress}:${client.remotePort}`,
          buffered_bytes: client.writableLength,
        });
        this.context.countFailure("tcp_client_too_slow");
        client.destroy();
        this.clients.delete(client);
        continue;
      }
      client.write(data);
    }
  }

  close(): Promise<void> {
    this.closing ??= new Promise((resolve) => {
      for (const client of this.clients) client.destroy();
      this.clients.clear();
      if (!this.server.listening) return resolve();
      this.server.close(() => resolve());
    });
    return this.closing;
  }

  private accept(socket: Socket): void {
    if (this.closing !== undefined) {
      socket.destroy();
      return;
    }
    this.clients.add(socket);
    const client = `${socket.remoteAddress}:${socket.remotePort}`;
    this.context.logger.debug("accepted connection", { plugin: this.context.id, client });
    socket.on("error", (err) => {
      this.context.logger.warn("socket write failed", {
        plugin: this.context.id,
        client,
        error: err.message,
      });
    });
    socket.on("close", () => this.clients.delete(socket));
    socket.resume(); // anything a client sends is ignored
  }

  private addressText(): string {
    const address = this.address();
    return address === undefined
      ? `${this.settings.host}:${this.settings.port}`
      : `${address.address}:${address.port}`;
  }
}

export const tcpServerDefaults = { clientBufferBytesMax: limits.tcpOutputClientBufferBytesMax };
