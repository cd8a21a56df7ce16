// A running pipeline: inputs push into the bounded queue, N async workers take batches through the filters and
// outputs, filters are flushed every few seconds and once more at shutdown, and stop() drains what was accepted
// before every plugin is closed. Everything runs on the main thread.

import { type Diagnostic, hasErrors, type PipelinePlan } from "../config/index.js";
import type { Event } from "../event/index.js";
import type { InputSink } from "../plugins/api.js";
import type { PluginRegistry } from "../plugins/registry.js";
import { BatchExecutor, FlushMode } from "./executor.js";
import { buildGraph, type InputNode, type PipelineGraph } from "./graph.js";
import { EventQueue } from "./queue.js";
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
  const { graph, diagnostics } = buildGraph(plan, registry, resolved);
  if (hasErrors(diagnostics)) {
    void closePlugins(graph, resolved);
    throw new PipelineConfigError(diagnostics);
  }
  return new Pipeline(graph, resolved, diagnostics);
}

export class Pipeline {
  readonly stats: PipelineStats;
  /** Warnings found while building (deprecated options); errors never get this far. */
  readonly diagnostics: readonly Diagnostic[];
  private readonly queue: EventQueue;
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
  ) {
    this.stats = graph.stats;
    this.diagnostics = diagnostics;
    this.queue = new EventQueue(settings.queueEventsMax);
    this.executor = new BatchExecutor(graph, settings.ordered, settings.logger);
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
    return this.queue.size;
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
    // Never started: nothing to drain, only plugins to close.
    this.runPromise ??= closePlugins(this.graph, this.settings);
    return this.runPromise;
  }

  private async execute(): Promise<void> {
    const { logger, workers, batchSize, batchDelayMs } = this.settings;
    const flushTimer = setInterval(() => {
      this.flushRequested = true;
    }, periodicFlushMs);
    flushTimer.unref();
    const workerRuns = Array.from({ length: workers }, () => this.work());
    const inputRuns = this.graph.inputs.map((node) => this.runInput(node));
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
    this.queue.close();
    await Promise.all(workerRuns);
    clearInterval(flushTimer);
    await this.executor.process([], FlushMode.Final);
    await closePlugins(this.graph, this.settings);
    logger.info("pipeline stopped", {
      pipeline: this.settings.id,
      events_in: this.stats.eventsIn,
      events_out: this.stats.eventsOut,
    });
  }

  private async work(): Promise<void> {
    const { batchSize, batchDelayMs } = this.settings;
    for (;;) {
      const batch = await this.queue.take(batchSize, batchDelayMs);
      const flush = this.flushRequested ? FlushMode.Periodic : FlushMode.None;
      this.flushRequested = false;
      if (batch.length > 0 || flush !== FlushMode.None) await this.executor.process(batch, flush);
      else if (this.queue.isClosed) return;
    }
  }

  /** Runs one input to its end; one that fails is restarted after a pause unless the pipeline is stopping. */
  private async runInput(node: InputNode): Promise<void> {
    const sink = new QueueSink(this, this.queue, node);
    for (;;) {
      try {
        await node.input.run(sink);
        return;
      } catch (err) {
        if (err instanceof Error && err.name === "AssertionError") throw err;
        node.stats.countFailure("input_exception");
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
    private readonly queue: EventQueue,
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
