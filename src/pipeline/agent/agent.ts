// The agent: runs several pipelines in one process, as Logstash's agent does for pipelines.yml. Each pipeline id
// has a reload slot (so it reloads on its own); the agent checks every definition before anything starts, runs
// them together, converges on an edited pipelines.yml, and stops them upstream first so that a pipeline feeding
// another through the bus has drained into it before the downstream one stops.

import { availableParallelism } from "node:os";
import type { Logger } from "../../common/logger.js";
import { type ConfigSource, type Diagnostic, hasErrors } from "../config/index.js";
import { defaultEcsCompatibility, type EcsCompatibility } from "../event/index.js";
import type { PluginRegistry } from "../plugins/registry.js";
import { instantiate, loadDefinition, recordFailedReload } from "../reload/reload.js";
import {
  type BuiltConfig,
  PipelineSlot,
  type PipelineDefinition as SlotDefinition,
  type SlotState,
} from "../reload/slot.js";
import type { ReloadStats } from "../reload/stats.js";
import { type OrderedSetting, type Pipeline, settingDefaults } from "../runtime/index.js";
import { pipelineLinks, withDefaultSections } from "./config-sources.js";
import type { PipelineDefinition } from "./pipelines-yml.js";
import { type PipelineOverrides, queueSettingNames } from "./settings.js";
import { diag } from "./yaml-settings.js";

export interface AgentOptions {
  registry: PluginRegistry;
  logger: Logger;
  /** path.data */
  dataDir: string;
  /** Settings every pipeline starts from (command line over logstash.yml); pipelines.yml entries override. */
  defaults?: PipelineOverrides;
  /** config.reload.automatic and config.reload.interval, as the monitoring API shows them per pipeline. */
  reload?: ReloadDisplay;
}

export interface ReloadDisplay {
  automatic: boolean;
  intervalMs: number;
}

/** One pipeline's effective settings, with Logstash's defaults filled in (read by the monitoring API). */
export interface AgentPipelineSettings {
  id: string;
  workers: number;
  batchSize: number;
  batchDelayMs: number;
  ordered: OrderedSetting;
  ecsCompatibility: EcsCompatibility;
  supportEscapes: boolean;
  queueType: "memory" | "persisted";
  /** The persisted-queue and dead-letter-queue settings given (the runtime fills in the rest). */
  queue: Pick<PipelineOverrides, (typeof queueSettingNames)[number]>;
  dataDir: string;
  configPaths?: string[];
  configString?: string;
}

/** What converge() did with a new list of definitions (an edited pipelines.yml). */
export interface ConvergeOutcome {
  added: string[];
  removed: string[];
  replaced: string[];
  /** Ids whose new definition was refused; the old pipeline (if any) keeps running. */
  failed: string[];
  diagnostics: Diagnostic[];
}

interface Loaded {
  definition: PipelineDefinition;
  settings: AgentPipelineSettings;
  slot: PipelineSlot;
}

export class Agent {
  private readonly loaded = new Map<string, Loaded>();
  private readonly texts = new Map<string, string>();
  private readonly started = new WeakSet<PipelineSlot>();
  private running: Promise<void> | undefined;
  private stopping: Promise<void> | undefined;
  private reloadDisplay: ReloadDisplay | undefined;
  private markStopped: () => void = () => {};
  private readonly stoppedSignal = new Promise<void>((resolve) => {
    this.markStopped = resolve;
  });

  constructor(private readonly options: AgentOptions) {
    this.reloadDisplay = options.reload;
  }

  /**
   * Checks and builds every pipeline; returns all diagnostics (warnings too). With any error nothing is kept:
   * the agent runs either every pipeline or none, as Logstash refuses to start with a broken pipelines.yml.
   */
  async load(
    definitions: readonly PipelineDefinition[],
    options: { defaultSections?: boolean } = {},
  ): Promise<Diagnostic[]> {
    const diagnostics: Diagnostic[] = [];
    const built: Array<[string, Loaded]> = [];
    const ids = new Set<string>(this.loaded.keys());
    for (const definition of definitions) {
      if (ids.has(definition.id)) {
        diagnostics.push(duplicateId(definition));
        continue;
      }
      ids.add(definition.id);
      const entry = await this.build(definition, options.defaultSections, diagnostics);
      if (entry !== undefined) built.push([definition.id, entry]);
    }
    diagnostics.push(...sharedAddresses(built.map(([id, entry]) => [id, entry.slot.config])));
    if (hasErrors(diagnostics)) {
      await Promise.all(built.map(([, entry]) => entry.slot.stop()));
      return diagnostics;
    }
    for (const [id, entry] of built) this.loaded.set(id, entry);
    if (this.running !== undefined) for (const [, entry] of built) this.start(entry.slot);
    return diagnostics;
  }

  /** The text of a configuration file any loaded pipeline read, for quoting lines in diagnostics. */
  sourceText(file: string): string | undefined {
    return this.texts.get(file);
  }

  /** The pipeline now serving each id (a reload swaps it). */
  pipelines(): ReadonlyMap<string, Pipeline> {
    return new Map([...this.loaded].map(([id, entry]) => [id, entry.slot.pipeline]));
  }

  /** Every pipeline's reload slot, for the reloader and the monitoring API's slotSource. */
  slots(): PipelineSlot[] {
    return [...this.loaded.values()].map((entry) => entry.slot);
  }

  slotOf(id: string): PipelineSlot | undefined {
    return this.loaded.get(id)?.slot;
  }

  settingsOf(id: string): Readonly<AgentPipelineSettings> | undefined {
    return this.loaded.get(id)?.settings;
  }

  stateOf(id: string): SlotState | "unknown" {
    return this.loaded.get(id)?.slot.state ?? "unknown";
  }

  reloadsOf(id: string): ReloadStats | undefined {
    return this.loaded.get(id)?.slot.reloads;
  }

  hashOf(id: string): string | undefined {
    return this.loaded.get(id)?.slot.config.hash;
  }

  /** Sets what the API shows as config.reload.automatic/interval, for the pipelines loaded and those to come. */
  setReloadDisplay(display: ReloadDisplay): void {
    this.reloadDisplay = display;
    for (const { slot } of this.loaded.values()) {
      slot.definition.reloadAutomatic = display.automatic;
      slot.definition.reloadIntervalMs = display.intervalMs;
    }
  }

  /**
   * Runs every loaded pipeline (and those loaded later); resolves when none is running any more (inputs finished,
   * or stop()). A finished pipeline that a reload brings back is waited for again.
   */
  run(): Promise<void> {
    for (const { slot } of this.loaded.values()) this.start(slot);
    this.running ??= this.untilAllEnded();
    return this.running;
  }

  /** Stops pipelines upstream first (by their `pipeline` outputs' send_to); resolves when all are drained. */
  stop(): Promise<void> {
    this.stopping ??= this.stopInOrder().then(this.markStopped);
    return this.stopping;
  }

  /** Resolves once stop() has been called (by anyone) and every pipeline has drained. */
  stopped(): Promise<void> {
    return this.stoppedSignal;
  }

  /** True once stop() was called. */
  get isStopping(): boolean {
    return this.stopping !== undefined;
  }

  /** For the reloader: refuses a new configuration listening on an address another pipeline holds. */
  readonly vetReload = (slot: PipelineSlot, next: BuiltConfig): Diagnostic[] => {
    const others = [...this.loaded.values()].filter((entry) => entry.slot !== slot);
    return addressConflicts(slot.id, next, others);
  };

  /**
   * Makes the running set match `definitions` (an edited pipelines.yml), as Logstash's agent converges: new ids
   * start, missing ids stop, ids whose definition changed are rebuilt and swapped in; unchanged ids are left
   * alone (their own files are the reloader's job). A refused definition is logged and, for an existing id,
   * counted as a reload failure; the rest still apply.
   */
  async converge(definitions: readonly PipelineDefinition[]): Promise<ConvergeOutcome> {
    const outcome: ConvergeOutcome = { added: [], removed: [], replaced: [], failed: [], diagnostics: [] };
    if (this.stopping !== undefined) return outcome;
    const wanted = new Map<string, PipelineDefinition>();
    for (const definition of definitions) {
      if (wanted.has(definition.id)) outcome.diagnostics.push(duplicateId(definition));
      wanted.set(definition.id, definition);
    }
    if (hasErrors(outcome.diagnostics)) return outcome;
    for (const [id, entry] of [...this.loaded]) {
      if (wanted.has(id)) continue;
      this.options.logger.info("pipeline removed from the configuration; stopping it", { pipeline: id });
      this.loaded.delete(id);
      await entry.slot.stop();
      outcome.removed.push(id);
    }
    for (const definition of wanted.values()) {
      const old = this.loaded.get(definition.id);
      if (old !== undefined && sameDefinition(old.definition, definition)) continue;
      await this.convergeOne(definition, old, outcome);
    }
    return outcome;
  }

  private async convergeOne(
    definition: PipelineDefinition,
    old: Loaded | undefined,
    outcome: ConvergeOutcome,
  ): Promise<void> {
    const diagnostics: Diagnostic[] = [];
    const entry = await this.build(definition, undefined, diagnostics);
    if (entry !== undefined) {
      const others = [...this.loaded.values()].filter((e) => e !== old);
      diagnostics.push(...addressConflicts(definition.id, entry.slot.config, others));
    }
    const errors = diagnostics.filter((d) => d.severity === "error");
    outcome.diagnostics.push(...diagnostics);
    if (entry === undefined || errors.length > 0) {
      await entry?.slot.stop();
      outcome.failed.push(definition.id);
      this.refuse(definition.id, old, errors);
      return;
    }
    if (old !== undefined) {
      this.options.logger.info("pipeline definition changed; draining the old pipeline", {
        pipeline: definition.id,
      });
      await old.slot.stop();
      Object.assign(entry.slot.reloads, old.slot.reloads);
      entry.slot.reloads.recordSuccess();
      outcome.replaced.push(definition.id);
    } else outcome.added.push(definition.id);
    this.loaded.set(definition.id, entry);
    if (this.running !== undefined) this.start(entry.slot);
    this.options.logger.info(old === undefined ? "pipeline added" : "pipeline replaced", {
      pipeline: definition.id,
    });
  }

  private refuse(id: string, old: Loaded | undefined, errors: Diagnostic[]): void {
    const texts = this.texts;
    if (old !== undefined) {
      recordFailedReload(old.slot, errors, texts, this.options.logger);
      return;
    }
    for (const d of errors)
      this.options.logger.error("new pipeline refused", {
        pipeline: id,
        at: `${d.file}:${d.line}:${d.column}`,
        error: d.message,
      });
  }

  private start(slot: PipelineSlot): void {
    if (this.started.has(slot)) return;
    // Converging while stop() runs: a pipeline built meanwhile never runs, but must still end (and close).
    if (this.stopping !== undefined) {
      void slot.stop();
      return;
    }
    this.started.add(slot);
    slot.start();
  }

  private async untilAllEnded(): Promise<void> {
    for (;;) {
      const live = this.slots().filter((s) => s.state === "running" || s.state === "loading");
      if (live.length === 0) return;
      await Promise.race(live.map((s) => s.ended()));
    }
  }

  private async stopInOrder(): Promise<void> {
    const remaining = new Map(this.loaded);
    while (remaining.size > 0) {
      const fedBy = new Set<string>();
      for (const entry of remaining.values())
        for (const address of pipelineLinks(entry.slot.config.plan).sendsTo) fedBy.add(address);
      let wave = [...remaining].filter(
        ([, entry]) => !pipelineLinks(entry.slot.config.plan).listensOn.some((a) => fedBy.has(a)),
      );
      // A cycle: no pipeline is free of upstreams, so the rest stop together.
      if (wave.length === 0) wave = [...remaining];
      this.options.logger.info("stopping pipelines", { pipelines: wave.map(([id]) => id) });
      await Promise.all(wave.map(([, entry]) => entry.slot.stop()));
      for (const [id] of wave) remaining.delete(id);
    }
  }

  private async build(
    definition: PipelineDefinition,
    defaultSections: boolean | undefined,
    diagnostics: Diagnostic[],
  ): Promise<Loaded | undefined> {
    const settings = this.settingsFor(definition);
    const slotDefinition = this.slotDefinitionFor(
      definition,
      settings,
      defaultSections ?? definition.configString !== undefined,
    );
    const loaded = await loadDefinition(slotDefinition, this.options.registry);
    for (const [file, text] of loaded.texts) this.texts.set(file, text);
    diagnostics.push(...loaded.diagnostics);
    if (loaded.built === undefined) return undefined;
    const created = instantiate(
      slotDefinition,
      loaded.built.plan,
      this.options.registry,
      this.options.logger,
    );
    if (Array.isArray(created)) {
      // Options were checked already; only what check() cannot see (settings, create() failures) is new here.
      diagnostics.push(...created.map((d) => locate(d, definition)));
      return undefined;
    }
    // Problems Logstash finds only at start (grok patterns): warnings for `-t`, the pipeline's start fails on them.
    for (const d of created.diagnostics)
      if (d.code === "fails-at-start") diagnostics.push(locate(d, definition));
    const slot = new PipelineSlot(slotDefinition, created, loaded.built, this.options.logger);
    return { definition, settings, slot };
  }

  private slotDefinitionFor(
    definition: PipelineDefinition,
    settings: AgentPipelineSettings,
    defaultSections: boolean,
  ): SlotDefinition {
    const stringFileName =
      definition.origin === undefined ? undefined : `config_string (pipeline ${definition.id})`;
    const prepareSources = (sources: ConfigSource[]): ConfigSource[] => {
      let out = sources;
      if (stringFileName !== undefined && definition.configString !== undefined)
        out = out.map((s, i) => (i === 0 ? { ...s, file: stringFileName } : s));
      return defaultSections ? withDefaultSections(out) : out;
    };
    const slotDefinition: SlotDefinition = {
      id: definition.id,
      supportEscapes: settings.supportEscapes,
      prepareSources,
      settings: {
        id: settings.id,
        workers: settings.workers,
        batchSize: settings.batchSize,
        batchDelayMs: settings.batchDelayMs,
        ordered: settings.ordered,
        ecsCompatibility: settings.ecsCompatibility,
        ...settings.queue,
        dataDir: settings.dataDir,
        logger: this.options.logger.child(`pipeline.${settings.id}`),
      },
    };
    if (definition.configPaths !== undefined) slotDefinition.paths = [...definition.configPaths];
    if (definition.configString !== undefined) slotDefinition.string = definition.configString;
    if (this.reloadDisplay !== undefined) {
      slotDefinition.reloadAutomatic = this.reloadDisplay.automatic;
      slotDefinition.reloadIntervalMs = this.reloadDisplay.intervalMs;
    }
    return slotDefinition;
  }

  private settingsFor(definition: PipelineDefinition): AgentPipelineSettings {
    const merged = { ...this.options.defaults, ...definition.settings };
    const settings: AgentPipelineSettings = {
      id: definition.id,
      workers: merged.workers ?? availableParallelism(),
      batchSize: merged.batchSize ?? settingDefaults.batchSize,
      batchDelayMs: merged.batchDelayMs ?? settingDefaults.batchDelayMs,
      ordered: merged.ordered ?? settingDefaults.ordered,
      ecsCompatibility: merged.ecsCompatibility ?? defaultEcsCompatibility,
      supportEscapes: merged.supportEscapes ?? false,
      queueType: merged.queueType ?? "memory",
      queue: Object.fromEntries(
        queueSettingNames.filter((name) => merged[name] !== undefined).map((name) => [name, merged[name]]),
      ),
      dataDir: this.options.dataDir,
    };
    if (definition.configPaths !== undefined) settings.configPaths = [...definition.configPaths];
    if (definition.configString !== undefined) settings.configString = definition.configString;
    return settings;
  }
}

/** Same source and settings: an unchanged pipelines.yml entry (its position in the file does not matter). */
function sameDefinition(a: PipelineDefinition, b: PipelineDefinition): boolean {
  const key = (d: PipelineDefinition) =>
    JSON.stringify([d.configPaths ?? null, d.configString ?? null, sortedEntries(d.settings ?? {})]);
  return key(a) === key(b);
}

function sortedEntries(o: object): Array<[string, unknown]> {
  return Object.entries(o)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => a.localeCompare(b));
}

function duplicateId(definition: PipelineDefinition): Diagnostic {
  const at = definition.origin ?? { file: "pipelines", line: 1, column: 1 };
  return diag(
    at.file,
    at.line,
    at.column,
    "duplicate-pipeline-id",
    `two pipelines have the pipeline.id "${definition.id}"`,
  );
}

/** Settings errors from the runtime name no file; pin them to the pipeline's entry in pipelines.yml. */
function locate(d: Diagnostic, definition: PipelineDefinition): Diagnostic {
  if (d.file !== "pipeline settings" || definition.origin === undefined) return d;
  const { file, line, column } = definition.origin;
  return { ...d, file, line, column, message: `pipeline "${definition.id}": ${d.message}` };
}

/** Two pipelines listening on one address: Logstash refuses the second at start; Sluice says so up front. */
function sharedAddresses(built: ReadonlyArray<[string, BuiltConfig]>): Diagnostic[] {
  const owner = new Map<string, string>();
  const out: Diagnostic[] = [];
  for (const [id, config] of built) {
    for (const address of pipelineLinks(config.plan).listensOn) {
      const first = owner.get(address);
      if (first === undefined) owner.set(address, id);
      else out.push(addressInUse(first, id, address));
    }
  }
  return out;
}

/** The addresses `next` would listen on that another running pipeline already holds. */
function addressConflicts(id: string, next: BuiltConfig, others: readonly Loaded[]): Diagnostic[] {
  const owner = new Map<string, string>();
  for (const entry of others)
    for (const address of pipelineLinks(entry.slot.config.plan).listensOn) owner.set(address, entry.slot.id);
  return pipelineLinks(next.plan)
    .listensOn.filter((address) => owner.has(address))
    .map((address) => addressInUse(owner.get(address)!, id, address));
}

function addressInUse(first: string, second: string, address: string): Diagnostic {
  return diag(
    "pipelines",
    1,
    1,
    "pipeline-address-in-use",
    `pipelines "${first}" and "${second}" both have a pipeline input on address "${address}"`,
  );
}
