// The agent: runs several pipelines in one process, as Logstash's agent does for pipelines.yml. It checks every
// definition before anything starts, runs them together, and stops them upstream first so that a pipeline
// feeding another through the bus has drained into it before the downstream one stops.

import { availableParallelism } from "node:os";
import type { Logger } from "../../common/logger.js";
import { type ConfigSource, type Diagnostic, hasErrors } from "../config/index.js";
import { defaultEcsCompatibility, type EcsCompatibility } from "../event/index.js";
import type { PluginRegistry } from "../plugins/registry.js";
import {
  createPipeline,
  type OrderedSetting,
  type Pipeline,
  PipelineConfigError,
  settingDefaults,
} from "../runtime/index.js";
import { loadPlan, pipelineLinks } from "./config-sources.js";
import type { PipelineDefinition } from "./pipelines-yml.js";
import type { PipelineOverrides } from "./settings.js";
import { diag } from "./yaml-settings.js";

export interface AgentOptions {
  registry: PluginRegistry;
  logger: Logger;
  /** path.data */
  dataDir: string;
  /** Settings every pipeline starts from (command line over logstash.yml); pipelines.yml entries override. */
  defaults?: PipelineOverrides;
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
  queueType: "memory";
  dataDir: string;
  configPaths?: string[];
  configString?: string;
}

interface Loaded {
  settings: AgentPipelineSettings;
  pipeline: Pipeline;
  listensOn: string[];
  sendsTo: string[];
}

export class Agent {
  private readonly loaded = new Map<string, Loaded>();
  private readonly texts = new Map<string, string>();
  private running: Promise<void> | undefined;
  private stopping: Promise<void> | undefined;

  constructor(private readonly options: AgentOptions) {}

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
    diagnostics.push(...sharedAddresses(built));
    if (hasErrors(diagnostics)) {
      await Promise.all(built.map(([, entry]) => entry.pipeline.stop()));
      return diagnostics;
    }
    for (const [id, entry] of built) this.loaded.set(id, entry);
    return diagnostics;
  }

  /** The text of a configuration file any loaded pipeline read, for quoting lines in diagnostics. */
  sourceText(file: string): string | undefined {
    return this.texts.get(file);
  }

  pipelines(): ReadonlyMap<string, Pipeline> {
    return new Map([...this.loaded].map(([id, entry]) => [id, entry.pipeline]));
  }

  settingsOf(id: string): Readonly<AgentPipelineSettings> | undefined {
    return this.loaded.get(id)?.settings;
  }

  /** Runs every loaded pipeline; resolves when all have ended (their inputs finished, or stop()). */
  run(): Promise<void> {
    this.running ??= Promise.all([...this.loaded.values()].map((entry) => entry.pipeline.run())).then(
      () => {},
    );
    return this.running;
  }

  /** Stops pipelines upstream first (by their `pipeline` outputs' send_to); resolves when all are drained. */
  stop(): Promise<void> {
    this.stopping ??= this.stopInOrder();
    return this.stopping;
  }

  private async stopInOrder(): Promise<void> {
    const remaining = new Map(this.loaded);
    while (remaining.size > 0) {
      const fedBy = new Set<string>();
      for (const entry of remaining.values()) for (const address of entry.sendsTo) fedBy.add(address);
      let wave = [...remaining].filter(([, entry]) => !entry.listensOn.some((a) => fedBy.has(a)));
      // A cycle: no pipeline is free of upstreams, so the rest stop together.
      if (wave.length === 0) wave = [...remaining];
      this.options.logger.info("stopping pipelines", { pipelines: wave.map(([id]) => id) });
      await Promise.all(wave.map(([, entry]) => entry.pipeline.stop()));
      for (const [id] of wave) remaining.delete(id);
    }
  }

  private async build(
    definition: PipelineDefinition,
    defaultSections: boolean | undefined,
    diagnostics: Diagnostic[],
  ): Promise<Loaded | undefined> {
    const settings = this.settingsFor(definition);
    const loadedPlan = await loadPlan(definition, this.options.registry, {
      supportEscapes: settings.supportEscapes,
      defaultSections: defaultSections ?? definition.configString !== undefined,
      stringFileName:
        definition.origin === undefined ? undefined : `config_string (pipeline ${definition.id})`,
    });
    for (const source of loadedPlan.sources) this.remember(source);
    diagnostics.push(...loadedPlan.diagnostics);
    if (hasErrors(loadedPlan.diagnostics)) return undefined;
    try {
      const pipeline = createPipeline(loadedPlan.plan, this.options.registry, {
        id: settings.id,
        workers: settings.workers,
        batchSize: settings.batchSize,
        batchDelayMs: settings.batchDelayMs,
        ordered: settings.ordered,
        ecsCompatibility: settings.ecsCompatibility,
        dataDir: settings.dataDir,
        logger: this.options.logger.child(`pipeline.${settings.id}`),
      });
      return { settings, pipeline, ...pipelineLinks(loadedPlan.plan) };
    } catch (err) {
      if (!(err instanceof PipelineConfigError)) throw err;
      // Options were checked already; only what check() cannot see (settings, create() failures) is new here.
      diagnostics.push(
        ...err.diagnostics.filter((d) => d.severity === "error").map((d) => locate(d, definition)),
      );
      return undefined;
    }
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
      queueType: "memory",
      dataDir: this.options.dataDir,
    };
    if (definition.configPaths !== undefined) settings.configPaths = [...definition.configPaths];
    if (definition.configString !== undefined) settings.configString = definition.configString;
    return settings;
  }

  private remember(source: ConfigSource): void {
    this.texts.set(source.file, source.text);
  }
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
function sharedAddresses(built: ReadonlyArray<[string, Loaded]>): Diagnostic[] {
  const owner = new Map<string, string>();
  const out: Diagnostic[] = [];
  for (const [id, entry] of built) {
    for (const address of entry.listensOn) {
      const first = owner.get(address);
      if (first === undefined) owner.set(address, id);
      else
        out.push(
          diag(
            "pipelines",
            1,
            1,
            "pipeline-address-in-use",
            `pipelines "${first}" and "${id}" both have a pipeline input on address "${address}"`,
          ),
        );
    }
  }
  return out;
}
