// The `edn_lines` codec: one EDN map per newline-delimited line in both directions; a line that is not an EDN map
// becomes an event with the line as `message` (Logstash logs it, without a tag).

import { limits } from "../../../common/limits.js";
import type { Event } from "../../event/index.js";
import type { Codec, CodecSpec, Decoder, PluginContext } from "../api.js";
import { createTextConverter, type TextConverter } from "./charset.js";
import { ednEvent, eventToEdn } from "./edn/events.js";
import { LINE_TOO_LONG_TAG } from "./line-codec.js";
import { LineSplitter } from "./line-splitter.js";

class EdnLinesCodec implements Codec {
  readonly splitsLines = true;
  private readonly converter: TextConverter;

  constructor(
    private readonly target: string | undefined,
    private readonly context: PluginContext,
  ) {
    this.converter = createTextConverter("UTF-8", context.logger);
  }

  createDecoder(emit: (event: Event) => void): Decoder {
    const decodeLine = (bytes: Buffer) =>
      emit(ednEvent(this.converter.convert(bytes), this.target, this.context));
    const splitter = new LineSplitter("\n", limits.codecLineBytesMax, {
      line: decodeLine,
      overflow: (prefix) => {
        this.context.logger.warn("EDN line longer than the codec's limit; kept its start as message", {
          plugin: this.context.id,
          limit_bytes: limits.codecLineBytesMax,
        });
        this.context.countFailure("line_too_long");
        const event = ednEvent(this.converter.convert(prefix), this.target, this.context);
        event.tag(LINE_TOO_LONG_TAG);
        emit(event);
      },
    });
    return {
      write: (data) => splitter.write(data),
      end: () => {
        const rest = splitter.flush();
        if (rest.length > 0) decodeLine(rest);
      },
    };
  }

  encode(event: Event): string {
    return `${eventToEdn(event)}\n`;
  }
}

export const ednLinesCodec: CodecSpec = {
  kind: "codec",
  name: "edn_lines",
  doc: "Reads and writes one EDN map per line.",
  options: {
    target: {
      type: "field_reference",
      doc: "Field to put decoded data under (default: the event root).",
    },
  },
  create(options, context) {
    return new EdnLinesCodec(options.optionalString("target"), context);
  },
};
