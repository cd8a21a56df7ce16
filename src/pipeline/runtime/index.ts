// The pipeline runtime's entry points: build a pipeline from a plan and a registry, run it, stop it, read its stats.

export { FlushMode } from "./executor.js";
export { createPipeline, Pipeline, PipelineConfigError, periodicFlushMs } from "./pipeline.js";
export { type OrderedSetting, type PipelineSettings, settingDefaults } from "./settings.js";
export { PipelineStats, PluginStats } from "./stats.js";
