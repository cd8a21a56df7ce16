// The log storage engine's public surface: partition logs, the topic catalogue, config and errors.

export {
  attributeBits,
  type BatchHeader,
  batchHeaderBytes,
  batchLayout,
  checkBatch,
  readBatchHeader,
  setBaseOffset,
} from "./batch.js";
export {
  defaultLogConfig,
  isKnownTopicConfig,
  type LogConfig,
  logConfigFromTopicConfig,
  validateTopicConfig,
} from "./config.js";
export { LogError, type LogErrorCode } from "./errors.js";
export {
  LogManager,
  type LogManagerOptions,
  parsePartitionDirName,
  partitionDirName,
  type TopicMeta,
  validateTopicName,
} from "./log-manager.js";
export {
  type AppendResult,
  PartitionLog,
  type PartitionLogOptions,
  type PartitionLogStats,
  type RefineTimestamp,
  type TimestampAndOffset,
} from "./partition-log.js";
