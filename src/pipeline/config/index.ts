// The pipeline-configuration package's entry points: parse every loaded source on its own (as Logstash does since
// 6.0) and join their sections in order, collecting every diagnostic.

import type { ConfigNode } from "./ast.js";
import { type CompileOptions, type CompileResult, compileConfig } from "./compile.js";
import type { Diagnostic } from "./diagnostics.js";
import type { ConfigSource } from "./load.js";
import { parseConfig } from "./parser.js";

export type { ConfigNode, SourcePosition } from "./ast.js";
export type {
  CompileOptions,
  PipelinePlan,
  PlanCondition,
  PlanHash,
  PlanIf,
  PlanOperand,
  PlanPlugin,
  PlanSection,
  PlanStatement,
  PlanValue,
} from "./compile.js";
export { compileConfig, parseFieldReference } from "./compile.js";
export { type Diagnostic, formatDiagnostic, formatDiagnostics, hasErrors } from "./diagnostics.js";
export { type ConfigSource, type LoadedConfig, loadConfigSources } from "./load.js";
export { parseConfig } from "./parser.js";

export interface ParsedSources {
  /** One syntax tree whose sections come from every source, in order. */
  ast: ConfigNode;
  diagnostics: Diagnostic[];
}

export function parseSources(sources: readonly ConfigSource[]): ParsedSources {
  const diagnostics: Diagnostic[] = [];
  const sections: ConfigNode["sections"] = [];
  for (const source of sources) {
    const result = parseConfig(source.text, source.file);
    sections.push(...result.ast.sections);
    diagnostics.push(...result.diagnostics);
  }
  const first = sources[0]?.file ?? "config";
  const ast: ConfigNode = {
    kind: "config",
    sections,
    pos: { file: first, line: 1, column: 1, offset: 0 },
    end: 0,
  };
  return { ast, diagnostics };
}

/** Parses and compiles; the plan is only meaningful when no diagnostic is an error. */
export function buildPlan(sources: readonly ConfigSource[], options: CompileOptions = {}): CompileResult {
  const parsed = parseSources(sources);
  const compiled = compileConfig(parsed.ast, options);
  return { plan: compiled.plan, diagnostics: [...parsed.diagnostics, ...compiled.diagnostics] };
}
