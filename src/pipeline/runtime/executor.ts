// Runs one batch through the filter section and the output section, batch-at-a-time in config order: a filter
// sees the events that reached it (an `if` splits the batch between its branches), events a filter emits or
// flushes continue through the statements after it only, cancelled events leave the batch, and each output gets
// its share of the batch in one receive call. Failures are logged and counted, never thrown.

import type { Logger } from "../../common/logger.js";
import type { DeadLetterWriter } from "../dlq/writer.js";
import type { Event } from "../event/index.js";
import type {
  BranchNode,
  FilterNode,
  FilterStatement,
  OutputNode,
  OutputStatement,
  PipelineGraph,
} from "./graph.js";
import type { PipelineStats } from "./stats.js";

/** Whether filters with a `flush` are asked for buffered events along with this batch. */
export const FlushMode = {
  None: 0,
  Periodic: 1,
  /** Shutdown: everything buffered must come out. */
  Final: 2,
} as const;
export type FlushMode = (typeof FlushMode)[keyof typeof FlushMode];

export class BatchExecutor {
  private readonly stats: PipelineStats;
  private readonly filters: readonly FilterStatement[];
  private readonly outputs: readonly OutputStatement[];
  private readonly outputNodes: readonly OutputNode[];
  private readonly outputCount: number;

  constructor(
    graph: PipelineGraph,
    /** Keep input order through conditionals (pipeline.ordered). */
    private readonly ordered: boolean,
    private readonly logger: Logger,
    /** Where events a condition cannot be evaluated on go, when the dead-letter queue is enabled. */
    private readonly deadLetters?: DeadLetterWriter,
  ) {
    this.stats = graph.stats;
    this.filters = graph.filters;
    this.outputs = graph.outputs;
    this.outputNodes = graph.outputNodes;
    this.outputCount = graph.outputNodes.length;
  }

  /** Filters, then outputs, for one batch (possibly empty when only flushing). */
  async process(batch: Event[], flush: FlushMode): Promise<void> {
    const filtered =
      this.filters.length === 0 ? dropCancelled(batch) : await this.runFilters(this.filters, batch, flush);
    this.stats.eventsFiltered += filtered.length;
    if (filtered.length === 0) return;
    await this.runOutputs(filtered);
    this.stats.eventsOut += filtered.length;
  }

  private async runFilters(
    statements: readonly FilterStatement[],
    events: Event[],
    flush: FlushMode,
  ): Promise<Event[]> {
    let current = events;
    for (const statement of statements) {
      if (current.length === 0 && flush === FlushMode.None) break;
      current =
        statement.kind === "filter"
          ? await this.runFilter(statement, current, flush)
          : await this.runFilterBranch(statement, current, flush);
    }
    return current;
  }

  private async runFilter(node: FilterNode, events: Event[], flush: FlushMode): Promise<Event[]> {
    const started = performance.now();
    const out: Event[] = [];
    const decorate = node.decorate;
    const emit = (child: Event) => {
      if (decorate !== undefined) this.decorate(node, child);
      out.push(child);
    };
    const filter = node.filter;
    for (let i = 0; i < events.length; i++) {
      const event = events[i]!;
      if (event.cancelled) continue;
      out.push(event);
      let matched: boolean;
      try {
        const result = filter.filter(event, emit);
        matched = typeof result === "boolean" ? result : await result;
      } catch (err) {
        this.filterFailed(node, err);
        continue;
      }
      if (matched && decorate !== undefined) this.decorate(node, event);
    }
    if (flush !== FlushMode.None && filter.flush !== undefined) this.flushFilter(node, flush, emit);
    const kept = dropCancelled(out);
    node.stats.eventsIn += events.length;
    node.stats.eventsOut += kept.length;
    node.stats.durationMs += performance.now() - started;
    return kept;
  }

  private flushFilter(node: FilterNode, flush: FlushMode, emit: (event: Event) => void): void {
    let flushed: Event[];
    try {
      flushed = node.filter.flush!(flush === FlushMode.Final);
    } catch (err) {
      node.stats.countFailure("flush_exception");
      node.logger.error("filter flush failed; its buffered events may be lost", {
        plugin: node.id,
        error: err,
      });
      return;
    }
    for (const event of flushed) emit(event);
  }

  private decorate(node: FilterNode, event: Event): void {
    try {
      node.decorate!(event);
    } catch (err) {
      node.stats.countFailure("common_options_failure");
      node.logger.warn("could not apply add_field/remove_field/add_tag/remove_tag", {
        plugin: node.id,
        error: err,
      });
    }
  }

  private filterFailed(node: FilterNode, err: unknown): void {
    node.stats.countFailure("filter_exception");
    node.logger.error("filter raised an error; the event passes on unchanged", {
      plugin: node.id,
      error: err,
      stack: err instanceof Error ? err.stack : undefined,
    });
  }

  private async runFilterBranch(
    branch: BranchNode<FilterNode>,
    events: Event[],
    flush: FlushMode,
  ): Promise<Event[]> {
    if (this.ordered) return this.runFilterBranchOrdered(branch, events, flush);
    const [yes, no] = this.partition(branch, events);
    const fromThen = await this.runBody(branch.thenBody, yes, flush);
    const fromElse = await this.runBody(branch.elseBody, no, flush);
    return fromElse.length === 0 ? fromThen : fromThen.length === 0 ? fromElse : fromThen.concat(fromElse);
  }

  /** Consecutive events that take the same branch go through it together, so the batch keeps its order. */
  private async runFilterBranchOrdered(
    branch: BranchNode<FilterNode>,
    events: Event[],
    flush: FlushMode,
  ): Promise<Event[]> {
    const out: Event[] = [];
    let run: Event[] = [];
    let runTaken = true;
    for (const event of events) {
      const taken = this.test(branch, event);
      if (taken === undefined) continue;
      if (taken !== runTaken && run.length > 0) {
        appendAll(out, await this.runBody(runTaken ? branch.thenBody : branch.elseBody, run, FlushMode.None));
        run = [];
      }
      runTaken = taken;
      run.push(event);
    }
    if (run.length > 0)
      appendAll(out, await this.runBody(runTaken ? branch.thenBody : branch.elseBody, run, FlushMode.None));
    if (flush !== FlushMode.None) {
      appendAll(out, await this.runBody(branch.thenBody, [], flush));
      appendAll(out, await this.runBody(branch.elseBody, [], flush));
    }
    return out;
  }

  private runBody(
    body: readonly FilterStatement[],
    events: Event[],
    flush: FlushMode,
  ): Promise<Event[]> | Event[] {
    if (body.length === 0 || (events.length === 0 && flush === FlushMode.None)) return events;
    return this.runFilters(body, events, flush);
  }

  /** The events for which the condition holds, and the others; events it fails on are dropped. */
  private partition<N>(branch: BranchNode<N>, events: readonly Event[]): [Event[], Event[]] {
    const yes: Event[] = [];
    const no: Event[] = [];
    for (let i = 0; i < events.length; i++) {
      const event = events[i]!;
      const taken = this.test(branch, event);
      if (taken === true) yes.push(event);
      else if (taken === false) no.push(event);
    }
    return [yes, no];
  }

  /** The condition's verdict, or undefined when it cannot be evaluated (Logstash 8 drops such an event). */
  private test<N>(branch: BranchNode<N>, event: Event): boolean | undefined {
    try {
      return branch.test(event);
    } catch (err) {
      this.stats.conditionFailures++;
      const dead = this.deadLetters?.write(
        event,
        `condition at ${branch.where} could not be evaluated: ${err instanceof Error ? err.message : String(err)}`,
        branch.where,
        "if",
      );
      this.logger.warn(
        dead
          ? "condition could not be evaluated; the event is sent to the dead-letter queue"
          : "condition could not be evaluated; the event is dropped",
        { condition: branch.where, error: err, event: JSON.stringify(event) },
      );
      return undefined;
    }
  }

  private async runOutputs(events: Event[]): Promise<void> {
    const buckets: Event[][] = new Array(this.outputCount);
    for (let i = 0; i < this.outputCount; i++) buckets[i] = [];
    this.route(this.outputs, events, buckets);
    for (const node of this.outputNodes) {
      const bucket = buckets[node.index]!;
      if (bucket.length > 0) await this.deliver(node, bucket);
    }
  }

  private route(statements: readonly OutputStatement[], events: readonly Event[], buckets: Event[][]): void {
    for (const statement of statements) {
      if (statement.kind === "output") {
        appendAll(buckets[statement.index]!, events);
        continue;
      }
      const [yes, no] = this.partition(statement, events);
      if (yes.length > 0) this.route(statement.thenBody, yes, buckets);
      if (no.length > 0) this.route(statement.elseBody, no, buckets);
    }
  }

  private async deliver(node: OutputNode, events: Event[]): Promise<void> {
    const started = performance.now();
    node.stats.eventsIn += events.length;
    try {
      await node.output.receive(events);
      node.stats.eventsOut += events.length;
    } catch (err) {
      node.stats.countFailure("output_exception");
      node.logger.error("output failed to handle a batch", {
        plugin: node.id,
        events: events.length,
        error: err,
      });
    }
    node.stats.durationMs += performance.now() - started;
  }
}

function dropCancelled(events: Event[]): Event[] {
  let i = 0;
  while (i < events.length && !events[i]!.cancelled) i++;
  if (i === events.length) return events;
  const kept = events.slice(0, i);
  for (i++; i < events.length; i++) if (!events[i]!.cancelled) kept.push(events[i]!);
  return kept;
}

function appendAll(target: Event[], events: readonly Event[]): void {
  for (let i = 0; i < events.length; i++) target.push(events[i]!);
}
