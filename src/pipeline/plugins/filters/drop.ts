// The drop filter: cancels the events that reach it (usually inside a conditional), all or a random share.

import type { Event } from "../../event/index.js";
import type { Filter, FilterSpec } from "../api.js";

export class DropFilter implements Filter {
  constructor(
    private readonly percentage: number,
    private readonly random: () => number = Math.random,
  ) {}

  filter(event: Event): boolean {
    if (this.percentage === 100 || this.random() < this.percentage / 100) event.cancel();
    // Logstash's drop never calls filter_matched: add_field/add_tag are not applied, even to events it keeps.
    return false;
  }
}

export const dropFilter: FilterSpec = {
  kind: "filter",
  name: "drop",
  doc: "Drops every event that reaches it, or a random `percentage` of them; use it inside a conditional.",
  options: {
    percentage: { type: "number", default: 100, doc: "Share of events dropped, 0 to 100 (100 drops all)." },
  },
  create: (options) => new DropFilter(options.number("percentage")),
};
