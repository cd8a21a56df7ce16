// The `es_bulk` codec: decodes an Elasticsearch bulk body (NDJSON action and source lines) into one event per
// document, with the action's metadata (`_index`, `_id`, ..., `action`) under [@metadata]. It cannot encode.

import { limits } from "../../../common/limits.js";
import { Event, type FieldMap, fromUnknown } from "../../event/index.js";
import type { Codec, CodecSpec, Decoder, PluginContext } from "../api.js";
import { createTextConverter, type TextConverter } from "./charset.js";
import { LineSplitter } from "./line-splitter.js";

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** One bulk body being read: an action line, then (except for delete) its source line. */
class BulkReader {
  /** The metadata of an action whose source line has not come yet. */
  private pending: FieldMap | undefined;

  constructor(
    private readonly codec: EsBulkCodec,
    private readonly emit: (event: Event) => void,
  ) {}

  line(text: string): void {
    if (text.trim() === "") return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      // Logstash logs and drops the line, and stays where it was in the action/source sequence.
      this.codec.fail(
        "JSON parse failure. ES Bulk messages must in be UTF-8 JSON",
        (err as Error).message,
        text,
      );
      return;
    }
    if (this.pending === undefined) this.action(parsed, text);
    else this.source(this.pending, parsed, text);
  }

  private action(parsed: unknown, text: string): void {
    const name = isObject(parsed) ? Object.keys(parsed)[0] : undefined;
    const body = name === undefined ? undefined : fromUnknown((parsed as Record<string, unknown>)[name]);
    if (name === undefined || !isObject(body)) {
      this.codec.fail("ES bulk action line is not {action: {metadata}}", "bad action line", text);
      return;
    }
    const metadata: FieldMap = { ...body, action: name };
    if (name === "delete") this.emit(this.codec.documentEvent(metadata, undefined));
    else this.pending = metadata;
  }

  private source(metadata: FieldMap, parsed: unknown, text: string): void {
    this.pending = undefined;
    if (!isObject(parsed) && this.codec.target === undefined) {
      this.codec.fail("ES bulk source line is not a JSON object", "bad source line", text);
      return;
    }
    this.emit(this.codec.documentEvent(metadata, parsed));
  }
}

export class EsBulkCodec implements Codec {
  readonly splitsLines = true;
  private readonly converter: TextConverter;
  /** Logstash: [@metadata] without ECS, [@metadata][codec][es_bulk] with it. */
  private readonly metadataField: string;
  private refusedEncode = false;

  constructor(
    readonly target: string | undefined,
    private readonly context: PluginContext,
  ) {
    this.converter = createTextConverter("UTF-8", context.logger);
    this.metadataField =
      context.ecsCompatibility === "disabled" ? "[@metadata]" : "[@metadata][codec][es_bulk]";
  }

  createDecoder(emit: (event: Event) => void): Decoder {
    const reader = new BulkReader(this, emit);
    const splitter = new LineSplitter("\n", limits.codecLineBytesMax, {
      line: (bytes) => reader.line(this.converter.convert(bytes)),
      overflow: () => this.fail("ES bulk line longer than the codec's limit", "line too long", ""),
    });
    return {
      write: (data) => splitter.write(data),
      end: () => {
        const rest = splitter.flush();
        if (rest.length > 0) reader.line(this.converter.convert(rest));
      },
    };
  }

  /** The event for one document; `source` is undefined for a delete (under a target it is then `{}`). */
  documentEvent(metadata: FieldMap, source: unknown): Event {
    let event: Event;
    if (this.target !== undefined) {
      event = new Event();
      event.set(this.target, source ?? {});
    } else {
      event = source === undefined ? new Event() : new Event(source as Record<string, unknown>);
    }
    event.set(this.metadataField, metadata);
    return event;
  }

  fail(message: string, error: string, text: string): void {
    this.context.logger.error(message, { plugin: this.context.id, error, data: text });
    this.context.countFailure("es_bulk_parse");
  }

  /** Logstash's es_bulk has no encoder (its base class raises); Sluice writes nothing and says so once. */
  encode(): string {
    this.context.countFailure("encode_not_supported");
    if (!this.refusedEncode) {
      this.refusedEncode = true;
      this.context.logger.error("the es_bulk codec cannot encode; events written with it are dropped", {
        plugin: this.context.id,
      });
    }
    return "";
  }
}

export const esBulkCodec: CodecSpec = {
  kind: "codec",
  name: "es_bulk",
  doc: "Reads an Elasticsearch bulk body: one event per document, the action's metadata under [@metadata]. Decode only.",
  options: {
    target: {
      type: "field_reference",
      doc: "Field to put each document under (default: the event root).",
    },
  },
  create(options, context) {
    return new EsBulkCodec(options.optionalString("target"), context);
  },
};
