// The `multiline` codec: joins lines into one event when they match (or, negated, do not match) `pattern`,
// attaching each to the previous or next line as `what` says; bounded by max_lines/max_bytes, flushed after
// `auto_flush_interval` seconds of quiet, when the source ends, or when the codec closes.

import { limits } from "../../../common/limits.js";
import { Event } from "../../event/index.js";
import { builtinPatterns, compileGrok, patternFilesFrom, readPatternFile } from "../../grok/index.js";
import type { Codec, CodecSpec, Decoder, PluginContext } from "../api.js";
import { charsetOption, createTextConverter, type TextConverter } from "./charset.js";
import { eventToString } from "./event-text.js";
import { LineSplitter } from "./line-splitter.js";

export const MAX_LINES_TAG = "multiline_codec_max_lines_reached";
export const MAX_BYTES_TAG = "multiline_codec_max_bytes_reached";
const defaultMaxBytes = 10 * 1024 * 1024;

export interface MultilineSettings {
  regex: RegExp;
  what: "previous" | "next";
  negate: boolean;
  charset: string;
  multilineTag: string;
  maxLines: number;
  maxBytes: number;
  /** Seconds; undefined means never. */
  autoFlushInterval: number | undefined;
}

export class MultilineCodec implements Codec {
  readonly splitsLines = true;
  private readonly converter: TextConverter;
  private readonly decoders = new Set<MultilineDecoder>();

  constructor(
    readonly settings: MultilineSettings,
    readonly context: PluginContext,
  ) {
    this.converter = createTextConverter(settings.charset, context.logger);
  }

  createDecoder(emit: (event: Event) => void): Decoder {
    const decoder = new MultilineDecoder(this, this.converter, emit, () => this.decoders.delete(decoder));
    this.decoders.add(decoder);
    return decoder;
  }

  /** Logstash's multiline encode hands the event on untouched; as bytes that is its text form. */
  encode(event: Event): string {
    return eventToString(event);
  }

  /** Flushes what every source still holds (Logstash flushes on close too) and stops the timers. */
  close(): void {
    for (const decoder of [...this.decoders]) decoder.end();
  }
}

/** One source's state: the lines waiting to become an event and the auto-flush timer. */
class MultilineDecoder implements Decoder {
  private lines: string[] = [];
  private bufferedBytes = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly splitter: LineSplitter;
  private ended = false;

  constructor(
    private readonly codec: MultilineCodec,
    private readonly converter: TextConverter,
    private readonly emit: (event: Event) => void,
    private readonly onEnd: () => void,
  ) {
    this.splitter = new LineSplitter("\n", limits.codecLineBytesMax, {
      line: (bytes) => this.onLine(this.converter.convert(bytes)),
      overflow: (prefix) => {
        codec.context.logger.warn("line longer than the codec's limit; kept its start, dropped the rest", {
          plugin: codec.context.id,
          limit_bytes: limits.codecLineBytesMax,
        });
        codec.context.countFailure("line_too_long");
        this.onLine(this.converter.convert(prefix));
      },
    });
  }

  write(data: Buffer): void {
    if (!this.ended) this.splitter.write(data);
  }

  end(): void {
    if (this.ended) return;
    const rest = this.splitter.flush();
    if (rest.length > 0) this.onLine(this.converter.convert(rest));
    this.flush();
    this.stopTimer();
    this.ended = true;
    this.onEnd();
  }

  private onLine(line: string): void {
    const { regex, negate, what } = this.codec.settings;
    const matched = regex.test(line) !== negate;
    if (what === "next") {
      this.buffer(line);
      this.restartTimer();
      if (!matched || this.overLimits()) this.flush();
    } else {
      if (!matched || this.overLimits()) this.flush();
      this.restartTimer();
      this.buffer(line);
    }
  }

  private buffer(line: string): void {
    this.lines.push(line);
    this.bufferedBytes += Buffer.byteLength(line);
  }

  // Logstash's checks, off-by-one included: an event may carry max_lines + 1 lines before it is cut.
  private overMaxLines(): boolean {
    return this.lines.length > this.codec.settings.maxLines;
  }

  private overMaxBytes(): boolean {
    return this.bufferedBytes >= this.codec.settings.maxBytes;
  }

  private overLimits(): boolean {
    return this.overMaxLines() || this.overMaxBytes();
  }

  private flush(): void {
    if (this.lines.length === 0) return;
    const event = this.merge();
    this.lines = [];
    this.bufferedBytes = 0;
    this.emit(event);
  }

  private merge(): Event {
    const { multilineTag } = this.codec.settings;
    const message = this.lines.join("\n");
    const event = Event.adopt({ message });
    if (this.codec.context.ecsCompatibility !== "disabled") event.set("[event][original]", message);
    if (multilineTag !== "" && this.lines.length > 1) event.tag(multilineTag);
    if (this.overMaxBytes()) event.tag(MAX_BYTES_TAG);
    if (this.overMaxLines()) event.tag(MAX_LINES_TAG);
    return event;
  }

  /** Every buffered line pushes the auto flush back: it fires after a quiet interval. */
  private restartTimer(): void {
    const seconds = this.codec.settings.autoFlushInterval;
    if (seconds === undefined) return;
    this.stopTimer();
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, seconds * 1000);
    this.timer.unref();
  }

  private stopTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}

export const multilineCodec: CodecSpec = {
  kind: "codec",
  name: "multiline",
  doc: "Joins consecutive lines into one event (stack traces, continued lines) by a grok-style pattern.",
  options: {
    pattern: {
      type: "string",
      required: true,
      doc: "Regular expression (grok %{NAME} allowed) tested on each line.",
    },
    what: {
      type: ["previous", "next"],
      required: true,
      doc: "Whether a matching line joins the previous or next.",
    },
    negate: { type: "boolean", default: false, doc: "Join lines that do NOT match the pattern instead." },
    patterns_dir: {
      type: "array",
      default: [],
      doc: "Directories or files of extra grok patterns (NAME regex).",
    },
    charset: charsetOption,
    multiline_tag: {
      type: "string",
      default: "multiline",
      doc: "Tag added to events made of several lines.",
    },
    max_lines: { type: "number", default: 500, doc: "Lines after which an event is cut and tagged." },
    max_bytes: {
      type: "bytes",
      default: defaultMaxBytes,
      doc: "Bytes after which an event is cut and tagged.",
    },
    auto_flush_interval: {
      type: "number",
      doc: "Seconds without a new line after which the pending event is sent.",
    },
  },
  create(options, context) {
    const autoFlush = options.optionalNumber("auto_flush_interval");
    if (autoFlush !== undefined && autoFlush <= 0) throw new Error("auto_flush_interval must be positive");
    const settings: MultilineSettings = {
      regex: multilineRegExp(options.string("pattern"), options.stringArray("patterns_dir"), context),
      what: options.string("what") === "next" ? "next" : "previous",
      negate: options.boolean("negate"),
      charset: options.string("charset"),
      multilineTag: options.string("multiline_tag"),
      maxLines: options.number("max_lines"),
      maxBytes: options.number("max_bytes"),
      autoFlushInterval: autoFlush,
    };
    return new MultilineCodec(settings, context);
  },
};

/** The pattern with grok's library (the built-in set of the plugin's ECS mode plus `patterns_dir` files). */
function multilineRegExp(pattern: string, patternsDirs: readonly string[], context: PluginContext): RegExp {
  const library = new Map(Object.entries(builtinPatterns(context.ecsCompatibility)));
  for (const file of patternFilesFrom(patternsDirs, "*")) readPatternFile(file, library);
  // Lines are tested one at a time and multiline has no timeout option: the plain RegExp is enough.
  return compileGrok(pattern, library, false).bounded.regex;
}
