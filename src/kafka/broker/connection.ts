// One client connection: splits the byte stream into size-prefixed frames, runs requests concurrently and
// writes their responses strictly in request order (a slot per request that expects a response).

import type { Socket } from "node:net";
import { limits } from "../../common/limits.js";
import type { Counter } from "../../common/metrics.js";
import {
  ApiKey,
  decodeRequest,
  decodeRequestHeader,
  ErrorCode,
  encodeApiVersionsFallback,
  encodeResponse,
  KafkaError,
  type RequestHeader,
} from "../protocol/index.js";
import type { BrokerState, HandlerModule, RequestContext } from "./handler.js";

const frameSizeBytes = 4;

/** A response position in the connection's output order; chunks is null until the handler finishes. */
interface ResponseSlot {
  chunks: Buffer[] | null;
}

export interface ConnectionMetrics {
  requests: Counter[];
  requestsTotal: Counter;
  requestErrors: Counter;
  malformedFrames: Counter;
  bytesIn: Counter;
  bytesOut: Counter;
}

export function createConnectionMetrics(state: BrokerState): ConnectionMetrics {
  const m = state.metrics;
  const requests: Counter[] = [];
  for (const [name, key] of Object.entries(ApiKey)) {
    requests[key as number] = m.counter(`kafka_requests_${name}_total`, `Kafka ${name} requests`);
  }
  return {
    requests,
    requestsTotal: m.counter("kafka_requests_total", "Kafka requests of every API"),
    requestErrors: m.counter("kafka_request_failures_total", "Requests whose handler threw"),
    malformedFrames: m.counter("kafka_malformed_frames_total", "Connections closed for undecodable requests"),
    bytesIn: m.counter("kafka_bytes_in_total", "Bytes read from Kafka clients"),
    bytesOut: m.counter("kafka_bytes_out_total", "Bytes written to Kafka clients"),
  };
}

export class Connection {
  private readonly chunks: Buffer[] = [];
  private bufferedBytes = 0;
  private readonly slots: ResponseSlot[] = [];
  /** Requests being handled, including acks=0 produces that hold no slot. */
  private inflight = 0;
  private paused = false;
  private writeScheduled = false;
  private closed = false;
  private readonly abort = new AbortController();
  readonly clientHost: string;

  constructor(
    private readonly socket: Socket,
    readonly id: number,
    private readonly state: BrokerState,
    private readonly handlers: ReadonlyMap<number, HandlerModule>,
    private readonly metrics: ConnectionMetrics,
    private readonly onClosed: (conn: Connection) => void,
  ) {
    this.clientHost = socket.remoteAddress ?? "unknown";
    socket.setNoDelay(true);
    socket.on("data", (chunk: Buffer) => this.onData(chunk));
    socket.on("drain", () => this.readFrames());
    socket.on("error", (err) => this.state.logger.debug("connection error", { id, err }));
    socket.on("close", () => this.onSocketClosed());
  }

  /** Ends the connection now; in-flight handlers finish but their responses are dropped. */
  close(): void {
    this.socket.destroy();
  }

  private onSocketClosed(): void {
    if (this.closed) return;
    this.closed = true;
    this.abort.abort();
    this.onClosed(this);
  }

  private onData(chunk: Buffer): void {
    this.metrics.bytesIn.inc(chunk.length);
    this.chunks.push(chunk);
    this.bufferedBytes += chunk.length;
    this.readFrames();
  }

  private readFrames(): void {
    while (!this.closed && this.canTakeRequest() && this.bufferedBytes >= frameSizeBytes) {
      const size = this.peekFrameSize();
      if (size <= 0 || size > limits.requestFrameBytesMax) {
        this.closeMalformed("bad frame size", { size });
        return;
      }
      if (this.bufferedBytes < frameSizeBytes + size) break;
      const frame = this.take(frameSizeBytes + size).subarray(frameSizeBytes);
      this.dispatch(frame);
    }
    this.updateFlowControl();
  }

  private canTakeRequest(): boolean {
    return this.inflight < limits.connectionInflightRequestsMax && !this.socket.writableNeedDrain;
  }

  private updateFlowControl(): void {
    if (this.closed) return;
    const wantPause = !this.canTakeRequest();
    if (wantPause && !this.paused) {
      this.socket.pause();
      this.paused = true;
    } else if (!wantPause && this.paused) {
      this.paused = false;
      this.socket.resume();
    }
  }

  private peekFrameSize(): number {
    const first = this.chunks[0]!;
    if (first.length >= frameSizeBytes) return first.readInt32BE(0);
    return Buffer.concat(this.chunks, frameSizeBytes).readInt32BE(0);
  }

  /** Removes `n` bytes from the front of the input; zero-copy when they lie in one chunk. */
  private take(n: number): Buffer {
    const first = this.chunks[0]!;
    let out: Buffer;
    if (first.length >= n) {
      out = first.subarray(0, n);
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
    } else {
      out = Buffer.allocUnsafe(n);
      let filled = 0;
      while (filled < n) {
        const chunk = this.chunks[0]!;
        const used = Math.min(chunk.length, n - filled);
        chunk.copy(out, filled, 0, used);
        filled += used;
        if (used === chunk.length) this.chunks.shift();
        else this.chunks[0] = chunk.subarray(used);
      }
    }
    this.bufferedBytes -= n;
    return out;
  }

  private closeMalformed(reason: string, fields: Record<string, unknown>): void {
    this.metrics.malformedFrames.inc();
    this.state.logger.warn(`closing connection: ${reason}`, {
      id: this.id,
      client: this.clientHost,
      ...fields,
    });
    this.closed = true;
    this.abort.abort();
    this.socket.destroy();
    this.onClosed(this);
  }

  private dispatch(frame: Buffer): void {
    let header: RequestHeader;
    try {
      header = decodeRequestHeader(frame);
    } catch (err) {
      this.closeMalformed("undecodable request header", { err });
      return;
    }
    this.metrics.requestsTotal.inc();
    this.metrics.requests[header.apiKey]?.inc();
    const module = this.handlers.get(header.apiKey);
    if (!module || header.apiVersion < module.minVersion || header.apiVersion > module.maxVersion) {
      this.rejectUnsupported(header);
      return;
    }
    let body: unknown;
    try {
      body = decodeRequest(frame).body;
    } catch (err) {
      if (err instanceof KafkaError && err.code === ErrorCode.UNSUPPORTED_VERSION)
        this.rejectUnsupported(header);
      else
        this.closeMalformed("undecodable request body", {
          api: header.apiKey,
          version: header.apiVersion,
          err,
        });
      return;
    }
    this.run(module, header, body);
  }

  private rejectUnsupported(header: RequestHeader): void {
    if (header.apiKey === ApiKey.ApiVersions) {
      // Clients probe with their newest ApiVersions; the v0 fallback tells them which versions we speak.
      this.slots.push({ chunks: encodeApiVersionsFallback(header.correlationId) });
      this.writeReadySlots();
      return;
    }
    this.closeMalformed("unsupported API or version", { api: header.apiKey, version: header.apiVersion });
  }

  private run(module: HandlerModule, header: RequestHeader, body: unknown): void {
    const expectsResponse = !(header.apiKey === ApiKey.Produce && (body as { acks?: number }).acks === 0);
    const slot: ResponseSlot | null = expectsResponse ? { chunks: null } : null;
    if (slot) this.slots.push(slot);
    this.inflight++;
    const ctx: RequestContext = {
      header,
      clientHost: this.clientHost,
      connectionId: this.id,
      broker: this.state,
      signal: this.abort.signal,
    };
    module.handle(ctx, body).then(
      (response) => this.finish(slot, header, response),
      (err) => this.fail(header, err),
    );
  }

  private finish(slot: ResponseSlot | null, header: RequestHeader, response: object | null): void {
    this.inflight--;
    if (this.closed) return;
    if (slot) {
      if (response === null) {
        this.state.logger.error("handler gave no response to a request that needs one", {
          api: header.apiKey,
        });
        this.socket.destroy();
        return;
      }
      try {
        slot.chunks = encodeResponse(header, response);
      } catch (err) {
        this.fail(header, err, false);
        return;
      }
      this.writeReadySlots();
    }
    this.readFrames();
  }

  private fail(header: RequestHeader, err: unknown, countInflight = true): void {
    if (countInflight) this.inflight--;
    this.metrics.requestErrors.inc();
    this.state.logger.error("request failed; closing connection", {
      id: this.id,
      api: header.apiKey,
      version: header.apiVersion,
      err,
      stack: err instanceof Error ? err.stack : undefined,
    });
    this.socket.destroy();
  }

  /**
   * Schedules one write of every response that is ready. Responses whose appends finish in the same turn of
   * the event loop then leave in one writev instead of one syscall each (many small pipelined produces).
   */
  private writeReadySlots(): void {
    if (this.writeScheduled) return;
    this.writeScheduled = true;
    setImmediate(() => {
      this.writeScheduled = false;
      this.writeReadySlotsNow();
    });
  }

  private writeReadySlotsNow(): void {
    if (this.closed || this.socket.destroyed || this.slots.length === 0 || this.slots[0]!.chunks === null)
      return;
    this.socket.cork();
    while (this.slots.length > 0 && this.slots[0]!.chunks !== null) {
      const chunks = this.slots.shift()!.chunks!;
      for (const chunk of chunks) {
        this.metrics.bytesOut.inc(chunk.length);
        this.socket.write(chunk);
      }
    }
    this.socket.uncork();
  }
}
