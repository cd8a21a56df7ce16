// The json_encode filter: serialises one field's value (any type) to JSON text in the same or another field.

import { type Event, toPlain } from "../../event/index.js";
import type { Filter, FilterSpec, PluginContext } from "../api.js";

export const jsonGenerateFailureTag = "_jsongeneratefailure";

export class JsonEncodeFilter implements Filter {
  constructor(
    private readonly source: string,
    private readonly target: string,
    private readonly context: PluginContext,
  ) {}

  filter(event: Event): boolean {
    try {
      // A missing field encodes as `null`, as Logstash's JSON dump of nil.
      event.set(this.target, JSON.stringify(toPlain(event.get(this.source) ?? null)));
      return true;
    } catch (err) {
      event.tag(jsonGenerateFailureTag);
      this.context.countFailure("json encoding failed");
      this.context.logger.warn("Trouble encoding JSON", {
        plugin: this.context.id,
        source: this.source,
        error: (err as Error).message,
      });
      return false;
    }
  }
}

export const jsonEncodeFilter: FilterSpec = {
  kind: "filter",
  name: "json_encode",
  doc: "Serialises the value of `source` to JSON text, stored in `target` (by default over `source` itself).",
  options: {
    source: { type: "string", required: true, doc: "The field whose value is encoded." },
    target: { type: "string", doc: "Where the JSON text goes; `source` when not given." },
  },
  create(options, context) {
    const source = options.string("source");
    return new JsonEncodeFilter(source, options.optionalString("target") ?? source, context);
  },
};
