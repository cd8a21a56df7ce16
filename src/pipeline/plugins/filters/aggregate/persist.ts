// aggregate_maps_path: writes every pattern's maps to a JSON file when the pipeline stops and reads them back
// (then deletes the file) when it starts, so tasks survive a restart. Logstash writes Ruby Marshal; ours is JSON.

import { existsSync, readFileSync, renameSync, unlinkSync, writeFileSync } from "node:fs";
import type { DumpedMap } from "../../../ruby/engine.js";
import type { PipelineAggregates, TaskTimes } from "./pipeline.js";

const FORMAT = "sluice-aggregate-maps";

type StoredTask = DumpedMap & Omit<TaskTimes, "timeoutS" | "inactivityTimeoutS">;

interface StoredMaps {
  format: typeof FORMAT;
  version: 1;
  patterns: Record<string, StoredTask[]>;
}

/** Writes the maps (skipping empty patterns); writes nothing when there are none. Returns the tasks written. */
export function saveMaps(path: string, shared: PipelineAggregates): number {
  const patterns: Record<string, StoredTask[]> = {};
  let count = 0;
  for (const [pattern, maps] of shared.patterns) {
    if (maps.tasks.size === 0) continue;
    patterns[pattern] = maps.ruby.dump().flatMap((dumped) => {
      const times = maps.tasks.get(dumped.id);
      if (times === undefined) return [];
      const { creationMs, lastEventMs, creationLagS, lastEventLagS } = times;
      return [{ ...dumped, creationMs, lastEventMs, creationLagS, lastEventLagS }];
    });
    count += patterns[pattern]!.length;
  }
  if (count === 0) return 0;
  const stored: StoredMaps = { format: FORMAT, version: 1, patterns };
  const temporary = `${path}.tmp`;
  writeFileSync(temporary, JSON.stringify(stored));
  renameSync(temporary, path);
  return count;
}

/** Reads the file into the pipeline's maps and deletes it. Returns the tasks read, or undefined without a file. */
export function loadMaps(path: string, shared: PipelineAggregates): number | undefined {
  if (!existsSync(path)) return undefined;
  const stored = JSON.parse(readFileSync(path, "utf8")) as Partial<StoredMaps>;
  if (stored.format !== FORMAT || typeof stored.patterns !== "object" || stored.patterns === null) {
    throw new Error(`${path} is not an aggregate maps file written by sluice`);
  }
  let count = 0;
  for (const [pattern, tasks] of Object.entries(stored.patterns)) {
    const maps = shared.maps(pattern);
    for (const task of tasks) {
      maps.ruby.load(task, task);
      maps.tasks.set(task.id, {
        creationMs: task.creationMs,
        lastEventMs: task.lastEventMs,
        creationLagS: task.creationLagS,
        lastEventLagS: task.lastEventLagS,
        timeoutS: task.timeout,
        inactivityTimeoutS: task.inactivityTimeout,
      });
      if (task.timeout !== null || task.inactivityTimeout !== null) maps.checkEveryFlush = true;
      count++;
    }
  }
  unlinkSync(path);
  return count;
}
