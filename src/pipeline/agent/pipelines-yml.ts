// pipelines.yml: a YAML list of pipelines, each with a `pipeline.id`, its configuration (`path.config` or
// `config.string`) and per-pipeline settings. Every entry is checked; problems carry file:line:column.

import { readFile } from "node:fs/promises";
import { isAbsolute, join } from "node:path";
import type { Diagnostic } from "../config/index.js";
import { applySetting, type PipelineOverrides } from "./settings.js";
import { diag, parseYamlSettings, type SettingEntry } from "./yaml-settings.js";

/** One pipeline to run: where its configuration comes from and the settings it overrides. */
export interface PipelineDefinition {
  id: string;
  /** `-f` / `path.config`: files, directories or globs. */
  configPaths?: string[];
  /** `-e` / `config.string` */
  configString?: string;
  settings?: PipelineOverrides;
  /** Where the pipeline was declared, for messages (pipelines.yml entry, or the command line). */
  origin?: { file: string; line: number; column: number };
}

export interface LoadedDefinitions {
  definitions: PipelineDefinition[];
  diagnostics: Diagnostic[];
}

/** Reads and checks a pipelines.yml; relative `path.config` values are resolved against `baseDir`. */
/** Relative paths are relative to the working directory, as Logstash resolves them against where it runs. */
export async function readPipelinesYml(file: string, baseDir = process.cwd()): Promise<LoadedDefinitions> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    return {
      definitions: [],
      diagnostics: [
        diag(file, 1, 1, "pipelines-yml", `cannot read pipelines.yml: ${(err as Error).message}`),
      ],
    };
  }
  return parsePipelinesYml(text, file, baseDir);
}

export function parsePipelinesYml(
  text: string,
  file: string,
  baseDir = process.cwd(),
  env: Readonly<Record<string, string | undefined>> = process.env,
): LoadedDefinitions {
  const parsed = parseYamlSettings(text, file, env);
  const diagnostics = [...parsed.diagnostics];
  const definitions: PipelineDefinition[] = [];
  const settings = parsed.settings;
  if (settings.shape === "empty") {
    if (diagnostics.length === 0)
      diagnostics.push(diag(file, 1, 1, "pipelines-yml", "pipelines.yml defines no pipeline"));
    return { definitions, diagnostics };
  }
  if (settings.shape !== "list") {
    const pos = settings.shape === "other" ? settings : { line: 1, column: 1 };
    diagnostics.push(
      diag(
        file,
        pos.line,
        pos.column,
        "pipelines-yml",
        "pipelines.yml must be a list of pipelines (`- pipeline.id: ...`)",
      ),
    );
    return { definitions, diagnostics };
  }
  const seen = new Map<string, number>();
  settings.items.forEach((item, index) => {
    if (item.entries === undefined) {
      diagnostics.push(
        diag(
          file,
          item.line,
          item.column,
          "pipelines-yml",
          `pipeline ${index + 1} must be a mapping of settings`,
        ),
      );
      return;
    }
    const definition = definitionOf(item.entries, item, file, baseDir, diagnostics, index);
    if (definition === undefined) return;
    const earlier = seen.get(definition.id);
    if (earlier !== undefined)
      diagnostics.push(
        diag(
          file,
          item.line,
          item.column,
          "duplicate-pipeline-id",
          `pipeline.id "${definition.id}" is already used by the pipeline at line ${earlier}`,
        ),
      );
    else seen.set(definition.id, item.line);
    definitions.push(definition);
  });
  return { definitions, diagnostics };
}

function definitionOf(
  entries: SettingEntry[],
  at: { line: number; column: number },
  file: string,
  baseDir: string,
  diagnostics: Diagnostic[],
  index: number,
): PipelineDefinition | undefined {
  const byKey = new Map(entries.map((e) => [e.key, e]));
  const id = byKey.get("pipeline.id");
  const problem = (line: number, column: number, message: string) =>
    diagnostics.push(diag(file, line, column, "pipelines-yml", message));
  if (
    id === undefined ||
    (typeof id.value !== "string" && typeof id.value !== "number") ||
    String(id.value) === ""
  ) {
    problem(at.line, at.column, `pipeline ${index + 1} has no pipeline.id`);
    return undefined;
  }
  const definition: PipelineDefinition = {
    id: String(id.value),
    settings: {},
    origin: { file, line: at.line, column: at.column },
  };
  const path = byKey.get("path.config");
  const string = byKey.get("config.string");
  if (path !== undefined && string !== undefined)
    problem(
      string.line,
      string.column,
      `pipeline "${definition.id}" has both path.config and config.string; give one`,
    );
  else if (path === undefined && string === undefined)
    problem(at.line, at.column, `pipeline "${definition.id}" needs path.config or config.string`);
  if (path !== undefined) {
    if (typeof path.value !== "string") problem(path.line, path.column, "path.config must be a string");
    else definition.configPaths = [isAbsolute(path.value) ? path.value : join(baseDir, path.value)];
  }
  if (string !== undefined) {
    if (typeof string.value !== "string")
      problem(string.line, string.column, "config.string must be a string");
    else definition.configString = string.value;
  }
  for (const entry of entries) {
    const d = applySetting(entry, definition.settings!, file, "error");
    if (d !== undefined) diagnostics.push(d);
  }
  return definition;
}
