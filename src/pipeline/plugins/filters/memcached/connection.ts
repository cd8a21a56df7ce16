// One TCP connection to one memcached server speaking the text protocol: requests are pipelined, answers parsed
// in order; a timeout, a reset or a malformed answer fails every pending request and drops the socket.

import { Socket } from "node:net";
import { limits } from "../../../../common/limits.js";

export interface StoredValue {
  flags: number;
  data: Buffer;
}

/** The server cannot be reached or stopped answering; the client treats the server as down. */
export class MemcachedNetworkError extends Error {
  override name = "MemcachedNetworkError";
}

/** The server answered with an error line (ERROR, CLIENT_ERROR, SERVER_ERROR). */
export class MemcachedServerError extends Error {
  override name = "MemcachedServerError";
}

type Pending =
  | { kind: "line"; resolve: (line: string) => void; reject: (err: Error) => void }
  | {
      kind: "values";
      values: Map<string, StoredValue>;
      resolve: (values: Map<string, StoredValue>) => void;
      reject: (err: Error) => void;
    };

const crlf = Buffer.from("\r\n");

export class MemcachedConnection {
  private socket: Socket | undefined;
  private buffer: Buffer = Buffer.alloc(0);
  private readonly pending: Pending[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    readonly host: string,
    readonly port: number,
    private readonly timeoutMs: number,
  ) {}

  /** `get k1 k2 ...`: the values found (absent keys are missing from the map). */
  get(keys: readonly string[]): Promise<Map<string, StoredValue>> {
    return new Promise((resolve, reject) => {
      this.send(Buffer.from(`get ${keys.join(" ")}\r\n`), {
        kind: "values",
        values: new Map(),
        resolve,
        reject,
      });
    });
  }

  /** `set`: resolves when the server says STORED. */
  async set(key: string, value: StoredValue, exptime: number): Promise<void> {
    const header = Buffer.from(`set ${key} ${value.flags} ${exptime} ${value.data.length}\r\n`);
    const line = await this.line(Buffer.concat([header, value.data, crlf]));
    if (line !== "STORED") throw new MemcachedServerError(`set ${key}: ${line}`);
  }

  /** `version`: proves the server answers. */
  async version(): Promise<string> {
    const line = await this.line(Buffer.from("version\r\n"));
    if (!line.startsWith("VERSION ")) throw new MemcachedServerError(`version: ${line}`);
    return line.slice("VERSION ".length);
  }

  close(): void {
    this.fail(new MemcachedNetworkError("connection closed"));
  }

  private line(request: Buffer): Promise<string> {
    return new Promise((resolve, reject) => this.send(request, { kind: "line", resolve, reject }));
  }

  private send(request: Buffer, entry: Pending): void {
    const socket = this.socket ?? this.open();
    this.pending.push(entry);
    this.armTimer();
    socket.write(request);
  }

  private open(): Socket {
    const socket = new Socket();
    socket.setNoDelay(true);
    // A dropped socket's late events must not touch the requests of the one that replaced it.
    const current = () => this.socket === socket;
    socket.on("data", (chunk: Buffer) => {
      if (current()) this.receive(chunk);
    });
    socket.on("error", (err) => {
      if (current()) this.fail(new MemcachedNetworkError(`${this.address()}: ${err.message}`));
    });
    socket.on("close", () => {
      if (current()) this.fail(new MemcachedNetworkError(`${this.address()}: connection closed`));
    });
    socket.connect(this.port, this.host);
    this.socket = socket;
    return socket;
  }

  /** Every request gets the full timeout again whenever the server makes progress. */
  private armTimer(): void {
    clearTimeout(this.timer);
    if (this.pending.length === 0) return;
    this.timer = setTimeout(
      () => this.fail(new MemcachedNetworkError(`${this.address()}: no answer within ${this.timeoutMs} ms`)),
      this.timeoutMs,
    );
  }

  private fail(err: Error): void {
    clearTimeout(this.timer);
    const socket = this.socket;
    this.socket = undefined;
    this.buffer = Buffer.alloc(0);
    socket?.destroy();
    for (const entry of this.pending.splice(0)) entry.reject(err);
  }

  private receive(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    if (this.buffer.length > limits.memcachedResponseBytesMax) {
      this.fail(
        new MemcachedNetworkError(
          `${this.address()}: answer larger than ${limits.memcachedResponseBytesMax} bytes`,
        ),
      );
      return;
    }
    try {
      while (this.pending.length > 0 && this.parseOne()) {}
    } catch (err) {
      this.fail(err as Error);
      return;
    }
    this.armTimer();
  }

  /** Consumes one answer line (and a value's data) from the buffer; false when more bytes are needed. */
  private parseOne(): boolean {
    const end = this.buffer.indexOf(crlf);
    if (end < 0) return false;
    const line = this.buffer.subarray(0, end).toString("utf8");
    const head = this.pending[0] as Pending;
    if (isErrorLine(line)) {
      this.buffer = this.buffer.subarray(end + 2);
      this.pending.shift();
      head.reject(new MemcachedServerError(line));
      return true;
    }
    if (head.kind === "line") {
      this.buffer = this.buffer.subarray(end + 2);
      this.pending.shift();
      head.resolve(line);
      return true;
    }
    if (line === "END") {
      this.buffer = this.buffer.subarray(end + 2);
      this.pending.shift();
      head.resolve(head.values);
      return true;
    }
    return this.parseValue(line, end, head.values);
  }

  /** `VALUE <key> <flags> <bytes>` then the data and CRLF. */
  private parseValue(line: string, end: number, values: Map<string, StoredValue>): boolean {
    const match = /^VALUE (\S+) (\d+) (\d+)(?: \d+)?$/.exec(line);
    if (match === null)
      throw new MemcachedNetworkError(`${this.address()}: unexpected answer ${JSON.stringify(line)}`);
    const size = Number(match[3]);
    const start = end + 2;
    if (this.buffer.length < start + size + 2) return false;
    values.set(match[1] as string, {
      flags: Number(match[2]),
      data: Buffer.from(this.buffer.subarray(start, start + size)),
    });
    this.buffer = this.buffer.subarray(start + size + 2);
    return true;
  }

  private address(): string {
    return `${this.host}:${this.port}`;
  }
}

function isErrorLine(line: string): boolean {
  return line === "ERROR" || line.startsWith("CLIENT_ERROR") || line.startsWith("SERVER_ERROR");
}
