// The stdout output: each batch encoded by the codec (rubydebug unless told) and written to standard output
// in one write, waiting for 'drain' when the reader is slow. A closed reader (EPIPE) never crashes the process.

import type { Writable } from "node:stream";
import type { Event } from "../../event/index.js";
import type { Codec, Output, OutputSpec, PluginContext } from "../api.js";
import type { ResolvedOptions } from "../options.js";
import { encodeAll } from "./common/encode.js";

export class StdoutOutput implements Output {
  private broken: Error | undefined;
  private closed = false;
  private readonly onError = (err: Error) => this.markBroken(err);

  constructor(
    private readonly codec: Codec,
    private readonly context: PluginContext,
    private readonly stream: Writable = process.stdout,
  ) {
    // Without a listener an EPIPE on stdout would be an uncaught 'error' and end the process.
    stream.on("error", this.onError);
  }

  async receive(events: Event[]): Promise<void> {
    if (events.length === 0) return;
    if (this.broken !== undefined || this.closed) {
      this.context.countFailure("stdout_closed");
      return;
    }
    const data = encodeAll(this.codec, events, this.context);
    if (data.length === 0) return;
    await this.write(data);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.stream.off("error", this.onError);
  }

  private write(data: Buffer): Promise<void> {
    return new Promise((resolve) => {
      const stream = this.stream;
      let settled = false;
      const done = () => {
        if (settled) return;
        settled = true;
        stream.off("drain", done);
        stream.off("error", done);
        stream.off("close", done);
        resolve();
      };
      let flowing = true;
      try {
        flowing = stream.write(data, (err) => {
          if (err) this.markBroken(err);
        });
      } catch (err) {
        this.markBroken(err as Error);
      }
      if (flowing || this.broken !== undefined) return done();
      // Back-pressure: hold the batch until the reader catches up (or goes away).
      stream.once("drain", done);
      stream.once("error", done);
      stream.once("close", done);
    });
  }

  private markBroken(err: Error): void {
    if (this.broken !== undefined) return;
    this.broken = err;
    this.context.logger.warn("stdout is closed; further events are dropped", {
      plugin: this.context.id,
      error: err.message,
    });
    this.context.countFailure("stdout_closed");
  }
}

export const stdoutOutput: OutputSpec = {
  kind: "output",
  name: "stdout",
  doc: "Writes each event to standard output, by default in the rubydebug format, for debugging pipelines.",
  defaultCodec: "rubydebug",
  options: {},
  create: (options: ResolvedOptions, context: PluginContext) => new StdoutOutput(options.codec(), context),
};
