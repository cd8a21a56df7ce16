// logstash.yml: the process-wide settings file under --path.settings. Sluice applies the pipeline defaults it
// knows (pipeline.*, config.support_escapes, queue.type), path.data, log.level, config.reload.* and api.*;
// every other key is kept in `values` for the parts of Sluice that read it and otherwise reported as ignored.

import { readFile } from "node:fs/promises";
import type { Diagnostic } from "../config/index.js";
import { applySetting, type PipelineOverrides } from "./settings.js";
import { diag, parseYamlSettings } from "./yaml-settings.js";

export interface LogstashYml {
  /** Defaults for every pipeline. */
  pipeline: PipelineOverrides;
  pathData?: string;
  logLevel?: string;
  /** A single pipeline named in logstash.yml (used when there is no pipelines.yml and no -f/-e). */
  pipelineId?: string;
  pathConfig?: string;
  configString?: string;
  /** Process-wide settings read by `sluice run` (checked there, with the flags that override them). */
  reloadAutomatic?: unknown;
  reloadInterval?: string;
  apiEnabled?: unknown;
  apiHttpHost?: string;
  apiHttpPort?: string;
  /** Every setting as written, flattened to dotted keys. */
  values: Map<string, unknown>;
  diagnostics: Diagnostic[];
}

/** Keys other parts of Sluice may read from logstash.yml; not reported as ignored. */
const readElsewhere = /^(api|http|node|path|log|xpack|monitoring|config)\./;

/** Reads `file`; a missing file is an empty one (Logstash only warns when logstash.yml is absent). */
export async function readLogstashYml(file: string): Promise<LogstashYml> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    const result = emptyLogstashYml();
    if ((err as NodeJS.ErrnoException).code !== "ENOENT")
      result.diagnostics.push(
        diag(file, 1, 1, "logstash-yml", `cannot read logstash.yml: ${(err as Error).message}`),
      );
    return result;
  }
  return parseLogstashYml(text, file);
}

export function parseLogstashYml(
  text: string,
  file: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
): LogstashYml {
  const parsed = parseYamlSettings(text, file, env);
  const result = emptyLogstashYml();
  result.diagnostics.push(...parsed.diagnostics);
  const settings = parsed.settings;
  if (settings.shape === "empty") return result;
  if (settings.shape !== "map") {
    result.diagnostics.push(diag(file, 1, 1, "logstash-yml", "logstash.yml must be a mapping of settings"));
    return result;
  }
  for (const entry of settings.entries) {
    result.values.set(entry.key, entry.value);
    const text = entry.value === null || entry.value === undefined ? undefined : String(entry.value);
    if (entry.key === "path.data") result.pathData = text;
    else if (entry.key === "log.level") result.logLevel = text;
    else if (entry.key === "pipeline.id") result.pipelineId = text;
    else if (entry.key === "path.config") result.pathConfig = text;
    else if (entry.key === "config.string") result.configString = text;
    else if (entry.key === "config.reload.automatic") result.reloadAutomatic = entry.value;
    else if (entry.key === "config.reload.interval") result.reloadInterval = text;
    else if (entry.key === "api.enabled") result.apiEnabled = entry.value;
    else if (entry.key === "api.http.host") result.apiHttpHost = text;
    else if (entry.key === "api.http.port") result.apiHttpPort = text;
    else {
      const d = applySetting(entry, result.pipeline, file, "warning");
      if (d !== undefined && !(d.code === "unknown-setting" && readElsewhere.test(entry.key)))
        result.diagnostics.push(d);
    }
  }
  return result;
}

function emptyLogstashYml(): LogstashYml {
  return { pipeline: {}, values: new Map(), diagnostics: [] };
}
