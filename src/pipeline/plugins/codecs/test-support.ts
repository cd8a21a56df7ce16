// For the codec and input tests: a plugin context that records what it logs and counts, and shortcuts to decode.

import { createLogger } from "../../../common/logger.js";
import type { EcsCompatibility, Event } from "../../event/index.js";
import type { Codec, CodecSpec, InputSink, PluginContext } from "../api.js";
import { type OptionValue, ResolvedOptions } from "../options.js";

export interface RecordingContext extends PluginContext {
  readonly lines: string[];
  readonly failures: string[];
}

export function recordingContext(ecsCompatibility: EcsCompatibility = "v8", id = "test"): RecordingContext {
  const lines: string[] = [];
  const failures: string[] = [];
  return {
    id,
    pipelineId: "test",
    logger: createLogger({ level: "debug", write: (line) => lines.push(line) }),
    ecsCompatibility,
    dataDir: "",
    countFailure: (reason) => failures.push(reason),
    lines,
    failures,
  };
}

/** Creates a codec from its spec with the spec's defaults filled in under `given`. */
export function makeCodec(
  spec: CodecSpec,
  given: Record<string, OptionValue> = {},
  context: PluginContext = recordingContext(),
): Codec {
  const values: Record<string, OptionValue> = {};
  for (const [name, option] of Object.entries(spec.options)) {
    if (option.default !== undefined) values[name] = option.default;
  }
  const options = ResolvedOptions.of({ ...values, ...given });
  return spec.create(options, context);
}

/** Feeds each chunk to one decoder, then ends it; returns every event emitted. */
export function decodeAll(codec: Codec, chunks: ReadonlyArray<string | Buffer>, end = true): Event[] {
  const events: Event[] = [];
  const decoder = codec.createDecoder((event) => events.push(event));
  for (const chunk of chunks) decoder.write(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
  if (end) decoder.end();
  return events;
}

/** An InputSink for tests: records events; reports full past `capacity` until `release()` is called. */
export class RecordingSink implements InputSink {
  readonly events: Event[] = [];
  stopping = false;
  readyCalls = 0;
  private waiters: Array<() => void> = [];

  constructor(private capacity = Number.POSITIVE_INFINITY) {}

  push(event: Event): boolean {
    this.events.push(event);
    return this.events.length < this.capacity;
  }

  ready(): Promise<void> {
    this.readyCalls++;
    if (this.events.length < this.capacity) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  async accept(events: Event[]): Promise<void> {
    for (const event of events) this.push(event);
  }

  /** Makes room for `more` events and wakes inputs waiting in ready(). */
  release(more: number): void {
    this.capacity = this.events.length + more;
    for (const wake of this.waiters.splice(0)) wake();
  }
}

/** Resolves once `condition` holds, polling; rejects after `timeoutMs`. */
export async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
