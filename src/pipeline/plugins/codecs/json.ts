// The `json` codec: each chunk an input reads is one JSON document (an array gives one event per element);
// text that is not JSON becomes an event with the text as `message`, tagged `_jsonparsefailure`. Encoding writes
// the event as compact JSON without a newline.

import type { Event } from "../../event/index.js";
import type { Codec, CodecSpec, Decoder, PluginContext } from "../api.js";
import { charsetOption, createTextConverter, type TextConverter } from "./charset.js";
import { eventsFromJson, jsonFailureEvent } from "./json-events.js";
import { JsonLinesCodec } from "./json-lines-codec.js";
import type { StreamingSwitchable } from "./streaming.js";

const ORIGINAL_FIELD = "[event][original]";

export class JsonCodec implements Codec, StreamingSwitchable {
  readonly streamingName = "json_lines";
  private readonly converter: TextConverter;

  constructor(
    private readonly charset: string,
    private readonly target: string | undefined,
    private readonly context: PluginContext,
  ) {
    this.converter = createTextConverter(charset, context.logger);
  }

  createDecoder(emit: (event: Event) => void): Decoder {
    return { write: (data) => this.decode(this.converter.convert(data), emit), end: () => {} };
  }

  encode(event: Event): string {
    return JSON.stringify(event);
  }

  /** Logstash keeps only the charset when it swaps json for json_lines (the target is dropped). */
  streamingCodec(): Codec {
    return new JsonLinesCodec(
      { charset: this.charset, delimiter: "\n", sizeLimitBytes: 512 * 1024 * 1024 },
      this.context,
    );
  }

  private decode(text: string, emit: (event: Event) => void): void {
    const result = eventsFromJson(text, this.target);
    if ("error" in result) {
      this.fail(text, result.error, emit);
      return;
    }
    // Only a single document keeps the text it came from; an array's elements do not.
    const [only] = result.events;
    const ecs = this.context.ecsCompatibility !== "disabled";
    if (only !== undefined && result.events.length === 1 && ecs && !only.includes(ORIGINAL_FIELD)) {
      try {
        only.set(ORIGINAL_FIELD, text);
      } catch (err) {
        // e.g. the document's `event` is a string; Logstash's set raises too and it falls back the same way
        this.fail(text, (err as Error).message, emit);
        return;
      }
    }
    for (const event of result.events) emit(event);
  }

  private fail(text: string, error: string, emit: (event: Event) => void): void {
    this.context.logger.warn("JSON parse error, original data now in message field", {
      plugin: this.context.id,
      error,
      data: text,
    });
    this.context.countFailure("json_parse");
    emit(jsonFailureEvent(text));
  }
}

export const jsonCodec: CodecSpec = {
  kind: "codec",
  name: "json",
  doc: "Reads whole JSON documents (an array yields one event per element) and writes events as compact JSON.",
  options: {
    charset: charsetOption,
    target: {
      type: "field_reference",
      doc: "Field to put decoded documents under (default: the event root).",
    },
  },
  create(options, context) {
    return new JsonCodec(options.string("charset"), options.optionalString("target"), context);
  },
};
