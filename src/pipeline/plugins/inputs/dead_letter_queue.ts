// The `dead_letter_queue` input: replays a pipeline's dead-letter queue (`<path>/<pipeline_id>`), each event with
// [@metadata][dead_letter_queue][reason|plugin_id|plugin_type|entry_time]; remembers how far it got (sincedb)
// once the pipeline has accepted the events, and can delete segments it has finished (clean_consumed).

import { mkdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { writeFileAtomic } from "../../../log/checked-file.js";
import { type DeadLetterPosition, DeadLetterQueueReader } from "../../dlq/reader.js";
import type { DeadLetterEntry } from "../../dlq/segment-file.js";
import { type Event, Timestamp } from "../../event/index.js";
import type { Input, InputSink, InputSpec, PluginContext } from "../api.js";

/** How long the input waits before looking again when the queue has nothing new. */
const pollIntervalMs = 1000;
/** Entries handed to the pipeline per accept call. */
const entriesPerBatch = 125;

export interface DeadLetterQueueInputSettings {
  /** `<path>/<pipeline_id>` */
  queueDir: string;
  commitOffsets: boolean;
  cleanConsumed: boolean;
  startTimestamp: Timestamp | undefined;
  sincedbPath: string;
}

export class DeadLetterQueueInput implements Input {
  private readonly abort = new AbortController();
  private readonly reader: DeadLetterQueueReader;

  constructor(
    private readonly settings: DeadLetterQueueInputSettings,
    private readonly context: PluginContext,
  ) {
    const start = settings.commitOffsets ? readSincedb(settings.sincedbPath, context) : undefined;
    this.reader = new DeadLetterQueueReader(settings.queueDir, context.logger, start);
  }

  async run(sink: InputSink): Promise<void> {
    while (!this.abort.signal.aborted && !sink.stopping) {
      const corruptBefore = this.reader.corruptEntries;
      const entries = this.reader.poll(entriesPerBatch);
      for (let i = corruptBefore; i < this.reader.corruptEntries; i++)
        this.context.countFailure("corrupt_entry");
      const events = entries.filter((e) => this.wanted(e)).map(toEvent);
      if (events.length > 0) await sink.accept(events);
      if (entries.length > 0 || this.reader.corruptEntries > corruptBefore) await this.commit();
      if (entries.length < entriesPerBatch) await this.sleep(pollIntervalMs);
    }
  }

  stop(): void {
    this.abort.abort();
  }

  private wanted(entry: DeadLetterEntry): boolean {
    const start = this.settings.startTimestamp;
    return start === undefined || entry.entryTime.epochMs >= start.epochMs;
  }

  /** Saves the position (the events before it are in the queue) and deletes finished segments if asked. */
  private async commit(): Promise<void> {
    if (!this.settings.commitOffsets) return;
    const position = this.reader.position;
    try {
      mkdirSync(dirname(this.settings.sincedbPath), { recursive: true });
      await writeFileAtomic(this.settings.sincedbPath, Buffer.from(JSON.stringify(position)), false);
    } catch (err) {
      this.context.logger.error("cannot save the dead-letter queue position", {
        plugin: this.context.id,
        sincedb_path: this.settings.sincedbPath,
        error: err,
      });
      return;
    }
    if (this.settings.cleanConsumed) this.reader.deleteConsumed();
  }

  private sleep(ms: number): Promise<void> {
    if (this.abort.signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.abort.signal.addEventListener("abort", () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}

function toEvent(entry: DeadLetterEntry): Event {
  const event = entry.event;
  event.set("[@metadata][dead_letter_queue]", {
    reason: entry.reason,
    plugin_id: entry.pluginId,
    plugin_type: entry.pluginType,
    entry_time: entry.entryTime,
  });
  return event;
}

function readSincedb(path: string, context: PluginContext): DeadLetterPosition | undefined {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT")
      context.logger.warn("cannot read the sincedb; starting from the beginning", {
        plugin: context.id,
        error: err,
      });
    return undefined;
  }
  try {
    const parsed = JSON.parse(text) as Partial<DeadLetterPosition>;
    if (Number.isSafeInteger(parsed.segment) && Number.isSafeInteger(parsed.offset))
      return { segment: parsed.segment!, offset: parsed.offset! };
  } catch {
    // reported below
  }
  context.logger.warn("the sincedb is not a saved position; starting from the beginning", {
    plugin: context.id,
    sincedb_path: path,
  });
  return undefined;
}

export const deadLetterQueueInput: InputSpec = {
  kind: "input",
  name: "dead_letter_queue",
  defaultCodec: "plain",
  doc: "Reads the events a pipeline sent to its dead-letter queue, with why, by which plugin and when in [@metadata][dead_letter_queue].",
  options: {
    path: {
      type: "path",
      required: true,
      doc: "The dead-letter queue directory (path.data/dead_letter_queue); the pipeline's queue is in <path>/<pipeline_id>.",
    },
    pipeline_id: { type: "string", default: "main", doc: "The pipeline whose dead-letter queue is read." },
    commit_offsets: {
      type: "boolean",
      default: true,
      doc: "Remember how far the input got, so a restart continues there instead of replaying everything.",
    },
    start_timestamp: {
      type: "string",
      doc: "Skip entries written before this ISO-8601 time (e.g. 2017-04-04T23:40:37).",
    },
    clean_consumed: {
      type: "boolean",
      default: false,
      doc: "Delete segments once every entry in them has been read (needs commit_offsets).",
    },
    sincedb_path: {
      type: "string",
      doc: "File the position is saved in; default: <path.data>/plugins/inputs/dead_letter_queue/<pipeline_id>/.sincedb_<plugin id>.",
    },
  },
  create(options, context) {
    const pipelineId = options.string("pipeline_id");
    const commitOffsets = options.boolean("commit_offsets");
    const cleanConsumed = options.boolean("clean_consumed");
    if (cleanConsumed && !commitOffsets) throw new Error("clean_consumed requires commit_offsets => true");
    const startText = options.optionalString("start_timestamp");
    const startTimestamp = startText === undefined ? undefined : Timestamp.parse(startText);
    if (startText !== undefined && startTimestamp === undefined)
      throw new Error(`start_timestamp is not an ISO-8601 time: ${JSON.stringify(startText)}`);
    const sincedbPath =
      options.optionalString("sincedb_path") ??
      join(context.dataDir, "plugins", "inputs", "dead_letter_queue", pipelineId, `.sincedb_${context.id}`);
    return new DeadLetterQueueInput(
      {
        queueDir: join(options.string("path"), pipelineId),
        commitOffsets,
        cleanConsumed,
        startTimestamp,
        sincedbPath,
      },
      context,
    );
  },
};
