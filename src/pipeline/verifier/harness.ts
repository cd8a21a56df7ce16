// The plugins `sluice test` swaps into a pipeline, as LFV 2 does: the tested input becomes a feed of the
// test-case lines (decoded by that input's codec, plain when it names none), every output becomes a capture that
// remembers the output's id, and `pipeline` inputs/outputs between the tested pipelines become in-memory links.

import { limits } from "../../common/limits.js";
import type { PlanPlugin, PlanStatement, PlanValue } from "../config/index.js";
import { Event } from "../event/index.js";
import type { Codec, InputSink, InputSpec, OutputSpec } from "../plugins/api.js";
import type { TestInput } from "./testcase.js";

export const feedInputName = "__sluice_test_feed";
export const captureOutputName = "__sluice_test_capture";
/** Where the feed puts the index of the input line an event came from (LFV's `__lfv_id`). */
export const lfvIdField = "[@metadata][__lfv_id]";

/** What one feed input pushes: the tested input's lines, or events another tested pipeline sent to an address. */
export type Feed = { kind: "lines"; inputs: TestInput[] } | { kind: "events"; events: Event[] };

export interface CapturedEvent {
  event: Event;
  /** The id of the output that received it. */
  output: string;
}

/** The state of one test run: what each feed pushes, and what reached the outputs and the addresses. */
export class TestWiring {
  readonly feeds = new Map<string, Feed>();
  readonly captured: CapturedEvent[] = [];
  readonly sentTo = new Map<string, Event[]>();

  constructor(private readonly internalAddresses: ReadonlySet<string>) {}

  record(event: Event, output: string, sendTo: readonly string[]): void {
    const internal = sendTo.filter((address) => this.internalAddresses.has(address));
    if (this.captured.length + this.sentTo.size >= limits.verifierCapturedEventsMax) {
      throw new Error(`more than ${limits.verifierCapturedEventsMax} events reached the outputs`);
    }
    if (internal.length === 0) {
      this.captured.push({ event: event.clone(), output });
      return;
    }
    for (const address of internal) {
      const queue = this.sentTo.get(address) ?? [];
      queue.push(event.clone());
      this.sentTo.set(address, queue);
    }
  }

  feedInputSpec(): InputSpec {
    return {
      kind: "input",
      name: feedInputName,
      doc: "Feeds a test case's events (sluice test).",
      defaultCodec: "plain",
      options: { feed: { type: "string", required: true, doc: "Which feed this input pushes." } },
      create: (options) => {
        const feed = this.feeds.get(options.string("feed")) ?? { kind: "events", events: [] };
        return {
          run: (sink) =>
            feed.kind === "lines"
              ? pushLines(feed.inputs, options.codec(), sink)
              : pushAll(feed.events, sink),
          stop: () => {},
        };
      },
    };
  }

  captureOutputSpec(): OutputSpec {
    return {
      kind: "output",
      name: captureOutputName,
      doc: "Captures the events that reach an output (sluice test).",
      defaultCodec: "plain",
      options: {
        output_id: { type: "string", required: true, doc: "The id of the output this one stands in for." },
        send_to: { type: "array", default: [], doc: "The addresses of a replaced `pipeline` output." },
      },
      create: (options) => {
        const output = options.string("output_id");
        const sendTo = options.stringArray("send_to");
        return {
          receive: (events) => {
            for (const event of events) this.record(event, output, sendTo);
          },
        };
      },
    };
  }
}

async function pushLines(inputs: readonly TestInput[], codec: Codec, sink: InputSink): Promise<void> {
  for (const [index, input] of inputs.entries()) {
    const events: Event[] = [];
    if (input.line === undefined) {
      events.push(new Event({}));
    } else {
      // Each line is a file of its own in LFV, so a codec's buffered rest is flushed after every line.
      const decoder = codec.createDecoder((event) => events.push(event));
      decoder.write(Buffer.from(input.line, "utf8"));
      decoder.end();
    }
    for (const event of events) {
      for (const [key, value] of Object.entries(input.fields)) event.set(key, value);
      event.set(lfvIdField, index);
    }
    await pushAll(events, sink);
  }
}

async function pushAll(events: readonly Event[], sink: InputSink): Promise<void> {
  for (const event of events) {
    if (!sink.push(event)) await sink.ready();
  }
}

// ---------------------------------------------------------------- plan rewriting

/** The options every input keeps when it is replaced by the feed (Logstash applies them in the input's sink). */
const keptInputOptions = ["id", "type", "tags", "add_field", "codec", "enable_metric", "ecs_compatibility"];

export function pluginId(plugin: PlanPlugin): string | undefined {
  const id = plugin.attributes.get("id");
  return typeof id === "string" ? id : undefined;
}

export function stringValues(value: PlanValue | undefined): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === "string");
  return [];
}

/** The tested input as a feed of `feed`; without a codec of its own it decodes as plain (LFV's file input). */
export function feedInput(original: PlanPlugin, feed: string, keepCodec: boolean): PlanPlugin {
  const attributes = new Map<string, PlanValue>();
  for (const name of keptInputOptions) {
    const value = original.attributes.get(name);
    if (value !== undefined && (name !== "codec" || keepCodec)) attributes.set(name, value);
  }
  if (!attributes.has("codec")) attributes.set("codec", "plain");
  attributes.set("feed", feed);
  return { ...original, name: feedInputName, attributes };
}

export function captureOutput(original: PlanPlugin, outputId: string): PlanPlugin {
  const attributes = new Map<string, PlanValue>([
    ["id", outputId],
    ["output_id", outputId],
  ]);
  if (original.name === "pipeline")
    attributes.set("send_to", stringValues(original.attributes.get("send_to")));
  return { ...original, name: captureOutputName, attributes };
}

/** Applies `replace` to every plugin of a section's statements, inside conditionals too; null removes it. */
export function mapPlugins(
  statements: readonly PlanStatement[],
  replace: (plugin: PlanPlugin) => PlanPlugin | null,
): PlanStatement[] {
  const out: PlanStatement[] = [];
  for (const statement of statements) {
    if (statement.kind === "if") {
      out.push({
        ...statement,
        thenBody: mapPlugins(statement.thenBody, replace),
        elseBody: mapPlugins(statement.elseBody, replace),
      });
      continue;
    }
    const replaced = replace(statement);
    if (replaced !== null) out.push(replaced);
  }
  return out;
}
