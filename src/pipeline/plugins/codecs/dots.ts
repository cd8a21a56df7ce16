// The `dots` codec: writes one "." per event (a progress meter on stdout); it cannot decode.

import type { Codec, CodecSpec, Decoder, PluginContext } from "../api.js";

export class DotsCodec implements Codec {
  private refusedDecode = false;

  constructor(private readonly context: PluginContext) {}

  /** Logstash raises "Not implemented"; Sluice drops the input and says so once. */
  createDecoder(): Decoder {
    const refuse = () => {
      this.context.countFailure("decode_not_supported");
      if (this.refusedDecode) return;
      this.refusedDecode = true;
      this.context.logger.error("the dots codec cannot decode; input read with it is dropped", {
        plugin: this.context.id,
      });
    };
    return { write: refuse, end: () => {} };
  }

  encode(): string {
    return ".";
  }
}

export const dotsCodec: CodecSpec = {
  kind: "codec",
  name: "dots",
  doc: "Writes a single dot per event, to watch throughput.",
  options: {},
  create(_options, context) {
    return new DotsCodec(context);
  },
};
