// Test helpers for the outputs: a tiny codec standing in for json_lines/json, and a context that records the
// failures and log lines a plugin produces.

import { createLogger } from "../../../../common/logger.js";
import type { Event } from "../../../event/index.js";
import type { Codec, PluginContext } from "../../api.js";

/** json_lines-like: one JSON object and a newline per event. */
export const linesCodec: Codec = {
  createDecoder: () => ({ write: () => {}, end: () => {} }),
  encode: (event: Event) => `${JSON.stringify(event.toObject())}\n`,
};

/** json-like: one JSON object per event, no delimiter (as Logstash's json codec writes). */
export const bareJsonCodec: Codec = {
  createDecoder: () => ({ write: () => {}, end: () => {} }),
  encode: (event: Event) => JSON.stringify(event.toObject()),
};

export interface RecordingContext {
  context: PluginContext;
  failures: string[];
  logs: string[];
}

export function recordingContext(id = "test_output"): RecordingContext {
  const failures: string[] = [];
  const logs: string[] = [];
  const context: PluginContext = {
    id,
    pipelineId: "test",
    logger: createLogger({ level: "debug", write: (line) => logs.push(line) }),
    ecsCompatibility: "v8",
    dataDir: "",
    countFailure: (reason) => failures.push(reason),
  };
  return { context, failures, logs };
}
