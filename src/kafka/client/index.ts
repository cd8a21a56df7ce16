// Public surface of Sluice's Kafka client (used by the CLI and tests; works against Sluice and real Kafka).

export type {
  ConfigChanges,
  NewTopic,
  PartitionDescription,
  TopicConfigEntry,
  TopicDescription,
} from "./admin.js";
export { KafkaClient, type KafkaClientOptions } from "./client.js";
export {
  type ClusterMetadata,
  type PartitionMetadata,
  parseBootstrap,
  type TopicMetadata,
} from "./cluster.js";
export { KafkaResponseError, KafkaTransportError } from "./errors.js";
export type { ConsumedRecord, ConsumeOptions, FetchedPartition, FetchOptions, Record } from "./fetch.js";
export {
  ActiveGroupError,
  type CommittedOffset,
  type CoordinatorAddress,
  type DeleteGroupResult,
  decodeAssignment,
  type GroupDescription,
  type GroupListing,
  type GroupMemberDescription,
  type OffsetResetRow,
  type PartitionLag,
  type ResetTarget,
  type TopicPartitions,
} from "./groups.js";
export { murmur2, partitionForKey } from "./murmur2.js";
export type { OffsetAnswer, OffsetSpec } from "./offsets.js";
export {
  type CompressionName,
  compressionCodecs,
  type ProduceOptions,
  type ProduceResult,
  type ProducerRecord,
} from "./produce.js";
