// One TCP connection to one broker: frames requests with correlation ids, pipelines them, matches responses, times out.
// A timed-out or broken connection is closed and every waiting request fails, since Kafka answers strictly in order.

import { connect, type Socket } from "node:net";
import { assert } from "../../common/assert.js";
import { limits } from "../../common/limits.js";
import { decodeResponse, encodeRequest } from "../protocol/index.js";
import { KafkaTransportError } from "./errors.js";

export interface ConnectionOptions {
  host: string;
  port: number;
  clientId: string;
  connectTimeoutMs: number;
  requestTimeoutMs: number;
}

interface Pending {
  apiKey: number;
  apiVersion: number;
  resolve: (body: unknown) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

export type RequestBody = Record<string, unknown>;

export class Connection {
  private readonly socket: Socket;
  private readonly pending = new Map<number, Pending>();
  private nextCorrelationId = 1;
  private chunks: Buffer[] = [];
  private bufferedBytes = 0;
  private closedError: Error | null = null;
  private readonly ready: Promise<void>;

  private constructor(readonly options: ConnectionOptions) {
    this.socket = connect({ host: options.host, port: options.port });
    this.socket.setNoDelay(true);
    this.ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.fail(
          new KafkaTransportError(
            `connect to ${this.address} timed out after ${options.connectTimeoutMs} ms`,
          ),
        );
      }, options.connectTimeoutMs);
      this.socket.once("connect", () => {
        clearTimeout(timer);
        resolve();
      });
      this.socket.once("close", () => {
        clearTimeout(timer);
        reject(this.closedError ?? new KafkaTransportError(`connection to ${this.address} closed`));
      });
    });
    this.socket.on("data", (chunk: Buffer) => this.onData(chunk));
    this.socket.on("error", (err) => this.fail(new KafkaTransportError(`${this.address}: ${err.message}`)));
    this.socket.on("close", () => this.fail(new KafkaTransportError(`connection to ${this.address} closed`)));
  }

  /** Opens a connection; rejects with KafkaTransportError when the broker cannot be reached in time. */
  static async open(options: ConnectionOptions): Promise<Connection> {
    const connection = new Connection(options);
    await connection.ready;
    return connection;
  }

  get address(): string {
    return this.options.host.includes(":")
      ? `[${this.options.host}]:${this.options.port}`
      : `${this.options.host}:${this.options.port}`;
  }

  get isClosed(): boolean {
    return this.closedError !== null;
  }

  /**
   * Sends one request and resolves with the decoded response body.
   * With `expectResponse` false (Produce with acks=0) it resolves once the bytes are handed to the socket.
   */
  send(apiKey: number, apiVersion: number, body: RequestBody, expectResponse = true): Promise<unknown> {
    if (this.closedError) return Promise.reject(this.closedError);
    if (this.pending.size >= limits.clientInflightRequestsMax) {
      return Promise.reject(
        new KafkaTransportError(
          `${this.address}: more than ${limits.clientInflightRequestsMax} requests in flight`,
        ),
      );
    }
    const correlationId = this.nextCorrelationId;
    this.nextCorrelationId = (this.nextCorrelationId + 1) & 0x7fffffff;
    const frame = encodeRequest(
      { apiKey, apiVersion, correlationId, clientId: this.options.clientId },
      body as never,
    );
    if (!expectResponse) {
      return new Promise((resolve, reject) => {
        this.socket.write(frame, (err) =>
          err ? reject(new KafkaTransportError(err.message)) : resolve(undefined),
        );
      });
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.fail(
          new KafkaTransportError(
            `request (api ${apiKey} v${apiVersion}) to ${this.address} timed out after ${this.options.requestTimeoutMs} ms`,
          ),
        );
      }, this.options.requestTimeoutMs);
      this.pending.set(correlationId, { apiKey, apiVersion, resolve, reject, timer });
      this.socket.write(frame);
    });
  }

  close(): void {
    this.fail(new KafkaTransportError(`connection to ${this.address} closed by the client`));
  }

  private onData(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.bufferedBytes += chunk.length;
    while (this.bufferedBytes >= 4 && !this.closedError) {
      const head = this.chunks[0].length >= 4 ? this.chunks[0] : this.flatten();
      const frameBytes = head.readInt32BE(0);
      if (frameBytes < 4 || frameBytes > limits.clientResponseFrameBytesMax) {
        this.fail(new KafkaTransportError(`${this.address} sent a response frame of ${frameBytes} bytes`));
        return;
      }
      if (this.bufferedBytes < 4 + frameBytes) return;
      const all = this.flatten();
      const frame = all.subarray(4, 4 + frameBytes);
      const rest = all.subarray(4 + frameBytes);
      this.chunks = rest.length > 0 ? [rest] : [];
      this.bufferedBytes = rest.length;
      this.onFrame(frame);
    }
  }

  private flatten(): Buffer {
    if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks)];
    return this.chunks[0];
  }

  private onFrame(frame: Buffer): void {
    const correlationId = frame.readInt32BE(0);
    const waiting = this.pending.get(correlationId);
    if (!waiting) {
      this.fail(new KafkaTransportError(`${this.address} answered unknown correlation id ${correlationId}`));
      return;
    }
    this.pending.delete(correlationId);
    clearTimeout(waiting.timer);
    try {
      const decoded = decodeResponse(waiting.apiKey as never, waiting.apiVersion, frame) as {
        correlationId: number;
        body: unknown;
      };
      assert(decoded.correlationId === correlationId, "decoder returned another correlation id");
      waiting.resolve(decoded.body);
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      waiting.reject(
        new KafkaTransportError(
          `cannot decode response (api ${waiting.apiKey} v${waiting.apiVersion}) from ${this.address}: ${reason}`,
        ),
      );
    }
  }

  private fail(error: Error): void {
    if (this.closedError) return;
    this.closedError = error;
    for (const waiting of this.pending.values()) {
      clearTimeout(waiting.timer);
      waiting.reject(error);
    }
    this.pending.clear();
    this.chunks = [];
    this.bufferedBytes = 0;
    this.socket.destroy();
  }
}
