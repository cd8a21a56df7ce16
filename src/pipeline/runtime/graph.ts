// Turns a compiled plan into live plugin instances: every plugin resolved through the registry (options checked,
// codec built), given an id (its own, or `<name>_<n>` in config order), a context and stats, and every condition
// compiled. Collects every problem instead of stopping at the first.

import type { Logger } from "../../common/logger.js";
import type { Diagnostic, PipelinePlan, PlanPlugin, PlanStatement, SourcePosition } from "../config/index.js";
import type { DeadLetterCapable } from "../dlq/index.js";
import type { DeadLetterWriter } from "../dlq/writer.js";
import {
  type Codec,
  type Filter,
  type Input,
  type Output,
  type PluginContext,
  type PluginKind,
  StartupError,
} from "../plugins/api.js";
import type { ResolvedOptions } from "../plugins/options.js";
import { ecsModeOf, type PluginRegistry } from "../plugins/registry.js";
import { type CompiledCondition, compileCondition } from "./conditions.js";
import { type Decoration, filterDecoration, inputDecoration } from "./decorate.js";
import type { ResolvedSettings } from "./settings.js";
import { PipelineStats, PluginStats } from "./stats.js";

interface NodeBase {
  readonly id: string;
  readonly name: string;
  readonly stats: PluginStats;
  readonly logger: Logger;
  readonly pos: SourcePosition;
}

export interface InputNode extends NodeBase {
  readonly input: Input;
  readonly decorate: Decoration | undefined;
}

export interface FilterNode extends NodeBase {
  readonly kind: "filter";
  readonly filter: Filter;
  readonly decorate: Decoration | undefined;
}

export interface OutputNode extends NodeBase {
  readonly kind: "output";
  /** Position among the pipeline's outputs: the slot its events are gathered in per batch. */
  readonly index: number;
  readonly output: Output;
}

export interface BranchNode<N> {
  readonly kind: "if";
  readonly test: CompiledCondition;
  /** `file:line:column` of the `if`, for messages. */
  readonly where: string;
  readonly thenBody: ReadonlyArray<N | BranchNode<N>>;
  readonly elseBody: ReadonlyArray<N | BranchNode<N>>;
}

export type FilterStatement = FilterNode | BranchNode<FilterNode>;
export type OutputStatement = OutputNode | BranchNode<OutputNode>;

export interface PipelineGraph {
  readonly inputs: InputNode[];
  readonly filters: FilterStatement[];
  readonly outputs: OutputStatement[];
  readonly filterNodes: FilterNode[];
  readonly outputNodes: OutputNode[];
  /** Codecs of inputs and outputs, closed last. */
  readonly codecs: Codec[];
  readonly stats: PipelineStats;
}

export interface BuildResult {
  graph: PipelineGraph;
  diagnostics: Diagnostic[];
}

type Instance = Input | Filter | Output;

/** Builds every plugin of `plan`; the graph is only usable when no diagnostic is an error. */
export function buildGraph(
  plan: PipelinePlan,
  registry: PluginRegistry,
  settings: ResolvedSettings,
  /** The pipeline's dead-letter queue: each plugin's context gets a `deadLetter` bound to it. */
  deadLetters?: DeadLetterWriter,
): BuildResult {
  return new GraphBuilder(plan, registry, settings, deadLetters).build();
}

class GraphBuilder {
  private readonly diagnostics: Diagnostic[] = [];
  private readonly ids: Map<PlanPlugin, string>;
  private readonly stats = new PipelineStats();
  private readonly graph: PipelineGraph = {
    inputs: [],
    filters: [],
    outputs: [],
    filterNodes: [],
    outputNodes: [],
    codecs: [],
    stats: this.stats,
  };

  constructor(
    private readonly plan: PipelinePlan,
    private readonly registry: PluginRegistry,
    private readonly settings: ResolvedSettings,
    private readonly deadLetters: DeadLetterWriter | undefined,
  ) {
    this.ids = assignIds(plan, this.diagnostics);
  }

  build(): BuildResult {
    for (const section of this.plan.sections) {
      if (section.type === "input") {
        for (const plugin of pluginsOf(section.body)) this.input(plugin);
      } else if (section.type === "filter") {
        this.graph.filters.push(...this.statements(section.body, (p) => this.filter(p)));
      } else {
        this.graph.outputs.push(...this.statements(section.body, (p) => this.output(p)));
      }
    }
    return { graph: this.graph, diagnostics: this.diagnostics };
  }

  private statements<N>(
    body: readonly PlanStatement[],
    build: (plugin: PlanPlugin) => N | undefined,
  ): Array<N | BranchNode<N>> {
    const out: Array<N | BranchNode<N>> = [];
    for (const statement of body) {
      if (statement.kind === "plugin") {
        const node = build(statement);
        if (node !== undefined) out.push(node);
        continue;
      }
      const where = `${statement.pos.file}:${statement.pos.line}:${statement.pos.column}`;
      let test: CompiledCondition;
      try {
        test = compileCondition(statement.condition);
      } catch (err) {
        this.problem(statement.pos, "condition", `cannot compile the condition at ${where}: ${message(err)}`);
        test = () => false;
      }
      out.push({
        kind: "if",
        test,
        where,
        thenBody: this.statements(statement.thenBody, build),
        elseBody: this.statements(statement.elseBody, build),
      });
    }
    return out;
  }

  private input(plan: PlanPlugin): void {
    const made = this.create<Input>(plan, "input");
    if (made === undefined) return;
    const { base, instance, options } = made;
    this.graph.inputs.push({ ...base, input: instance, decorate: inputDecoration(options) });
  }

  private filter(plan: PlanPlugin): FilterNode | undefined {
    const made = this.create<Filter>(plan, "filter");
    if (made === undefined) return undefined;
    const { base, instance, options } = made;
    const node: FilterNode = {
      ...base,
      kind: "filter",
      filter: instance,
      decorate: filterDecoration(options),
    };
    this.graph.filterNodes.push(node);
    return node;
  }

  private output(plan: PlanPlugin): OutputNode | undefined {
    const made = this.create<Output>(plan, "output");
    if (made === undefined) return undefined;
    const node: OutputNode = {
      ...made.base,
      kind: "output",
      index: this.graph.outputNodes.length,
      output: made.instance,
    };
    this.graph.outputNodes.push(node);
    return node;
  }

  private create<I extends Instance>(
    plan: PlanPlugin,
    kind: PluginKind,
  ): { base: NodeBase; instance: I; options: ResolvedOptions } | undefined {
    const id = this.ids.get(plan) ?? plan.name;
    const stats = new PluginStats(id, kind, plan.name);
    this.stats.plugins.push(stats);
    const logger = this.settings.logger.child(`${kind}s.${plan.name}`);
    const outcome = this.registry.resolve(plan, (spec, options) =>
      this.context(`${id}/${spec.name}`, options, logger.child(`codecs.${spec.name}`), stats, spec.name),
    );
    this.diagnostics.push(...outcome.diagnostics);
    for (const d of outcome.diagnostics) {
      if (d.severity === "warning") logger.warn(d.message, { plugin: id, hint: d.hint });
    }
    const resolved = outcome.resolved;
    if (resolved === undefined || outcome.diagnostics.some((d) => d.severity === "error")) return undefined;
    const { spec, options } = resolved;
    if (spec.kind === "input" || spec.kind === "output") this.graph.codecs.push(options.codec());
    try {
      const instance = spec.create(options, this.context(id, options, logger, stats, plan.name)) as I;
      return { base: { id, name: plan.name, stats, logger, pos: plan.pos }, instance, options };
    } catch (err) {
      const text = `${kind} "${plan.name}": ${message(err)}`;
      if (err instanceof StartupError && (kind === "filter" || kind === "output")) {
        // Logstash finds this at register: `-t` passes with a warning, and the pipeline refuses to start.
        const at = `${plan.pos.file}:${plan.pos.line}:${plan.pos.column}`;
        this.diagnostics.push({
          severity: "warning",
          code: "fails-at-start",
          message: `${text} (the pipeline will not start; Logstash also reports this only at start)`,
          file: plan.pos.file,
          line: plan.pos.line,
          column: plan.pos.column,
        });
        const failing = new StartupError(`${at}: ${text}`);
        const register = () => {
          throw failing;
        };
        const instance =
          kind === "filter" ? { register, filter: () => false } : { register, receive: () => {} };
        return {
          base: { id, name: plan.name, stats, logger, pos: plan.pos },
          instance: instance as unknown as I,
          options,
        };
      }
      this.problem(plan.pos, "plugin-config", text);
      return undefined;
    }
  }

  private context(
    id: string,
    options: ResolvedOptions,
    logger: Logger,
    stats: PluginStats,
    pluginType: string,
  ): PluginContext {
    const context: PluginContext & DeadLetterCapable = {
      id,
      pipelineId: this.settings.id,
      logger,
      ecsCompatibility: ecsModeOf(options, this.settings.ecsCompatibility),
      dataDir: this.settings.dataDir,
      workers: this.settings.workers,
      countFailure: (reason) => stats.countFailure(reason),
    };
    const deadLetters = this.deadLetters;
    if (deadLetters !== undefined)
      context.deadLetter = (event, reason) => {
        if (!deadLetters.write(event, reason, id, pluginType)) stats.countFailure("dead_letter_queue_full");
      };
    return context;
  }

  private problem(pos: SourcePosition, code: string, text: string): void {
    this.diagnostics.push({
      severity: "error",
      code,
      message: text,
      file: pos.file,
      line: pos.line,
      column: pos.column,
    });
  }
}

/** Every plugin's id: the one written (duplicates reported), else `<name>_<n>` numbered per name in config order. */
function assignIds(plan: PipelinePlan, diagnostics: Diagnostic[]): Map<PlanPlugin, string> {
  const plugins = plan.sections.flatMap((section) => pluginsOf(section.body));
  const given = new Map<string, SourcePosition>();
  const ids = new Map<PlanPlugin, string>();
  for (const plugin of plugins) {
    const id = writtenId(plugin);
    if (id === undefined) continue;
    ids.set(plugin, id);
    const first = given.get(id);
    if (first === undefined) {
      given.set(id, plugin.pos);
      continue;
    }
    diagnostics.push({
      severity: "error",
      code: "duplicate-id",
      message: `two plugins have the id '${id}'`,
      file: plugin.pos.file,
      line: plugin.pos.line,
      column: plugin.pos.column,
      hint: `the other one is at ${first.file}:${first.line}:${first.column}; ids must be unique in a pipeline`,
    });
  }
  const counters = new Map<string, number>();
  for (const plugin of plugins) {
    if (ids.has(plugin)) continue;
    let n = counters.get(plugin.name) ?? 0;
    let id: string;
    do id = `${plugin.name}_${++n}`;
    while (given.has(id));
    counters.set(plugin.name, n);
    ids.set(plugin, id);
  }
  return ids;
}

function writtenId(plugin: PlanPlugin): string | undefined {
  const value = plugin.attributes.get("id");
  const single = Array.isArray(value) && value.length === 1 ? value[0] : value;
  return typeof single === "string" || typeof single === "number" ? String(single) : undefined;
}

/** The plugins of a section body in config order, inside conditionals too. */
function pluginsOf(body: readonly PlanStatement[]): PlanPlugin[] {
  return body.flatMap((s) =>
    s.kind === "plugin" ? [s] : [...pluginsOf(s.thenBody), ...pluginsOf(s.elseBody)],
  );
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
