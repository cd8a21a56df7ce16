// The json filter: parses a field's JSON text into the event's root (objects only) or into `target`,
// turning a parsed `@timestamp` into the event's timestamp as Logstash does.

import {
  type Event,
  ecsEnabled,
  fromUnknown,
  TIMESTAMP,
  TIMESTAMP_FAILURE_FIELD,
  TIMESTAMP_FAILURE_TAG,
  Timestamp,
  toPlain,
} from "../../event/index.js";
import type { Filter, FilterSpec, PluginContext } from "../api.js";
import type { ResolvedOptions } from "../options.js";

export const jsonFilter: FilterSpec = {
  kind: "filter",
  name: "json",
  doc: "Parses JSON text from a field and puts the result at the event's root or in `target`.",
  options: {
    source: { type: "string", required: true, doc: "The field holding the JSON text." },
    target: { type: "field_reference", doc: "Where the parsed value goes; the event's root when unset." },
    tag_on_failure: {
      type: "array",
      default: ["_jsonparsefailure"],
      doc: "Tags added when the text is not JSON or cannot be stored.",
    },
    skip_on_invalid_json: {
      type: "boolean",
      default: false,
      doc: "Leaves invalid JSON silently: no tag, no warning.",
    },
  },
  create: (options, context) => new JsonFilter(options, context),
};

/** Thrown by JSON parsing; caught and turned into tag_on_failure. */
class JsonSyntaxError extends Error {}

class JsonFilter implements Filter {
  private readonly source: string;
  private readonly target: string | undefined;
  private readonly failureTags: string[];
  private readonly skipInvalid: boolean;

  constructor(
    options: ResolvedOptions,
    private readonly context: PluginContext,
  ) {
    this.source = options.string("source");
    this.target = options.optionalString("target");
    this.failureTags = options.stringArray("tag_on_failure");
    this.skipInvalid = options.boolean("skip_on_invalid_json");
    if (this.target === undefined && ecsEnabled(context.ecsCompatibility)) {
      context.logger.info(
        "ECS compatibility is enabled but `target` option was not specified. This may cause fields to be set at the top-level of the event where they are likely to clash with the Elastic Common Schema. It is recommended to set the `target` option to avoid potential schema conflicts (if your data is ECS compliant or non-conflicting, feel free to ignore this message)",
        { plugin: context.id },
      );
    }
  }

  filter(event: Event): boolean {
    const raw = event.get(this.source);
    if (raw === undefined || raw === null || raw === false) return false;
    let parsed: unknown;
    try {
      parsed = parseJson(raw);
    } catch (err) {
      if (!this.skipInvalid) {
        this.fail(event, "error parsing json", { raw: toPlain(raw), exception: (err as Error).message });
      }
      return false;
    }
    try {
      return this.store(event, parsed);
    } catch (err) {
      this.fail(event, "exception caught in json filter", { exception: (err as Error).message });
      return false;
    }
  }

  private store(event: Event, parsed: unknown): boolean {
    if (this.target !== undefined) {
      event.set(this.target, parsed);
      return true;
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
      this.fail(event, "parsed JSON object/hash requires a target configuration option", {
        raw: JSON.stringify(parsed),
      });
      return false;
    }
    const fields = parsed as Record<string, unknown>;
    const givenTimestamp = fields[TIMESTAMP];
    delete fields[TIMESTAMP];
    for (const [key, value] of Object.entries(fields)) event.set(key, value);
    if (givenTimestamp !== undefined && givenTimestamp !== null && givenTimestamp !== false) {
      this.applyTimestamp(event, givenTimestamp);
    }
    return true;
  }

  /** Logstash's Timestamp.coerce: ISO-8601 text or a Timestamp; anything else moves to `_@timestamp`. */
  private applyTimestamp(event: Event, given: unknown): void {
    const parsed = typeof given === "string" ? Timestamp.parse(given) : undefined;
    if (parsed !== undefined) {
      event.timestamp = parsed;
      return;
    }
    this.context.logger.warn(
      `Unrecognized ${TIMESTAMP} value, setting current time to ${TIMESTAMP}, original in ${TIMESTAMP_FAILURE_FIELD} field`,
      { plugin: this.context.id, value: JSON.stringify(given) },
    );
    event.timestamp = Timestamp.now();
    event.tag(TIMESTAMP_FAILURE_TAG);
    event.set(TIMESTAMP_FAILURE_FIELD, typeof given === "string" ? given : rubyText(given));
  }

  private fail(event: Event, message: string, fields: Record<string, unknown>): void {
    this.context.logger.warn(message, { plugin: this.context.id, source: this.source, ...fields });
    this.context.countFailure("json_parse_failure");
    for (const tag of this.failureTags) event.tag(tag);
  }
}

/** JSON text to a value; blank text is null (as JrJackson gives), a non-string source is an error. */
function parseJson(raw: unknown): unknown {
  if (typeof raw !== "string") throw new JsonSyntaxError(`cannot parse JSON from a ${typeof raw}`);
  if (raw.trim() === "") return null;
  try {
    return JSON.parse(raw);
  } catch (err) {
    throw new JsonSyntaxError((err as Error).message);
  }
}

/** The `to_s` Logstash stores in `_@timestamp` for a non-string value. */
function rubyText(value: unknown): string {
  const converted = fromUnknown(value);
  if (converted === undefined || converted === null) return "";
  if (typeof converted === "object") return JSON.stringify(toPlain(converted));
  return String(converted);
}
