// The `rubydebug` codec: writes each event the way Logstash's rubydebug does (AmazingPrint's aligned
// `"key" => value` layout, one event per block); it cannot decode.

import type { Event } from "../../event/index.js";
import type { Codec, CodecSpec, Decoder, PluginContext } from "../api.js";
import { eventFields } from "./event-text.js";
import { amazingPrint } from "./ruby-format.js";

export class RubydebugCodec implements Codec {
  private refusedDecode = false;

  constructor(
    private readonly metadata: boolean,
    private readonly context: PluginContext,
  ) {}

  /** Logstash raises "Not implemented"; Sluice drops the input and says so once. */
  createDecoder(): Decoder {
    const refuse = () => {
      this.context.countFailure("decode_not_supported");
      if (this.refusedDecode) return;
      this.refusedDecode = true;
      this.context.logger.error("the rubydebug codec cannot decode; input read with it is dropped", {
        plugin: this.context.id,
      });
    };
    return { write: refuse, end: () => {} };
  }

  encode(event: Event): string {
    return `${amazingPrint(eventFields(event, this.metadata))}\n`;
  }
}

export const rubydebugCodec: CodecSpec = {
  kind: "codec",
  name: "rubydebug",
  doc: "Writes events in Ruby's AmazingPrint layout, for reading by people (stdout debugging).",
  options: {
    metadata: { type: "boolean", default: false, doc: "Also print the event's [@metadata]." },
  },
  create(options, context) {
    return new RubydebugCodec(options.boolean("metadata"), context);
  },
};
