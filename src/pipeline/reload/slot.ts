// One pipeline id's place in the process: the Pipeline now serving it, the configuration it was built from, its
// run state and reload counters. A reload swaps the Pipeline in the slot; the monitoring API reads the slot.

import { randomUUID } from "node:crypto";
import type { Logger } from "../../common/logger.js";
import type { ConfigSource, PipelinePlan } from "../config/index.js";
import type { Pipeline, PipelineSettings } from "../runtime/index.js";
import { ReloadStats } from "./stats.js";

export type SlotState = "loading" | "running" | "finished" | "terminated";

/** Where a pipeline's configuration comes from and how it is run (one `sluice run`, or one pipelines.yml entry). */
export interface PipelineDefinition {
  id: string;
  /** -f / path.config: files, directories or globs. */
  paths?: string[];
  /** -e / config.string. */
  string?: string;
  supportEscapes?: boolean;
  settings: PipelineSettings;
  /** Applied to the loaded sources before compiling (e.g. `sluice run` adds stdin/stdout when a section is missing). */
  prepareSources?: (sources: ConfigSource[]) => ConfigSource[];
  /** config.reload.automatic and config.reload.interval, shown by the API. */
  reloadAutomatic?: boolean;
  reloadIntervalMs?: number;
}

/** A configuration that loaded, compiled and checked cleanly. */
export interface BuiltConfig {
  plan: PipelinePlan;
  /** SHA-256 of the configuration text (Logstash's pipeline `hash`). */
  hash: string;
}

export class PipelineSlot {
  readonly reloads = new ReloadStats();
  private current: Pipeline;
  private built: BuiltConfig;
  private runState: SlotState = "loading";
  private stopRequested = false;
  private endWaiters: Array<() => void> = [];
  private ephemeral = randomUUID();
  /** The reload in progress, so reloads of one slot never overlap and stop() waits for it. */
  pending: Promise<unknown> = Promise.resolve();

  constructor(
    readonly definition: PipelineDefinition,
    pipeline: Pipeline,
    built: BuiltConfig,
    private readonly logger: Logger,
  ) {
    this.current = pipeline;
    this.built = built;
  }

  get id(): string {
    return this.definition.id;
  }

  get pipeline(): Pipeline {
    return this.current;
  }

  get config(): BuiltConfig {
    return this.built;
  }

  get state(): SlotState {
    return this.runState;
  }

  get ephemeralId(): string {
    return this.ephemeral;
  }

  get stopping(): boolean {
    return this.stopRequested;
  }

  /** Runs the current pipeline (once). */
  start(): void {
    this.track(this.current);
  }

  /** Resolves the next time the slot's pipeline ends other than by a reload (inputs done, stop(), failure). */
  ended(): Promise<void> {
    if (this.runState === "finished" || this.runState === "terminated") return Promise.resolve();
    return new Promise((resolve) => this.endWaiters.push(resolve));
  }

  /** Stops the current pipeline, which drains its queue through the outputs, then runs `next` in its place. */
  async replace(next: Pipeline, built: BuiltConfig): Promise<void> {
    const old = this.current;
    this.current = next;
    this.built = built;
    this.ephemeral = randomUUID();
    this.runState = "loading";
    await old.stop();
    this.track(next);
  }

  /** No more reloads; waits for one in progress, then stops (drains) the pipeline. */
  async stop(): Promise<void> {
    this.stopRequested = true;
    await this.pending.catch(() => {});
    const pipeline = this.current;
    await pipeline.stop();
    // A pipeline that never ran ends here, not in track().
    if (this.runState === "loading") this.markEnded(pipeline, "finished");
  }

  private track(pipeline: Pipeline): void {
    this.runState = "running";
    pipeline.run().then(
      () => this.markEnded(pipeline, "finished"),
      (err: unknown) => {
        this.logger.error("pipeline failed", { pipeline: this.id, error: err });
        this.markEnded(pipeline, "terminated");
      },
    );
  }

  private markEnded(pipeline: Pipeline, state: SlotState): void {
    // A pipeline stopped by replace() is no longer the slot's; its end is not the slot's.
    if (pipeline !== this.current) return;
    this.runState = state;
    for (const wake of this.endWaiters.splice(0)) wake();
  }
}
