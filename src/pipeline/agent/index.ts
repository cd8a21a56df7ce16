// Running several pipelines in one process: pipelines.yml and logstash.yml, the agent, the pipeline bus.

export {
  Agent,
  type AgentOptions,
  type AgentPipelineSettings,
  type ConvergeOutcome,
  type ReloadDisplay,
} from "./agent.js";
export { AddressInUseError, type BusReceiver, PipelineBus, pipelineBus } from "./bus.js";
export {
  defaultInput,
  defaultOutput,
  loadPlan,
  pipelineLinks,
  withDefaultSections,
} from "./config-sources.js";
export { type LogstashYml, readLogstashYml } from "./logstash-yml.js";
export {
  type LoadedDefinitions,
  type PipelineDefinition,
  parsePipelinesYml,
  readPipelinesYml,
} from "./pipelines-yml.js";
export {
  type AgentApiOptions,
  type AgentReloadOptions,
  type AgentServices,
  type AgentServicesOptions,
  startAgentServices,
} from "./services.js";
export { applySetting, isPipelineSettingKey, type PipelineOverrides } from "./settings.js";
