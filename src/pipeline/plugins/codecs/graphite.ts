// The `graphite` codec: Carbon plaintext lines (`metric value timestamp`) in both directions. Decoding makes one
// event per line with the metric name as a field; encoding writes the `metrics` option or the event's own fields.

import { limits } from "../../../common/limits.js";
import { Event, type FieldValue, Timestamp } from "../../event/index.js";
import { rubyRegExp } from "../../regexp/ruby.js";
import type { Codec, CodecSpec, Decoder, PluginContext } from "../api.js";
import type { OptionHash, OptionValue } from "../options.js";
import { createTextConverter, type TextConverter } from "./charset.js";
import { LineSplitter } from "./line-splitter.js";
import { rubyNumber, rubyToS } from "./ruby-format.js";

/** Fields never sent with fields_are_metrics. */
const EXCLUDE_ALWAYS = new Set(["@timestamp", "@version"]);
const METRIC_PLACEHOLDER = "*";

interface GraphiteSettings {
  metrics: OptionHash;
  fieldsAreMetrics: boolean;
  includeMetrics: RegExp[];
  excludeMetrics: RegExp[];
  metricsFormat: string;
}

/** Ruby's String#to_f: the longest numeric prefix (after leading whitespace), 0.0 when there is none. */
export function rubyStringToF(text: string): number {
  const match = /^\s*([+-]?(?:\d+(?:_\d+)*)?(?:\.\d+(?:_\d+)*)?)([eE][+-]?\d+)?/.exec(text);
  const mantissa = match?.[1] ?? "";
  if (!/\d/.test(mantissa)) return 0;
  const value = Number(mantissa.replace(/_/g, "") + (match?.[2] ?? ""));
  return Number.isFinite(value) ? value : 0;
}

/** Ruby's String#to_i: the leading integer, 0 when there is none. */
export function rubyStringToI(text: string): number {
  const match = /^\s*([+-]?\d+(?:_\d+)*)/.exec(text);
  return match ? Number(match[1]!.replace(/_/g, "")) : 0;
}

/** Ruby's Float#to_s: always a decimal point or an exponent. */
export function rubyFloatText(value: number): string {
  const text = rubyNumber(value);
  return /[.eE]|NaN|Infinity/.test(text) ? text : `${text}.0`;
}

class GraphiteCodec implements Codec {
  readonly splitsLines = true;
  private readonly converter: TextConverter;

  constructor(
    private readonly settings: GraphiteSettings,
    private readonly context: PluginContext,
  ) {
    this.converter = createTextConverter("UTF-8", context.logger);
  }

  createDecoder(emit: (event: Event) => void): Decoder {
    const decodeLine = (bytes: Buffer) => {
      const event = this.lineEvent(this.converter.convert(bytes));
      if (event !== undefined) emit(event);
    };
    const splitter = new LineSplitter("\n", limits.codecLineBytesMax, {
      line: decodeLine,
      overflow: () => this.fail("line longer than the codec's limit", "line_too_long", ""),
    });
    return {
      write: (data) => splitter.write(data),
      end: () => {
        const rest = splitter.flush();
        if (rest.length > 0) decodeLine(rest);
      },
    };
  }

  /** Logstash sets the value with String#to_f and the time with String#to_i, so junk reads as 0. */
  private lineEvent(line: string): Event | undefined {
    const [name, value = "", time = ""] = line.trim().split(/\s+/);
    if (name === undefined || name === "") {
      this.fail("graphite line without a metric name", "graphite_parse", line);
      return undefined;
    }
    const epochMs = rubyStringToI(time) * 1000;
    if (!Number.isSafeInteger(epochMs)) {
      this.fail("graphite timestamp out of range", "graphite_parse", line);
      return undefined;
    }
    // The metric name is a literal key, not a field reference: `foo.bar` and `[a]` stay as written.
    return Event.adopt({ [name]: rubyStringToF(value), "@timestamp": new Timestamp(epochMs) });
  }

  private fail(message: string, reason: string, line: string): void {
    this.context.logger.warn(`${message}; dropped it`, { plugin: this.context.id, data: line });
    this.context.countFailure(reason);
  }

  encode(event: Event): string {
    const timestamp = event.sprintf("%{+%s}");
    const format = event.sprintf(this.settings.metricsFormat);
    const lines: string[] = [];
    for (const [metric, value] of this.metricPairs(event)) {
      lines.push(
        `${format.replaceAll(METRIC_PLACEHOLDER, () => metric)} ${rubyFloatText(value)} ${timestamp}`,
      );
    }
    if (lines.length === 0) {
      this.context.logger.debug("no graphite metrics in the event; nothing written", {
        plugin: this.context.id,
      });
      return "";
    }
    return `${lines.join("\n")}\n`;
  }

  /** The [name, value] pairs to send, after include_metrics and exclude_metrics. */
  private metricPairs(event: Event): Array<[string, number]> {
    const { includeMetrics, excludeMetrics } = this.settings;
    const excluded = (name: string) => excludeMetrics.some((regexp) => matches(regexp, name));
    const pairs: Array<[string, number]> = [];
    if (this.settings.fieldsAreMetrics) {
      for (const [name, value] of Object.entries(event.toObject())) {
        if (EXCLUDE_ALWAYS.has(name)) continue;
        const included =
          includeMetrics.length === 0 || includeMetrics.some((regexp) => matches(regexp, name));
        if (!included || excluded(name)) continue;
        pairs.push([name, rubyStringToF(event.sprintf(rubyToS(value as FieldValue)))]);
      }
      return pairs;
    }
    for (const [template, value] of Object.entries(this.settings.metrics)) {
      const name = event.sprintf(template);
      if (!includeMetrics.some((regexp) => matches(regexp, name)) || excluded(name)) continue;
      pairs.push([name, rubyStringToF(event.sprintf(optionText(value)))]);
    }
    return pairs;
  }
}

function matches(regexp: RegExp, text: string): boolean {
  regexp.lastIndex = 0;
  return regexp.test(text);
}

function optionText(value: OptionValue): string {
  if (typeof value === "string") return value;
  if (typeof value === "number") return rubyNumber(value);
  return typeof value === "boolean" ? String(value) : JSON.stringify(value);
}

export const graphiteCodec: CodecSpec = {
  kind: "codec",
  name: "graphite",
  doc: "Reads and writes Graphite (Carbon plaintext) lines: `metric value timestamp`.",
  options: {
    metrics: {
      type: "hash",
      default: {},
      doc: "Metric name => value to write; both may use %{field}. Values are read as floats (junk is 0.0).",
    },
    fields_are_metrics: {
      type: "boolean",
      default: false,
      doc: "Write every top-level field (but @timestamp and @version) as a metric instead of `metrics`.",
    },
    include_metrics: {
      type: "array",
      default: [".*"],
      doc: "Regexps: only metric names matching one of them are written.",
    },
    exclude_metrics: {
      type: "array",
      default: ["%{[^}]+}"],
      doc: "Regexps: metric names matching one of them are not written (default: unresolved %{field}).",
    },
    metrics_format: {
      type: "string",
      default: METRIC_PLACEHOLDER,
      doc: "Template for written metric names; `*` stands for the metric's name, %{field} is resolved.",
    },
  },
  create(options, context) {
    return new GraphiteCodec(
      {
        metrics: options.hash("metrics"),
        fieldsAreMetrics: options.boolean("fields_are_metrics"),
        includeMetrics: options.stringArray("include_metrics").map(rubyRegExp),
        excludeMetrics: options.stringArray("exclude_metrics").map(rubyRegExp),
        metricsFormat: options.string("metrics_format"),
      },
      context,
    );
  },
};
