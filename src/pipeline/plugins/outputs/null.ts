// The null output: accepts every event and does nothing with it (benchmarks, testing filters).

import type { Event } from "../../event/index.js";
import type { Output, OutputSpec } from "../api.js";

/** Counts what it swallowed, so a benchmark or test can see that events arrived. */
export class NullOutput implements Output {
  received = 0;

  receive(events: Event[]): void {
    this.received += events.length;
  }

  close(): void {}
}

export const nullOutput: OutputSpec = {
  kind: "output",
  name: "null",
  doc: "Drops every event. Useful to measure a pipeline's filters or to discard a branch of the flow.",
  defaultCodec: "plain",
  options: {},
  create: () => new NullOutput(),
};
