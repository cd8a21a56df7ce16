// Turns one pipeline definition into a checked plan: reads its configuration (-f paths or a string), adds
// Logstash's default stdin/stdout sections where it would, parses, compiles and checks every plugin.

import {
  buildPlan,
  type ConfigSource,
  type Diagnostic,
  hasErrors,
  loadConfigSources,
  type PipelinePlan,
  type PlanPlugin,
  type PlanStatement,
  type PlanValue,
} from "../config/index.js";
import type { PluginRegistry } from "../plugins/registry.js";
import type { PipelineDefinition } from "./pipelines-yml.js";

/** What Logstash adds when no configuration part has an input or an output section (config/source/local.rb). */
export const defaultInput: ConfigSource = {
  file: "default input",
  text: "input { stdin { type => stdin } }",
};
export const defaultOutput: ConfigSource = {
  file: "default output",
  text: "output { stdout { codec => rubydebug } }",
};

/** Logstash tests the raw text of every part, comments included, with these patterns. */
export function withDefaultSections(sources: readonly ConfigSource[]): ConfigSource[] {
  const out = [...sources];
  if (!sources.some((s) => /input *\{/.test(s.text))) out.push(defaultInput);
  if (!sources.some((s) => /output *\{/.test(s.text))) out.push(defaultOutput);
  return out;
}

export interface LoadedPlan {
  plan: PipelinePlan;
  sources: ConfigSource[];
  /** Loader, compiler and registry diagnostics; the plan is usable only without errors. */
  diagnostics: Diagnostic[];
}

export interface PlanOptions {
  supportEscapes: boolean;
  /** Add stdin/stdout when a section kind is missing: Logstash does it for -e strings (and Sluice for -f too). */
  defaultSections: boolean;
  /** Names a config.string source after its pipeline so several pipelines' messages stay apart. */
  stringFileName?: string;
}

export async function loadPlan(
  definition: PipelineDefinition,
  registry: PluginRegistry,
  options: PlanOptions,
): Promise<LoadedPlan> {
  const loaded = await loadConfigSources({ paths: definition.configPaths, string: definition.configString });
  let sources = loaded.sources;
  if (options.stringFileName !== undefined && definition.configString !== undefined)
    sources = sources.map((s, i) => (i === 0 ? { ...s, file: options.stringFileName! } : s));
  if (options.defaultSections) sources = withDefaultSections(sources);
  const compiled = buildPlan(sources, { supportEscapes: options.supportEscapes });
  const diagnostics = [...loaded.diagnostics, ...compiled.diagnostics];
  if (!hasErrors(diagnostics)) diagnostics.push(...registry.check(compiled.plan));
  return { plan: compiled.plan, sources, diagnostics };
}

/** The `pipeline` plugins of a plan: the addresses it listens on and those it sends to (literal values only). */
export function pipelineLinks(plan: PipelinePlan): { listensOn: string[]; sendsTo: string[] } {
  const listensOn: string[] = [];
  const sendsTo: string[] = [];
  const visit = (statements: readonly PlanStatement[]) => {
    for (const s of statements) {
      if (s.kind === "if") {
        visit(s.thenBody);
        visit(s.elseBody);
      } else if (s.name === "pipeline") collect(s);
    }
  };
  const collect = (plugin: PlanPlugin) => {
    if (plugin.type === "input") listensOn.push(...strings(plugin.attributes.get("address")));
    if (plugin.type === "output") sendsTo.push(...strings(plugin.attributes.get("send_to")));
  };
  for (const section of plan.sections) visit(section.body);
  return { listensOn, sendsTo };
}

function strings(value: PlanValue | undefined): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === "string");
  return [];
}
