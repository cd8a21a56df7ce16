// The clone filter: emits one copy of each event per name in `clones`, marking each copy with its name (in
// `type`, or appended to `tags` under ECS); the original continues unchanged.

import type { Event, FieldValue } from "../../event/index.js";
import { ecsEnabled } from "../../event/index.js";
import type { Filter, FilterSpec, PluginContext } from "../api.js";

export class CloneFilter implements Filter {
  constructor(
    private readonly clones: readonly string[],
    private readonly markWithTag: boolean,
  ) {}

  filter(event: Event, emit: (event: Event) => void): boolean {
    for (const name of this.clones) {
      const copy = event.clone();
      if (this.markWithTag) copy.set("tags", [...asArray(copy.get("tags")), name]);
      else copy.set("type", name);
      emit(copy);
    }
    // Logstash decorates (add_field, add_tag, ...) the clones only, never the original.
    return false;
  }
}

/** Ruby's Array(value): nil is empty, an array itself, anything else a one-element array. */
function asArray(value: FieldValue | undefined): FieldValue[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

export const cloneFilter: FilterSpec = {
  kind: "filter",
  name: "clone",
  doc:
    "Emits a copy of each event per entry of `clones`; a copy's `type` is set to the entry (with ECS " +
    "compatibility on, the entry is added to its `tags` instead).",
  options: {
    clones: { type: "array", required: true, doc: "One copy per entry; each entry names its copy." },
  },
  create(options, context: PluginContext) {
    const clones = options.stringArray("clones");
    if (clones.length === 0)
      context.logger.warn("The parameter 'clones' is empty, so no clones will be created.", {
        plugin: context.id,
      });
    return new CloneFilter(clones, ecsEnabled(context.ecsCompatibility));
  },
};
