// Finds plugins by kind and name, adds the options every plugin of a kind shares, and checks a whole plan:
// unknown plugins (with a did-you-mean), unknown, obsolete, deprecated, missing and mistyped options, codecs,
// duplicate ids. `sluice run -t` and `sluice validate` report exactly these diagnostics.

import { createLogger } from "../../common/logger.js";
import type { Diagnostic } from "../config/diagnostics.js";
import type { PipelinePlan, PlanPlugin, PlanStatement, SourcePosition } from "../config/index.js";
import { defaultEcsCompatibility, parseEcsCompatibility } from "../event/index.js";
import type { Codec, PluginContext, PluginKind, PluginSpec } from "./api.js";
import { closest, type OptionSpecs, type ResolvedOptions, resolveOptions } from "./options.js";

const ecsOption = {
  type: ["disabled", "v1", "v8"],
  doc: "Elastic Common Schema mode: field names this plugin reads and writes.",
} as const;

/** The options Logstash gives every plugin of a kind (LogStash::Inputs::Base, Filters::Base, ...). */
export const commonOptions: Record<PluginKind, OptionSpecs> = {
  input: {
    id: { type: "string", doc: "A unique name for this plugin in monitoring and logs." },
    type: { type: "string", doc: "Sets the `type` field of events that have none." },
    tags: { type: "array", doc: "Tags added to every event." },
    add_field: { type: "hash", default: {}, doc: "Fields added to every event (sprintf allowed)." },
    codec: { type: "codec", doc: "How raw input is decoded into events." },
    enable_metric: { type: "boolean", default: true },
    ecs_compatibility: ecsOption,
  },
  codec: {
    id: { type: "string" },
    enable_metric: { type: "boolean", default: true },
    ecs_compatibility: ecsOption,
  },
  filter: {
    id: { type: "string", doc: "A unique name for this plugin in monitoring and logs." },
    add_field: { type: "hash", default: {}, doc: "Fields added when the filter succeeds (sprintf allowed)." },
    add_tag: { type: "array", default: [], doc: "Tags added when the filter succeeds." },
    remove_field: { type: "array", default: [], doc: "Fields removed when the filter succeeds." },
    remove_tag: { type: "array", default: [], doc: "Tags removed when the filter succeeds." },
    periodic_flush: { type: "boolean", default: false },
    enable_metric: { type: "boolean", default: true },
    ecs_compatibility: ecsOption,
  },
  output: {
    id: { type: "string", doc: "A unique name for this plugin in monitoring and logs." },
    codec: { type: "codec", doc: "How events are encoded for the destination." },
    enable_metric: { type: "boolean", default: true },
    workers: {
      type: "number",
      default: 1,
      deprecated: "outputs run on the pipeline's workers; this is ignored",
    },
    ecs_compatibility: ecsOption,
  },
};

/** A plugin found and configured: its spec and checked options. */
export interface ResolvedPlugin {
  spec: PluginSpec;
  options: ResolvedOptions;
  plan: PlanPlugin;
}

export interface ResolveOutcome {
  resolved?: ResolvedPlugin;
  diagnostics: Diagnostic[];
}

/** Builds the context a plugin instance gets; the registry calls it for codecs it creates. */
export type ContextFactory = (spec: PluginSpec, options: ResolvedOptions) => PluginContext;

export class PluginRegistry {
  private readonly specs = new Map<string, PluginSpec>();

  constructor(specs: readonly PluginSpec[]) {
    for (const spec of specs) {
      const key = `${spec.kind}/${spec.name}`;
      if (this.specs.has(key)) throw new Error(`two ${spec.kind} plugins named ${spec.name}`);
      for (const option of Object.keys(spec.options)) {
        if (option in commonOptions[spec.kind] && option !== "codec")
          throw new Error(`${spec.kind} ${spec.name} redeclares the common option ${option}`);
      }
      this.specs.set(key, spec);
    }
  }

  lookup(kind: PluginKind, name: string): PluginSpec | undefined {
    return this.specs.get(`${kind}/${name}`);
  }

  names(kind: PluginKind): string[] {
    return [...this.specs.values()]
      .filter((s) => s.kind === kind)
      .map((s) => s.name)
      .sort();
  }

  all(): PluginSpec[] {
    return [...this.specs.values()];
  }

  /** The plugin's options and its kind's common ones. */
  optionsOf(spec: PluginSpec): OptionSpecs {
    return { ...commonOptions[spec.kind], ...spec.options };
  }

  /** Finds and checks one plugin; `makeContext` is used for the codec it needs (none is created without it). */
  resolve(plugin: PlanPlugin, makeContext: ContextFactory = quietContext): ResolveOutcome {
    const kind = plugin.type;
    const spec = this.lookup(kind, plugin.name);
    if (spec === undefined) return { diagnostics: [this.unknownPlugin(kind, plugin.name, plugin.pos)] };
    const label = `${kind} "${plugin.name}"`;
    const defaultCodec = spec.kind === "input" || spec.kind === "output" ? spec.defaultCodec : undefined;
    const codecs =
      defaultCodec === undefined
        ? undefined
        : {
            defaultCodec,
            factory: (value: string | PlanPlugin, pos: SourcePosition): Codec | Diagnostic[] =>
              this.createCodec(value, pos, makeContext),
          };
    const { options, diagnostics } = resolveOptions(plugin, this.optionsOf(spec), label, codecs);
    return { resolved: { spec, options, plan: plugin }, diagnostics };
  }

  /** Every diagnostic of a plan: each plugin resolved, ids unique. */
  check(plan: PipelinePlan): Diagnostic[] {
    const diagnostics: Diagnostic[] = [];
    const ids = new Map<string, SourcePosition>();
    const visit = (statements: readonly PlanStatement[]) => {
      for (const statement of statements) {
        if (statement.kind === "if") {
          visit(statement.thenBody);
          visit(statement.elseBody);
          continue;
        }
        const outcome = this.resolve(statement);
        diagnostics.push(...outcome.diagnostics);
        const id = outcome.resolved?.options.optionalString("id");
        if (id === undefined) continue;
        const first = ids.get(id);
        if (first !== undefined) {
          diagnostics.push({
            severity: "error",
            code: "duplicate-id",
            message: `two plugins have the id '${id}'`,
            file: statement.pos.file,
            line: statement.pos.line,
            column: statement.pos.column,
            hint: `the other one is at ${first.file}:${first.line}:${first.column}; ids must be unique in a pipeline`,
          });
        } else {
          ids.set(id, statement.pos);
        }
      }
    };
    for (const section of plan.sections) visit(section.body);
    return diagnostics;
  }

  private createCodec(
    value: string | PlanPlugin,
    pos: SourcePosition,
    makeContext: ContextFactory,
  ): Codec | Diagnostic[] {
    const plan: PlanPlugin =
      typeof value === "string"
        ? { kind: "plugin", type: "codec", name: value, attributes: new Map(), pos }
        : value;
    const spec = this.lookup("codec", plan.name);
    if (spec === undefined || spec.kind !== "codec")
      return [this.unknownPlugin("codec", plan.name, plan.pos)];
    const { options, diagnostics } = resolveOptions(plan, this.optionsOf(spec), `codec "${plan.name}"`);
    if (diagnostics.some((d) => d.severity === "error")) return diagnostics;
    try {
      return spec.create(options, makeContext(spec, options));
    } catch (err) {
      return [
        {
          severity: "error",
          code: "plugin-config",
          message: `codec "${plan.name}": ${(err as Error).message}`,
          file: plan.pos.file,
          line: plan.pos.line,
          column: plan.pos.column,
        },
      ];
    }
  }

  private unknownPlugin(kind: PluginKind, name: string, pos: SourcePosition): Diagnostic {
    const known = this.names(kind);
    const suggestion = closest(name, known);
    return {
      severity: "error",
      code: "unknown-plugin",
      message: `no ${kind} plugin named '${name}'`,
      file: pos.file,
      line: pos.line,
      column: pos.column,
      hint:
        suggestion !== undefined
          ? `did you mean '${suggestion}'?`
          : `known ${kind} plugins: ${known.join(", ")}`,
    };
  }
}

/** The ECS mode a plugin runs in: its own option, else the pipeline's. */
export function ecsModeOf(options: ResolvedOptions, pipelineDefault = defaultEcsCompatibility) {
  // parseEcsCompatibility(undefined) is the global default, so an absent option must not reach it.
  const own = options.optionalString("ecs_compatibility");
  return own === undefined ? pipelineDefault : (parseEcsCompatibility(own) ?? pipelineDefault);
}

const silent = createLogger({ level: "fatal", write: () => {} });

/** For checking only: plugins created with it log nothing and keep no state on disk. */
export const quietContext: ContextFactory = (spec, options) => ({
  id: options.optionalString("id") ?? spec.name,
  pipelineId: "check",
  logger: silent,
  ecsCompatibility: ecsModeOf(options),
  dataDir: "",
  countFailure: () => {},
});
