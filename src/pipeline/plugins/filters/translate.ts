// The translate filter: replaces a field's value by its entry in a dictionary (inline or a YAML/JSON/CSV file that
// is re-read every refresh_interval), by exact key, regex key or substring, with a fallback and array iteration.

import { type Event, ecsEnabled, type FieldValue, formatValue } from "../../event/index.js";
import type { Filter, FilterSpec, PluginContext } from "../api.js";
import type { ResolvedOptions } from "../options.js";
import {
  Dictionary,
  type FileFormat,
  fileFormat,
  type MatchMode,
  modifiedMs,
  readDictionaryFile,
} from "./translate/dictionary.js";

const defaultYamlCodePointLimit = 134_217_728;
/** Logstash re-reads a file with a short interval only when its mtime changed. */
const shortRefreshSeconds = 300;

export const translateFilter: FilterSpec = {
  kind: "filter",
  name: "translate",
  doc: "Looks a field's value up in a dictionary (inline or a YAML, JSON or CSV file) and writes the translation.",
  options: {
    source: {
      type: "field_reference",
      doc: "The field whose value is looked up (required, or the deprecated `field`).",
    },
    field: { type: "string", deprecated: "Use `source` option instead.", doc: "Old name of `source`." },
    target: {
      type: "field_reference",
      doc: "Where the translation goes; default `translation` (ECS disabled) or the source field itself (ECS on).",
    },
    destination: { type: "string", deprecated: "Use `target` option instead.", doc: "Old name of `target`." },
    override: {
      type: "boolean",
      doc: "Overwrite an existing target; default false, true when translating in place.",
    },
    dictionary: { type: "hash", default: {}, doc: "The inline dictionary: key => translation." },
    dictionary_path: {
      type: "path",
      doc: "A YAML (.yml/.yaml), JSON (.json) or CSV (.csv) dictionary file.",
    },
    yaml_dictionary_code_point_limit: {
      type: "number",
      doc: "Largest YAML dictionary file in code points (default 134217728); YAML files only.",
    },
    yaml_load_strategy: {
      type: ["streaming", "one_shot"],
      default: "one_shot",
      doc: "How a YAML file is loaded; both read the whole file here.",
    },
    refresh_interval: {
      type: "number",
      default: 300,
      doc: "Seconds between checks of the dictionary file; 0 never.",
    },
    refresh_behaviour: {
      type: ["merge", "replace"],
      default: "merge",
      doc: "On refresh, keep entries gone from the file (merge) or drop them (replace).",
    },
    exact: {
      type: "boolean",
      default: true,
      doc: "Whole-value lookup; false replaces every key found as a substring.",
    },
    regex: {
      type: "boolean",
      default: false,
      doc: "With exact, dictionary keys are regexes (first match wins).",
    },
    fallback: { type: "string", doc: "Written (sprintf) when nothing matches." },
    iterate_on: {
      type: "string",
      doc: "An array field to translate element by element (itself, or objects holding `source`).",
    },
  },
  create: (options, context) => new TranslateFilter(options, context),
};

/** One way of applying the dictionary to an event (single value, array of values, array of objects). */
interface Updater {
  applies(event: Event, override: boolean): boolean;
  update(event: Event): boolean;
}

class TranslateFilter implements Filter {
  private readonly source: string;
  private readonly target: string;
  private readonly override: boolean;
  private readonly dictionary: Dictionary;
  private readonly updater: Updater;
  private readonly file:
    | { path: string; format: FileFormat; yamlLimit: number; replace: boolean }
    | undefined;
  private fileMtime: number | undefined;
  private refreshTimer: NodeJS.Timeout | undefined;

  constructor(
    options: ResolvedOptions,
    private readonly context: PluginContext,
  ) {
    const path = options.optionalString("dictionary_path");
    const inline = options.hash("dictionary");
    if (path !== undefined && Object.keys(inline).length > 0)
      throw new Error("The configuration options 'dictionary' and 'dictionary_path' are mutually exclusive");
    const exact = options.boolean("exact");
    const mode: MatchMode = exact ? (options.boolean("regex") ? "regex" : "exact") : "substring";
    this.dictionary = new Dictionary(mode);
    this.file = path === undefined ? undefined : fileSettings(path, options);
    if (this.file === undefined) this.dictionary.update(inlineEntries(inline), true);
    else this.loadFile(true);

    const source = resolveRenamed(options, "source", "field", context);
    if (source === undefined)
      throw new Error("No source field specified, please provide the `source => ...` option");
    this.source = source;
    const target = resolveRenamed(options, "target", "destination", context);
    this.target = target ?? (ecsEnabled(context.ecsCompatibility) ? this.source : "translation");
    const override = options.has("override") ? options.boolean("override") : undefined;
    if (this.source === this.target && override === false)
      throw new Error(
        "Configuring `override => false` with in-place translation has no effect, please remove the option",
      );
    this.override = override ?? this.source === this.target;
    this.updater = this.makeUpdater(options.optionalString("iterate_on"), options.optionalString("fallback"));
    this.scheduleRefresh(options.number("refresh_interval"));
  }

  filter(event: Event): boolean {
    if (!this.updater.applies(event, this.override)) return false;
    try {
      return this.updater.update(event) || this.source === this.target;
    } catch (err) {
      this.context.logger.error("Something went wrong when attempting to translate from dictionary", {
        plugin: this.context.id,
        source: this.source,
        exception: (err as Error).message,
      });
      this.context.countFailure("translate_failure");
      return false;
    }
  }

  close(): void {
    if (this.refreshTimer !== undefined) clearInterval(this.refreshTimer);
  }

  /** Re-reads the dictionary file now if it is due (what the refresh timer runs; public for tests). */
  refresh(): void {
    if (this.file === undefined) return;
    const mtime = modifiedMs(this.file.path);
    if (this.refreshIntervalSeconds <= shortRefreshSeconds && mtime === this.fileMtime) return;
    this.loadFile(false);
  }

  private refreshIntervalSeconds = 0;

  private scheduleRefresh(seconds: number): void {
    this.refreshIntervalSeconds = seconds;
    if (this.file === undefined || seconds <= 0) return;
    this.refreshTimer = setInterval(() => this.refresh(), seconds * 1000);
    this.refreshTimer.unref();
  }

  private loadFile(atRegister: boolean): void {
    const file = this.file!;
    const mtime = modifiedMs(file.path);
    if (mtime === undefined) {
      if (atRegister) throw new Error(`Translate: dictionary file not found: ${file.path}`);
      this.context.logger.warn("dictionary file read failure, continuing with old dictionary", {
        plugin: this.context.id,
        path: file.path,
      });
      return;
    }
    try {
      this.dictionary.update(readDictionaryFile(file.path, file.format, file.yamlLimit), file.replace);
      this.fileMtime = mtime;
    } catch (err) {
      const message = `Translate: ${(err as Error).message} when loading dictionary file at ${file.path}`;
      if (atRegister) throw new Error(message);
      this.context.logger.warn(`${message}, continuing with old dictionary`, { plugin: this.context.id });
      this.context.countFailure("dictionary_reload_failure");
    }
  }

  private makeUpdater(iterateOn: string | undefined, fallback: string | undefined): Updater {
    const lookup = (value: string) => this.dictionary.lookup(value);
    if (iterateOn === undefined) return new SingleValueUpdate(this.source, this.target, fallback, lookup);
    if (iterateOn === this.source) return new ArrayOfValuesUpdate(iterateOn, this.target, fallback, lookup);
    return new ArrayOfMapsUpdate(iterateOn, this.source, this.target, fallback, lookup);
  }
}

type Lookup = (value: string) => FieldValue | undefined;

class SingleValueUpdate implements Updater {
  constructor(
    private readonly source: string,
    private readonly target: string,
    private readonly fallback: string | undefined,
    private readonly lookup: Lookup,
  ) {}

  applies(event: Event, override: boolean): boolean {
    if (!override && event.includes(this.target)) return false;
    return event.includes(this.source);
  }

  update(event: Event): boolean {
    const value = event.get(this.source) ?? null;
    const text = Array.isArray(value) ? rubyToS(value[0] ?? null) : rubyToS(value);
    const found = this.lookup(text);
    if (found !== undefined) {
      event.set(this.target, copy(found));
      return true;
    }
    if (this.fallback === undefined) return false;
    event.set(this.target, event.sprintf(this.fallback));
    return true;
  }
}

class ArrayOfValuesUpdate implements Updater {
  constructor(
    private readonly iterateOn: string,
    private readonly target: string,
    private readonly fallback: string | undefined,
    private readonly lookup: Lookup,
  ) {}

  applies(event: Event, override: boolean): boolean {
    if (!override && event.includes(this.target)) return false;
    return event.includes(this.iterateOn);
  }

  update(event: Event): boolean {
    const value = event.get(this.iterateOn) ?? null;
    const items = Array.isArray(value) ? value : value === null ? [] : [value];
    const fill = this.fallback === undefined ? null : event.sprintf(this.fallback);
    const out = items.map((item) => {
      const found = this.lookup(rubyToS(item));
      return found === undefined ? fill : copy(found);
    });
    event.set(this.target, out);
    // Ruby's `any?`: true when some element is neither nil nor false.
    return out.some((item) => item !== null && item !== false);
  }
}

class ArrayOfMapsUpdate implements Updater {
  private readonly iterateOn: string;
  private readonly field: string;
  private readonly target: string;

  constructor(
    iterateOn: string,
    field: string,
    target: string,
    private readonly fallback: string | undefined,
    private readonly lookup: Lookup,
  ) {
    this.iterateOn = bracketed(iterateOn);
    this.field = bracketed(field);
    this.target = bracketed(target);
  }

  applies(event: Event): boolean {
    return event.includes(this.iterateOn);
  }

  update(event: Event): boolean {
    const value = event.get(this.iterateOn) ?? null;
    const count = Array.isArray(value) ? value.length : value === null ? 0 : 1;
    let matched = false;
    for (let index = 0; index < count; index++) {
      const inner = event.get(`${this.iterateOn}[${index}]${this.field}`);
      if (inner === undefined || inner === null) continue;
      const found = this.lookup(rubyToS(inner));
      const destination = `${this.iterateOn}[${index}]${this.target}`;
      if (found !== undefined) event.set(destination, copy(found));
      else if (this.fallback !== undefined) event.set(destination, event.sprintf(this.fallback));
      else continue;
      matched = true;
    }
    return matched;
  }
}

function bracketed(field: string): string {
  return field.startsWith("[") && field.endsWith("]") ? field : `[${field}]`;
}

/** Ruby's to_s: nil is "", everything else as sprintf prints it. */
function rubyToS(value: FieldValue): string {
  return value === null ? "" : formatValue(value);
}

function copy(value: FieldValue): FieldValue {
  return typeof value === "object" && value !== null ? structuredClone(value) : value;
}

function inlineEntries(hash: Record<string, unknown>): Map<string, FieldValue> {
  const entries = new Map<string, FieldValue>();
  for (const [key, value] of Object.entries(hash)) entries.set(key, value as FieldValue);
  return entries;
}

function fileSettings(path: string, options: ResolvedOptions) {
  const format = fileFormat(path);
  if (format === undefined) throw new Error(`Translate: Dictionary ${path} has a non valid format`);
  const limit = options.optionalNumber("yaml_dictionary_code_point_limit");
  if (format !== "yaml" && limit !== undefined)
    throw new Error(
      "Please remove `yaml_dictionary_code_point_limit` for dictionary file in JSON or CSV format",
    );
  if (limit !== undefined && limit <= 0)
    throw new Error(`Please set a positive number in \`yaml_dictionary_code_point_limit => ${limit}\`.`);
  return {
    path,
    format,
    yamlLimit: limit ?? defaultYamlCodePointLimit,
    replace: options.string("refresh_behaviour") === "replace",
  };
}

/** The new option, or the deprecated one it replaces (not both). */
function resolveRenamed(
  options: ResolvedOptions,
  name: string,
  oldName: string,
  context: PluginContext,
): string | undefined {
  const value = options.optionalString(name);
  const old = options.optionalString(oldName);
  if (old === undefined) return value;
  if (value !== undefined)
    throw new Error(
      `Please remove \`${oldName} => ${JSON.stringify(old)}\` and only set the \`${name} => ...\` option instead`,
    );
  context.logger.warn(`\`${oldName}\` option is deprecated; use \`${name}\` instead.`, {
    plugin: context.id,
  });
  return old;
}
