// The date filter: parses a field with the first matching format (ISO8601, UNIX, UNIX_MS, TAI64N or a Joda
// pattern) and stores the instant, at millisecond precision as Logstash does, in @timestamp or `target`.

import { type Event, TIMESTAMP, Timestamp } from "../../event/index.js";
import type { Filter, FilterSpec, PluginContext } from "../api.js";
import type { ResolvedOptions } from "../options.js";
import { type DateParser, makeParser, type ParseContext } from "./date/parsers.js";
import { systemZone, type Zone, zoneFor } from "./date/zones.js";

export const dateFilter: FilterSpec = {
  kind: "filter",
  name: "date",
  doc: "Parses a date from a field and uses it as the event's @timestamp (or stores it in `target`).",
  options: {
    match: {
      type: "array",
      default: [],
      doc: "The field, then one or more formats: ISO8601, UNIX, UNIX_MS, TAI64N or Joda patterns.",
    },
    timezone: {
      type: "string",
      doc: "Zone of dates written without one: an IANA id, UTC or an offset; `%{field}` allowed.",
    },
    locale: { type: "string", doc: "BCP 47 language tag for month and weekday names (default English)." },
    target: { type: "string", default: TIMESTAMP, doc: "Where the parsed timestamp is stored." },
    tag_on_failure: {
      type: "array",
      default: ["_dateparsefailure"],
      doc: "Tags added when no format matches.",
    },
  },
  create: (options, context) => new DateFilter(options, context),
};

/** Where "now" comes from: the year guess for patterns without a year (tests replace it). */
export type Clock = () => Date;

let systemNow = new Date();
let systemNowUntilMs = Number.NEGATIVE_INFINITY;

/**
 * The system clock as the year guess sees it: the same Date while the local month lasts (the guess reads only
 * its year and month), so year-less dates do not allocate one per event.
 */
const systemClock: Clock = () => {
  const ms = Date.now();
  if (ms >= systemNowUntilMs || ms < systemNow.getTime()) {
    systemNow = new Date(ms);
    systemNowUntilMs = new Date(systemNow.getFullYear(), systemNow.getMonth() + 1, 1).getTime();
  }
  return systemNow;
};

class DateFilter implements Filter {
  private readonly source: string;
  private readonly target: string;
  private readonly failureTags: string[];
  private readonly parsers: DateParser[];
  /** Fixed zone, or a template resolved per event. */
  private readonly zone: Zone | string;
  /** Handed to every parser; only its zone changes, per event when the zone is a template. */
  private readonly parseContext: ParseContext;

  constructor(
    options: ResolvedOptions,
    private readonly context: PluginContext,
    clock: Clock = systemClock,
  ) {
    const match = options.stringArray("match");
    if (match.length < 2) {
      throw new Error(
        `The match setting should contains first a field name and at least one date format, current value is ${JSON.stringify(match)}`,
      );
    }
    this.source = match[0]!;
    this.target = options.string("target");
    this.failureTags = options.stringArray("tag_on_failure");
    this.zone = resolveZoneOption(options.optionalString("timezone"));
    const locale = resolveLocaleOption(options.optionalString("locale"), context);
    const defaultYear = clock().getFullYear();
    this.parsers = match.slice(1).map((format) => makeParser(format, { locale, defaultYear }));
    this.parseContext = { zone: typeof this.zone === "string" ? systemZone() : this.zone, now: clock };
  }

  filter(event: Event): boolean {
    if (event.cancelled) return false;
    const input = event.get(this.source);
    if (input === undefined || input === null) return false;
    const epochMs = this.parse(input, event);
    if (epochMs === undefined) {
      for (const tag of this.failureTags) event.tag(tag);
      this.context.countFailure("date_parse_failure");
      return false;
    }
    const timestamp = new Timestamp(epochMs);
    if (this.target === TIMESTAMP) event.timestamp = timestamp;
    else event.set(this.target, timestamp);
    return true;
  }

  private parse(input: unknown, event: Event): number | undefined {
    if (typeof input !== "string" && typeof input !== "number") return undefined;
    const context = this.parseContext;
    if (typeof this.zone === "string") {
      const zone = zoneFor(event.sprintf(this.zone));
      if (zone === undefined) return undefined;
      context.zone = zone;
    }
    for (const parser of this.parsers) {
      const epochMs = parser.parse(input, context);
      if (epochMs !== undefined && Number.isSafeInteger(epochMs)) return epochMs;
    }
    return undefined;
  }
}

function resolveZoneOption(timezone: string | undefined): Zone | string {
  if (timezone === undefined) return systemZone();
  if (timezone.includes("%{")) return timezone;
  const zone = zoneFor(timezone);
  if (zone === undefined) throw new Error(`The datetime zone id '${timezone}' is not recognised`);
  return zone;
}

function resolveLocaleOption(locale: string | undefined, context: PluginContext): string | undefined {
  if (locale === undefined || !locale.includes("_")) return locale;
  context.logger.warn("Date filter now use BCP47 format for locale, replacing underscore with dash", {
    plugin: context.id,
  });
  return locale.replaceAll("_", "-");
}

/** Builds the filter with a fixed clock (tests of the year guess). */
export function createDateFilterWithClock(
  options: ResolvedOptions,
  context: PluginContext,
  clock: Clock,
): Filter {
  return new DateFilter(options, context, clock);
}
