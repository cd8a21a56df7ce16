// The grok filter: matches fields against grok expressions (regexes built from named patterns) and stores the
// named captures as fields, with Logstash's break_on_match, overwrite, empty-capture and timeout rules.

import { type Event, type FieldValue, Timestamp, toPlain } from "../../event/index.js";
import {
  builtinPatterns,
  type CaptureValue,
  type CompiledGrok,
  compileGrok,
  MatchTimeoutError,
  matchGrok,
  patternFilesFrom,
  readPatternFile,
} from "../../grok/index.js";
import { type Filter, type FilterSpec, type PluginContext, StartupError } from "../api.js";
import type { OptionValue, ResolvedOptions } from "../options.js";

export const grokFilter: FilterSpec = {
  kind: "filter",
  name: "grok",
  doc: "Parses text into fields with grok expressions: regexes made of named, reusable patterns such as %{IP:client}.",
  options: {
    match: {
      type: "hash",
      default: {},
      doc: "Field name to one expression or a list of expressions tried in order.",
    },
    patterns_dir: { type: "array", default: [], doc: "Directories or globs of extra pattern files." },
    pattern_definitions: { type: "hash", default: {}, doc: "Extra patterns defined inline: name to regex." },
    patterns_files_glob: {
      type: "string",
      default: "*",
      doc: "Which files of each patterns_dir directory are read.",
    },
    break_on_match: { type: "boolean", default: true, doc: "Stops at the first expression that matches." },
    named_captures_only: {
      type: "boolean",
      default: true,
      doc: "Stores only %{NAME:field} captures, not bare %{NAME} ones.",
    },
    keep_empty_captures: { type: "boolean", default: false, doc: "Stores captures that matched nothing." },
    target: { type: "string", doc: "A field to put the captures under instead of the event's root." },
    tag_on_failure: {
      type: "array",
      default: ["_grokparsefailure"],
      doc: "Tags added when no expression matches.",
    },
    timeout_millis: {
      type: "number",
      default: 30000,
      doc: "Gives up on a match after this many milliseconds (0: never).",
    },
    timeout_scope: {
      type: ["pattern", "event"],
      default: "pattern",
      doc: "Whether timeout_millis applies to each expression or to all of one field's expressions.",
    },
    tag_on_timeout: { type: "string", default: "_groktimeout", doc: "Tag added when a match times out." },
    overwrite: {
      type: "array",
      default: [],
      doc: "Fields a capture replaces instead of adding to (a field that exists becomes an array).",
    },
  },
  create: (options, context) => new GrokFilter(options, context),
};

interface FieldExpressions {
  readonly field: string;
  readonly groks: readonly CompiledGrok[];
}

class GrokFilter implements Filter {
  private readonly expressions: FieldExpressions[];
  private readonly breakOnMatch: boolean;
  private readonly keepEmpty: boolean;
  private readonly target: string | undefined;
  private readonly failureTags: string[];
  private readonly timeoutMs: number;
  private readonly eventScope: boolean;
  private readonly timeoutTag: string;
  private readonly overwrite: Set<string>;

  constructor(
    options: ResolvedOptions,
    private readonly context: PluginContext,
  ) {
    this.breakOnMatch = options.boolean("break_on_match");
    this.keepEmpty = options.boolean("keep_empty_captures");
    const target = options.optionalString("target")?.trim();
    this.target = target === undefined || /\[.*?\]/.test(target) ? target : `[${target}]`;
    this.failureTags = options.stringArray("tag_on_failure");
    this.timeoutMs = options.number("timeout_millis");
    this.eventScope = options.string("timeout_scope") === "event";
    this.timeoutTag = options.string("tag_on_timeout");
    this.overwrite = new Set(options.stringArray("overwrite"));
    const matches = Object.entries(options.hash("match")).map(
      ([field, patterns]) => [field, expressionsOf(field, patterns)] as const,
    );
    try {
      const library = this.library(options);
      const namedOnly = options.boolean("named_captures_only");
      this.expressions = matches.map(([field, patterns]) => ({
        field,
        groks: patterns.map((pattern) => compileGrok(pattern, new Map(library), namedOnly)),
      }));
    } catch (err) {
      // Logstash's grok loads pattern files and compiles in register: `-t` passes, the pipeline does not start.
      throw new StartupError((err as Error).message);
    }
  }

  /** Built-in patterns for the ECS mode, then pattern files, then pattern_definitions: later names win. */
  private library(options: ResolvedOptions): Map<string, string> {
    const library = new Map(Object.entries(builtinPatterns(this.context.ecsCompatibility)));
    const files = patternFilesFrom(
      options.stringArray("patterns_dir"),
      options.string("patterns_files_glob"),
    );
    for (const file of files) readPatternFile(file, library);
    for (const [name, regex] of Object.entries(options.hash("pattern_definitions"))) {
      if (typeof regex === "string") library.set(name, regex.replace(/\r?\n$/, ""));
    }
    return library;
  }

  filter(event: Event): boolean {
    let matched = false;
    try {
      for (const { field, groks } of this.expressions) {
        if (this.matchField(event, field, groks)) {
          matched = true;
          if (this.breakOnMatch) break;
        }
      }
    } catch (err) {
      if (!(err instanceof GrokTimeout)) throw err;
      this.context.logger.warn(err.message, { plugin: this.context.id });
      this.context.countFailure("grok_timeout");
      event.tag(this.timeoutTag);
      return false;
    }
    if (matched) return true;
    this.context.countFailure("grok_no_match");
    for (const tag of this.failureTags) event.tag(tag);
    return false;
  }

  /** Matches one field (each element of an array field); a field that cannot be read or written is no match. */
  private matchField(event: Event, field: string, groks: readonly CompiledGrok[]): boolean {
    try {
      const value = event.get(field);
      if (!Array.isArray(value)) return this.matchInput(event, field, rubyText(value), groks);
      let success = false;
      for (const element of value)
        success = this.matchInput(event, field, rubyText(element), groks) || success;
      return success;
    } catch (err) {
      if (err instanceof GrokTimeout) throw err;
      this.context.logger.warn("Grok regexp threw exception", {
        plugin: this.context.id,
        message: (err as Error).message,
      });
      return false;
    }
  }

  private matchInput(event: Event, field: string, input: string, groks: readonly CompiledGrok[]): boolean {
    const deadline = this.eventScope && this.timeoutMs > 0 ? Date.now() + this.timeoutMs : 0;
    let matched = false;
    for (const grok of groks) {
      const budget = deadline === 0 ? this.timeoutMs : deadline - Date.now();
      if (deadline !== 0 && budget <= 0) throw new GrokTimeout(grok, field, input);
      try {
        matched = matchGrok(grok, input, budget, (name, value) => this.store(event, name, value));
      } catch (err) {
        if (err instanceof MatchTimeoutError) throw new GrokTimeout(grok, field, input);
        throw err;
      }
      if (matched && this.breakOnMatch) break;
    }
    return matched;
  }

  /** Logstash's handle: skip empty captures, overwrite or set, turn an existing text into an array, or append. */
  private store(event: Event, name: string, value: CaptureValue): void {
    if ((value === null || value === "") && !this.keepEmpty) return;
    const reference = this.target === undefined ? name : joinReference(this.target, name);
    if (this.overwrite.has(name)) {
      event.set(reference, value);
      return;
    }
    const existing = event.get(reference);
    if (existing === undefined || existing === null) event.set(reference, value);
    else if (Array.isArray(existing)) event.set(reference, [...existing, value]);
    else if (typeof existing === "string") event.set(reference, [existing, value]);
    else this.context.logger.debug("Not adding matched value - found existing", { field: reference });
  }
}

/** A match that ran out of time; carries Logstash's message. */
class GrokTimeout extends Error {
  constructor(grok: CompiledGrok, field: string, input: string) {
    const shown =
      input.length <= 255
        ? input
        : `Value too large to output (${Buffer.byteLength(input)} bytes)! First 255 chars are: ${input.slice(0, 255)}`;
    super(`Timeout executing grok '${grok.pattern}' against field '${field}' with value '${shown}'!`);
  }
}

/** One `match` entry's expressions: a string or a list of them. */
function expressionsOf(field: string, patterns: OptionValue): string[] {
  const list = Array.isArray(patterns) ? patterns : [patterns];
  return list.map((pattern) => {
    if (typeof pattern !== "string") {
      throw new Error(`grok match for field ${field} must be a string or a list of strings`);
    }
    return pattern;
  });
}

function joinReference(target: string, name: string): string {
  return name.startsWith("[") ? `${target}${name}` : `${target}[${name}]`;
}

/** Ruby's to_s of a field value, which is what grok matches against (a missing field is ""). */
function rubyText(value: FieldValue | undefined): string {
  if (value === undefined || value === null) return "";
  if (typeof value === "string") return value;
  if (value instanceof Timestamp) return value.toString();
  if (typeof value === "object") return JSON.stringify(toPlain(value));
  return String(value);
}
