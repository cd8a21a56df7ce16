// Sluice's own Kafka client: one object bundling the cluster view with the admin, produce, offset and fetch operations.

import * as admin from "./admin.js";
import { Cluster, type ClusterMetadata, type ClusterOptions } from "./cluster.js";
import {
  type ConsumedRecord,
  type ConsumeOptions,
  consume,
  type FetchedPartition,
  type FetchOptions,
  fetchOnce,
} from "./fetch.js";
import * as groups from "./groups.js";
import { listOffsets, type OffsetAnswer, type OffsetSpec } from "./offsets.js";
import {
  type ProduceOptions,
  type ProduceResult,
  type ProducerRecord,
  produce,
  StickyPartitions,
} from "./produce.js";

export type KafkaClientOptions = ClusterOptions;

export class KafkaClient {
  readonly cluster: Cluster;
  private readonly sticky = new StickyPartitions();

  constructor(options: KafkaClientOptions) {
    this.cluster = new Cluster(options);
  }

  /** Cluster metadata: brokers, controller, and the given topics (all when omitted). */
  metadata(topics: string[] | null = null): Promise<ClusterMetadata> {
    return this.cluster.refreshMetadata(topics);
  }

  createTopics(topics: admin.NewTopic[], timeoutMs?: number): Promise<void> {
    return admin.createTopics(this.cluster, topics, timeoutMs);
  }

  deleteTopics(names: string[], timeoutMs?: number): Promise<void> {
    return admin.deleteTopics(this.cluster, names, timeoutMs);
  }

  listTopics(includeInternal = false): Promise<string[]> {
    return admin.listTopics(this.cluster, includeInternal);
  }

  describeTopic(name: string): Promise<admin.TopicDescription> {
    return admin.describeTopic(this.cluster, name);
  }

  alterTopicConfigs(name: string, changes: admin.ConfigChanges): Promise<void> {
    return admin.alterTopicConfigs(this.cluster, name, changes);
  }

  createPartitions(name: string, totalPartitions: number, timeoutMs?: number): Promise<void> {
    return admin.createPartitions(this.cluster, name, totalPartitions, timeoutMs);
  }

  /** Partition numbers of `topic`, ascending. */
  async partitions(topic: string): Promise<number[]> {
    const meta = await this.cluster.withRetries(`metadata of ${topic}`, () =>
      this.cluster.topic(topic, true),
    );
    return meta.partitions.map((p) => p.partition);
  }

  produce(topic: string, records: ProducerRecord[], options?: ProduceOptions): Promise<ProduceResult[]> {
    return produce(this.cluster, this.sticky, topic, records, options);
  }

  listOffsets(topic: string, partitions: number[], spec: OffsetSpec): Promise<Map<number, OffsetAnswer>> {
    return listOffsets(this.cluster, topic, partitions, spec);
  }

  fetch(
    topic: string,
    positions: Map<number, bigint>,
    options?: FetchOptions,
  ): Promise<Map<number, FetchedPartition>> {
    return fetchOnce(this.cluster, topic, positions, options);
  }

  consume(
    topic: string,
    start: Map<number, bigint>,
    options?: ConsumeOptions,
  ): AsyncGenerator<ConsumedRecord> {
    return consume(this.cluster, topic, start, options);
  }

  /** The broker coordinating `groupId` (group requests are routed there). */
  findCoordinator(groupId: string): Promise<groups.CoordinatorAddress> {
    return groups.findCoordinator(this.cluster, groupId);
  }

  listGroups(): Promise<groups.GroupListing[]> {
    return groups.listGroups(this.cluster);
  }

  /** An unknown group is described in state Dead with no members, as Kafka answers. */
  describeGroups(groupIds: string[]): Promise<groups.GroupDescription[]> {
    return groups.describeGroups(this.cluster, groupIds);
  }

  /** Committed offsets of the group, of `topics` or of everything it committed. */
  fetchCommittedOffsets(groupId: string, topics?: string[]): Promise<groups.CommittedOffset[]> {
    return groups.fetchCommittedOffsets(this.cluster, groupId, topics);
  }

  /** A simple commit (generation -1, no member id): the coordinator accepts it only while the group has no members. */
  commitOffsets(groupId: string, topic: string, offsets: Map<number, bigint>): Promise<void> {
    return groups.commitOffsets(this.cluster, groupId, topic, offsets);
  }

  deleteGroups(groupIds: string[]): Promise<groups.DeleteGroupResult[]> {
    return groups.deleteGroups(this.cluster, groupIds);
  }

  /** Committed offset, log end offset and lag of every partition the group is assigned or committed. */
  groupLag(description: groups.GroupDescription): Promise<groups.PartitionLag[]> {
    return groups.groupLag(this.cluster, description);
  }

  /** Plans and (unless dryRun) commits new offsets; throws ActiveGroupError while the group has members. */
  resetOffsets(
    groupId: string,
    topic: string,
    target: groups.ResetTarget,
    options?: { partitions?: number[]; dryRun?: boolean },
  ): Promise<groups.OffsetResetRow[]> {
    return groups.resetOffsets(this.cluster, groupId, topic, target, options);
  }

  close(): Promise<void> {
    return this.cluster.close();
  }
}
