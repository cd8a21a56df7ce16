// Counters a running pipeline keeps: events in, through the filters and out, and per plugin events in/out, time
// spent and failures by reason (what Logstash's node stats API reports per pipeline and plugin).

import type { PluginKind } from "../plugins/index.js";

export class PluginStats {
  eventsIn = 0;
  eventsOut = 0;
  /** Wall time spent in the plugin's filter/receive calls (inputs: none). */
  durationMs = 0;
  failures = 0;
  readonly failureReasons = new Map<string, number>();

  constructor(
    readonly id: string,
    readonly kind: PluginKind,
    readonly name: string,
  ) {}

  countFailure(reason: string): void {
    this.failures++;
    this.failureReasons.set(reason, (this.failureReasons.get(reason) ?? 0) + 1);
  }
}

export class PipelineStats {
  /** Events inputs put on the queue. */
  eventsIn = 0;
  /** Events that came out of the filter section (emitted ones included, cancelled ones not). */
  eventsFiltered = 0;
  /** Events handed to the output section (whether or not any output took them). */
  eventsOut = 0;
  /** Events dropped because a condition could not be evaluated on them. */
  conditionFailures = 0;
  readonly plugins: PluginStats[] = [];

  /** Every counted failure: the plugins' and the conditions'. */
  get failures(): number {
    return this.plugins.reduce((sum, p) => sum + p.failures, this.conditionFailures);
  }

  plugin(id: string): PluginStats | undefined {
    return this.plugins.find((p) => p.id === id);
  }
}
