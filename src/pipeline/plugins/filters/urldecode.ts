// The urldecode filter: replaces %XX escapes in a field (or in every field) with the bytes they stand for, read
// in `charset`. Only runs of valid %XX escapes are decoded; `+` and malformed escapes such as `%zz` stay as written.

import { Buffer } from "node:buffer";
import type { Event, FieldMap, FieldValue } from "../../event/index.js";
import { Timestamp } from "../../event/index.js";
import type { Filter, FilterSpec, PluginContext } from "../api.js";
import { charsetNames, createTextConverter, type TextConverter } from "../codecs/charset.js";

const escapeRuns = /(?:%[0-9a-fA-F]{2})+/g;

export class UrldecodeFilter implements Filter {
  constructor(
    private readonly field: string,
    private readonly allFields: boolean,
    private readonly failureTags: readonly string[],
    private readonly converter: TextConverter,
    /** UTF-8 text without escapes comes back unchanged, so it need not be converted. */
    private readonly utf8: boolean,
    private readonly context: PluginContext,
  ) {}

  filter(event: Event): boolean {
    try {
      if (this.allFields) {
        for (const name of Object.keys(event.toObject()))
          event.set(name, this.decodeValue(event.get(name) ?? null));
      } else {
        // A missing field is written back as null, as Logstash does.
        event.set(this.field, this.decodeValue(event.get(this.field) ?? null));
      }
    } catch (err) {
      for (const tag of this.failureTags) event.tag(tag);
      this.context.countFailure("urldecode failed");
      this.context.logger.warn("urldecode failed", {
        plugin: this.context.id,
        error: (err as Error).message,
      });
    }
    // Logstash decorates the event even after a failure.
    return true;
  }

  private decodeValue(value: FieldValue): FieldValue {
    if (typeof value === "string") return this.decodeText(value);
    if (Array.isArray(value)) return value.map((item) => this.decodeValue(item));
    if (value !== null && typeof value === "object" && !(value instanceof Timestamp)) {
      const decoded: FieldMap = {};
      for (const [key, child] of Object.entries(value)) decoded[key] = this.decodeValue(child);
      return decoded;
    }
    return value;
  }

  /** The text's UTF-8 bytes with escapes replaced by raw bytes, read back through the charset converter. */
  private decodeText(text: string): string {
    if (this.utf8 && !text.includes("%")) return text;
    const pieces: Buffer[] = [];
    let last = 0;
    for (const match of text.matchAll(escapeRuns)) {
      pieces.push(Buffer.from(text.slice(last, match.index), "utf8"));
      pieces.push(Buffer.from(match[0].replaceAll("%", ""), "hex"));
      last = match.index + match[0].length;
    }
    pieces.push(Buffer.from(text.slice(last), "utf8"));
    return this.converter.convert(Buffer.concat(pieces));
  }
}

export const urldecodeFilter: FilterSpec = {
  kind: "filter",
  name: "urldecode",
  doc: "Decodes URL-encoded (%XX) text in a field, or in every top-level field with `all_fields`.",
  options: {
    field: { type: "string", default: "message", doc: "The field to decode." },
    all_fields: { type: "boolean", default: false, doc: "Decode every top-level field instead of `field`." },
    charset: {
      type: charsetNames,
      default: "UTF-8",
      doc: "Character set of the decoded bytes; invalid UTF-8 is kept as Ruby-style \\xHH escapes.",
    },
    tag_on_failure: {
      type: "array",
      default: ["_urldecodefailure"],
      doc: "Tags added when a decoded value cannot be stored.",
    },
  },
  create(options, context) {
    const charset = options.string("charset");
    return new UrldecodeFilter(
      options.string("field"),
      options.boolean("all_fields"),
      options.stringArray("tag_on_failure"),
      createTextConverter(charset, context.logger),
      charset.toUpperCase() === "UTF-8",
      context,
    );
  },
};
