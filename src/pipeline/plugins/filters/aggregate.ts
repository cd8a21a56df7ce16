// The aggregate filter: gathers information from the events of one task (found by task_id) into a Ruby map that
// lives across events, and pushes maps as events on timeout, on a new task, or at shutdown (Logstash's
// logstash-filter-aggregate 2.11). Needs one pipeline worker, as in Logstash.

import { Event, Timestamp } from "../../event/index.js";
import { RubyScript, type RunOutcome } from "../../ruby/engine.js";
import type { Filter, FilterSpec, PluginContext } from "../api.js";
import type { ResolvedOptions } from "../options.js";
import { loadMaps, saveMaps } from "./aggregate/persist.js";
import {
  aggregateClock,
  joinAggregates,
  leaveAggregates,
  type PatternMaps,
  type PipelineAggregates,
  type TaskTimes,
  type TimeoutOwner,
} from "./aggregate/pipeline.js";

export { aggregateClock, aggregatesOf } from "./aggregate/pipeline.js";

export const aggregateTags = {
  exception: "_aggregateexception",
  finalFlush: "_aggregatefinalflush",
} as const;

/** Logstash's timeout when no filter of a pattern sets one. */
export const aggregateDefaultTimeoutS = 1800;

/** The map-count warning repeats every threshold/divisor events while above the threshold. */
const warningFrequencyDivisor = 5;

const timeoutOptions = [
  "timeout",
  "inactivity_timeout",
  "timeout_code",
  "push_map_as_event_on_timeout",
  "push_previous_map_as_event",
  "timeout_timestamp_field",
  "timeout_task_id_field",
  "timeout_tags",
] as const;

export const aggregateFilter: FilterSpec = {
  kind: "filter",
  name: "aggregate",
  doc: "Aggregates information from several events of one task into a map (Ruby code with `event` and `map`), and pushes maps as events on timeout, on a new task, or at shutdown. Needs `pipeline.workers: 1`.",
  options: {
    task_id: {
      type: "string",
      required: true,
      doc: "The task an event belongs to, as a sprintf pattern such as `%{taskid}`.",
    },
    code: {
      type: "string",
      required: true,
      doc: "Ruby run for each event of a task, with `event`, `map`, `map_meta` and `new_event_block` in scope.",
    },
    map_action: {
      type: ["create", "update", "create_or_update"],
      default: "create_or_update",
      doc: "Whether this filter may create a task's map, update an existing one, or both.",
    },
    end_of_task: {
      type: "boolean",
      default: false,
      doc: "The task ends with this filter: its map is deleted after the code runs.",
    },
    aggregate_maps_path: {
      type: "string",
      doc: "File the maps are written to when the pipeline stops and read from when it starts (one filter per pipeline).",
    },
    timeout: {
      type: "number",
      doc: "Seconds after its creation a task's map expires (default 1800 for the pattern).",
    },
    inactivity_timeout: {
      type: "number",
      doc: "Seconds without an event after which a task's map expires; must be below timeout.",
    },
    timeout_code: {
      type: "string",
      doc: "Ruby run on each event made from an expired map, with `event` in scope.",
    },
    push_map_as_event_on_timeout: {
      type: "boolean",
      default: false,
      doc: "An expired map becomes a new event.",
    },
    push_previous_map_as_event: {
      type: "boolean",
      default: false,
      doc: "When a new task starts, the previous task's map becomes a new event (tasks arrive one after another).",
    },
    timeout_timestamp_field: {
      type: "string",
      doc: "Field holding the event time timeouts are computed from, instead of the clock (for old logs).",
    },
    timeout_task_id_field: {
      type: "string",
      doc: "Field of a pushed map event that gets the task id.",
    },
    timeout_tags: { type: "array", default: [], doc: "Tags added to events made from maps." },
    map_count_warning_threshold: {
      type: "number",
      default: 5000,
      doc: "Warn when a pattern holds this many maps (0: never).",
    },
  },
  create: (options, context) => {
    // Logstash's docs require one worker: with several, events of one task can reach the map out of order.
    if ((context.workers ?? 1) > 1)
      context.logger.warn(
        "the aggregate filter needs pipeline.workers: 1 (-w 1); with several workers, events of one task may be aggregated out of order",
        { plugin: context.id, workers: context.workers },
      );
    return new AggregateFilter(options, context);
  },
};

class AggregateFilter implements Filter, TimeoutOwner {
  private readonly pattern: string;
  private readonly mapAction: string;
  private readonly endOfTask: boolean;
  private readonly mapsPath: string | undefined;
  private readonly timestampField: string | undefined;
  private readonly taskIdField: string | undefined;
  private readonly timeoutTags: string[];
  private readonly pushPrevious: boolean;
  readonly pushMapAsEventOnTimeout: boolean;
  private readonly hasTimeoutOptions: boolean;
  private readonly warningThreshold: number;
  private readonly warningFrequency: number;
  private eventsSinceWarning = 0;
  private configuredTimeoutS: number | undefined;
  private configuredInactivityS: number | undefined;
  private readonly code: RubyScript;
  private readonly timeoutCode: RubyScript | undefined;
  private shared: PipelineAggregates | undefined;
  private maps: PatternMaps | undefined;

  constructor(
    options: ResolvedOptions,
    private readonly context: PluginContext,
  ) {
    this.pattern = options.string("task_id");
    if (!/%\{.+\}/.test(this.pattern)) {
      throw new Error(`task_id pattern '${this.pattern}' must contain a dynamic expression like '%{field}'`);
    }
    this.mapAction = options.string("map_action");
    this.endOfTask = options.boolean("end_of_task");
    this.mapsPath = options.optionalString("aggregate_maps_path");
    this.configuredTimeoutS = options.optionalNumber("timeout");
    this.configuredInactivityS = options.optionalNumber("inactivity_timeout");
    this.checkInactivityTimeout();
    this.pushMapAsEventOnTimeout = options.boolean("push_map_as_event_on_timeout");
    this.pushPrevious = options.boolean("push_previous_map_as_event");
    this.timestampField = options.optionalString("timeout_timestamp_field");
    this.taskIdField = options.optionalString("timeout_task_id_field");
    this.timeoutTags = options.stringArray("timeout_tags");
    this.hasTimeoutOptions = timeoutOptions.some((name) => options.has(name) && isSet(options, name));
    this.warningThreshold = options.number("map_count_warning_threshold");
    this.warningFrequency = Math.max(Math.floor(this.warningThreshold / warningFrequencyDivisor), 1);
    const logger = context.logger.child(`aggregate:${context.id}`);
    this.code = new RubyScript(
      { kind: "map-code", code: options.string("code"), label: "aggregate filter" },
      logger,
    );
    const timeoutCode = options.optionalString("timeout_code");
    if (timeoutCode !== undefined) {
      try {
        this.timeoutCode = new RubyScript(
          { kind: "code", code: timeoutCode, label: "aggregate filter timeout" },
          logger,
        );
      } catch (err) {
        this.code.close();
        throw err;
      }
    }
  }

  private checkInactivityTimeout(): void {
    const inactivity = this.configuredInactivityS;
    if (inactivity === undefined) return;
    const limit = this.configuredTimeoutS ?? aggregateDefaultTimeoutS;
    if (inactivity > limit) {
      throw new Error(
        `For task_id pattern ${this.pattern}, inactivity_timeout (${inactivity}) must be lower than timeout (${this.configuredTimeoutS ?? ""})`,
      );
    }
  }

  get timeoutS(): number {
    return this.configuredTimeoutS ?? aggregateDefaultTimeoutS;
  }

  get inactivityTimeoutS(): number {
    return this.configuredInactivityS ?? this.timeoutS;
  }

  get pushesExpiredMaps(): boolean {
    return this.pushPrevious || this.pushMapAsEventOnTimeout;
  }

  /** Joins the pipeline's shared maps, claims timeouts and the maps file, and loads that file. */
  register(): void {
    if (this.shared !== undefined) return;
    const shared = joinAggregates(this.context.pipelineId, this);
    const maps = shared.maps(this.pattern);
    try {
      this.claim(shared, maps);
    } catch (err) {
      leaveAggregates(this.context.pipelineId, this);
      throw err;
    }
    this.shared = shared;
    this.maps = maps;
    this.code.bindMaps(maps.ruby, this.endOfTask);
  }

  private claim(shared: PipelineAggregates, maps: PatternMaps): void {
    if (this.hasTimeoutOptions) {
      if (maps.owner !== undefined && maps.owner !== this) {
        throw new Error(
          `For task_id pattern '${this.pattern}', there are more than one filter which defines timeout options. All timeout options have to be defined in only one aggregate filter per task_id pattern. Timeout options are : ${timeoutOptions.join(", ")}`,
        );
      }
      maps.owner = this;
    }
    if (this.mapsPath === undefined) return;
    if (shared.mapsPathOwner !== undefined && shared.mapsPathOwner !== this) {
      throw new Error("Option 'aggregate_maps_path' must be set on only one aggregate filter");
    }
    shared.mapsPathOwner = this;
    const loaded = loadMaps(this.mapsPath, shared);
    if (loaded !== undefined) {
      this.context.logger.info(`Aggregate maps loaded from : ${this.mapsPath}`, {
        plugin: this.context.id,
        tasks: loaded,
      });
    }
  }

  filter(event: Event, emit: (event: Event) => void): boolean {
    if (this.maps === undefined) this.register();
    const maps = this.maps!;
    const taskId = event.sprintf(this.pattern);
    if (taskId === this.pattern) return false;
    this.warnOnMapCount(maps);
    const referenceMs = this.referenceMs(event);
    if (referenceMs === undefined) return false;
    const pushed: Event[] = [];
    if (this.timestampField !== undefined) this.expireByEventTime(maps, taskId, referenceMs, pushed);
    let times = maps.tasks.get(taskId);
    if (times === undefined) {
      if (this.mapAction === "update") return this.emitAll(pushed, emit, false);
      if (this.pushPrevious && maps.tasks.size > 0)
        pushed.push(...this.takeAsEvents(maps, [maps.oldestTask()!]));
      times = newTaskTimes(referenceMs);
      maps.tasks.set(taskId, times);
    } else if (this.mapAction === "create") {
      return this.emitAll(pushed, emit, false);
    }
    times.lastEventMs = referenceMs;
    times.lastEventLagS = Math.trunc((aggregateClock.now() - referenceMs) / 1000);
    const outcome = this.code.run(event, { id: taskId, ...times });
    for (const produced of outcome.produced) emit(produced);
    if (this.endOfTask) maps.tasks.delete(taskId);
    if (outcome.timeouts !== undefined) this.applyTaskTimeouts(maps, taskId, times, outcome.timeouts, pushed);
    if (outcome.failure !== undefined) this.codeFailed(event, outcome);
    return this.emitAll(pushed, emit, outcome.failure === undefined);
  }

  private emitAll(events: Event[], emit: (event: Event) => void, matched: boolean): boolean {
    for (const event of events) emit(event);
    return matched;
  }

  /** The clock, or the event's timeout_timestamp_field; undefined (event tagged) when that field is unusable. */
  private referenceMs(event: Event): number | undefined {
    if (this.timestampField === undefined) return aggregateClock.now();
    const value = event.get(this.timestampField);
    const timestamp =
      value instanceof Timestamp ? value : typeof value === "string" ? Timestamp.parse(value) : undefined;
    if (timestamp !== undefined) return timestamp.epochMs;
    event.tag(aggregateTags.exception);
    this.context.countFailure("timeout_timestamp_field");
    this.context.logger.warn(`Aggregate: ${this.timestampField} is not a timestamp`, {
      plugin: this.context.id,
      value,
    });
    return undefined;
  }

  /** With timeout_timestamp_field, the task's map expires when this event is past its timeouts. */
  private expireByEventTime(maps: PatternMaps, taskId: string, eventMs: number, pushed: Event[]): void {
    const times = maps.tasks.get(taskId);
    if (times === undefined) return;
    const owner = this.ownerOf(maps);
    const minCreationMs = eventMs - (times.timeoutS ?? owner.timeoutS) * 1000;
    const minLastEventMs = eventMs - (times.inactivityTimeoutS ?? owner.inactivityTimeoutS) * 1000;
    if (times.creationMs >= minCreationMs && times.lastEventMs >= minLastEventMs) return;
    const taken = this.takeAsEvents(maps, [taskId]);
    if (this.pushesExpiredMaps) pushed.push(...taken);
  }

  /** map_meta.timeout or inactivity_timeout set by the code: 0 expires the map now. */
  private applyTaskTimeouts(
    maps: PatternMaps,
    taskId: string,
    times: TaskTimes,
    [timeoutS, inactivityTimeoutS]: [number | null, number | null],
    pushed: Event[],
  ): void {
    times.timeoutS = timeoutS;
    times.inactivityTimeoutS = inactivityTimeoutS;
    const owner = this.ownerOf(maps);
    if (timeoutS !== 0 && inactivityTimeoutS !== 0) {
      maps.checkEveryFlush = true;
      return;
    }
    const taken = this.takeAsEvents(maps, [taskId]);
    if (owner.pushMapAsEventOnTimeout) pushed.push(...taken);
  }

  /** Logstash's flush-instance rule: the filter with timeout options, else the first one that asks. */
  private ownerOf(maps: PatternMaps): TimeoutOwner {
    maps.owner ??= this;
    return maps.owner;
  }

  /** Takes tasks' maps out of the store as events made by this filter (task id field, tags, timeout_code). */
  private takeAsEvents(maps: PatternMaps, ids: readonly string[]): Event[] {
    let taken: [string, Record<string, unknown>][];
    try {
      taken = maps.take(ids);
    } catch (err) {
      // A map Ruby cannot export (e.g. text that is not UTF-8) is lost; the rest of the store is unaffected.
      this.context.countFailure("map_export");
      this.context.logger.error("Aggregate could not export maps; they are dropped", {
        plugin: this.context.id,
        tasks: ids,
        error: err,
      });
      maps.ruby.delete(ids);
      return [];
    }
    return taken.map(([taskId, fields]) => this.timeoutEvent(fields, taskId));
  }

  private timeoutEvent(fields: Record<string, unknown>, taskId: string): Event {
    const event = Event.adopt(fields);
    if (this.taskIdField !== undefined) event.set(this.taskIdField, taskId);
    for (const tag of this.timeoutTags) event.tag(event.sprintf(tag));
    if (this.timeoutCode === undefined) return event;
    const outcome = this.timeoutCode.run(event);
    if (outcome.failure !== undefined) {
      event.tag(aggregateTags.exception);
      this.context.countFailure("timeout_code_exception");
      this.context.logger.error(`Aggregate exception occurred: ${outcome.failure.message}`, {
        plugin: this.context.id,
        class: outcome.failure.className,
        backtrace: outcome.failure.backtrace,
        timeout_event_data: event.toObject({ includeMetadata: true }),
      });
    }
    return event;
  }

  private codeFailed(event: Event, outcome: RunOutcome): void {
    const failure = outcome.failure!;
    event.tag(aggregateTags.exception);
    this.context.countFailure("code_exception");
    this.context.logger.error(`Aggregate exception occurred: ${failure.message}`, {
      plugin: this.context.id,
      class: failure.className,
      backtrace: failure.backtrace,
    });
  }

  private warnOnMapCount(maps: PatternMaps): void {
    if (this.warningThreshold === 0) return;
    const count = maps.tasks.size;
    if (count < this.warningThreshold) {
      this.eventsSinceWarning = 0;
      return;
    }
    if (this.eventsSinceWarning === 0) {
      this.context.logger.warn(
        `Aggregate filter memory warning: task_id pattern '${this.pattern}' has ${count} maps in memory (threshold: ${this.warningThreshold}).`,
        {
          plugin: this.context.id,
          task_id_pattern: this.pattern,
          map_count: count,
          threshold: this.warningThreshold,
        },
      );
    }
    this.eventsSinceWarning = (this.eventsSinceWarning + 1) % this.warningFrequency;
  }

  /**
   * Only the pattern's timeout owner expires maps, at most every inactivity_timeout/2 seconds (every flush once
   * a task has its own timeout, and always at shutdown). At shutdown push_previous_map_as_event also pushes the
   * oldest remaining map; every event of the final flush is tagged `_aggregatefinalflush`.
   */
  flush(final: boolean): Event[] {
    if (this.maps === undefined) return [];
    const maps = this.maps;
    if (this.ownerOf(maps) !== this) return [];
    const now = aggregateClock.now();
    const due =
      maps.lastFlushMs === undefined ||
      now > maps.lastFlushMs + halfSeconds(this.inactivityTimeoutS) * 1000 ||
      final ||
      maps.checkEveryFlush;
    if (!due) return [];
    const events = this.removeExpired(maps, now);
    if (final && this.pushPrevious && maps.tasks.size > 0) {
      events.push(...this.takeAsEvents(maps, [maps.oldestTask()!]));
    }
    if (final) for (const event of events) event.tag(aggregateTags.finalFlush);
    maps.lastFlushMs = now;
    return events;
  }

  private removeExpired(maps: PatternMaps, now: number): Event[] {
    const expired: string[] = [];
    for (const [taskId, times] of maps.tasks) {
      const minCreationMs = now - (times.timeoutS ?? this.timeoutS) * 1000;
      const minLastEventMs = now - (times.inactivityTimeoutS ?? this.inactivityTimeoutS) * 1000;
      const creation = times.creationMs + times.creationLagS * 1000;
      const lastEvent = times.lastEventMs + times.lastEventLagS * 1000;
      if (creation < minCreationMs || lastEvent < minLastEventMs) expired.push(taskId);
    }
    const events = this.takeAsEvents(maps, expired);
    if (maps.tasks.size === 0) maps.checkEveryFlush = false;
    return this.pushesExpiredMaps ? events : [];
  }

  /** The maps file's owner writes every pattern's maps; the last filter to close drops the pipeline's maps. */
  close(): void {
    if (this.shared !== undefined && this.shared.mapsPathOwner === this && this.mapsPath !== undefined) {
      this.saveMaps(this.shared, this.mapsPath);
    }
    if (this.shared !== undefined) leaveAggregates(this.context.pipelineId, this);
    this.shared = undefined;
    this.maps = undefined;
    this.code.close();
    this.timeoutCode?.close();
  }

  private saveMaps(shared: PipelineAggregates, path: string): void {
    try {
      const saved = saveMaps(path, shared);
      if (saved > 0) {
        this.context.logger.info(`Aggregate maps stored to : ${path}`, {
          plugin: this.context.id,
          tasks: saved,
        });
      }
    } catch (err) {
      this.context.countFailure("maps_store");
      this.context.logger.error(`Aggregate could not store maps to ${path}`, {
        plugin: this.context.id,
        error: err,
      });
    }
  }
}

function newTaskTimes(referenceMs: number): TaskTimes {
  const lagS = Math.trunc((aggregateClock.now() - referenceMs) / 1000);
  return {
    creationMs: referenceMs,
    lastEventMs: referenceMs,
    creationLagS: lagS,
    lastEventLagS: lagS,
    timeoutS: null,
    inactivityTimeoutS: null,
  };
}

/** Ruby's `inactivity_timeout / 2`: integer division for a whole number of seconds. */
function halfSeconds(seconds: number): number {
  return Number.isInteger(seconds) ? Math.floor(seconds / 2) : seconds / 2;
}

/** Logstash tests an option's truthiness: false, an empty timeout_tags, count as not set. */
function isSet(options: ResolvedOptions, name: string): boolean {
  const value = options.raw(name);
  if (value === false) return false;
  return !(Array.isArray(value) && value.length === 0);
}
