// The throttle filter: counts events per key (sprintf) in time slots of `period` seconds of event time and
// "matches" (so add_tag marks them) the events before before_count or after after_count in their slot.

import type { Event } from "../../event/index.js";
import type { Filter, FilterSpec, PluginContext } from "../api.js";
import type { ResolvedOptions } from "../options.js";

/** How max_age adapts when max_counters is exceeded (percentages of the configured max_age), as Logstash does. */
const minAgePercent = 5;
const maxAgePercent = 100;
const increaseBelowPercent = 80;
const stepPercent = 5;
const defaultPeriodSeconds = 60;

export const throttleFilter: FilterSpec = {
  kind: "filter",
  name: "throttle",
  doc: "Counts events per key in time slots and matches (for add_tag) those before or after given counts.",
  options: {
    key: { type: "string", required: true, doc: "The key events are counted by (sprintf)." },
    before_count: {
      type: "number",
      default: -1,
      doc: "Match events while the slot count is below this (-1: off).",
    },
    after_count: {
      type: "number",
      default: -1,
      doc: "Match events once the slot count is above this (-1: off).",
    },
    period: {
      type: "string",
      default: "60",
      doc: "Seconds per time slot (sprintf; 60 when it does not parse).",
    },
    max_age: { type: "number", default: 3600, doc: "Seconds a time slot is kept." },
    max_counters: {
      type: "number",
      default: 100_000,
      doc: "Counters kept before max_age is shortened (-1: no limit).",
    },
  },
  create: (options, context) => new ThrottleFilter(options, context),
};

/** One key's counters: slot start (epoch seconds) → count. */
interface KeySlots {
  created: number;
  latest: number;
  slots: Map<number, number>;
}

class ThrottleFilter implements Filter {
  private readonly key: string;
  private readonly beforeCount: number;
  private readonly afterCount: number;
  private readonly period: string;
  private readonly maxAgeConfigured: number;
  private readonly maxCounters: number;
  private readonly periodicFlush: boolean;
  private maxAge: number;
  private readonly keys = new Map<string, KeySlots>();

  constructor(
    options: ResolvedOptions,
    private readonly context: PluginContext,
  ) {
    this.key = options.string("key");
    this.beforeCount = options.number("before_count");
    this.afterCount = options.number("after_count");
    this.period = options.string("period");
    this.maxAgeConfigured = options.number("max_age");
    this.maxAge = this.maxAgeConfigured;
    this.maxCounters = options.number("max_counters");
    // periodic_flush is a common filter option (default false); these plugins default it to true, as Logstash.
    this.periodicFlush = options.has("periodic_flush") ? options.boolean("periodic_flush") : true;
  }

  filter(event: Event): boolean {
    const key = event.sprintf(this.key);
    const period = rubyToI(event.sprintf(this.period)) || defaultPeriodSeconds;
    const epoch = Math.floor((event.timestamp?.epochMs ?? Date.now()) / 1000);
    let slots = this.keys.get(key);
    if (slots === undefined) {
      slots = { created: epoch, latest: epoch, slots: new Map() };
      this.keys.set(key, slots);
    }
    slots.latest = Math.max(slots.latest, epoch);
    const slot = epoch - modulo(epoch - slots.created, period);
    const count = (slots.slots.get(slot) ?? 0) + 1;
    slots.slots.set(slot, count);
    const throttled =
      (this.beforeCount !== -1 && count < this.beforeCount) ||
      (this.afterCount !== -1 && count > this.afterCount);
    const newest = Math.max(...slots.slots.keys());
    for (const start of slots.slots.keys()) if (start < newest - this.maxAge) slots.slots.delete(start);
    return throttled;
  }

  flush(final: boolean): Event[] {
    if (!this.periodicFlush && !final) return [];
    let maxLatest = 0;
    for (const slots of this.keys.values()) maxLatest = Math.max(maxLatest, slots.latest);
    let counters = 0;
    for (const [key, slots] of this.keys) {
      if (slots.latest < maxLatest - this.maxAge) this.keys.delete(key);
      else counters += slots.slots.size;
    }
    this.adaptMaxAge(counters);
    return [];
  }

  /** Shortens max_age while there are too many counters, lengthens it back once there are few. */
  private adaptMaxAge(counters: number): void {
    if (this.maxCounters === -1) return;
    const step = (this.maxAgeConfigured * stepPercent) / 100;
    const overLimit = counters - this.maxCounters;
    if (overLimit > 0 && this.maxAge > (this.maxAgeConfigured * minAgePercent) / 100) {
      this.maxAge -= step;
      this.context.logger.warn(
        `Decreased timeslot max_age to ${this.maxAge} because max_counters exceeded by ${overLimit}. Use a better key to prevent too many unique event counters.`,
        { plugin: this.context.id },
      );
    } else if (
      this.maxAge < (this.maxAgeConfigured * maxAgePercent) / 100 &&
      counters < (this.maxCounters * increaseBelowPercent) / 100
    ) {
      this.maxAge += step;
      this.context.logger.warn(
        `Increased timeslot max_age to ${this.maxAge} because max_counters no longer exceeded.`,
        {
          plugin: this.context.id,
        },
      );
    }
  }
}

function modulo(a: number, b: number): number {
  return ((a % b) + b) % b;
}

/** Ruby's String#to_i: leading integer digits, 0 when none. */
function rubyToI(text: string): number {
  const match = /^\s*([+-]?\d+)/.exec(text.replace(/_/g, ""));
  return match === null ? 0 : Number.parseInt(match[1]!, 10);
}
