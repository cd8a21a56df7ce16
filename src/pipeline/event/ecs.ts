// ECS-compatibility modes: plugins that name fields differently under ECS read the pipeline's mode from here.
// `v8` is the default (as in Logstash 8); `v1` names the same field set as v8 for the plugins we support.

export type EcsCompatibility = "disabled" | "v1" | "v8";

export const defaultEcsCompatibility: EcsCompatibility = "v8";

/** Parses a `pipeline.ecs_compatibility` / per-plugin `ecs_compatibility` value; undefined means invalid. */
export function parseEcsCompatibility(text: string | undefined): EcsCompatibility | undefined {
  if (text === undefined) return defaultEcsCompatibility;
  const value = text.trim().toLowerCase();
  return value === "disabled" || value === "v1" || value === "v8" ? value : undefined;
}

/** True when plugins should write ECS field names (e.g. `[host][name]` rather than `host`). */
export function ecsEnabled(mode: EcsCompatibility): boolean {
  return mode !== "disabled";
}
