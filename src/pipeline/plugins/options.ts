// Plugin options: how a plugin declares them (type, default, required, deprecated, obsolete) and how a compiled
// plugin's attributes are checked and coerced by Logstash's rules (config/mixin.rb's validate_value): one-element
// arrays stand for their element, `:hash` accepts a flat [k, v, k, v] array, `:boolean` accepts "true"/"false",
// `:number` accepts numeric text, an enum takes one of its words. Every problem becomes a Diagnostic.

import { existsSync } from "node:fs";
import type { Diagnostic } from "../config/diagnostics.js";
import type { PlanPlugin, PlanValue, SourcePosition } from "../config/index.js";
import { parseFieldReference } from "../config/index.js";
import type { Codec } from "./api.js";

export type OptionType =
  | "string"
  | "number"
  | "boolean"
  | "array"
  | "hash"
  | "codec"
  | "password"
  | "path"
  | "uri"
  | "bytes"
  | "field_reference"
  /** Anything, unchecked (a plugin validates it itself). */
  | "any";

export interface OptionSpec {
  /** A type, or the list of words the value must be one of (Logstash's `:validate => [...]`). */
  type: OptionType | readonly string[];
  required?: boolean;
  /** Used when the option is absent. Its type must match `type`. */
  default?: OptionValue;
  /** `:list => true`: a string-typed option that takes an array; each element is checked. */
  list?: boolean;
  /** Still accepted, with a warning carrying this text. */
  deprecated?: string;
  /** No longer accepted: an error carrying this text. */
  obsolete?: string;
  doc?: string;
}

export type OptionSpecs = Readonly<Record<string, OptionSpec>>;

/** A coerced option value: JSON-like, hashes as plain objects in written order. */
export type OptionValue = string | number | boolean | OptionValue[] | OptionHash;
export interface OptionHash {
  [key: string]: OptionValue;
}

/** Builds a codec instance from `codec => name` or `codec => name { ... }`; supplied by the registry. */
export type CodecFactory = (value: string | PlanPlugin, pos: SourcePosition) => Codec | Diagnostic[];

/**
 * A plugin's checked options. The accessors assert what validation guaranteed; asking for an option of the wrong
 * type, or one that is neither given nor defaulted with the non-optional accessor, is a programming error.
 */
export class ResolvedOptions {
  constructor(
    private readonly values: ReadonlyMap<string, OptionValue>,
    private readonly given: ReadonlySet<string>,
    private readonly codecValue: Codec | undefined,
    /** Where the plugin was written, for messages. */
    readonly pos: SourcePosition | undefined,
  ) {}

  /** Builds options directly (tests, plugins created by code); no validation. */
  static of(values: Record<string, OptionValue>, codec?: Codec): ResolvedOptions {
    return new ResolvedOptions(
      new Map(Object.entries(values)),
      new Set(Object.keys(values)),
      codec,
      undefined,
    );
  }

  /** True when the user wrote the option (defaults do not count). */
  has(name: string): boolean {
    return this.given.has(name);
  }

  raw(name: string): OptionValue | undefined {
    return this.values.get(name);
  }

  string(name: string): string {
    const value = this.optionalString(name);
    if (value === undefined) throw new TypeError(`option ${name} has no value and no default`);
    return value;
  }

  optionalString(name: string): string | undefined {
    const value = this.values.get(name);
    if (value === undefined) return undefined;
    if (typeof value === "string") return value;
    if (typeof value === "number" || typeof value === "boolean") return String(value);
    throw new TypeError(`option ${name} is not a string`);
  }

  number(name: string): number {
    const value = this.optionalNumber(name);
    if (value === undefined) throw new TypeError(`option ${name} has no value and no default`);
    return value;
  }

  optionalNumber(name: string): number | undefined {
    const value = this.values.get(name);
    if (value === undefined) return undefined;
    if (typeof value !== "number") throw new TypeError(`option ${name} is not a number`);
    return value;
  }

  boolean(name: string): boolean {
    const value = this.values.get(name);
    if (typeof value !== "boolean") throw new TypeError(`option ${name} is not a boolean`);
    return value;
  }

  /** An array option; absent without default reads as []. */
  array(name: string): OptionValue[] {
    const value = this.values.get(name);
    if (value === undefined) return [];
    return Array.isArray(value) ? value : [value];
  }

  /** An array option whose elements are written as strings (numbers are turned into text). */
  stringArray(name: string): string[] {
    return this.array(name).map((item) => {
      if (typeof item === "string") return item;
      if (typeof item === "number" || typeof item === "boolean") return String(item);
      throw new TypeError(`option ${name} holds a non-string element`);
    });
  }

  /** A hash option; absent without default reads as {}. */
  hash(name: string): OptionHash {
    const value = this.values.get(name);
    if (value === undefined) return {};
    if (typeof value !== "object" || Array.isArray(value))
      throw new TypeError(`option ${name} is not a hash`);
    return value;
  }

  /** The `codec` option, built by the registry (the plugin's default codec when not given). */
  codec(): Codec {
    if (this.codecValue === undefined) throw new TypeError("this plugin has no codec");
    return this.codecValue;
  }
}

export interface ResolveResult {
  options: ResolvedOptions;
  diagnostics: Diagnostic[];
}

/**
 * Checks `plugin`'s attributes against `specs` and coerces them. `label` names the plugin in messages, e.g.
 * `filter "mutate"`. `codecs` builds the codec when the plugin has one (`defaultCodec` when not given).
 */
export function resolveOptions(
  plugin: PlanPlugin,
  specs: OptionSpecs,
  label: string,
  codecs?: { factory: CodecFactory; defaultCodec: string },
): ResolveResult {
  const diagnostics: Diagnostic[] = [];
  const at = (pos: SourcePosition) => ({ file: pos.file, line: pos.line, column: pos.column });
  const values = new Map<string, OptionValue>();
  const given = new Set<string>();
  let codec: Codec | undefined;

  for (const [name, value] of plugin.attributes) {
    const spec = specs[name];
    const where = plugin.attributePositions?.get(name) ?? plugin.pos;
    if (spec === undefined) {
      const suggestion = closest(name, Object.keys(specs));
      diagnostics.push({
        severity: "error",
        code: "unknown-option",
        message: `unknown setting '${name}' for ${label}`,
        ...at(where),
        hint:
          suggestion === undefined
            ? `${label} takes: ${Object.keys(specs).sort().join(", ")}`
            : `did you mean '${suggestion}'?`,
      });
      continue;
    }
    if (spec.obsolete !== undefined) {
      diagnostics.push({
        severity: "error",
        code: "obsolete-option",
        message: `the setting '${name}' of ${label} is obsolete and no longer available`,
        ...at(where),
        hint: spec.obsolete,
      });
      continue;
    }
    if (spec.deprecated !== undefined) {
      diagnostics.push({
        severity: "warning",
        code: "deprecated-option",
        message: `the setting '${name}' of ${label} is deprecated`,
        ...at(where),
        hint: spec.deprecated,
      });
    }
    given.add(name);
    if (spec.type === "codec") {
      if (codecs === undefined) continue;
      const single = Array.isArray(value) && value.length === 1 ? value[0]! : value;
      if (typeof single !== "string" && !isPlugin(single)) {
        diagnostics.push(
          invalid(name, label, value, "codec", "expected a codec name or `name { ... }`", where),
        );
        continue;
      }
      const built = codecs.factory(single, isPlugin(single) ? single.pos : where);
      if (Array.isArray(built)) diagnostics.push(...built);
      else codec = built;
      continue;
    }
    const coerced = coerce(value, spec);
    if (coerced instanceof CoerceError) {
      diagnostics.push(invalid(name, label, value, describeType(spec), coerced.error, where));
      continue;
    }
    if (coerced === unset) continue;
    values.set(name, coerced);
  }

  for (const [name, spec] of Object.entries(specs)) {
    if (given.has(name)) continue;
    if (spec.required) {
      diagnostics.push({
        severity: "error",
        code: "missing-option",
        message: `missing a required setting for ${label}: ${name}`,
        ...at(plugin.pos),
        hint: spec.doc,
      });
    } else if (spec.default !== undefined) {
      values.set(name, spec.default);
    }
  }
  // Only an absent codec gets the default; a given one that failed has been reported already.
  if (codec === undefined && codecs !== undefined && specs.codec !== undefined && !given.has("codec")) {
    const built = codecs.factory(codecs.defaultCodec, plugin.pos);
    if (Array.isArray(built)) diagnostics.push(...built);
    else codec = built;
  }
  return { options: new ResolvedOptions(values, given, codec, plugin.pos), diagnostics };
}

/** Why a value could not be coerced (a class, so no option value can be mistaken for it). */
class CoerceError {
  constructor(readonly error: string) {}
}

/** A given value that leaves the option unset (and without its default), as Logstash's nil. */
const unset = Symbol("unset");

type Coerced = OptionValue | CoerceError | typeof unset;

function coerce(value: PlanValue, spec: OptionSpec): Coerced {
  const type = spec.type;
  if (typeof type !== "string") {
    if (spec.list) {
      const words = (Array.isArray(value) ? value : [value]).map(plain);
      const stray = words.find((word) => typeof word !== "string" || !type.includes(word));
      if (stray !== undefined)
        return new CoerceError(`expected each of ${type.map((w) => JSON.stringify(w)).join(", ")}`);
      return words;
    }
    const single = unwrap(value);
    if (typeof single !== "string" || !type.includes(single))
      return new CoerceError(`expected one of ${type.map((w) => JSON.stringify(w)).join(", ")}`);
    return single;
  }
  if (spec.list) {
    const items = Array.isArray(value) ? value : [value];
    const out: OptionValue[] = [];
    for (const item of items) {
      const one = coerceOne(item, type);
      if (one instanceof CoerceError) return one;
      if (one !== unset) out.push(one);
    }
    return out;
  }
  return coerceOne(value, type);
}

function coerceOne(value: PlanValue, type: OptionType): Coerced {
  switch (type) {
    case "any":
      return plain(value);
    case "array":
      return Array.isArray(value) ? value.map(plain) : [plain(value)];
    case "hash": {
      if (value instanceof Map) return plain(value);
      const items = Array.isArray(value) ? value : [value];
      if (items.length % 2 === 1)
        return new CoerceError(
          `a hash written as an array needs an even number of items, got ${items.length}`,
        );
      // Logstash turns ["a", 1, "a", 2] into {a: [1, 2]}.
      const hash: OptionHash = {};
      for (let i = 0; i < items.length; i += 2) {
        const key = plain(items[i]!);
        if (typeof key !== "string" && typeof key !== "number")
          return new CoerceError("hash keys must be strings");
        const entry = plain(items[i + 1]!);
        const existing = hash[String(key)];
        if (existing === undefined) hash[String(key)] = entry;
        else if (Array.isArray(existing)) existing.push(entry);
        else hash[String(key)] = [existing, entry];
      }
      return hash;
    }
    case "string":
    case "password":
    case "uri": {
      const single = unwrap(value);
      if (typeof single === "number") return String(single);
      if (typeof single !== "string") return new CoerceError("expected a single string");
      return single;
    }
    case "path": {
      const single = unwrap(value);
      if (typeof single !== "string") return new CoerceError("expected a single path");
      if (!existsSync(single)) return new CoerceError(`file does not exist or cannot be opened: ${single}`);
      return single;
    }
    case "field_reference": {
      // Logstash (config/mixin.rb) takes an empty value as no value at all: the option stays unset.
      if (value === "" || (Array.isArray(value) && (value.length === 0 || value[0] === ""))) return unset;
      const single = unwrap(value);
      if (typeof single !== "string") return new CoerceError("expected a single field reference");
      const parsed = parseFieldReference(single);
      if ("error" in parsed) return new CoerceError(`malformed field reference: ${parsed.error}`);
      return single;
    }
    case "number": {
      const single = unwrap(value);
      if (typeof single === "number") return single;
      if (typeof single === "string" && /^[+-]?(\d+(\.\d+)?|\.\d+)$/.test(single.trim()))
        return Number(single);
      return new CoerceError("expected a number");
    }
    case "boolean": {
      const single = unwrap(value);
      if (single === "true") return true;
      if (single === "false") return false;
      return new CoerceError("expected boolean 'true' or 'false'");
    }
    case "bytes": {
      const single = unwrap(value);
      if (typeof single === "number") return single;
      if (typeof single === "string") {
        const bytes = parseBytes(single);
        if (bytes !== undefined) return bytes;
      }
      return new CoerceError("unparseable size; use a number of bytes or e.g. '10 KiB', '20mb'");
    }
    case "codec":
      return new CoerceError("codec options are built by the registry");
  }
}

const byteUnits: Record<string, number> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
  tib: 2 ** 40,
};

/** "10 KiB", "20mb", "1024" → bytes; undefined when it does not parse. */
export function parseBytes(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(text);
  if (match === null) return undefined;
  const unit = match[2]!.toLowerCase();
  const factor = unit === "" ? 1 : byteUnits[unit];
  if (factor === undefined) return undefined;
  return Math.round(Number(match[1]) * factor);
}

function isPlugin(value: PlanValue): value is PlanPlugin {
  return (
    typeof value === "object" &&
    value !== null &&
    !Array.isArray(value) &&
    !(value instanceof Map) &&
    value.kind === "plugin"
  );
}

/** A one-element array stands for its element (Logstash keeps every value in an array). */
function unwrap(value: PlanValue): PlanValue {
  return Array.isArray(value) && value.length === 1 ? value[0]! : value;
}

function plain(value: PlanValue): OptionValue {
  if (Array.isArray(value)) return value.map(plain);
  if (value instanceof Map) {
    const hash: OptionHash = {};
    for (const [key, child] of value) hash[key] = plain(child);
    return hash;
  }
  if (isPlugin(value)) return value.name;
  return value;
}

function describeType(spec: OptionSpec): string {
  return typeof spec.type === "string" ? (spec.list ? `list of ${spec.type}` : spec.type) : "one of a list";
}

function invalid(
  name: string,
  label: string,
  value: PlanValue,
  type: string,
  note: string,
  pos: SourcePosition,
): Diagnostic {
  return {
    severity: "error",
    code: "invalid-option",
    message: `invalid value for setting '${name}' of ${label}: ${JSON.stringify(plain(value))} (${type})`,
    file: pos.file,
    line: pos.line,
    column: pos.column,
    hint: note,
  };
}

/** The candidate closest to `word` by edit distance, if it is close enough to be a likely typo. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const d = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      bestDistance = d;
      best = candidate;
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
    }
    previous = current;
  }
  return previous[b.length]!;
}
