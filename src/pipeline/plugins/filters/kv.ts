// The kv filter: finds key=value pairs in text with one scanning regex built at create time the way Logstash
// builds it (quoted and bracketed values, escapes, optional whitespace around the value separator).

import { type Event, ecsEnabled, type FieldMap, type FieldValue } from "../../event/index.js";
import { rubyRegExp } from "../../regexp/ruby.js";
import type { Filter, FilterSpec, PluginContext } from "../api.js";
import type { OptionValue, ResolvedOptions } from "../options.js";

const transforms = ["lowercase", "uppercase", "capitalize"] as const;
type Transform = (typeof transforms)[number];

export const kvFilter: FilterSpec = {
  kind: "filter",
  name: "kv",
  doc: 'Parses key=value pairs (e.g. `a=1 b="two words"`) from a field into event fields.',
  options: {
    trim_value: {
      type: "string",
      doc: "Characters (a regex character class body) trimmed from both ends of values.",
    },
    trim_key: {
      type: "string",
      doc: "Characters (a regex character class body) trimmed from both ends of keys.",
    },
    remove_char_value: {
      type: "string",
      doc: "Characters (a regex character class body) removed from values.",
    },
    remove_char_key: { type: "string", doc: "Characters (a regex character class body) removed from keys." },
    transform_value: { type: transforms, doc: "Changes the case of values." },
    transform_key: { type: transforms, doc: "Changes the case of keys." },
    field_split: {
      type: "string",
      default: " ",
      doc: "Characters that separate pairs (a character class body).",
    },
    field_split_pattern: { type: "string", doc: "A regex that separates pairs (overrides field_split)." },
    value_split: { type: "string", default: "=", doc: "Characters that separate a key from its value." },
    value_split_pattern: {
      type: "string",
      doc: "A regex that separates a key from its value (overrides value_split).",
    },
    prefix: { type: "string", default: "", doc: "Text put before every key (sprintf allowed)." },
    source: { type: "field_reference", default: "message", doc: "The field holding the text." },
    target: {
      type: "field_reference",
      doc: "Where the pairs go, as one object; the event's root when unset.",
    },
    include_keys: { type: "array", default: [], doc: "Only these keys are kept (sprintf allowed)." },
    exclude_keys: { type: "array", default: [], doc: "These keys are dropped (sprintf allowed)." },
    default_keys: { type: "hash", default: {}, doc: "Pairs set when the text does not have them." },
    allow_duplicate_values: {
      type: "boolean",
      default: true,
      doc: "Keeps a repeated key=value pair; when false only the first is kept.",
    },
    allow_empty_values: { type: "boolean", default: false, doc: "Keeps keys whose value is empty." },
    include_brackets: {
      type: "boolean",
      default: true,
      doc: "Treats (...), [...] and <...> as quoted values.",
    },
    recursive: {
      type: "boolean",
      default: false,
      doc: "Parses values that hold pairs themselves into objects.",
    },
    whitespace: {
      type: ["strict", "lenient"],
      default: "lenient",
      doc: "lenient allows spaces around the value separator; strict does not.",
    },
    timeout_millis: {
      type: "number",
      default: 30_000,
      doc: "Longest time one event may take; 0 disables the check.",
    },
    tag_on_timeout: {
      type: "string",
      default: "_kv_filter_timeout",
      doc: "Tag added when parsing timed out.",
    },
    tag_on_failure: { type: "array", default: ["_kv_filter_error"], doc: "Tags added when parsing failed." },
  },
  create: (options, context) => new KvFilter(options, context),
};

/** Thrown between matches once an event has taken longer than timeout_millis. */
class KvTimeout extends Error {}

type Pairs = Map<string, FieldValue>;

class KvFilter implements Filter {
  private readonly scan: RegExp;
  private readonly hasValueSplit: RegExp;
  private readonly trimKey: RegExp | undefined;
  private readonly trimValue: RegExp | undefined;
  private readonly removeCharKey: RegExp | undefined;
  private readonly removeCharValue: RegExp | undefined;
  private readonly transformKey: Transform | undefined;
  private readonly transformValue: Transform | undefined;
  private readonly includeKeys: string[];
  private readonly excludeKeys: string[];
  private readonly defaultKeys: [string, OptionValue][];
  private readonly prefix: string;
  private readonly source: string;
  private readonly target: string | undefined;
  private readonly allowDuplicates: boolean;
  private readonly allowEmpty: boolean;
  private readonly recursive: boolean;
  private readonly timeoutMs: number;
  private readonly timeoutTag: string;
  private readonly failureTags: string[];
  private deadline = Number.POSITIVE_INFINITY;

  constructor(
    options: ResolvedOptions,
    private readonly context: PluginContext,
  ) {
    const built = buildScanner(options);
    this.scan = built.scan;
    this.hasValueSplit = built.valueSplit;
    const trim = (name: string) => {
      const chars = options.optionalString(name);
      return chars === undefined ? undefined : compileRuby(`^[${chars}]+|[${chars}]+$`, "g");
    };
    const remove = (name: string) => {
      const chars = options.optionalString(name);
      return chars === undefined ? undefined : compileRuby(`[${chars}]`, "g");
    };
    this.trimKey = trim("trim_key");
    this.trimValue = trim("trim_value");
    this.removeCharKey = remove("remove_char_key");
    this.removeCharValue = remove("remove_char_value");
    this.transformKey = options.optionalString("transform_key") as Transform | undefined;
    this.transformValue = options.optionalString("transform_value") as Transform | undefined;
    this.includeKeys = options.stringArray("include_keys");
    this.excludeKeys = options.stringArray("exclude_keys");
    this.defaultKeys = Object.entries(options.hash("default_keys"));
    this.prefix = options.string("prefix");
    this.source = options.string("source");
    this.target = options.optionalString("target");
    this.allowDuplicates = options.boolean("allow_duplicate_values");
    this.allowEmpty = options.boolean("allow_empty_values");
    this.recursive = options.boolean("recursive");
    this.timeoutMs = options.number("timeout_millis");
    this.timeoutTag = options.string("tag_on_timeout");
    this.failureTags = options.stringArray("tag_on_failure");
    if (this.target === undefined && ecsEnabled(context.ecsCompatibility)) {
      context.logger.info(
        "ECS compatibility is enabled but `target` option was not specified. This may cause fields to be set at the top-level of the event where they are likely to clash with the Elastic Common Schema. It is recommended to set the `target` option to avoid potential schema conflicts (if your data is ECS compliant or non-conflicting, feel free to ignore this message)",
        { plugin: context.id },
      );
    }
  }

  filter(event: Event): boolean {
    const value = event.get(this.source);
    try {
      this.deadline = this.timeoutMs > 0 ? performance.now() + this.timeoutMs : Number.POSITIVE_INFINITY;
      const pairs: Pairs = new Map(this.defaultKeys);
      for (const [key, found] of this.parseValue(value, event)) pairs.set(key, found);
      if (pairs.size === 0) return false;
      if (this.target !== undefined) event.set(this.target, Object.fromEntries(pairs));
      else for (const [key, found] of pairs) event.set(key, found);
      return true;
    } catch (err) {
      if (err instanceof KvTimeout) {
        this.context.logger.warn(`timeout reached in KV filter with value ${summarize(value)}`, {
          plugin: this.context.id,
        });
        this.context.countFailure("kv_timeout");
        event.tag(this.timeoutTag);
        return false;
      }
      this.context.logger.warn("exception while parsing KV", {
        plugin: this.context.id,
        exception: (err as Error).message,
      });
      this.context.countFailure("kv_error");
      for (const tag of this.failureTags) event.tag(tag);
      return false;
    }
  }

  private parseValue(value: FieldValue | undefined, event: Event): Pairs {
    const pairs: Pairs = new Map();
    if (value === undefined || value === null) return pairs;
    if (typeof value === "string") this.parse(value, event, pairs);
    else if (Array.isArray(value)) {
      for (const item of value) if (typeof item === "string") this.parse(item, event, pairs);
    } else {
      this.context.logger.warn("kv filter has no support for this type of data", {
        plugin: this.context.id,
        type: typeof value,
      });
    }
    return pairs;
  }

  private parse(text: string, event: Event, pairs: Pairs): void {
    if (!this.hasValueSplit.test(text)) return;
    const include = this.includeKeys.map((key) => event.sprintf(key));
    const exclude = this.excludeKeys.map((key) => event.sprintf(key));
    const scan = new RegExp(this.scan.source, this.scan.flags);
    for (let match = scan.exec(text); match !== null; match = scan.exec(text)) {
      if (match[0].length === 0) scan.lastIndex++;
      if (performance.now() > this.deadline) throw new KvTimeout();
      let key = match[1]!;
      let value: string = match.slice(2).find((candidate) => candidate !== undefined) ?? "";
      if (value === "" && !this.allowEmpty) continue;
      key = this.cleanKey(key);
      if (include.length > 0 && !include.includes(key)) continue;
      if (exclude.includes(key)) continue;
      key = event.sprintf(this.prefix) + key;
      value = this.cleanValue(value);
      if (!this.allowDuplicates && pairs.has(key) && rubyIncludes(pairs.get(key)!, value)) continue;
      let stored: FieldValue = value;
      if (this.recursive) {
        const inner: Pairs = new Map();
        this.parse(value, event, inner);
        if (inner.size > 0) stored = Object.fromEntries(inner) as FieldMap;
      }
      addPair(pairs, key, stored);
    }
  }

  private cleanKey(key: string): string {
    let out = key;
    if (this.trimKey !== undefined) out = out.replace(this.trimKey, "");
    if (this.removeCharKey !== undefined) out = out.replace(this.removeCharKey, "");
    return this.transformKey === undefined ? out : transform(out, this.transformKey);
  }

  private cleanValue(value: string): string {
    let out = value;
    if (this.trimValue !== undefined) out = out.replace(this.trimValue, "");
    if (this.removeCharValue !== undefined) out = out.replace(this.removeCharValue, "");
    return this.transformValue === undefined ? out : transform(out, this.transformValue);
  }
}

/** A repeated key collects its values into an array, in order. */
function addPair(pairs: Pairs, key: string, value: FieldValue): void {
  const existing = pairs.get(key);
  if (existing === undefined) pairs.set(key, value);
  else if (Array.isArray(existing)) existing.push(value);
  else pairs.set(key, [existing, value]);
}

/** Ruby's `include?` on what is stored: substring for a string, element for an array, key for a hash. */
function rubyIncludes(stored: FieldValue, value: string): boolean {
  if (typeof stored === "string") return stored.includes(value);
  if (Array.isArray(stored)) return stored.includes(value);
  if (typeof stored === "object" && stored !== null) return Object.hasOwn(stored, value);
  return false;
}

function transform(text: string, how: Transform): string {
  switch (how) {
    case "lowercase":
      return text.toLowerCase();
    case "uppercase":
      return text.toUpperCase();
    case "capitalize": {
      const first = text.codePointAt(0);
      if (first === undefined) return text;
      const head = String.fromCodePoint(first);
      return head.toUpperCase() + text.slice(head.length).toLowerCase();
    }
  }
}

function summarize(value: FieldValue | undefined): string {
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return text.length < 255
    ? JSON.stringify(text)
    : `(entry too large to show; showing first 255 characters) ${JSON.stringify(text.slice(0, 256))}[...]`;
}

// ---------------------------------------------------------------- the scanning regex

/** A Ruby regexp source translated to JavaScript, with `extraFlags` added (always multiline, as Ruby's `^`/`$`). */
function compileRuby(source: string, extraFlags = ""): RegExp {
  const translated = rubyRegExp(source);
  return new RegExp(translated.source, translated.flags + extraFlags);
}

function rubySource(source: string): string {
  return rubyRegExp(source).source;
}

/** Ruby's Regexp.quote for the one-character quotes kv knows. */
function quoteChar(c: string): string {
  return c.replace(/[\\^$.*+?()[\]{}|/-]/g, "\\$&");
}

function unquotedUntilCharClass(charClass: string): string {
  return `((?:\\\\.|[^${charClass}])+)`;
}

function unquotedUntilPattern(pattern: string): string {
  return `((?:(?!${pattern})(?:\\\\.|.))+)`;
}

function quotedCapture(open: string, close: string): string {
  return `${quoteChar(open)}${unquotedUntilCharClass(quoteChar(close))}?${quoteChar(close)}`;
}

/** Builds Logstash's scan regex: key, value separator, an optional (quoted, bracketed or bare) value, a field separator or line end. */
function buildScanner(options: ResolvedOptions): { scan: RegExp; valueSplit: RegExp } {
  const fieldSplit = options.string("field_split");
  const valueSplit = options.string("value_split");
  const fieldPatternText = options.optionalString("field_split_pattern");
  const valuePatternText = options.optionalString("value_split_pattern");
  if (valueSplit === "") throw new Error("Configuration option 'value_split' must be a non-empty string");
  if (fieldPatternText === "")
    throw new Error("Configuration option 'field_split_pattern' must be a non-empty string");
  if (valuePatternText === "")
    throw new Error("Configuration option 'value_split_pattern' must be a non-empty string");
  const fieldPattern = `(?:${rubySource(fieldPatternText ?? `[${fieldSplit}]`)})`;
  let valuePattern = `(?:${rubySource(valuePatternText ?? `[${valueSplit}]`)})`;
  if (options.string("whitespace") === "lenient") valuePattern = `(?: *${valuePattern} *)`;
  const usesPatterns = options.has("field_split_pattern") || options.has("value_split_pattern");
  const keyPattern = usesPatterns
    ? unquotedUntilPattern(`${valuePattern}|${fieldPattern}`)
    : unquotedUntilCharClass(rubySource(`[${valueSplit}${fieldSplit}]`).slice(1, -1));
  const values = [quotedCapture('"', '"'), quotedCapture("'", "'")];
  if (options.boolean("include_brackets")) {
    values.push(quotedCapture("(", ")"), quotedCapture("[", "]"), quotedCapture("<", ">"));
  }
  values.push(
    options.has("field_split_pattern")
      ? unquotedUntilPattern(fieldPattern)
      : unquotedUntilCharClass(rubySource(`[${fieldSplit}]`).slice(1, -1)),
  );
  const valuePart = `(?:${values.map((v) => `(?:${v})`).join("|")})`;
  const scan = `${keyPattern}${valuePattern}${valuePart}?(?:${fieldPattern}|$)`;
  try {
    return { scan: new RegExp(scan, "gm"), valueSplit: new RegExp(valuePattern, "m") };
  } catch (err) {
    throw new Error(`kv cannot build its regex from the split options: ${(err as Error).message}`);
  }
}
