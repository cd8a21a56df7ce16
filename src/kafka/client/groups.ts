// Consumer-group administration: find a group's coordinator, list, describe (decoded assignments, lag), read and
// commit offsets outside any generation (offset resets), delete. Group requests go to the group's coordinator.

import type { Cluster, Link } from "./cluster.js";
import { describeErrorCode, throwIfError } from "./errors.js";
import { listOffsets } from "./offsets.js";
import { api } from "./versions.js";

export interface CoordinatorAddress {
  nodeId: number;
  host: string;
  port: number;
}

export interface GroupListing {
  groupId: string;
  protocolType: string;
  /** null when the broker answers ListGroups below v4, which carries no state. */
  state: string | null;
}

export interface TopicPartitions {
  topic: string;
  partitions: number[];
}

export interface GroupMemberDescription {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  /** The member's partitions; null when the bytes are not a ConsumerProtocolAssignment (another protocol type). */
  assignment: TopicPartitions[] | null;
}

export interface GroupDescription {
  groupId: string;
  /** Kafka's names: Empty, PreparingRebalance, CompletingRebalance, Stable, Dead (unknown group). */
  state: string;
  protocolType: string;
  /** The protocol chosen for this generation: the assignor's name for consumer groups (e.g. "range"). */
  protocol: string;
  members: GroupMemberDescription[];
  coordinator: CoordinatorAddress;
}

export interface CommittedOffset {
  topic: string;
  partition: number;
  offset: bigint;
  metadata: string | null;
}

export interface DeleteGroupResult {
  groupId: string;
  errorCode: number;
  /** Kafka's error name, "NONE" when the group was deleted. */
  error: string;
}

export interface PartitionLag {
  topic: string;
  partition: number;
  /** null when the group never committed an offset for the partition. */
  committedOffset: bigint | null;
  /** null when the partition's offsets could not be read (e.g. the topic was deleted). */
  logEndOffset: bigint | null;
  lag: bigint | null;
  memberId: string | null;
  clientId: string | null;
  clientHost: string | null;
}

export type ResetTarget =
  | { kind: "earliest" }
  | { kind: "latest" }
  | { kind: "offset"; offset: bigint }
  | { kind: "datetime"; ms: number };

export interface OffsetResetRow {
  topic: string;
  partition: number;
  currentOffset: bigint | null;
  newOffset: bigint;
}

/** Refusal to move a group's offsets while consumers hold it: they would overwrite the reset with their next commit. */
export class ActiveGroupError extends Error {
  override name = "ActiveGroupError";
  constructor(
    readonly groupId: string,
    readonly state: string,
    readonly memberCount: number,
  ) {
    super(
      `group ${groupId} has ${memberCount} active member(s) (state ${state}); offsets can only be reset while the group is inactive`,
    );
  }
}

const groupKeyType = 0;
/** Where a group lives (or will live) answers these until it has loaded, or after it moved: look it up again. */
const coordinatorMovedErrors = new Set([14, 15, 16]); // COORDINATOR_LOAD_IN_PROGRESS, COORDINATOR_NOT_AVAILABLE, NOT_COORDINATOR

async function lookupCoordinator(cluster: Cluster, groupId: string): Promise<CoordinatorAddress> {
  const link = await cluster.anyLink();
  const body = await cluster.request<{
    errorCode: number;
    errorMessage?: string | null;
    nodeId: number;
    host: string;
    port: number;
  }>(link, api.findCoordinator, () => ({ key: groupId, keyType: groupKeyType }));
  throwIfError(body.errorCode, `find coordinator of group ${groupId}`, body.errorMessage);
  return { nodeId: body.nodeId, host: body.host, port: body.port };
}

export function findCoordinator(cluster: Cluster, groupId: string): Promise<CoordinatorAddress> {
  return cluster.withRetries(`find coordinator of group ${groupId}`, () =>
    lookupCoordinator(cluster, groupId),
  );
}

/** Runs `attempt` against the group's coordinator, looking the coordinator up again on every retry. */
function onCoordinator<T>(
  cluster: Cluster,
  groupId: string,
  what: string,
  attempt: (link: Link, coordinator: CoordinatorAddress) => Promise<T>,
): Promise<T> {
  return cluster.withRetries(what, async () => {
    const coordinator = await lookupCoordinator(cluster, groupId);
    return attempt(await cluster.linkToNode(coordinator.nodeId), coordinator);
  });
}

/** Every group in the cluster: each broker only lists the groups it coordinates, so all brokers are asked. */
export async function listGroups(cluster: Cluster): Promise<GroupListing[]> {
  const metadata = await cluster.refreshMetadata([]);
  const perBroker = await Promise.all(
    [...metadata.brokers.keys()].map((nodeId) =>
      cluster.withRetries(`list groups on broker ${nodeId}`, async () => {
        const link = await cluster.linkToNode(nodeId);
        const body = await cluster.request<{
          errorCode: number;
          groups: Array<{ groupId: string; protocolType: string; groupState?: string }>;
        }>(link, api.listGroups, () => ({ statesFilter: [] }));
        throwIfError(body.errorCode, `list groups on broker ${nodeId}`);
        return body.groups;
      }),
    ),
  );
  const byId = new Map<string, GroupListing>();
  for (const g of perBroker.flat())
    byId.set(g.groupId, { groupId: g.groupId, protocolType: g.protocolType, state: g.groupState ?? null });
  return [...byId.values()].sort((a, b) => a.groupId.localeCompare(b.groupId));
}

interface DescribeGroupsResponse {
  groups: Array<{
    errorCode: number;
    groupId: string;
    groupState: string;
    protocolType: string;
    protocolData: string;
    members: Array<{
      memberId: string;
      groupInstanceId?: string | null;
      clientId: string;
      clientHost: string;
      memberAssignment: Buffer;
    }>;
  }>;
}

export function describeGroup(cluster: Cluster, groupId: string): Promise<GroupDescription> {
  return onCoordinator(cluster, groupId, `describe group ${groupId}`, async (link, coordinator) => {
    const body = await cluster.request<DescribeGroupsResponse>(link, api.describeGroups, () => ({
      groups: [groupId],
      includeAuthorizedOperations: false,
    }));
    const g = body.groups.find((x) => x.groupId === groupId);
    if (!g) throw new Error(`describe group ${groupId}: group missing from the answer`);
    throwIfError(g.errorCode, `describe group ${groupId}`);
    const consumer = g.protocolType === "consumer";
    return {
      groupId,
      state: g.groupState,
      protocolType: g.protocolType,
      protocol: g.protocolData,
      coordinator,
      members: g.members.map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId ?? null,
        clientId: m.clientId,
        clientHost: m.clientHost,
        assignment: consumer ? decodeAssignment(m.memberAssignment) : null,
      })),
    };
  });
}

/** Describes each group at its own coordinator. */
export function describeGroups(cluster: Cluster, groupIds: string[]): Promise<GroupDescription[]> {
  return Promise.all(groupIds.map((id) => describeGroup(cluster, id)));
}

/**
 * Reads a ConsumerProtocolAssignment (versions 0-3 share the layout): int16 version, an array of
 * (topic string, int32 partitions array), then user data bytes, which are ignored. Null when the bytes do not parse.
 */
export function decodeAssignment(bytes: Buffer): TopicPartitions[] | null {
  if (bytes.length === 0) return []; // a member that has not been assigned yet
  try {
    let pos = 2;
    const topicCount = bytes.readInt32BE(pos);
    pos += 4;
    if (topicCount > bytes.length) return null;
    const out: TopicPartitions[] = [];
    for (let t = 0; t < topicCount; t++) {
      const nameLength = bytes.readInt16BE(pos);
      pos += 2;
      if (nameLength < 0 || pos + nameLength > bytes.length) return null;
      const topic = bytes.toString("utf8", pos, pos + nameLength);
      pos += nameLength;
      const partitionCount = bytes.readInt32BE(pos);
      pos += 4;
      if (partitionCount < 0 || pos + partitionCount * 4 > bytes.length) return null;
      const partitions: number[] = [];
      for (let p = 0; p < partitionCount; p++, pos += 4) partitions.push(bytes.readInt32BE(pos));
      out.push({ topic, partitions: partitions.sort((a, b) => a - b) });
    }
    return out;
  } catch {
    return null; // a read past the end: not an assignment we understand
  }
}

interface OffsetFetchResponse {
  errorCode?: number;
  topics: Array<{
    name: string;
    partitions: Array<{
      partitionIndex: number;
      committedOffset: bigint;
      metadata: string | null;
      errorCode: number;
    }>;
  }>;
}

/** The group's committed offsets, of `topics` or of every topic; partitions without a commit are left out. */
export async function fetchCommittedOffsets(
  cluster: Cluster,
  groupId: string,
  topics?: string[],
): Promise<CommittedOffset[]> {
  const wanted =
    topics === undefined
      ? null
      : await Promise.all(
          topics.map(async (name) => ({
            name,
            partitionIndexes: (await cluster.topic(name)).partitions.map((p) => p.partition),
          })),
        );
  const what = `fetch committed offsets of group ${groupId}`;
  const body = await onCoordinator(cluster, groupId, what, async (link) => {
    const answer = await cluster.request<OffsetFetchResponse>(link, api.offsetFetch, () => ({
      groupId,
      topics: wanted,
      requireStable: false,
    }));
    throwIfError(answer.errorCode, what);
    return answer;
  });
  const out: CommittedOffset[] = [];
  for (const t of body.topics) {
    for (const p of t.partitions) {
      throwIfError(p.errorCode, `${what} on ${t.name}-${p.partitionIndex}`);
      if (p.committedOffset >= 0n)
        out.push({
          topic: t.name,
          partition: p.partitionIndex,
          offset: p.committedOffset,
          metadata: p.metadata,
        });
    }
  }
  return out.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
}

/**
 * Commits offsets as an administrator rather than a member (generation -1, no member id): the coordinator accepts
 * that only for a group without members, answering UNKNOWN_MEMBER_ID otherwise.
 */
export async function commitOffsets(
  cluster: Cluster,
  groupId: string,
  topic: string,
  offsets: Map<number, bigint>,
): Promise<void> {
  const what = `commit offsets of group ${groupId}`;
  const body = await onCoordinator(cluster, groupId, what, async (link) => {
    const answer = await cluster.request<{
      topics: Array<{ name: string; partitions: Array<{ partitionIndex: number; errorCode: number }> }>;
    }>(link, api.offsetCommit, () => ({
      groupId,
      generationIdOrMemberEpoch: -1,
      memberId: "",
      groupInstanceId: null,
      retentionTimeMs: -1n,
      topics: [
        {
          name: topic,
          partitions: [...offsets].map(([partition, offset]) => ({
            partitionIndex: partition,
            committedOffset: offset,
            committedLeaderEpoch: -1,
            committedMetadata: "",
          })),
        },
      ],
    }));
    // Coordinator moves are retried as a whole; every other partition error is the caller's to see.
    for (const t of answer.topics)
      for (const p of t.partitions)
        if (coordinatorMovedErrors.has(p.errorCode)) throwIfError(p.errorCode, what);
    return answer;
  });
  for (const t of body.topics)
    for (const p of t.partitions) throwIfError(p.errorCode, `${what} on ${t.name}-${p.partitionIndex}`);
}

/** Deletes each group at its coordinator; per-group failures (NON_EMPTY_GROUP, GROUP_ID_NOT_FOUND) are returned. */
export function deleteGroups(cluster: Cluster, groupIds: string[]): Promise<DeleteGroupResult[]> {
  return Promise.all(
    groupIds.map((groupId) =>
      onCoordinator(cluster, groupId, `delete group ${groupId}`, async (link) => {
        const body = await cluster.request<{ results: Array<{ groupId: string; errorCode: number }> }>(
          link,
          api.deleteGroups,
          () => ({ groupsNames: [groupId] }),
        );
        const errorCode = body.results.find((r) => r.groupId === groupId)?.errorCode;
        if (errorCode === undefined)
          throw new Error(`delete group ${groupId}: group missing from the answer`);
        if (coordinatorMovedErrors.has(errorCode)) throwIfError(errorCode, `delete group ${groupId}`);
        return { groupId, errorCode, error: describeErrorCode(errorCode).name };
      }),
    ),
  );
}

/**
 * Committed offset, log end offset and lag of every partition the group is assigned or has committed,
 * with the member that owns it; sorted by topic and partition.
 */
export async function groupLag(cluster: Cluster, description: GroupDescription): Promise<PartitionLag[]> {
  const committed = await fetchCommittedOffsets(cluster, description.groupId);
  const rows = new Map<string, PartitionLag>();
  const row = (topic: string, partition: number): PartitionLag => {
    const key = `${topic}\u0000${partition}`;
    let r = rows.get(key);
    if (!r) {
      r = {
        topic,
        partition,
        committedOffset: null,
        logEndOffset: null,
        lag: null,
        memberId: null,
        clientId: null,
        clientHost: null,
      };
      rows.set(key, r);
    }
    return r;
  };
  for (const m of description.members)
    for (const tp of m.assignment ?? [])
      for (const partition of tp.partitions)
        Object.assign(row(tp.topic, partition), {
          memberId: m.memberId,
          clientId: m.clientId,
          clientHost: m.clientHost,
        });
  for (const c of committed) row(c.topic, c.partition).committedOffset = c.offset;
  await fillLogEndOffsets(cluster, [...rows.values()]);
  for (const r of rows.values())
    if (r.committedOffset !== null && r.logEndOffset !== null) r.lag = r.logEndOffset - r.committedOffset;
  return [...rows.values()].sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
}

async function fillLogEndOffsets(cluster: Cluster, rows: PartitionLag[]): Promise<void> {
  const byTopic = new Map<string, PartitionLag[]>();
  for (const r of rows) byTopic.set(r.topic, [...(byTopic.get(r.topic) ?? []), r]);
  await Promise.all(
    [...byTopic].map(async ([topic, topicRows]) => {
      try {
        const ends = await listOffsets(
          cluster,
          topic,
          topicRows.map((r) => r.partition),
          "latest",
        );
        for (const r of topicRows) r.logEndOffset = ends.get(r.partition)?.offset ?? null;
      } catch (err) {
        // A topic deleted after the group committed to it: its rows stay without an end offset.
        cluster.logger.debug("no log end offsets", { topic, err });
      }
    }),
  );
}

/**
 * Works out new committed offsets for `partitions` of `topic` (all when empty) and, unless `dryRun`, commits them.
 * Refused with ActiveGroupError while the group has members. Explicit offsets are clamped into the partition's
 * [log start, log end]; a datetime after the last record resets to the log end.
 */
export async function resetOffsets(
  cluster: Cluster,
  groupId: string,
  topic: string,
  target: ResetTarget,
  options: { partitions?: number[]; dryRun?: boolean } = {},
): Promise<OffsetResetRow[]> {
  const description = await describeGroup(cluster, groupId);
  if (description.members.length > 0)
    throw new ActiveGroupError(groupId, description.state, description.members.length);
  const existing = (await cluster.topic(topic, true)).partitions.map((p) => p.partition);
  const partitions = options.partitions?.length
    ? [...new Set(options.partitions)].sort((a, b) => a - b)
    : existing;
  const missing = partitions.filter((p) => !existing.includes(p));
  if (missing.length > 0)
    throw new Error(`topic ${topic} has no partition ${missing.join(",")} (it has ${existing.length})`);
  const plan = await planReset(cluster, groupId, topic, partitions, target);
  if (!options.dryRun)
    await commitOffsets(cluster, groupId, topic, new Map(plan.map((r) => [r.partition, r.newOffset])));
  return plan;
}

async function planReset(
  cluster: Cluster,
  groupId: string,
  topic: string,
  partitions: number[],
  target: ResetTarget,
): Promise<OffsetResetRow[]> {
  const [starts, ends, committed, atTime] = await Promise.all([
    listOffsets(cluster, topic, partitions, "earliest"),
    listOffsets(cluster, topic, partitions, "latest"),
    fetchCommittedOffsets(cluster, groupId, [topic]),
    target.kind === "datetime" ? listOffsets(cluster, topic, partitions, { timestamp: target.ms }) : null,
  ]);
  return partitions.map((partition) => {
    const start = starts.get(partition)?.offset ?? 0n;
    const end = ends.get(partition)?.offset ?? 0n;
    let newOffset: bigint;
    if (target.kind === "earliest") newOffset = start;
    else if (target.kind === "latest") newOffset = end;
    else if (target.kind === "offset") newOffset = clamp(target.offset, start, end);
    else {
      const found = atTime?.get(partition)?.offset ?? -1n;
      newOffset = found < 0n ? end : found;
    }
    const current = committed.find((c) => c.partition === partition)?.offset ?? null;
    return { topic, partition, currentOffset: current, newOffset };
  });
}

function clamp(value: bigint, low: bigint, high: bigint): bigint {
  if (value < low) return low;
  return value > high ? high : value;
}
