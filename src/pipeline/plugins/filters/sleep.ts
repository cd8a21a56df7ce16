// The sleep filter: pauses the worker for `time` seconds (sprintf) every `every` events, or replays event
// time (`replay`: sleeps for the gap between consecutive events' timestamps divided by `time`).

import type { Event } from "../../event/index.js";
import type { Filter, FilterSpec } from "../api.js";
import type { ResolvedOptions } from "../options.js";

export const sleepFilter: FilterSpec = {
  kind: "filter",
  name: "sleep",
  doc: "Sleeps for a time (every N events, or replaying the gaps between event timestamps).",
  options: {
    time: {
      type: "string",
      doc: "Seconds to sleep (sprintf); with replay, the speed-up factor (2 = twice as fast).",
    },
    every: { type: "string", default: "1", doc: "Sleep once every this many events." },
    replay: {
      type: "boolean",
      default: false,
      doc: "Sleep for the gap between this event's timestamp and the last's.",
    },
  },
  create: (options) => new SleepFilter(options),
};

class SleepFilter implements Filter {
  private readonly time: string;
  private readonly every: number;
  private readonly replay: boolean;
  private count = 0;
  private lastClock: number | undefined;

  constructor(options: ResolvedOptions) {
    this.replay = options.boolean("replay");
    const time = options.optionalString("time") ?? (this.replay ? "1" : undefined);
    if (time === undefined) throw new Error("Missing required parameter 'time' for filter/sleep");
    this.time = time;
    this.every = rubyToF(options.string("every"));
  }

  async filter(event: Event): Promise<boolean> {
    this.count += 1;
    const seconds = this.secondsFor(event);
    if (seconds > 0 && Number.isFinite(seconds))
      await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    return true;
  }

  private secondsFor(event: Event): number {
    const time = rubyToF(event.sprintf(this.time));
    if (this.replay) {
      const clock = (event.timestamp?.epochMs ?? Date.now()) / 1000;
      const last = this.lastClock;
      this.lastClock = clock;
      return last === undefined ? 0 : (clock - last) / time;
    }
    if (this.count < this.every) return 0;
    this.count = 0;
    return time;
  }
}

/** Ruby's String#to_f: the leading number, 0 when none. */
function rubyToF(text: string): number {
  const match = /^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?/.exec(text);
  return match === null ? 0 : Number.parseFloat(match[0]);
}
