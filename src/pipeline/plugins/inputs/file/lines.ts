// Cuts a byte stream into lines at a delimiter of any length (the file input's `delimiter`), keeping the
// unfinished line between reads. A line longer than the limit is cut so one runaway line cannot exhaust memory.

export interface Line {
  bytes: Buffer;
  /** Bytes of input this line accounts for: the line and its delimiter (no delimiter when it was cut). */
  consumed: number;
  /** True when the line was cut at the length limit rather than ended by the delimiter. */
  cut: boolean;
}

export class LineSplitter {
  private buffer: Buffer = Buffer.alloc(0);
  private length = 0;
  /** Where the next delimiter search starts: earlier bytes are known to hold none. */
  private scanFrom = 0;

  constructor(
    private readonly delimiter: Buffer,
    private readonly maxLineBytes: number,
  ) {}

  /** Bytes held for an unfinished line. */
  get pendingBytes(): number {
    return this.length;
  }

  /** Appends `chunk` and returns the lines it completes. */
  push(chunk: Buffer): Line[] {
    this.append(chunk);
    const lines: Line[] = [];
    const view = this.buffer.subarray(0, this.length);
    let lineStart = 0;
    for (;;) {
      const end = view.indexOf(this.delimiter, Math.max(this.scanFrom, lineStart));
      if (end < 0) break;
      lines.push({
        bytes: Buffer.from(view.subarray(lineStart, end)),
        consumed: end - lineStart + this.delimiter.length,
        cut: false,
      });
      lineStart = end + this.delimiter.length;
    }
    while (this.length - lineStart > this.maxLineBytes) {
      lines.push({
        bytes: Buffer.from(view.subarray(lineStart, lineStart + this.maxLineBytes)),
        consumed: this.maxLineBytes,
        cut: true,
      });
      lineStart += this.maxLineBytes;
    }
    this.buffer.copyWithin(0, lineStart, this.length);
    this.length -= lineStart;
    this.scanFrom = Math.max(0, this.length - this.delimiter.length + 1);
    return lines;
  }

  /** The unfinished line, if any, and forgets it. */
  flush(): Buffer | undefined {
    if (this.length === 0) return undefined;
    const rest = Buffer.from(this.buffer.subarray(0, this.length));
    this.reset();
    return rest;
  }

  reset(): void {
    this.length = 0;
    this.scanFrom = 0;
  }

  private append(chunk: Buffer): void {
    const needed = this.length + chunk.length;
    if (needed > this.buffer.length) {
      const grown = Buffer.alloc(Math.max(needed, this.buffer.length * 2, 4096));
      this.buffer.copy(grown, 0, 0, this.length);
      this.buffer = grown;
    }
    chunk.copy(this.buffer, this.length);
    this.length = needed;
  }
}
