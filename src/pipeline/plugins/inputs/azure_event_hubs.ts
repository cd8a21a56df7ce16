// The azure_event_hubs input, declared for config compatibility only: every option of Logstash's plugin is checked
// (including its basic/advanced layout rules), so configs pass `sluice validate` and `-t`; running it is refused.

import type { InputSpec } from "../api.js";
import type { OptionHash, ResolvedOptions } from "../options.js";
import { UnavailableInput } from "../support/unavailable.js";

export const azureEventHubsUnrunnable =
  "the azure_event_hubs input needs Azure Event Hubs, which Sluice cannot reach: declared for config compatibility only (validate/-t pass), not runnable";

/** The Event Hub name a connection string names with `EntityPath=` (Logstash refuses one without it). */
export function entityPath(connection: string): string | undefined {
  for (const part of connection.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim().toLowerCase() === "entitypath") {
      const name = part.slice(eq + 1).trim();
      return name === "" ? undefined : name;
    }
  }
  return undefined;
}

/** The checks Logstash's plugin makes when it is built (its initialize), which `-t` therefore reports. */
export function checkEventHubsLayout(options: ResolvedOptions): void {
  if (options.string("config_mode") === "advanced") {
    const hubs = options.array("event_hubs");
    if (hubs.length === 0)
      throw new Error("missing a required setting: event_hubs (config_mode => advanced)");
    const containers = new Map<string, string>();
    for (const hub of hubs) {
      if (typeof hub !== "object" || Array.isArray(hub)) throw new Error("event_hubs must be a Hash");
      for (const [name, config] of Object.entries(hub)) {
        if (typeof config !== "object" || Array.isArray(config))
          throw new Error(`event_hubs: the settings of ${name} must be a Hash`);
        const hubConfig = config as OptionHash;
        if (hubConfig.event_hub_connection === undefined && !options.has("event_hub_connections"))
          throw new Error(`event_hubs: ${name} needs an event_hub_connection`);
        checkUniqueContainer(containers, name, hubConfig, options);
      }
    }
    return;
  }
  const connections = options.stringArray("event_hub_connections");
  if (connections.length === 0)
    throw new Error("missing a required setting: event_hub_connections (config_mode => basic)");
  for (const connection of connections) {
    if (entityPath(connection) === undefined)
      throw new Error(
        "Error parsing event hub string name for connection: please ensure that the connection string contains the EntityPath",
      );
  }
}

/** Two hubs sharing a storage container and consumer group would overwrite each other's offsets. */
function checkUniqueContainer(
  seen: Map<string, string>,
  name: string,
  config: OptionHash,
  options: ResolvedOptions,
): void {
  const storage = config.storage_connection ?? options.optionalString("storage_connection");
  if (storage === undefined) return;
  const container = config.storage_container ?? options.optionalString("storage_container") ?? name;
  const group = String(config.consumer_group ?? options.string("consumer_group"));
  const key = `${String(storage)}|${String(container)}|${group}`;
  if (seen.has(key))
    throw new Error(
      "The configuration will result in overwriting offsets. Please ensure that the each Event Hub's consumer_group is using a unique storage container.",
    );
  seen.set(key, name);
}

export const azureEventHubsInput: InputSpec = {
  kind: "input",
  name: "azure_event_hubs",
  doc: "Reads Azure Event Hubs. Declared for config compatibility only: configs validate, but Sluice cannot reach Azure and refuses to run it.",
  defaultCodec: "plain",
  options: {
    config_mode: {
      type: ["basic", "advanced"],
      default: "basic",
      doc: "basic: one list of connection strings; advanced: settings per Event Hub in `event_hubs`.",
    },
    // Logstash marks both required and fills in the unused one itself; the mode decides which is needed.
    event_hubs: { type: "array", doc: "advanced mode: a list of { name => { settings } } hashes." },
    event_hub_connections: {
      type: "array",
      doc: "basic mode: Event Hub connection strings, each with its EntityPath.",
    },
    storage_connection: { type: "password", doc: "Azure Blob Storage connection string for offsets." },
    storage_container: { type: "string", doc: "Blob container for offsets (default: the Event Hub name)." },
    threads: { type: "number", default: 16, doc: "Threads reading partitions." },
    consumer_group: { type: "string", default: "$Default", doc: "Event Hub consumer group." },
    max_batch_size: { type: "number", default: 125, doc: "Most events fetched at once." },
    prefetch_count: { type: "number", default: 300, doc: "Events prefetched per partition." },
    receive_timeout: { type: "number", default: 60, doc: "Seconds to wait for a batch." },
    initial_position: {
      type: ["beginning", "end", "look_back"],
      default: "beginning",
      doc: "Where to start without stored offsets.",
    },
    initial_position_look_back: {
      type: "number",
      default: 86400,
      doc: "Seconds to look back with initial_position => look_back.",
    },
    checkpoint_interval: { type: "number", default: 5, doc: "Seconds between offset checkpoints." },
    decorate_events: {
      type: "boolean",
      default: false,
      doc: "Add Event Hub metadata under [@metadata][azure_event_hubs].",
    },
  },
  create: (options) => {
    checkEventHubsLayout(options);
    return new UnavailableInput(azureEventHubsUnrunnable);
  },
};
