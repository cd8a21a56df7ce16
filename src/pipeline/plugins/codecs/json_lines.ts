// The `json_lines` codec: newline-delimited JSON in both directions; a line that is not a JSON object (or array
// of objects) becomes an event with the line as `message`, tagged `_jsonparsefailure`.

import type { CodecSpec } from "../api.js";
import { charsetOption } from "./charset.js";
import { JsonLinesCodec } from "./json-lines-codec.js";

export const jsonLinesCodec: CodecSpec = {
  kind: "codec",
  name: "json_lines",
  doc: "Reads and writes one JSON document per delimited line.",
  options: {
    charset: charsetOption,
    delimiter: {
      type: "string",
      default: "\n",
      doc: "Separator between JSON documents, in both directions.",
    },
    decode_size_limit_bytes: {
      type: "number",
      default: 512 * 1024 * 1024,
      doc: "Longest line decoded; Sluice also caps it at its own line limit (64 MiB).",
    },
    target: {
      type: "field_reference",
      doc: "Field to put decoded documents under (default: the event root).",
    },
  },
  create(options, context) {
    const delimiter = options.string("delimiter");
    if (delimiter === "") throw new Error("delimiter cannot be empty");
    const sizeLimitBytes = options.number("decode_size_limit_bytes");
    if (sizeLimitBytes <= 0) throw new Error("decode_size_limit_bytes must be positive");
    return new JsonLinesCodec(
      {
        charset: options.string("charset"),
        delimiter,
        sizeLimitBytes,
        target: options.optionalString("target"),
      },
      context,
    );
  },
};
