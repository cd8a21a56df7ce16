// What the aggregate filters of one pipeline share: each task_id pattern's maps (held in the Ruby VM) with their
// times (held here), which filter runs that pattern's timeouts, and which one owns aggregate_maps_path.

import { RubyMapStore } from "../../../ruby/engine.js";

/** The clock timeouts use; tests replace `now` to move time without sleeping. */
export const aggregateClock = { now: (): number => Date.now() };

/**
 * One task's times. With timeout_timestamp_field the creation and last-event times come from events, and the lags
 * (whole seconds between that time and the clock when it was recorded) turn them back into clock time for
 * flush, as Logstash does.
 */
export interface TaskTimes {
  creationMs: number;
  lastEventMs: number;
  creationLagS: number;
  lastEventLagS: number;
  /** Set by code through map_meta: overrides the pattern's timeouts for this task. */
  timeoutS: number | null;
  inactivityTimeoutS: number | null;
}

/** The filter that runs a pattern's timeouts (the one with timeout options, else the first to flush). */
export interface TimeoutOwner {
  readonly timeoutS: number;
  readonly inactivityTimeoutS: number;
  /** push_map_as_event_on_timeout or push_previous_map_as_event: expired maps become events. */
  readonly pushesExpiredMaps: boolean;
  /** push_map_as_event_on_timeout alone (a map_meta timeout of 0 pushes only then). */
  readonly pushMapAsEventOnTimeout: boolean;
}

export class PatternMaps {
  readonly ruby = new RubyMapStore();
  /** Tasks in creation order (the order push_previous_map_as_event takes them in). */
  readonly tasks = new Map<string, TaskTimes>();
  owner: TimeoutOwner | undefined;
  lastFlushMs: number | undefined;
  /** A task has its own timeout, so every flush looks for expired maps. */
  checkEveryFlush = false;

  constructor(readonly pattern: string) {}

  /** Removes tasks and returns their maps as event fields. */
  take(ids: readonly string[]): [string, Record<string, unknown>][] {
    for (const id of ids) this.tasks.delete(id);
    return this.ruby.take(ids);
  }

  oldestTask(): string | undefined {
    return this.tasks.keys().next().value;
  }
}

export class PipelineAggregates {
  readonly patterns = new Map<string, PatternMaps>();
  /** The filter with aggregate_maps_path (at most one per pipeline). */
  mapsPathOwner: object | undefined;
  readonly members = new Set<object>();

  maps(pattern: string): PatternMaps {
    let maps = this.patterns.get(pattern);
    if (maps === undefined) {
      maps = new PatternMaps(pattern);
      this.patterns.set(pattern, maps);
    }
    return maps;
  }
}

const pipelines = new Map<string, PipelineAggregates>();

export function joinAggregates(pipelineId: string, member: object): PipelineAggregates {
  let shared = pipelines.get(pipelineId);
  if (shared === undefined) {
    shared = new PipelineAggregates();
    pipelines.set(pipelineId, shared);
  }
  shared.members.add(member);
  return shared;
}

/** The last filter to leave drops the pipeline's maps, so a reloaded pipeline starts afresh (as in Logstash). */
export function leaveAggregates(pipelineId: string, member: object): void {
  const shared = pipelines.get(pipelineId);
  if (shared === undefined || !shared.members.delete(member) || shared.members.size > 0) return;
  pipelines.delete(pipelineId);
  for (const maps of shared.patterns.values()) {
    maps.ruby.clear();
    maps.ruby.release();
  }
}

/** For tests: the shared state of a pipeline, if any filter has joined it. */
export function aggregatesOf(pipelineId: string): PipelineAggregates | undefined {
  return pipelines.get(pipelineId);
}
