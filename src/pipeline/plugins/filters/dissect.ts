// The dissect filter: cuts fields into parts by the delimiters of a `%{}` pattern (no regular expressions), then
// converts chosen fields to numbers. Tagging, logging and decoration follow Logstash's Java implementation.

import type { Event } from "../../event/index.js";
import type { Filter, FilterSpec, PluginContext } from "../api.js";
import type { ResolvedOptions } from "../options.js";
import { convertField, type DissectDatatype, parseDatatype } from "./dissect/convert.js";
import { Dissection } from "./dissect/pattern.js";
import { saveDissection } from "./dissect/save.js";
import { rubyText } from "./dissect/values.js";

interface Mapping {
  field: string;
  /** Undefined for an empty pattern, which Logstash skips. */
  dissection: Dissection | undefined;
}

interface Conversion {
  field: string;
  type: DissectDatatype;
}

export class DissectFilter implements Filter {
  constructor(
    private readonly mappings: readonly Mapping[],
    private readonly conversions: readonly Conversion[],
    private readonly failureTags: readonly string[],
    private readonly context: PluginContext,
  ) {}

  filter(event: Event): boolean {
    let matched = false;
    try {
      for (const mapping of this.mappings) {
        if (mapping.dissection !== undefined && this.dissect(event, mapping.field, mapping.dissection))
          matched = true;
      }
      for (const conversion of this.conversions) this.convert(event, conversion);
    } catch (err) {
      // A field reference the event cannot hold (e.g. an indirect key): the event keeps what was saved so far.
      this.fail(event, "Dissect threw an exception", { error: (err as Error).message });
    }
    return matched;
  }

  private dissect(event: Event, field: string, dissection: Dissection): boolean {
    if (!event.includes(field)) {
      // Logstash counts and logs this but does not tag: the field may legitimately be absent.
      this.context.countFailure("field not found");
      this.context.logger.warn("Dissector mapping, field not found in event", {
        plugin: this.context.id,
        field,
      });
      return false;
    }
    const source = rubyText(event.get(field) ?? null);
    if (source === "") {
      this.fail(event, "Dissector mapping, field found in event but it was empty", { field });
      return false;
    }
    const values = dissection.match(source);
    if (values === undefined) {
      this.fail(event, "Dissector mapping, pattern not found", { field, pattern: dissection.pattern });
      return false;
    }
    saveDissection(event, dissection, values);
    return true;
  }

  private convert(event: Event, { field, type }: Conversion): void {
    const outcome = convertField(event, field, type);
    if (outcome === "converted") return;
    const message =
      outcome === "missing"
        ? "Dissector datatype conversion, field does not exist or value is nil"
        : "Dissector datatype conversion, value cannot be coerced";
    this.context.logger.warn(message, { plugin: this.context.id, field, type });
  }

  private fail(event: Event, message: string, fields: Record<string, unknown>): void {
    for (const tag of this.failureTags) event.tag(tag);
    this.context.countFailure(message);
    this.context.logger.warn(message, { plugin: this.context.id, ...fields });
  }
}

function createDissect(options: ResolvedOptions, context: PluginContext): DissectFilter {
  const mappings = Object.entries(options.hash("mapping")).map(([field, pattern]) => {
    if (typeof pattern !== "string") throw new Error(`mapping for ${field} must be a pattern string`);
    try {
      return { field, dissection: pattern === "" ? undefined : new Dissection(pattern) };
    } catch (err) {
      throw new Error(`invalid dissect pattern for ${field}: ${(err as Error).message}`);
    }
  });
  const conversions = Object.entries(options.hash("convert_datatype")).map(([field, name]) => {
    const type = typeof name === "string" ? parseDatatype(name) : undefined;
    if (type === undefined)
      throw new Error(`Dissector datatype conversion, datatype not supported: ${String(name)}`);
    return { field, type };
  });
  return new DissectFilter(mappings, conversions, options.stringArray("tag_on_failure"), context);
}

export const dissectFilter: FilterSpec = {
  kind: "filter",
  name: "dissect",
  doc:
    "Splits text fields into named parts with `%{}` patterns and literal delimiters (no regular expressions); " +
    "supports skip (`%{?a}`), append (`%{+a/2}`), indirect (`%{&a}`) and padding (`%{a->}`) fields.",
  options: {
    mapping: {
      type: "hash",
      default: {},
      doc: "Field name → dissect pattern; patterns are applied in order, each to its field.",
    },
    convert_datatype: {
      type: "hash",
      default: {},
      doc: 'Field name → "int" or "float", converted after all mappings.',
    },
    tag_on_failure: {
      type: "array",
      default: ["_dissectfailure"],
      doc: "Tags added when a pattern does not match or the field is empty.",
    },
  },
  create: createDissect,
};
