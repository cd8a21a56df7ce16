// The `plain` codec: every chunk an input reads becomes one event's `message` (no framing of its own); encoding
// writes `format` or the event's text form, without a newline.

import { Event } from "../../event/index.js";
import type { Codec, CodecSpec, Decoder, PluginContext } from "../api.js";
import { charsetOption, createTextConverter, type TextConverter } from "./charset.js";
import { eventToString } from "./event-text.js";
import { LineCodec } from "./line-codec.js";
import type { StreamingSwitchable } from "./streaming.js";

export class PlainCodec implements Codec, StreamingSwitchable {
  readonly streamingName = "line";
  private readonly converter: TextConverter;
  private readonly originalField: string | undefined;

  constructor(
    private readonly format: string | undefined,
    private readonly charset: string,
    private readonly context: PluginContext,
  ) {
    this.converter = createTextConverter(charset, context.logger);
    this.originalField = context.ecsCompatibility === "disabled" ? undefined : "[event][original]";
  }

  createDecoder(emit: (event: Event) => void): Decoder {
    return {
      write: (data) => {
        const message = this.converter.convert(data);
        const event = Event.adopt({ message });
        if (this.originalField !== undefined) event.adoptField(this.originalField, message);
        emit(event);
      },
      end: () => {},
    };
  }

  encode(event: Event): string {
    return this.format === undefined ? eventToString(event) : event.sprintf(this.format);
  }

  /** Logstash keeps only the charset when it swaps plain for line (the format is dropped). */
  streamingCodec(): Codec {
    return new LineCodec({ charset: this.charset, delimiter: "\n" }, this.context);
  }
}

export const plainCodec: CodecSpec = {
  kind: "codec",
  name: "plain",
  doc: "Plain text with no framing: each chunk read is one event; events are written as text without a newline.",
  options: {
    format: { type: "string", doc: "sprintf template written for each event when encoding." },
    charset: charsetOption,
  },
  create(options, context) {
    return new PlainCodec(options.optionalString("format"), options.string("charset"), context);
  },
};
