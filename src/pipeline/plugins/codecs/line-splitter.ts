// Cuts a byte stream into delimited lines, as Logstash's BufferedTokenizer does: a partial line waits for the
// next write, `flush` hands over the remainder. Works on bytes, so a character split across writes stays whole.

import { assert } from "../../../common/assert.js";

export interface LineSink {
  line(bytes: Buffer): void;
  /**
   * A line grew past the limit: its first `maxBytes` bytes are handed over once and the rest of it, up to the
   * next delimiter, is dropped (Logstash would raise "input buffer full" and stop the input).
   */
  overflow(prefix: Buffer): void;
}

export class LineSplitter {
  private readonly delimiter: Buffer;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** True while dropping the rest of an overlong line. */
  private discarding = false;

  constructor(
    delimiter: string,
    private readonly maxBytes: number,
    private readonly sink: LineSink,
  ) {
    assert(delimiter.length > 0, "a line delimiter cannot be empty");
    assert(maxBytes > 0, "maxBytes must be positive");
    this.delimiter = Buffer.from(delimiter, "utf8");
  }

  write(data: Buffer): void {
    let chunk = data;
    // A delimiter of several bytes may straddle two writes: search it in the joined bytes.
    if (this.delimiter.length > 1 && this.pendingBytes > 0) {
      chunk = Buffer.concat([...this.pending, data]);
      this.pending = [];
      this.pendingBytes = 0;
    }
    let start = 0;
    for (;;) {
      const end = chunk.indexOf(this.delimiter, start);
      if (end < 0) break;
      this.finishLine(chunk.subarray(start, end));
      start = end + this.delimiter.length;
    }
    this.keep(chunk.subarray(start));
  }

  /** The bytes after the last delimiter (empty when none), and a fresh start. */
  flush(): Buffer {
    const rest = this.discarding ? Buffer.alloc(0) : Buffer.concat(this.pending);
    this.pending = [];
    this.pendingBytes = 0;
    this.discarding = false;
    return rest;
  }

  private finishLine(tail: Buffer): void {
    if (this.discarding) {
      this.discarding = false;
      return;
    }
    if (this.pendingBytes + tail.length > this.maxBytes) {
      this.overflow(tail);
      this.discarding = false;
      return;
    }
    const line = this.pendingBytes === 0 ? tail : Buffer.concat([...this.pending, tail]);
    this.pending = [];
    this.pendingBytes = 0;
    this.sink.line(line);
  }

  private keep(rest: Buffer): void {
    if (rest.length === 0 || this.discarding) return;
    if (this.pendingBytes + rest.length > this.maxBytes) {
      this.overflow(rest);
      return;
    }
    // Copy: the caller may reuse its buffer after write returns.
    this.pending.push(Buffer.from(rest));
    this.pendingBytes += rest.length;
  }

  private overflow(more: Buffer): void {
    const joined = Buffer.concat([...this.pending, more]);
    this.pending = [];
    this.pendingBytes = 0;
    this.discarding = true;
    this.sink.overflow(joined.subarray(0, this.maxBytes));
  }
}
