// The monitoring and management API (Logstash's :9600): the server, the source it reads, and its renderers.

export { type HealthReport, type HealthStatus, healthReport } from "./health.js";
export { prometheusText } from "./prometheus.js";
export {
  defaultApiHost,
  defaultApiPorts,
  type MonitoringApi,
  type MonitoringApiOptions,
  parsePortRange,
  startMonitoringApi,
} from "./server.js";
export {
  holderSource,
  monitoredSlot,
  type PipelineHolder,
  persistentNodeId,
  type SlotSourceOptions,
  slotSource,
} from "./slot-source.js";
export { type NodeSnapshot, takeSnapshot } from "./snapshot.js";
export {
  type InstalledPlugin,
  type MonitoredPipeline,
  type MonitoringSource,
  type PipelineInfo,
  type PipelineRunState,
  pipelineInfoOf,
  queuedEvents,
} from "./source.js";
