// The `line` codec: one event per delimited line (a partial line waits for more input, the last one is
// flushed when the source ends); encoding writes `format` or the event's text form plus the delimiter.

import type { CodecSpec } from "../api.js";
import { charsetOption } from "./charset.js";
import { LineCodec } from "./line-codec.js";

export const lineCodec: CodecSpec = {
  kind: "codec",
  name: "line",
  doc: "Reads and writes line-oriented text: each delimited line is an event's `message`.",
  options: {
    format: { type: "string", doc: "sprintf template written for each event when encoding." },
    charset: charsetOption,
    delimiter: { type: "string", default: "\n", doc: "Separator between lines, in both directions." },
  },
  create(options, context) {
    const delimiter = options.string("delimiter");
    if (delimiter === "") throw new Error("delimiter cannot be empty");
    return new LineCodec(
      { format: options.optionalString("format"), charset: options.string("charset"), delimiter },
      context,
    );
  },
};
