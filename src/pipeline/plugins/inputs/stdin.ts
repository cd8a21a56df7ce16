// The `stdin` input: reads standard input (any Readable in tests) through its codec until EOF, adding the host
// name and, under ECS, the raw text read as [event][original]; a plain/json codec is switched to line/json_lines
// as Logstash does for streams.

import { hostname } from "node:os";
import type { Readable } from "node:stream";
import type { Event } from "../../event/index.js";
import type { Codec, Input, InputSink, InputSpec, PluginContext } from "../api.js";
import { streamingCodecFor } from "../codecs/streaming.js";

const ORIGINAL_FIELD = "[event][original]";

export class StdinInput implements Input {
  private readonly abort = new AbortController();
  private readonly hostField: string;
  private readonly ecs: boolean;
  private readonly host = hostname();
  private readonly codec: Codec;

  constructor(
    codec: Codec,
    private readonly context: PluginContext,
    private readonly stream: Readable = process.stdin,
  ) {
    this.ecs = context.ecsCompatibility !== "disabled";
    this.hostField = this.ecs ? "[host][hostname]" : "host";
    this.codec = streamingCodecFor(codec, context.logger, context.id);
  }

  async run(sink: InputSink): Promise<void> {
    let lastRead = "";
    let mustWait = false;
    const decoder = this.codec.createDecoder((event) => {
      this.addFields(event, lastRead);
      if (!sink.push(event)) mustWait = true;
    });
    while (!this.abort.signal.aborted && !sink.stopping) {
      if (mustWait) {
        mustWait = false;
        await sink.ready();
      }
      const chunk = await readChunk(this.stream, this.abort.signal);
      if (chunk === null) break;
      lastRead = chunk.toString("utf8");
      decoder.write(chunk);
    }
    decoder.end();
  }

  stop(): void {
    this.abort.abort();
  }

  private addFields(event: Event, raw: string): void {
    try {
      if (this.ecs && !event.includes(ORIGINAL_FIELD)) event.set(ORIGINAL_FIELD, raw);
      if (!event.includes(this.hostField)) event.set(this.hostField, this.host);
    } catch (err) {
      // a decoded `host` or `event` that is not an object cannot take the field; the event goes on without it
      this.context.logger.debug("could not add stdin fields", { plugin: this.context.id, error: err });
    }
  }
}

/** The next chunk the stream has, or null at its end, on an error or once `signal` aborts. */
function readChunk(stream: Readable, signal: AbortSignal): Promise<Buffer | null> {
  return new Promise((resolve) => {
    if (signal.aborted || stream.readableEnded || stream.destroyed) {
      resolve(null);
      return;
    }
    const done = (chunk: Buffer | null) => {
      stream.off("readable", tryRead);
      stream.off("end", onEnd);
      stream.off("error", onEnd);
      stream.off("close", onEnd);
      signal.removeEventListener("abort", onEnd);
      resolve(chunk);
    };
    function tryRead(): boolean {
      const chunk: Buffer | string | null = stream.read();
      if (chunk === null) return false;
      done(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
      return true;
    }
    const onEnd = () => done(null);
    if (tryRead()) return;
    stream.on("readable", tryRead);
    stream.once("end", onEnd);
    stream.once("error", onEnd);
    stream.once("close", onEnd);
    signal.addEventListener("abort", onEnd, { once: true });
  });
}

export const stdinInput: InputSpec = {
  kind: "input",
  name: "stdin",
  defaultCodec: "line",
  doc: "Reads events from standard input until it ends.",
  options: {},
  create(options, context) {
    return new StdinInput(options.codec(), context);
  },
};
