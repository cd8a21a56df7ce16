// The prune filter: removes top-level fields by name (whitelist/blacklist regexps) or by value (per-field
// regexps; array values lose only their matching or non-matching elements). @timestamp, @version and tags are
// ordinary fields here, exactly as in Logstash; [@metadata] is never seen.

import type { Event, FieldValue } from "../../event/index.js";
import { rubyRegExp } from "../../regexp/ruby.js";
import type { Filter, FilterSpec } from "../api.js";
import type { OptionHash, ResolvedOptions } from "../options.js";

/** A name or value pattern: compiled once, or (with `interpolate`) compiled per event after sprintf. */
type Matcher = (event: Event) => RegExp;

interface ValueRule {
  key: (event: Event) => string;
  pattern: Matcher;
}

/** What to take out: a whole field, or some elements of an array field. */
type Removal = { key: string } | { key: string; elements: readonly string[] };

export class PruneFilter implements Filter {
  constructor(
    private readonly whitelistNames: readonly Matcher[],
    private readonly blacklistNames: readonly Matcher[],
    private readonly whitelistValues: readonly ValueRule[],
    private readonly blacklistValues: readonly ValueRule[],
  ) {}

  filter(event: Event): boolean {
    const fields = topLevelFields(event);
    const removals: Removal[] = [];
    if (this.whitelistNames.length > 0) {
      const patterns = this.whitelistNames.map((m) => m(event));
      for (const key of fields.keys()) if (!patterns.some((p) => p.test(key))) removals.push({ key });
    }
    if (this.blacklistNames.length > 0) {
      const patterns = this.blacklistNames.map((m) => m(event));
      for (const key of fields.keys()) if (patterns.some((p) => p.test(key))) removals.push({ key });
    }
    for (const rule of this.whitelistValues) valueRemoval(event, fields, rule, false, removals);
    for (const rule of this.blacklistValues) valueRemoval(event, fields, rule, true, removals);
    // Removed only now, so interpolated patterns all saw the event as it came in.
    for (const removal of removals) {
      const current = fields.get(removal.key);
      if ("elements" in removal) {
        if (!Array.isArray(current)) continue; // already removed whole by an earlier rule
        const gone = new Set(removal.elements);
        event.set(
          removal.key,
          current.filter((item) => !gone.has(item as string)),
        );
      } else {
        fields.delete(removal.key);
        event.remove(removal.key);
      }
    }
    return true;
  }
}

/** The event's top-level fields (not [@metadata]), as Logstash's `to_hash` gives them. */
function topLevelFields(event: Event): Map<string, FieldValue> {
  const fields = new Map<string, FieldValue>();
  for (const key of Object.keys(event.toObject())) fields.set(key, event.get(key) ?? null);
  return fields;
}

/** Queues the removal a value rule asks for: the field, or the array elements that (do not) match. */
function valueRemoval(
  event: Event,
  fields: ReadonlyMap<string, FieldValue>,
  rule: ValueRule,
  removeMatching: boolean,
  removals: Removal[],
): void {
  const key = rule.key(event);
  const value = fields.get(key);
  if (value === undefined || value === null || value === false) return;
  const pattern = rule.pattern(event);
  const doomed = (item: FieldValue) => matchesText(item, key, pattern) === removeMatching;
  if (!Array.isArray(value)) {
    if (doomed(value)) removals.push({ key });
    return;
  }
  const elements = value.filter(doomed) as string[];
  if (elements.length === value.length) removals.push({ key });
  else if (elements.length > 0) removals.push({ key, elements });
}

function matchesText(value: FieldValue, key: string, pattern: RegExp): boolean {
  // Logstash calls String#match: any other value is an error there too (the runtime logs it, the event passes).
  if (typeof value !== "string") throw new Error(`prune: the value of ${key} is not a string`);
  return pattern.test(value);
}

function matcher(pattern: string, interpolate: boolean): Matcher {
  if (!interpolate) {
    const compiled = rubyRegExp(pattern);
    return () => compiled;
  }
  return (event) => rubyRegExp(event.sprintf(pattern));
}

function valueRules(hash: OptionHash, interpolate: boolean): ValueRule[] {
  return Object.entries(hash).map(([key, pattern]) => {
    if (typeof pattern !== "string" && typeof pattern !== "number")
      throw new Error(`the pattern for ${key} must be one regular expression`);
    return {
      key: interpolate ? (event: Event) => event.sprintf(key) : () => key,
      pattern: matcher(String(pattern), interpolate),
    };
  });
}

function createPrune(options: ResolvedOptions): PruneFilter {
  const interpolate = options.boolean("interpolate");
  const names = (option: string) => options.stringArray(option).map((p) => matcher(p, interpolate));
  return new PruneFilter(
    names("whitelist_names"),
    names("blacklist_names"),
    valueRules(options.hash("whitelist_values"), interpolate),
    valueRules(options.hash("blacklist_values"), interpolate),
  );
}

export const pruneFilter: FilterSpec = {
  kind: "filter",
  name: "prune",
  doc:
    "Removes top-level fields whose names match (or, for whitelists, do not match) regular expressions, or " +
    "whose values do; array values lose only the offending elements.",
  options: {
    interpolate: {
      type: "boolean",
      default: false,
      doc: "Expand %{field} references in names and patterns per event (slower).",
    },
    whitelist_names: { type: "array", default: [], doc: "Keep only fields whose name matches one of these." },
    blacklist_names: {
      type: "array",
      default: ["%\\{[^}]+\\}"],
      doc: "Remove fields whose name matches one of these (by default, unresolved %{field} names).",
    },
    whitelist_values: {
      type: "hash",
      default: {},
      doc: "Field → regexp: remove the field (or array elements) when the value does not match.",
    },
    blacklist_values: {
      type: "hash",
      default: {},
      doc: "Field → regexp: remove the field (or array elements) when the value matches.",
    },
  },
  create: createPrune,
};
