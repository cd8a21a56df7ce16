// Hot reload's entry points: pipeline slots, the reload procedure, the config watcher and automatic reload.

export {
  type AutoReloader,
  type AutoReloadOptions,
  defaultReloadIntervalMs,
  parseReloadInterval,
  reloadFlagProblem,
  startAutoReload,
} from "./auto.js";
export {
  configHash,
  instantiate,
  type LoadedDefinition,
  loadDefinition,
  type OpenOutcome,
  openSlot,
  type ReloadOptions,
  type ReloadOutcome,
  type ReloadStatus,
  recordFailedReload,
  reloadPipeline,
} from "./reload.js";
export { type BuiltConfig, type PipelineDefinition, PipelineSlot, type SlotState } from "./slot.js";
export { type ReloadError, ReloadStats } from "./stats.js";
export { ConfigWatcher, type WatchedConfig } from "./watcher.js";
