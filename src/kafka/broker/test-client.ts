// A tiny Kafka client for the broker's tests: encodes requests with the protocol codec, matches responses
// by correlation id, and can send raw bytes to exercise malformed-frame handling.

import { connect, type Socket } from "node:net";
import { decodeResponse, encodeRequest } from "../protocol/index.js";

interface Pending {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  resolve: (body: unknown) => void;
  reject: (err: Error) => void;
}

export class TestClient {
  private buffered = Buffer.alloc(0);
  private readonly pending: Pending[] = [];
  private nextCorrelationId = 1;
  /** Correlation ids in the order their responses arrived. */
  readonly arrivals: number[] = [];
  readonly closed: Promise<void>;

  private constructor(private readonly socket: Socket) {
    socket.on("data", (chunk: Buffer) => this.onData(chunk));
    this.closed = new Promise((resolve) => socket.once("close", () => resolve()));
    this.closed.then(() => {
      for (const p of this.pending.splice(0)) p.reject(new Error("connection closed"));
    });
    socket.on("error", () => {});
  }

  static async connect(port: number, host = "127.0.0.1"): Promise<TestClient> {
    const socket = connect({ port, host });
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("error", reject);
    });
    return new TestClient(socket);
  }

  // biome-ignore lint/suspicious/noExplicitAny: response bodies are schema-shaped data.
  request(apiKey: number, apiVersion: number, body: object): Promise<any> {
    return this.send(apiKey, apiVersion, body, true);
  }

  /** Sends without waiting for a response (Produce acks=0); returns the correlation id used. */
  sendOnly(apiKey: number, apiVersion: number, body: object): number {
    const correlationId = this.nextCorrelationId++;
    this.socket.write(encodeRequest({ apiKey, apiVersion, correlationId, clientId: "test" }, body));
    return correlationId;
  }

  // biome-ignore lint/suspicious/noExplicitAny: response bodies are schema-shaped data.
  private send(apiKey: number, apiVersion: number, body: object, expectResponse: boolean): Promise<any> {
    const correlationId = this.nextCorrelationId++;
    const frame = encodeRequest({ apiKey, apiVersion, correlationId, clientId: "test" }, body);
    const result = new Promise((resolve, reject) => {
      if (expectResponse) this.pending.push({ apiKey, apiVersion, correlationId, resolve, reject });
      else resolve(null);
    });
    this.socket.write(frame);
    return result;
  }

  /** Sends a hand-made frame whose answer is `apiKey` at `responseVersion` (e.g. the ApiVersions v0 fallback). */
  // biome-ignore lint/suspicious/noExplicitAny: response bodies are schema-shaped data.
  sendFrame(apiKey: number, responseVersion: number, frame: Buffer): Promise<any> {
    const correlationId = frame.readInt32BE(8);
    const result = new Promise((resolve, reject) => {
      this.pending.push({ apiKey, apiVersion: responseVersion, correlationId, resolve, reject });
    });
    this.socket.write(frame);
    return result;
  }

  writeRaw(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  close(): void {
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    this.buffered = Buffer.concat([this.buffered, chunk]);
    while (this.buffered.length >= 4) {
      const size = this.buffered.readInt32BE(0);
      if (this.buffered.length < 4 + size) return;
      const frame = this.buffered.subarray(4, 4 + size);
      this.buffered = this.buffered.subarray(4 + size);
      const correlationId = frame.readInt32BE(0);
      this.arrivals.push(correlationId);
      const index = this.pending.findIndex((p) => p.correlationId === correlationId);
      if (index < 0) continue;
      const [p] = this.pending.splice(index, 1);
      try {
        p!.resolve(decodeResponse(p!.apiKey, p!.apiVersion, frame).body);
      } catch (err) {
        p!.reject(err as Error);
      }
    }
  }
}
