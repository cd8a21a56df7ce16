// Loads what `sluice test` runs test cases against: one Logstash config (a file, directory or glob) or a
// pipelines.yml naming several, and LFV's plugin mocks file (`- id: x` removes a plugin, `mock: |` replaces it).

import { readFile } from "node:fs/promises";
import { dirname, isAbsolute, join } from "node:path";
import {
  buildPlan,
  type ConfigSource,
  type Diagnostic,
  loadConfigSources,
  type PipelinePlan,
  type PlanPlugin,
} from "../config/index.js";
import { mapPlugins, pluginId } from "./harness.js";
import { isObject, type JsonValue, TestCaseError } from "./testcase.js";
import { parseYaml, YamlError } from "./yaml.js";

export interface TestPipeline {
  id: string;
  plan: PipelinePlan;
}

export interface LoadedPipelines {
  pipelines: TestPipeline[];
  diagnostics: Diagnostic[];
  /** Source texts by file name, for printing diagnostics with their lines. */
  sources: ConfigSource[];
}

export interface PipelineSource {
  /** A Logstash config (like `-f`). */
  config?: string;
  /** A pipelines.yml; its `path.config` entries are relative to `pipelineBase` (default: the file's directory). */
  pipelines?: string;
  pipelineBase?: string;
}

export async function loadPipelines(source: PipelineSource): Promise<LoadedPipelines> {
  const entries: Array<{ id: string; path: string }> = [];
  if (source.pipelines !== undefined) {
    const base = source.pipelineBase ?? dirname(source.pipelines);
    for (const entry of await readPipelinesYml(source.pipelines)) {
      entries.push({ id: entry.id, path: isAbsolute(entry.path) ? entry.path : join(base, entry.path) });
    }
  } else if (source.config !== undefined) {
    entries.push({ id: "main", path: source.config });
  }
  const loaded: LoadedPipelines = { pipelines: [], diagnostics: [], sources: [] };
  for (const entry of entries) {
    const config = await loadConfigSources({ paths: [entry.path] });
    const { plan, diagnostics } = buildPlan(config.sources);
    loaded.sources.push(...config.sources);
    loaded.diagnostics.push(...config.diagnostics, ...diagnostics);
    loaded.pipelines.push({ id: entry.id, plan });
  }
  return loaded;
}

async function readPipelinesYml(file: string): Promise<Array<{ id: string; path: string }>> {
  const data = await readYamlFile(file);
  if (!Array.isArray(data)) throw new TestCaseError("pipelines.yml must hold a list of pipelines", file);
  return data.map((entry, i) => {
    const id = isObject(entry) ? entry["pipeline.id"] : undefined;
    const path = isObject(entry) ? entry["path.config"] : undefined;
    if (typeof id !== "string" || typeof path !== "string") {
      throw new TestCaseError(`pipeline ${i + 1} needs a \`pipeline.id\` and a \`path.config\``, file);
    }
    return { id, path };
  });
}

async function readYamlFile(file: string): Promise<JsonValue> {
  const text = await readFile(file, "utf8").catch((err: Error) => {
    throw new TestCaseError(`cannot read: ${err.message}`, file);
  });
  try {
    return parseYaml(text) as JsonValue;
  } catch (err) {
    if (err instanceof YamlError) throw new TestCaseError(err.message, file, err.line, err.column);
    throw err;
  }
}

// ---------------------------------------------------------------- mocks

/** One mock: the plugin with this id is removed (no replacement) or replaced. */
export interface PluginMock {
  id: string;
  replacement: PlanPlugin | undefined;
}

export async function loadMocks(file: string): Promise<PluginMock[]> {
  const data = await readYamlFile(file);
  if (data === null) return [];
  if (!Array.isArray(data))
    throw new TestCaseError("a mocks file must hold a list of `- id: ...` entries", file);
  return data.map((entry, i) => {
    const id = isObject(entry) ? entry.id : undefined;
    const mock = isObject(entry) ? entry.mock : undefined;
    if (typeof id !== "string") throw new TestCaseError(`mock ${i + 1} needs an \`id\``, file);
    if (mock === undefined || mock === null) return { id, replacement: undefined };
    if (typeof mock !== "string") throw new TestCaseError(`the mock of \`${id}\` must be plugin text`, file);
    return { id, replacement: parseMock(mock, id, file) };
  });
}

/** A mock's text is one plugin (`mutate { ... }`); it takes over the mocked plugin's id. */
function parseMock(text: string, id: string, file: string): PlanPlugin {
  const { plan, diagnostics } = buildPlan([
    { file: `${file} (mock of ${id})`, text: `filter {\n${text}\n}` },
  ]);
  const error = diagnostics.find((d) => d.severity === "error");
  if (error !== undefined) throw new TestCaseError(`mock of \`${id}\`: ${error.message}`, file);
  const body = plan.sections[0]?.body ?? [];
  const plugin = body[0];
  if (body.length !== 1 || plugin === undefined || plugin.kind !== "plugin") {
    throw new TestCaseError(`the mock of \`${id}\` must be exactly one plugin`, file);
  }
  plugin.attributes.set("id", id);
  return plugin;
}

export function applyMocks(plan: PipelinePlan, mocks: readonly PluginMock[]): PipelinePlan {
  if (mocks.length === 0) return plan;
  const byId = new Map(mocks.map((m) => [m.id, m]));
  return {
    sections: plan.sections.map((section) => ({
      ...section,
      body: mapPlugins(section.body, (plugin) => {
        const id = pluginId(plugin);
        const mock = id === undefined ? undefined : byId.get(id);
        if (mock === undefined) return plugin;
        if (mock.replacement === undefined) return null;
        return { ...mock.replacement, type: plugin.type, pos: plugin.pos };
      }),
    })),
  };
}
