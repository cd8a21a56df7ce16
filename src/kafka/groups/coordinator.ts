// The group coordinator: owns every consumer group and their committed offsets, checks requests against
// group state, and expires offsets of empty groups. Protocol-free: handlers translate wire bodies to these calls.

import { randomUUID } from "node:crypto";
import { limits } from "../../common/limits.js";
import type { Logger } from "../../common/logger.js";
import { ErrorCode } from "../protocol/errors.js";
import { subscribedTopics } from "./consumer-protocol.js";
import {
  Group,
  type GroupState,
  type JoinRequest,
  type JoinResult,
  type MemberDescription,
  type SyncRequest,
  type SyncResult,
} from "./group.js";
import type { OffsetEntry, OffsetRecord } from "./offsets-record.js";
import { OffsetsStore } from "./offsets-store.js";
import { realScheduler, type Scheduler, type TimerHandle } from "./scheduler.js";

export interface GroupCoordinatorOptions {
  logger: Logger;
  /** Kafka's group.initial.rebalance.delay.ms. */
  initialRebalanceDelayMs?: number;
  /** Kafka's offsets.retention.minutes, in ms: how long an empty group's offsets are kept. */
  offsetsRetentionMs?: number;
  /** Kafka's offsets.retention.check.interval.ms. */
  offsetsRetentionCheckIntervalMs?: number;
  /** Kafka's group.min.session.timeout.ms / group.max.session.timeout.ms. */
  minSessionTimeoutMs?: number;
  maxSessionTimeoutMs?: number;
  clock?: () => number;
  /** Replaces clock and real timers together (unit tests drive time with a ManualScheduler). */
  scheduler?: Scheduler;
}

export const groupDefaults = {
  initialRebalanceDelayMs: 3000,
  offsetsRetentionMs: 7 * 24 * 60 * 60 * 1000,
  offsetsRetentionCheckIntervalMs: 600_000,
  minSessionTimeoutMs: 6000,
  maxSessionTimeoutMs: 1_800_000,
} as const;

export interface OffsetToCommit {
  topic: string;
  partition: number;
  offset: bigint;
  leaderEpoch: number;
  metadata: string | null;
}

export interface CommitRequest {
  /** -1 with memberId "" for a commit from outside group management (simple consumer, kcat). */
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
  offsets: OffsetToCommit[];
}

export interface PartitionResult {
  topic: string;
  partition: number;
  errorCode: number;
}

export interface FetchedOffset {
  topic: string;
  partition: number;
  offset: bigint;
  leaderEpoch: number;
  metadata: string | null;
  errorCode: number;
}

export interface GroupListing {
  groupId: string;
  protocolType: string;
  state: GroupState;
}

export interface GroupDescription {
  groupId: string;
  state: GroupState;
  protocolType: string;
  protocolName: string;
  generationId: number;
  leaderId: string;
  members: MemberDescription[];
}

export interface LeaveResult {
  memberId: string;
  groupInstanceId: string | null;
  errorCode: number;
}

/** resetOffsets was asked to move offsets of a group whose consumers are running. */
export class GroupNotEmptyError extends Error {
  override name = "GroupNotEmptyError";
}

export class GroupCoordinator {
  private readonly groups = new Map<string, Group>();
  private expiryTimer: TimerHandle | null = null;
  private closed = false;

  private constructor(
    private readonly store: OffsetsStore,
    private readonly scheduler: Scheduler,
    private readonly logger: Logger,
    private readonly settings: Required<Omit<GroupCoordinatorOptions, "logger" | "clock" | "scheduler">>,
  ) {}

  static async open(dir: string, options: GroupCoordinatorOptions): Promise<GroupCoordinator> {
    const logger = options.logger.child("groups");
    const store = await OffsetsStore.open(dir, logger);
    const scheduler = options.scheduler ?? realScheduler(options.clock);
    const coordinator = new GroupCoordinator(store, scheduler, logger, {
      initialRebalanceDelayMs: options.initialRebalanceDelayMs ?? groupDefaults.initialRebalanceDelayMs,
      offsetsRetentionMs: options.offsetsRetentionMs ?? groupDefaults.offsetsRetentionMs,
      offsetsRetentionCheckIntervalMs:
        options.offsetsRetentionCheckIntervalMs ?? groupDefaults.offsetsRetentionCheckIntervalMs,
      minSessionTimeoutMs: options.minSessionTimeoutMs ?? groupDefaults.minSessionTimeoutMs,
      maxSessionTimeoutMs: options.maxSessionTimeoutMs ?? groupDefaults.maxSessionTimeoutMs,
    });
    for (const groupId of store.groups()) {
      // Loaded groups have no record of when they emptied; their offsets age from their commit times alone.
      coordinator.createGroup(groupId).stateChangedAtMs = 0;
    }
    logger.info("group coordinator open", {
      dir,
      groups: coordinator.groups.size,
      offsetsLogBytes: store.sizeBytes,
    });
    coordinator.scheduleExpiry();
    return coordinator;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.expiryTimer?.cancel();
    for (const group of this.groups.values()) group.markDead();
    this.groups.clear();
    await this.store.close();
  }

  // ---- membership ----

  join(groupId: string, req: JoinRequest): Promise<JoinResult> {
    const fail = (errorCode: number) =>
      Promise.resolve<JoinResult>({
        errorCode,
        generationId: -1,
        protocolType: null,
        protocolName: null,
        leader: "",
        memberId: req.memberId,
        members: [],
      });
    if (this.closed) return fail(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    if (groupId === "") return fail(ErrorCode.INVALID_GROUP_ID);
    const { minSessionTimeoutMs, maxSessionTimeoutMs } = this.settings;
    if (req.sessionTimeoutMs < minSessionTimeoutMs || req.sessionTimeoutMs > maxSessionTimeoutMs) {
      return fail(ErrorCode.INVALID_SESSION_TIMEOUT);
    }
    let group = this.groups.get(groupId);
    if (!group) {
      if (req.memberId !== "") return fail(ErrorCode.UNKNOWN_MEMBER_ID);
      if (this.groups.size >= limits.groupsMax) return fail(ErrorCode.COORDINATOR_NOT_AVAILABLE);
      group = this.createGroup(groupId);
    }
    // JoinGroup v0 has no rebalance timeout; Kafka then uses the session timeout.
    const rebalanceTimeoutMs = req.rebalanceTimeoutMs > 0 ? req.rebalanceTimeoutMs : req.sessionTimeoutMs;
    return group.join({ ...req, rebalanceTimeoutMs });
  }

  sync(groupId: string, req: SyncRequest): Promise<SyncResult> {
    const group = this.groups.get(groupId);
    if (!group) {
      const errorCode = groupId === "" ? ErrorCode.INVALID_GROUP_ID : ErrorCode.UNKNOWN_MEMBER_ID;
      return Promise.resolve({
        errorCode,
        protocolType: null,
        protocolName: null,
        assignment: Buffer.alloc(0),
      });
    }
    return group.sync(req);
  }

  heartbeat(groupId: string, memberId: string, groupInstanceId: string | null, generationId: number): number {
    const group = this.groups.get(groupId);
    if (!group) return groupId === "" ? ErrorCode.INVALID_GROUP_ID : ErrorCode.UNKNOWN_MEMBER_ID;
    return group.heartbeat(memberId, groupInstanceId, generationId);
  }

  leave(groupId: string, members: { memberId: string; groupInstanceId: string | null }[]): LeaveResult[] {
    const group = this.groups.get(groupId);
    return members.map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      errorCode: group ? group.leave(m.memberId, m.groupInstanceId) : ErrorCode.UNKNOWN_MEMBER_ID,
    }));
  }

  // ---- committed offsets ----

  async commitOffsets(groupId: string, req: CommitRequest): Promise<PartitionResult[]> {
    const everyPartition = (errorCode: number) =>
      req.offsets.map((o) => ({ topic: o.topic, partition: o.partition, errorCode }));
    const check = this.checkCommit(groupId, req);
    if (check !== ErrorCode.NONE) return everyPartition(check);
    if (!this.groups.has(groupId)) this.createGroup(groupId);
    const now = this.scheduler.now();
    const records: OffsetRecord[] = [];
    const results = req.offsets.map((o) => {
      const tooLarge = o.metadata !== null && Buffer.byteLength(o.metadata) > limits.offsetMetadataBytesMax;
      if (!tooLarge) {
        const entry = { ...o, commitTimestampMs: now };
        records.push({ kind: "commit", group: groupId, entry });
      }
      const errorCode = tooLarge ? ErrorCode.OFFSET_METADATA_TOO_LARGE : ErrorCode.NONE;
      return { topic: o.topic, partition: o.partition, errorCode };
    });
    try {
      await this.store.write(records);
    } catch (err) {
      this.logger.warn("offset commit not stored", { group: groupId, error: err as Error });
      return everyPartition(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    }
    return results;
  }

  private checkCommit(groupId: string, req: CommitRequest): number {
    if (this.closed) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    if (groupId === "") return ErrorCode.INVALID_GROUP_ID;
    const group = this.groups.get(groupId);
    if (!group) {
      if (req.generationId >= 0) return ErrorCode.ILLEGAL_GENERATION;
      return this.groups.size >= limits.groupsMax ? ErrorCode.COORDINATOR_NOT_AVAILABLE : ErrorCode.NONE;
    }
    if (group.state === "Dead") return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    if (group.isFenced(req.memberId, req.groupInstanceId)) return ErrorCode.FENCED_INSTANCE_ID;
    if (req.generationId < 0 && group.state === "Empty") return ErrorCode.NONE;
    if (!group.hasMember(req.memberId)) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (req.generationId !== group.generationId) return ErrorCode.ILLEGAL_GENERATION;
    if (group.state === "CompletingRebalance") return ErrorCode.REBALANCE_IN_PROGRESS;
    return ErrorCode.NONE;
  }

  /** The committed offsets for the given partitions, or all of the group's when `topics` is null. */
  fetchOffsets(groupId: string, topics: { name: string; partitions: number[] }[] | null): FetchedOffset[] {
    const found = (topic: string, partition: number, e: OffsetEntry | undefined): FetchedOffset => ({
      topic,
      partition,
      offset: e?.offset ?? -1n,
      leaderEpoch: e?.leaderEpoch ?? -1,
      metadata: e ? e.metadata : "",
      errorCode: ErrorCode.NONE,
    });
    if (topics === null) return this.store.groupOffsets(groupId).map((e) => found(e.topic, e.partition, e));
    return topics.flatMap((t) =>
      t.partitions.map((p) => found(t.name, p, this.store.get(groupId, t.name, p))),
    );
  }

  committedOffsets(groupId: string): OffsetEntry[] {
    return this.store.groupOffsets(groupId);
  }

  /** Moves a group's committed offsets (CLI reset); refused while consumers are in the group. */
  async resetOffsets(
    groupId: string,
    topic: string,
    partitionOffsets: { partition: number; offset: bigint }[],
  ) {
    if (groupId === "") throw new Error("group id must not be empty");
    const group = this.groups.get(groupId);
    if (group && group.memberCount > 0) {
      throw new GroupNotEmptyError(
        `group ${groupId} has ${group.memberCount} active members; stop them first`,
      );
    }
    if (!group) this.createGroup(groupId);
    const now = this.scheduler.now();
    await this.store.write(
      partitionOffsets.map(({ partition, offset }) => ({
        kind: "commit" as const,
        group: groupId,
        entry: { topic, partition, offset, leaderEpoch: -1, metadata: "", commitTimestampMs: now },
      })),
    );
  }

  async deleteOffsets(
    groupId: string,
    topics: { name: string; partitions: number[] }[],
  ): Promise<{ errorCode: number; results: PartitionResult[] }> {
    const group = this.groups.get(groupId);
    if (!group || group.state === "Dead") return { errorCode: ErrorCode.GROUP_ID_NOT_FOUND, results: [] };
    let consumed = new Set<string>();
    if (group.memberCount > 0) {
      if (group.protocolType !== "consumer") return { errorCode: ErrorCode.NON_EMPTY_GROUP, results: [] };
      consumed = new Set(group.memberMetadata().flatMap((m) => subscribedTopics(m) ?? []));
    }
    const records: OffsetRecord[] = [];
    const results = topics.flatMap((t) =>
      t.partitions.map((partition) => {
        if (consumed.has(t.name))
          return { topic: t.name, partition, errorCode: ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC };
        records.push({ kind: "tombstone", group: groupId, topic: t.name, partition });
        return { topic: t.name, partition, errorCode: ErrorCode.NONE };
      }),
    );
    try {
      await this.store.write(records);
    } catch (err) {
      this.logger.warn("offset delete not stored", { group: groupId, error: err as Error });
      return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, results: [] };
    }
    return { errorCode: ErrorCode.NONE, results };
  }

  // ---- whole groups ----

  listGroups(statesFilter: string[] = []): GroupListing[] {
    const wanted = new Set(statesFilter.map((s) => s.toLowerCase()));
    const listings: GroupListing[] = [];
    for (const group of this.groups.values()) {
      if (group.state === "Dead") continue;
      if (wanted.size > 0 && !wanted.has(group.state.toLowerCase())) continue;
      listings.push({ groupId: group.groupId, protocolType: group.protocolType ?? "", state: group.state });
    }
    return listings;
  }

  /** A group's state and members; an unknown group is described as Dead with no members, as Kafka does. */
  describeGroup(groupId: string): GroupDescription {
    const group = this.groups.get(groupId);
    if (!group) {
      return {
        groupId,
        state: "Dead",
        protocolType: "",
        protocolName: "",
        generationId: -1,
        leaderId: "",
        members: [],
      };
    }
    return {
      groupId,
      state: group.state,
      protocolType: group.protocolType ?? "",
      protocolName: group.protocolName ?? "",
      generationId: group.generationId,
      leaderId: group.leaderId ?? "",
      members: group.describeMembers(),
    };
  }

  async deleteGroups(groupIds: string[]): Promise<{ groupId: string; errorCode: number }[]> {
    const results: { groupId: string; errorCode: number }[] = [];
    for (const groupId of groupIds) results.push({ groupId, errorCode: await this.deleteGroup(groupId) });
    return results;
  }

  private async deleteGroup(groupId: string): Promise<number> {
    if (groupId === "") return ErrorCode.INVALID_GROUP_ID;
    const group = this.groups.get(groupId);
    if (!group || group.state === "Dead") return ErrorCode.GROUP_ID_NOT_FOUND;
    if (group.state !== "Empty") return ErrorCode.NON_EMPTY_GROUP;
    try {
      await this.store.write(this.tombstones(groupId, this.store.groupOffsets(groupId)));
    } catch (err) {
      this.logger.warn("group delete not stored", { group: groupId, error: err as Error });
      return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    }
    // A member may have joined while the tombstones were written; the offsets are gone either way.
    if (group.state === "Empty") this.forgetGroup(group);
    this.logger.info("group deleted", { group: groupId });
    return ErrorCode.NONE;
  }

  // ---- expiry ----

  /** Drops offsets of empty groups older than the retention, then forgets empty groups with no offsets. */
  async expireOffsets(): Promise<number> {
    const now = this.scheduler.now();
    const records: OffsetRecord[] = [];
    for (const groupId of this.store.groups()) {
      const group = this.groups.get(groupId);
      if (group && group.state !== "Empty") continue;
      const emptySinceMs = group?.stateChangedAtMs ?? 0;
      const expired = this.store
        .groupOffsets(groupId)
        .filter((e) => now - Math.max(e.commitTimestampMs, emptySinceMs) >= this.settings.offsetsRetentionMs);
      records.push(...this.tombstones(groupId, expired));
    }
    await this.store.write(records);
    for (const group of [...this.groups.values()]) {
      if (group.state === "Empty" && !this.store.hasOffsets(group.groupId)) this.forgetGroup(group);
    }
    if (records.length > 0) this.logger.info("expired committed offsets", { partitions: records.length });
    return records.length;
  }

  private scheduleExpiry(): void {
    this.expiryTimer = this.scheduler.schedule(this.settings.offsetsRetentionCheckIntervalMs, () => {
      this.expireOffsets()
        .catch((err) => this.logger.error("offset expiry failed", { error: err as Error }))
        .finally(() => {
          if (!this.closed) this.scheduleExpiry();
        });
    });
  }

  private tombstones(groupId: string, entries: OffsetEntry[]): OffsetRecord[] {
    return entries.map((e) => ({
      kind: "tombstone",
      group: groupId,
      topic: e.topic,
      partition: e.partition,
    }));
  }

  private createGroup(groupId: string): Group {
    const group = new Group(groupId, {
      scheduler: this.scheduler,
      logger: this.logger,
      initialRebalanceDelayMs: this.settings.initialRebalanceDelayMs,
      newMemberId: (clientId) => `${clientId}-${randomUUID()}`,
    });
    this.groups.set(groupId, group);
    return group;
  }

  private forgetGroup(group: Group): void {
    group.markDead();
    this.groups.delete(group.groupId);
  }
}
