// The json_lines codec's behaviour, shared by the `json_lines` plugin and by `json` when a streaming input
// (stdin) switches it as Logstash does: one JSON document per delimited line, encode as JSON plus delimiter.

import { limits } from "../../../common/limits.js";
import type { Event } from "../../event/index.js";
import type { Codec, Decoder, PluginContext } from "../api.js";
import { createTextConverter, type TextConverter } from "./charset.js";
import { eventsFromJson, jsonFailureEvent } from "./json-events.js";
import { LINE_TOO_LONG_TAG } from "./line-codec.js";
import { LineSplitter } from "./line-splitter.js";

export interface JsonLinesSettings {
  charset: string;
  delimiter: string;
  /** decode_size_limit_bytes; capped by limits.codecLineBytesMax. */
  sizeLimitBytes: number;
  target?: string | undefined;
}

export class JsonLinesCodec implements Codec {
  readonly splitsLines = true;
  private readonly converter: TextConverter;
  private readonly lineBytesMax: number;

  constructor(
    private readonly settings: JsonLinesSettings,
    private readonly context: PluginContext,
  ) {
    this.converter = createTextConverter(settings.charset, context.logger);
    this.lineBytesMax = Math.max(1, Math.min(settings.sizeLimitBytes, limits.codecLineBytesMax));
  }

  createDecoder(emit: (event: Event) => void): Decoder {
    const splitter = new LineSplitter(this.settings.delimiter, this.lineBytesMax, {
      line: (bytes) => this.parse(this.converter.convert(bytes), emit),
      overflow: (prefix) => {
        this.context.logger.warn("JSON line longer than the size limit; kept its start as message", {
          plugin: this.context.id,
          limit_bytes: this.lineBytesMax,
        });
        this.context.countFailure("line_too_long");
        const event = jsonFailureEvent(this.converter.convert(prefix));
        event.tag(LINE_TOO_LONG_TAG);
        emit(event);
      },
    });
    return {
      write: (data) => splitter.write(data),
      end: () => {
        const rest = splitter.flush();
        if (rest.length > 0) this.parse(this.converter.convert(rest), emit);
      },
    };
  }

  encode(event: Event): string {
    return JSON.stringify(event) + this.settings.delimiter;
  }

  private parse(text: string, emit: (event: Event) => void): void {
    const result = eventsFromJson(text, this.settings.target);
    if ("events" in result) {
      for (const event of result.events) emit(event);
      return;
    }
    this.context.logger.warn("JSON parse error, original data now in message field", {
      plugin: this.context.id,
      error: result.error,
      data: text,
    });
    this.context.countFailure("json_parse");
    emit(jsonFailureEvent(text));
  }
}
