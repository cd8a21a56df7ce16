// The tcp output in client mode: one connection to host:port, opened at the first batch and reopened after
// `reconnect_interval` whenever it fails. A batch is held (receive does not resolve) until it is written, which is
// the back-pressure Logstash applies too; a batch whose write failed is sent again on the next connection.

import { connect, type Socket } from "node:net";
import type { Event } from "../../../event/index.js";
import type { Codec, Output, PluginContext } from "../../api.js";
import { encodeAll } from "../common/encode.js";

export interface TcpClientSettings {
  host: string;
  port: number;
  reconnectIntervalMs: number;
}

export class TcpClientOutput implements Output {
  private socket: Socket | undefined;
  private chain: Promise<void> = Promise.resolve();
  private closed = false;
  private wakeSleeper: (() => void) | undefined;

  constructor(
    private readonly settings: TcpClientSettings,
    private readonly codec: Codec,
    private readonly context: PluginContext,
  ) {}

  receive(events: Event[]): Promise<void> {
    // One batch at a time: batches from several workers must not interleave on the connection.
    const run = this.chain.then(() => this.send(events));
    this.chain = run.catch(() => {});
    return run;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.wakeSleeper?.();
    this.socket?.destroy();
    this.socket = undefined;
  }

  private async send(events: Event[]): Promise<void> {
    const data = encodeAll(this.codec, events, this.context);
    if (data.length === 0) return;
    while (!this.closed) {
      const socket = await this.connected();
      if (socket === undefined) break;
      try {
        await writeAll(socket, data);
        return;
      } catch (err) {
        this.context.logger.warn("client socket failed; reconnecting", {
          plugin: this.context.id,
          host: this.settings.host,
          port: this.settings.port,
          error: (err as Error).message,
        });
        socket.destroy();
        if (this.socket === socket) this.socket = undefined;
        await this.sleep();
      }
    }
    this.context.logger.warn("tcp output closed before a batch was written; events dropped", {
      plugin: this.context.id,
      events: events.length,
    });
    this.context.countFailure("tcp_closed");
  }

  /** The open connection, connecting (and retrying every reconnect_interval) when there is none. */
  private async connected(): Promise<Socket | undefined> {
    while (!this.closed) {
      if (this.socket !== undefined) return this.socket;
      try {
        const socket = await this.open();
        if (this.closed) {
          socket.destroy(); // closed while connecting
          return undefined;
        }
        this.socket = socket;
        return socket;
      } catch (err) {
        this.context.logger.error("failed to connect", {
          plugin: this.context.id,
          host: this.settings.host,
          port: this.settings.port,
          error: (err as Error).message,
        });
        await this.sleep();
      }
    }
    return undefined;
  }

  private open(): Promise<Socket> {
    const { host, port } = this.settings;
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port });
      socket.once("error", reject);
      socket.once("connect", () => {
        socket.off("error", reject);
        this.watch(socket);
        this.context.logger.debug("opened connection", { plugin: this.context.id, host, port });
        resolve(socket);
      });
    });
  }

  /** Forgets the connection as soon as the peer closes it, so the next batch reconnects first. */
  private watch(socket: Socket): void {
    const forget = () => {
      if (this.socket === socket) this.socket = undefined;
    };
    socket.on("error", (err) => {
      this.context.logger.debug("connection error", { plugin: this.context.id, error: err.message });
      forget();
    });
    socket.on("end", forget);
    socket.on("close", forget);
    // Reading keeps 'end' observable; what the server says is ignored, as in Logstash.
    socket.resume();
  }

  private sleep(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, this.settings.reconnectIntervalMs);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeSleeper = () => done();
    });
  }
}

/** Resolves once `data` is handed to the kernel; rejects when the connection fails or closes first. */
function writeAll(socket: Socket, data: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    if (socket.destroyed || !socket.writable) return reject(new Error("connection closed"));
    const onClose = () => reject(new Error("connection closed"));
    socket.once("close", onClose);
    socket.write(data, (err) => {
      socket.off("close", onClose);
      if (err) reject(err);
      else resolve();
    });
  });
}
