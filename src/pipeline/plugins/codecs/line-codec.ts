// The line codec's behaviour, shared by the `line` plugin and by `plain` when a streaming input (stdin) switches
// it to line as Logstash does: one event per delimited line, encode as text plus the delimiter.

import { limits } from "../../../common/limits.js";
import { Event } from "../../event/index.js";
import type { Codec, Decoder, PluginContext } from "../api.js";
import { createTextConverter, type TextConverter } from "./charset.js";
import { eventToString } from "./event-text.js";
import { LineSplitter } from "./line-splitter.js";

/** Tag of the event made from the kept start of a line longer than the codecs' line limit (Sluice's own). */
export const LINE_TOO_LONG_TAG = "_linetoolong";

export interface LineCodecSettings {
  format?: string | undefined;
  charset: string;
  delimiter: string;
}

export class LineCodec implements Codec {
  readonly splitsLines = true;
  private readonly converter: TextConverter;
  /** ECS modes write the line to [event][original] too. */
  private readonly originalField: boolean;

  constructor(
    private readonly settings: LineCodecSettings,
    private readonly context: PluginContext,
  ) {
    this.converter = createTextConverter(settings.charset, context.logger);
    this.originalField = context.ecsCompatibility !== "disabled";
  }

  createDecoder(emit: (event: Event) => void): Decoder {
    const splitter = new LineSplitter(this.settings.delimiter, limits.codecLineBytesMax, {
      line: (bytes) => emit(this.lineEvent(bytes)),
      overflow: (prefix) => {
        this.context.logger.warn("line longer than the codec's limit; kept its start, dropped the rest", {
          plugin: this.context.id,
          limit_bytes: limits.codecLineBytesMax,
        });
        this.context.countFailure("line_too_long");
        const event = this.lineEvent(prefix);
        event.tag(LINE_TOO_LONG_TAG);
        emit(event);
      },
    });
    return {
      write: (data) => splitter.write(data),
      end: () => {
        const rest = splitter.flush();
        if (rest.length > 0) emit(this.lineEvent(rest));
      },
    };
  }

  encode(event: Event): string {
    const text =
      this.settings.format === undefined ? eventToString(event) : event.sprintf(this.settings.format);
    return text + this.settings.delimiter;
  }

  private lineEvent(bytes: Buffer): Event {
    const message = this.converter.convert(bytes);
    const event = Event.adopt({ message });
    // A fresh string in a fresh event: nothing to convert or copy.
    if (this.originalField) event.adoptField("[event][original]", message);
    return event;
  }
}
