// The dead-letter queue's entry points: the writer the runtime and plugins feed, the reader the
// dead_letter_queue input replays, and how a plugin reaches the writer through its context.

import type { Event } from "../event/index.js";
import type { PluginContext } from "../plugins/api.js";

export { type DeadLetterPosition, DeadLetterQueueReader } from "./reader.js";
export { type DeadLetterEntry, decodeEntry, encodeEntry, segmentFileName } from "./segment-file.js";
export {
  type DeadLetterQueueStats,
  DeadLetterQueueWriter,
  type DeadLetterQueueWriterOptions,
  type DeadLetterStoragePolicy,
  type DeadLetterWriter,
} from "./writer.js";

/** The one member the runtime adds to a plugin's context when the pipeline's dead-letter queue is enabled. */
export interface DeadLetterCapable {
  /** Writes the event to the pipeline's dead-letter queue with `reason`, this plugin's id and type, and now. */
  deadLetter?(event: Event, reason: string): void;
}

/** The context's dead-letter function, or undefined when the pipeline has no dead-letter queue enabled. */
export function deadLetterOf(context: PluginContext): ((event: Event, reason: string) => void) | undefined {
  return context.deadLetter;
}
