// The `generator` input: decodes `message` (or each of `lines`, in turn) through its codec `count` times
// (0: until stopped), adding the host name and the round number, as Logstash's generator does; for tests and
// benchmarks.

import { hostname } from "node:os";
import type { Readable } from "node:stream";
import type { Event } from "../../event/index.js";
import type { Codec, Input, InputSink, InputSpec, PluginContext } from "../api.js";

/** Rounds generated between yields to the event loop, so an endless generator never starves timers and I/O. */
const roundsPerYield = 64;

export interface GeneratorSettings {
  message: string;
  lines: string[] | undefined;
  /** Rounds per thread; 0 or less means until stopped. */
  count: number;
  threads: number;
}

export class GeneratorInput implements Input {
  private stopped = false;
  private readonly hostField: string;
  private readonly sequenceField: string;
  private readonly host = hostname();

  constructor(
    private readonly settings: GeneratorSettings,
    private readonly codec: Codec,
    private readonly context: PluginContext,
    /** Where `message => "stdin"` reads its one line from. */
    private readonly stdin: Readable = process.stdin,
  ) {
    const ecs = context.ecsCompatibility !== "disabled";
    this.hostField = ecs ? "[host][name]" : "host";
    this.sequenceField = ecs ? "[event][sequence]" : "sequence";
  }

  async run(sink: InputSink): Promise<void> {
    let message = this.settings.message;
    if (message === "stdin") {
      this.context.logger.info("generator reading a line from stdin", { plugin: this.context.id });
      message = await readOneLine(this.stdin);
    }
    const lines = this.settings.lines ?? [message];
    const threads = Array.from({ length: Math.max(1, this.settings.threads) }, () =>
      this.generate(sink, lines),
    );
    await Promise.all(threads);
  }

  stop(): void {
    this.stopped = true;
  }

  private async generate(sink: InputSink, lines: string[]): Promise<void> {
    const decoded: Event[] = [];
    const decoder = this.codec.createDecoder((event) => decoded.push(event));
    const { count } = this.settings;
    for (let round = 0; !this.stopped && !sink.stopping && (count <= 0 || round < count); round++) {
      for (const line of lines) {
        decoder.write(Buffer.from(line, "utf8"));
        await this.deliver(decoded.splice(0), sink, round);
      }
      if (round % roundsPerYield === roundsPerYield - 1)
        await new Promise((resolve) => setImmediate(resolve));
    }
    decoder.end();
    await this.deliver(decoded.splice(0), sink, undefined);
  }

  /** Adds host and sequence (none for what the codec flushes at the end) and queues, waiting when full. */
  private async deliver(events: Event[], sink: InputSink, sequence: number | undefined): Promise<void> {
    for (const event of events) {
      try {
        if (!event.includes(this.hostField)) event.set(this.hostField, this.host);
        if (sequence !== undefined) event.set(this.sequenceField, sequence);
      } catch (err) {
        // a decoded `host` or `event` that is not an object cannot take the field; the event goes on without it
        this.context.logger.debug("could not add generator fields", { plugin: this.context.id, error: err });
      }
      if (!sink.push(event)) await sink.ready();
    }
  }
}

/** One line from `stream`, newline included (Ruby's readline), or what there was at EOF. */
function readOneLine(stream: Readable): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const detach = () => {
      stream.off("data", onData);
      stream.off("end", onEnd);
      stream.off("error", reject);
      stream.pause();
    };
    const onData = (chunk: Buffer | string) => {
      const bytes = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
      const newline = bytes.indexOf(0x0a);
      if (newline < 0) {
        chunks.push(bytes);
        return;
      }
      detach();
      // What follows the line goes back to the stream for whoever reads next.
      if (newline + 1 < bytes.length) stream.unshift(bytes.subarray(newline + 1));
      resolve(Buffer.concat([...chunks, bytes.subarray(0, newline + 1)]).toString("utf8"));
    };
    const onEnd = () => {
      detach();
      resolve(Buffer.concat(chunks).toString("utf8"));
    };
    stream.on("data", onData);
    stream.once("end", onEnd);
    stream.once("error", reject);
  });
}

export const generatorInput: InputSpec = {
  kind: "input",
  name: "generator",
  defaultCodec: "plain",
  doc: "Generates events from a fixed message or list of lines, a given number of times or forever.",
  options: {
    message: {
      type: "string",
      default: "Hello world!",
      doc: 'Text of each event; "stdin" reads it from one line of standard input.',
    },
    lines: { type: "array", doc: "Several messages, generated in turn each round (overrides message)." },
    count: { type: "number", default: 0, doc: "Rounds to generate; 0 means forever." },
    threads: { type: "number", default: 1, doc: "Parallel generators, each producing `count` rounds." },
  },
  create(options, context) {
    const lines = options.has("lines") ? options.stringArray("lines") : undefined;
    const threads = options.number("threads");
    if (!Number.isInteger(threads) || threads < 1) throw new Error("threads must be a positive integer");
    return new GeneratorInput(
      { message: options.string("message"), lines, count: options.number("count"), threads },
      options.codec(),
      context,
    );
  },
};
