// The Kafka listener: one TCP server per listen host, all on the same port, with a bound on connections.

import { createServer, type Server, type Socket } from "node:net";
import { limits } from "../../common/limits.js";
import type { Logger } from "../../common/logger.js";
import { Connection, type ConnectionMetrics, createConnectionMetrics } from "./connection.js";
import type { BrokerState, HandlerModule } from "./handler.js";

/** Errors meaning "this machine has no such address" (e.g. IPv6 disabled): skip the host, keep going. */
const missingAddressCodes = new Set(["EADDRNOTAVAIL", "EAFNOSUPPORT", "ENOTFOUND", "EAI_ADDRFAMILY"]);

export class KafkaServer {
  private readonly servers: Server[] = [];
  private readonly connections = new Set<Connection>();
  private nextConnectionId = 1;
  private readonly metrics: ConnectionMetrics;
  readonly addresses: string[] = [];
  port = 0;

  private constructor(
    private readonly state: BrokerState,
    private readonly handlers: ReadonlyMap<number, HandlerModule>,
    private readonly logger: Logger,
  ) {
    this.metrics = createConnectionMetrics(state);
  }

  /** Binds every host; the first one that binds fixes the port the others use. */
  static async listen(
    hosts: string[],
    port: number,
    state: BrokerState,
    handlers: ReadonlyMap<number, HandlerModule>,
  ): Promise<KafkaServer> {
    const logger = state.logger.child("kafka");
    const server = new KafkaServer(state, handlers, logger);
    try {
      for (const host of hosts) await server.bind(host, server.port || port);
    } catch (err) {
      await server.close();
      throw err;
    }
    if (server.servers.length === 0) throw new Error(`could not listen on any of ${hosts.join(", ")}`);
    return server;
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  private async bind(host: string, port: number): Promise<void> {
    const server = createServer((socket) => this.accept(socket));
    try {
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen({ host, port }, () => {
          server.off("error", reject);
          resolve();
        });
      });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? "";
      if (!missingAddressCodes.has(code)) throw err;
      this.logger.warn("listen host unavailable; skipping it", { host, code });
      return;
    }
    server.on("error", (err) => this.logger.error("listener error", { host, err }));
    const address = server.address();
    if (address && typeof address === "object") {
      this.port = address.port;
      this.addresses.push(
        address.family === "IPv6"
          ? `[${address.address}]:${address.port}`
          : `${address.address}:${address.port}`,
      );
    }
    this.servers.push(server);
    this.logger.info("kafka listener up", { host, port: this.port });
  }

  private accept(socket: Socket): void {
    this.state.metrics.counter("kafka_connections_accepted_total", "Kafka client connections accepted").inc();
    if (this.connections.size >= limits.brokerConnectionsMax) {
      this.state.metrics
        .counter("kafka_connections_refused_total", "Connections over brokerConnectionsMax")
        .inc();
      this.logger.warn("too many connections; refusing one", { client: socket.remoteAddress });
      socket.destroy();
      return;
    }
    const conn = new Connection(
      socket,
      this.nextConnectionId++,
      this.state,
      this.handlers,
      this.metrics,
      (c) => this.connections.delete(c),
    );
    this.connections.add(conn);
  }

  /** Stops accepting and ends every connection. */
  async close(): Promise<void> {
    const closing = this.servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve())));
    for (const conn of this.connections) conn.close();
    this.connections.clear();
    await Promise.all(closing);
  }
}
