// The elapsed filter: pairs a start event and an end event (by tags and a shared id field) and records the time
// between them on the end event or on a new event; starts that wait longer than `timeout` come out of the
// periodic flush as `elapsed_expired_error` events.

import { hostname } from "node:os";
import { limits } from "../../../common/limits.js";
import { Event, type FieldValue, Timestamp } from "../../event/index.js";
import type { Filter, FilterSpec, PluginContext } from "../api.js";
import type { ResolvedOptions } from "../options.js";

export const elapsedTags = {
  elapsed: "elapsed",
  match: "elapsed_match",
  expired: "elapsed_expired_error",
  endWithoutStart: "elapsed_end_without_start",
  /** Ours: a start not remembered because too many starts are pending. */
  overflow: "elapsed_start_overflow",
} as const;

/** Seconds one periodic flush ages the pending starts (the runtime flushes every 5 s, as Logstash does). */
const flushAgeSeconds = 5;

export const elapsedFilter: FilterSpec = {
  kind: "filter",
  name: "elapsed",
  doc: "Measures the time between a start event and an end event that share an id, tagging and timing the pair.",
  options: {
    start_tag: { type: "string", required: true, doc: "The tag marking a start event." },
    end_tag: { type: "string", required: true, doc: "The tag marking an end event." },
    unique_id_field: {
      type: "string",
      required: true,
      doc: "The field whose value pairs a start with its end.",
    },
    timeout: { type: "number", default: 1800, doc: "Seconds a start waits for its end before it expires." },
    new_event_on_match: {
      type: "boolean",
      default: false,
      doc: "Put the result on a new event instead of the end event.",
    },
    keep_start_event: {
      type: ["first", "last"],
      default: "first",
      doc: "Which start to keep when one id starts twice.",
    },
  },
  create: (options, context) => new ElapsedFilter(options, context),
};

interface Pending {
  id: FieldValue;
  start: Timestamp;
  age: number;
}

class ElapsedFilter implements Filter {
  private readonly startTag: string;
  private readonly endTag: string;
  private readonly idField: string;
  private readonly timeout: number;
  private readonly newEventOnMatch: boolean;
  private readonly keepFirst: boolean;
  private readonly periodicFlush: boolean;
  /** Pending starts by id (JSON of the id value, since ids may be numbers or arrays). */
  private readonly pending = new Map<string, Pending>();

  constructor(
    options: ResolvedOptions,
    private readonly context: PluginContext,
  ) {
    this.startTag = options.string("start_tag");
    this.endTag = options.string("end_tag");
    this.idField = options.string("unique_id_field");
    this.timeout = options.number("timeout");
    this.newEventOnMatch = options.boolean("new_event_on_match");
    this.keepFirst = options.string("keep_start_event") === "first";
    // periodic_flush is a common filter option (default false); these plugins default it to true, as Logstash.
    this.periodicFlush = options.has("periodic_flush") ? options.boolean("periodic_flush") : true;
    context.logger.info(`Elapsed, timeout: ${this.timeout} seconds`, { plugin: context.id });
  }

  filter(event: Event, emit: (event: Event) => void): boolean {
    const id = event.get(this.idField);
    if (id === undefined || id === null) return false;
    const key = JSON.stringify(id);
    if (event.hasTag(this.startTag)) {
      this.remember(event, key, id);
      return true;
    }
    if (!event.hasTag(this.endTag)) return false;
    const start = this.pending.get(key);
    if (start === undefined) {
      event.tag(elapsedTags.endWithoutStart);
      return true;
    }
    this.pending.delete(key);
    const elapsed = ((event.timestamp?.epochMs ?? Date.now()) - start.start.epochMs) / 1000;
    if (!this.newEventOnMatch) {
      addElapsedInfo(event, this.idField, elapsed, id, start.start);
      return true;
    }
    const created = new Event({ host: hostname() });
    addElapsedInfo(created, this.idField, elapsed, id, start.start);
    emit(created);
    return true;
  }

  flush(final: boolean): Event[] {
    if (!this.periodicFlush && !final) return [];
    const expired: Event[] = [];
    for (const [key, pending] of this.pending) {
      pending.age += flushAgeSeconds;
      if (pending.age < this.timeout) continue;
      this.pending.delete(key);
      const event = new Event({ host: hostname() });
      event.tag(elapsedTags.elapsed);
      event.tag(elapsedTags.expired);
      event.set(this.idField, pending.id);
      event.set("elapsed_time", pending.age);
      event.set("elapsed_timestamp_start", pending.start);
      expired.push(event);
    }
    return expired;
  }

  private remember(event: Event, key: string, id: FieldValue): void {
    if (this.keepFirst && this.pending.has(key)) return;
    if (!this.pending.has(key) && this.pending.size >= limits.elapsedFilterPendingStartsMax) {
      event.tag(elapsedTags.overflow);
      this.context.logger.warn("too many start events waiting for their end; this one is not remembered", {
        plugin: this.context.id,
        pending: this.pending.size,
      });
      this.context.countFailure("elapsed_start_overflow");
      return;
    }
    this.pending.set(key, { id, start: event.timestamp ?? Timestamp.now(), age: 0 });
  }
}

function addElapsedInfo(
  event: Event,
  idField: string,
  elapsed: number,
  id: FieldValue,
  start: Timestamp,
): void {
  event.tag(elapsedTags.elapsed);
  event.tag(elapsedTags.match);
  event.set("elapsed_time", elapsed);
  event.set(idField, id);
  event.set("elapsed_timestamp_start", start);
}
