// A running pipeline: inputs push into the queue (bounded memory, or persisted pages), N async workers take batches
// through the filters and outputs and acknowledge them, filters are flushed every few seconds and once more at
// shutdown, and stop() drains what was accepted (a persisted queue keeps it unless queue.drain) before every plugin
// is closed. Everything runs on the main thread.

import { join } from "node:path";
import { type Diagnostic, hasErrors, type PipelinePlan } from "../config/index.js";
import { DeadLetterQueueWriter } from "../dlq/writer.js";
import type { Event } from "../event/index.js";
import { type InputSink, InputUnavailableError } from "../plugins/api.js";
import type { PluginRegistry } from "../plugins/registry.js";
import { checkQueueDirectory } from "../queue/page-file.js";
import { PersistedQueue } from "../queue/persisted-queue.js";
import { BatchExecutor, FlushMode } from "./executor.js";
import { buildGraph, type InputNode, type PipelineGraph } from "./graph.js";
import { EventQueue, type PipelineQueue } from "./queue.js";
import { type PipelineSettings, type ResolvedSettings, resolveSettings } from "./settings.js";
import type { PipelineStats } from "./stats.js";

/** Logstash's flusher ticks every 5 s. */
export const periodicFlushMs = 5000;
/** Logstash restarts an input that failed after a pause rather than giving up on it. */
export const inputRestartDelayMs = 1000;

export class PipelineConfigError extends Error {
  override name = "PipelineConfigError";

  constructor(readonly diagnostics: Diagnostic[]) {
    const errors = diagnostics.filter((d) => d.severity === "error");
    super(
      `the pipeline configuration has ${errors.length} error${errors.length === 1 ? "" : "s"}: ${errors
        .map((d) => `${d.file}:${d.line}:${d.column}: ${d.message}`)
        .join("; ")}`,
    );
  }
}

/** Resolves every plugin (registry.resolve), creates instances; throws PipelineConfigError listing every problem. */
export function createPipeline(
  plan: PipelinePlan,
  registry: PluginRegistry,
  settings: PipelineSettings = {},
): Pipeline {
  const resolved = resolveSettings(settings);
  if ("errors" in resolved) throw new PipelineConfigError(resolved.errors.map(settingDiagnostic));
  let deadLetters: DeadLetterQueueWriter | undefined;
  try {
    deadLetters = resolved.dlqEnabled ? openDeadLetterQueue(resolved) : undefined;
  } catch (err) {
    throw new PipelineConfigError([
      settingDiagnostic(`cannot open the dead-letter queue: ${errorText(err)}`),
    ]);
  }
  const { graph, diagnostics } = buildGraph(plan, registry, resolved, deadLetters);
  if (hasErrors(diagnostics)) {
    void closePlugins(graph, resolved).then(() => deadLetters?.close());
    throw new PipelineConfigError(diagnostics);
  }
  try {
    if (resolved.queueType === "persisted") checkQueueDirectory(queueDirectory(resolved));
  } catch (err) {
    void closePlugins(graph, resolved).then(() => deadLetters?.close());
    throw new PipelineConfigError([settingDiagnostic(`cannot use the persisted queue: ${errorText(err)}`)]);
  }
  return new Pipeline(graph, resolved, diagnostics, undefined, deadLetters);
}

/** `<path.data>/queue/<pipeline id>`: where a persisted queue keeps its pages. */
export function queueDirectory(settings: Pick<ResolvedSettings, "dataDir" | "id">): string {
  return join(settings.dataDir, "queue", settings.id);
}

/** `<path.data>/dead_letter_queue/<pipeline id>`: where the pipeline's dead-letter queue keeps its segments. */
export function deadLetterDirectory(settings: Pick<ResolvedSettings, "dataDir" | "id">): string {
  return join(settings.dataDir, "dead_letter_queue", settings.id);
}

/**
 * The queue is opened when the pipeline runs, not when it is created: a reload creates the new pipeline while
 * the old one still holds the queue, and starts it only once the old one has stopped.
 */
function openQueue(settings: ResolvedSettings): PipelineQueue {
  if (settings.queueType === "memory") return new EventQueue(settings.queueEventsMax);
  return PersistedQueue.open({
    dir: queueDirectory(settings),
    maxBytes: settings.queueMaxBytes,
    pageCapacityBytes: settings.queuePageCapacityBytes,
    checkpointWrites: settings.queueCheckpointWrites,
    drain: settings.queueDrain,
    logger: settings.logger.child("queue"),
  });
}

function openDeadLetterQueue(settings: ResolvedSettings): DeadLetterQueueWriter {
  return DeadLetterQueueWriter.open({
    dir: deadLetterDirectory(settings),
    maxBytes: settings.dlqMaxBytes,
    storagePolicy: settings.dlqStoragePolicy,
    retainAgeMs: settings.dlqRetainAgeMs,
    flushIntervalMs: settings.dlqFlushIntervalMs,
    logger: settings.logger.child("dead_letter_queue"),
  });
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export class Pipeline {
  readonly stats: PipelineStats;
  /** Warnings found while building (deprecated options); errors never get this far. */
  readonly diagnostics: readonly Diagnostic[];
  /** Opened by run() (see openQueue); until then a pipeline has nothing queued. */
  private queue: PipelineQueue | undefined;
  private readonly executor: BatchExecutor;
  private stopRequested = false;
  private wakeOnStop: () => void = () => {};
  private readonly stopSignal = new Promise<void>((resolve) => {
    this.wakeOnStop = resolve;
  });
  private flushRequested = false;
  private runPromise: Promise<void> | undefined;

  /** Use createPipeline. */
  constructor(
    private readonly graph: PipelineGraph,
    private readonly settings: ResolvedSettings,
    diagnostics: readonly Diagnostic[] = [],
    /** A queue to use instead of the one the settings describe (tests). */
    queue?: PipelineQueue,
    /** The pipeline's dead-letter queue when dead_letter_queue.enable; closed with the pipeline. */
    readonly deadLetterQueue?: DeadLetterQueueWriter,
  ) {
    this.stats = graph.stats;
    this.diagnostics = diagnostics;
    this.queue = queue;
    this.executor = new BatchExecutor(graph, settings.ordered, settings.logger, deadLetterQueue);
  }

  /** The queue between inputs and workers once running (a PersistedQueue has more stats: bytes, pages, corruption). */
  get eventQueue(): PipelineQueue | undefined {
    return this.queue;
  }

  get id(): string {
    return this.settings.id;
  }

  /** True once stop() was called; inputs read it through their sink. */
  get stopping(): boolean {
    return this.stopRequested;
  }

  /** Events waiting in the queue for a worker (the monitoring API's queue figure). */
  get queueSize(): number {
    return this.queue?.size ?? 0;
  }

  /**
   * Starts inputs and workers; resolves once every input has ended (or stop() was called), the queue is drained
   * through filters and outputs, filters flushed (final) and every plugin closed. Rejects only on programmer error.
   */
  run(): Promise<void> {
    this.runPromise ??= this.execute();
    return this.runPromise;
  }

  /** Asks inputs to stop (Ctrl-C/SIGTERM), then drains; resolves when run() is done. Idempotent. */
  stop(): Promise<void> {
    if (!this.stopRequested) {
      this.stopRequested = true;
      this.wakeOnStop();
      for (const node of this.graph.inputs) this.stopInput(node);
    }
    // Never started: nothing to drain, only plugins and queues to close.
    this.runPromise ??= closePlugins(this.graph, this.settings).then(() => this.closeQueues());
    return this.runPromise;
  }

  private async execute(): Promise<void> {
    const { logger, workers, batchSize, batchDelayMs } = this.settings;
    await registerPlugins(this.graph, this.settings, () => this.deadLetterQueue?.close());
    let queue: PipelineQueue;
    try {
      queue = this.queue ?? openQueue(this.settings);
    } catch (err) {
      logger.error("cannot open the queue; the pipeline does not start", {
        pipeline: this.settings.id,
        error: err,
      });
      await closePlugins(this.graph, this.settings);
      await this.deadLetterQueue?.close();
      throw err;
    }
    this.queue = queue;
    const flushTimer = setInterval(() => {
      this.flushRequested = true;
    }, periodicFlushMs);
    flushTimer.unref();
    const workerRuns = Array.from({ length: workers }, () => this.work(queue));
    const inputRuns = this.graph.inputs.map((node) => this.runInput(node, queue));
    // Say "started" once every input that binds a socket listens (or has given up), so clients are not refused.
    await Promise.all(
      this.graph.inputs.map((node, i) =>
        Promise.race([node.input.listening ?? Promise.resolve(), inputRuns[i]!.catch(() => {})]),
      ),
    );
    await new Promise((resolve) => setImmediate(resolve));
    logger.info("pipeline started", {
      pipeline: this.settings.id,
      workers,
      batch_size: batchSize,
      batch_delay_ms: batchDelayMs,
      ordered: this.settings.ordered,
      startup_ms: Math.round(performance.now()),
    });
    await Promise.all(inputRuns);
    queue.close();
    await Promise.all(workerRuns);
    clearInterval(flushTimer);
    await this.executor.process([], FlushMode.Final);
    await closePlugins(this.graph, this.settings);
    await this.closeQueues();
    logger.info("pipeline stopped", {
      pipeline: this.settings.id,
      events_in: this.stats.eventsIn,
      events_out: this.stats.eventsOut,
    });
  }

  private async closeQueues(): Promise<void> {
    try {
      await this.queue?.shutdown();
    } catch (err) {
      this.settings.logger.error("the queue failed to close", { pipeline: this.settings.id, error: err });
    }
    await this.deadLetterQueue?.close();
  }

  private async work(queue: PipelineQueue): Promise<void> {
    const { batchSize, batchDelayMs } = this.settings;
    for (;;) {
      const batch = await queue.takeBatch(batchSize, batchDelayMs);
      const flush = this.flushRequested ? FlushMode.Periodic : FlushMode.None;
      this.flushRequested = false;
      const events = batch.events;
      if (events.length > 0 || flush !== FlushMode.None) await this.executor.process(events, flush);
      // At-least-once: only now, with every output done with the batch, may a persisted queue forget it.
      batch.ack();
      if (events.length === 0 && flush === FlushMode.None && queue.isClosed) return;
    }
  }

  /** Runs one input to its end; one that fails is restarted after a pause unless the pipeline is stopping. */
  private async runInput(node: InputNode, queue: PipelineQueue): Promise<void> {
    const sink = new QueueSink(this, queue, node);
    for (;;) {
      try {
        await node.input.run(sink);
        return;
      } catch (err) {
        if (err instanceof Error && err.name === "AssertionError") throw err;
        node.stats.countFailure("input_exception");
        if (err instanceof InputUnavailableError) {
          node.logger.error("input cannot run here; it is not restarted", {
            plugin: node.id,
            error: err.message,
          });
          return;
        }
        node.logger.error("input failed; it will be restarted", { plugin: node.id, error: err });
      }
      if (this.stopRequested) return;
      await this.pause(inputRestartDelayMs);
      if (this.stopRequested) return;
    }
  }

  private stopInput(node: InputNode): void {
    const failed = (err: unknown) =>
      node.logger.error("input failed to stop", { plugin: node.id, error: err });
    try {
      const done = node.input.stop();
      if (done instanceof Promise) done.catch(failed);
    } catch (err) {
      failed(err);
    }
  }

  /** Sleeps `ms`, or less when stop() is called. */
  private async pause(ms: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([new Promise((resolve) => (timer = setTimeout(resolve, ms))), this.stopSignal]);
    clearTimeout(timer);
  }
}

/** The sink one input pushes into: decorates (type, add_field, tags), counts, queues. */
class QueueSink implements InputSink {
  constructor(
    private readonly pipeline: Pipeline,
    private readonly queue: PipelineQueue,
    private readonly node: InputNode,
  ) {}

  get stopping(): boolean {
    return this.pipeline.stopping;
  }

  push(event: Event): boolean {
    this.admit(event);
    return this.queue.push(event);
  }

  ready(): Promise<void> {
    return this.queue.ready();
  }

  accept(events: Event[]): Promise<void> {
    for (const event of events) this.admit(event);
    return this.queue.accept(events);
  }

  private admit(event: Event): void {
    const decorate = this.node.decorate;
    if (decorate !== undefined) {
      try {
        decorate(event);
      } catch (err) {
        this.node.stats.countFailure("decorate_failure");
        this.node.logger.warn("could not apply type/add_field/tags", { plugin: this.node.id, error: err });
      }
    }
    this.node.stats.eventsOut++;
    this.pipeline.stats.eventsIn++;
  }
}

/** Filters, outputs and codecs, in that order; a failing close is logged and the others still closed. */
/** Runs every filter's and output's `register` in config order; the first failure keeps the pipeline from starting. */
async function registerPlugins(
  graph: PipelineGraph,
  settings: ResolvedSettings,
  closeDeadLetters: () => Promise<void> | undefined,
): Promise<void> {
  const hooks: Array<[string, (() => Promise<void> | void) | undefined]> = [
    ...graph.filterNodes.map(
      (n) => [n.id, n.filter.register?.bind(n.filter)] as [string, typeof n.filter.register],
    ),
    ...graph.outputNodes.map(
      (n) => [n.id, n.output.register?.bind(n.output)] as [string, typeof n.output.register],
    ),
  ];
  for (const [id, register] of hooks) {
    if (register === undefined) continue;
    try {
      await register();
    } catch (err) {
      settings.logger.error("plugin failed to register; the pipeline does not start", {
        pipeline: settings.id,
        plugin: id,
        error: err,
      });
      await closePlugins(graph, settings);
      await closeDeadLetters();
      throw err;
    }
  }
}

async function closePlugins(graph: PipelineGraph, settings: ResolvedSettings): Promise<void> {
  const closers: Array<[string, (() => Promise<void> | void) | undefined]> = [
    ...graph.filterNodes.map(
      (n) => [n.id, n.filter.close?.bind(n.filter)] as [string, typeof n.filter.close],
    ),
    ...graph.outputNodes.map(
      (n) => [n.id, n.output.close?.bind(n.output)] as [string, typeof n.output.close],
    ),
    ...graph.codecs.map((c, i) => [`codec ${i + 1}`, c.close?.bind(c)] as [string, typeof c.close]),
  ];
  for (const [id, close] of closers) {
    if (close === undefined) continue;
    try {
      await close();
    } catch (err) {
      settings.logger.error("plugin failed to close", { plugin: id, error: err });
    }
  }
}

function settingDiagnostic(message: string): Diagnostic {
  return {
    severity: "error",
    code: "pipeline-setting",
    message,
    file: "pipeline settings",
    line: 1,
    column: 1,
  };
}
