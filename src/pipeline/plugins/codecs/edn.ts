// The `edn` codec: each chunk an input reads is one EDN map, which becomes an event; text that is not an EDN map
// becomes an event with the text as `message` (Logstash logs it, without a tag). Encoding writes one EDN map.

import type { Event } from "../../event/index.js";
import type { Codec, CodecSpec, Decoder, PluginContext } from "../api.js";
import { createTextConverter, type TextConverter } from "./charset.js";
import { ednEvent, eventToEdn } from "./edn/events.js";

class EdnCodec implements Codec {
  private readonly converter: TextConverter;

  constructor(
    private readonly target: string | undefined,
    private readonly context: PluginContext,
  ) {
    this.converter = createTextConverter("UTF-8", context.logger);
  }

  createDecoder(emit: (event: Event) => void): Decoder {
    return {
      write: (data) => emit(ednEvent(this.converter.convert(data), this.target, this.context)),
      end: () => {},
    };
  }

  encode(event: Event): string {
    return eventToEdn(event);
  }
}

export const ednCodec: CodecSpec = {
  kind: "codec",
  name: "edn",
  doc: "Reads each chunk as one EDN map and writes events as EDN maps (no newline).",
  options: {
    target: {
      type: "field_reference",
      doc: "Field to put decoded data under (default: the event root).",
    },
  },
  create(options, context) {
    return new EdnCodec(options.optionalString("target"), context);
  },
};
