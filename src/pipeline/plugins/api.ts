// The contract between the pipeline runtime and plugins: what a plugin declares (its spec) and the four
// instance shapes (input, codec, filter, output). Plugins never import each other; a codec reaches an input or
// output only through its resolved options.

import type { Logger } from "../../common/logger.js";
import type { EcsCompatibility, Event } from "../event/index.js";
import type { OptionSpecs, ResolvedOptions } from "./options.js";

export type PluginKind = "input" | "codec" | "filter" | "output";

/** What every plugin instance is given besides its options. */
export interface PluginContext {
  /** The plugin's `id` (given, or generated from name and position). */
  readonly id: string;
  readonly pipelineId: string;
  readonly logger: Logger;
  /** The plugin's `ecs_compatibility`, or the pipeline's default. */
  readonly ecsCompatibility: EcsCompatibility;
  /** `path.data`: where plugins keep state (sincedb, ...). */
  readonly dataDir: string;
  /** `pipeline.workers` of the pipeline (absent outside one, e.g. in a plugin's own tests). */
  readonly workers?: number;
  /** Counts a failure the plugin handled itself (tagged or dropped an event); read by the monitoring API. */
  countFailure(reason: string): void;
  /**
   * Present when the pipeline's dead-letter queue is enabled: writes the event there with `reason`, this plugin's
   * id and type, and the time (the elasticsearch output does this for 400/404 answers, as Logstash does).
   */
  deadLetter?(event: Event, reason: string): void;
}

interface SpecBase<K extends PluginKind, I> {
  readonly kind: K;
  readonly name: string;
  /** One paragraph for `sluice` help and the docs. */
  readonly doc: string;
  /** The plugin's own options; the common ones of its kind are added by the registry. */
  readonly options: OptionSpecs;
  create(options: ResolvedOptions, context: PluginContext): I;
}

export type InputSpec = SpecBase<"input", Input> & {
  /** Name of the codec used when `codec` is not given (Logstash: "plain" for most, "json" for http, ...). */
  readonly defaultCodec: string;
};
export type CodecSpec = SpecBase<"codec", Codec>;
export type FilterSpec = SpecBase<"filter", Filter>;
export type OutputSpec = SpecBase<"output", Output> & { readonly defaultCodec: string };
export type PluginSpec = InputSpec | CodecSpec | FilterSpec | OutputSpec;

// ---------------------------------------------------------------- codecs

/** Turns bytes from one source (a connection, a file, stdin) into events; keeps partial input between writes. */
export interface Decoder {
  write(data: Buffer): void;
  /** The source ended: emit whatever is buffered (a last line without a newline, a pending multiline event). */
  end(): void;
}

export interface Codec {
  /**
   * True for codecs whose decoder finds events by a delimiter in the bytes (line, json_lines, multiline). An input
   * that has already split lines (the file input, like Logstash's) gives them their delimiter back.
   */
  readonly splitsLines?: boolean;
  /** A decoder for one source; events go to `emit` (possibly later, e.g. multiline's auto_flush_interval). */
  createDecoder(emit: (event: Event) => void): Decoder;
  /** One event as the bytes an output writes, delimiter included (json_lines: a line; json: no newline). */
  encode(event: Event): string | Buffer;
  close?(): void;
}

// ---------------------------------------------------------------- inputs

/** Where an input puts events. Decoration (type, tags, add_field) happens here, in Logstash's order. */
export interface InputSink {
  /**
   * Queues one event. Returns false when the queue is full: the input should stop reading (pause its socket)
   * and wait for `ready()` before pushing more. A push past full is still accepted (bounded by the input's own
   * read buffer), never dropped.
   */
  push(event: Event): boolean;
  /** Resolves once the queue has room again. */
  ready(): Promise<void>;
  /**
   * Queues events and resolves once they are accepted by the queue (durable for a persisted queue). Inputs that
   * acknowledge their source (an HTTP 200, a Kafka commit) acknowledge after this resolves.
   */
  accept(events: Event[]): Promise<void>;
  /** True once the pipeline is shutting down; long-running inputs stop reading. */
  readonly stopping: boolean;
}

/**
 * Thrown by a filter's or output's `create` for a problem Logstash finds only when the pipeline starts (in the
 * plugin's `register`, e.g. grok's pattern compilation), not under `-t`: the configuration check reports it as a
 * warning and passes, as Logstash's does, and starting the pipeline fails with it.
 */
export class StartupError extends Error {
  override name = "StartupError";
}

/**
 * Thrown by `Input.run` when the input can never run here (e.g. a cloud service Sluice cannot reach): the runtime
 * logs it once and ends that input instead of restarting it as it does after other failures.
 */
export class InputUnavailableError extends Error {
  override name = "InputUnavailableError";
}

export interface Input {
  /**
   * Present on inputs that bind a socket: resolves once they accept data. The runtime waits for it (or for `run`
   * to end, e.g. on EADDRINUSE) before it reports the pipeline started, so a client that connects right after
   * that line is not refused.
   */
  readonly listening?: Promise<unknown>;
  /** Reads until the source ends (generator count, stdin EOF) or `stop()` is called. */
  run(sink: InputSink): Promise<void>;
  /** Asks a running input to stop: close listeners, stop tailing. `run` resolves soon after. */
  stop(): Promise<void> | void;
}

// ---------------------------------------------------------------- filters

/**
 * A filter sees each event once. It returns true when it did its job, which is when the runtime applies the
 * common options (add_field, add_tag, remove_field, remove_tag), exactly as Logstash's `filter_matched`.
 * Events it creates (split, clone) go to `emit`; they count as matched and continue through the filters after
 * this one. Cancelling an event (drop, split's original) removes it from the batch.
 * A thrown error is caught by the runtime: the event is logged, counted and passes on unchanged.
 */
export interface Filter {
  /**
   * Logstash's `register`: runs when the pipeline starts, never under `-t` (which only builds plugins). A throw
   * stops the pipeline from starting, with the plugin's id and the message in the log.
   */
  register?(): Promise<void> | void;
  filter(event: Event, emit: (event: Event) => void): boolean | Promise<boolean>;
  /** Called every few seconds when present, and with final=true at shutdown (aggregate, elapsed, throttle). */
  flush?(final: boolean): Event[];
  close?(): Promise<void> | void;
}

// ---------------------------------------------------------------- outputs

export interface Output {
  /** As Filter.register: runs at pipeline start (not under `-t`); a throw keeps the pipeline from starting. */
  register?(): Promise<void> | void;
  /** A batch of events for this output (Logstash's multi_receive). Resolving means handled (written or failed). */
  receive(events: Event[]): Promise<void> | void;
  close?(): Promise<void> | void;
}
