// One consumer group's membership state machine: join, sync, heartbeat, leave and session expiry.
// States and what moves between them (see docs/groups.md for the diagram):
//   Empty               --first member joins-------------------------------> PreparingRebalance (initial delay)
//   PreparingRebalance  --every member rejoined / rebalance timeout--------> CompletingRebalance
//   PreparingRebalance  --no member left when the join phase ends----------> Empty
//   CompletingRebalance --leader's SyncGroup------------------------------> Stable
//   CompletingRebalance --join with new metadata / leave / session expiry--> PreparingRebalance
//   Stable              --new member / leader rejoins / metadata change /
//                         leave / session expiry---------------------------> PreparingRebalance
//   Empty               --group deleted or its last offsets expire--------> Dead (the coordinator forgets it)

import { assert } from "../../common/assert.js";
import { limits } from "../../common/limits.js";
import type { Logger } from "../../common/logger.js";
import { ErrorCode } from "../protocol/errors.js";
import type { Scheduler, TimerHandle } from "./scheduler.js";

export type GroupState = "Empty" | "PreparingRebalance" | "CompletingRebalance" | "Stable" | "Dead";

export const groupStates: readonly GroupState[] = [
  "Empty",
  "PreparingRebalance",
  "CompletingRebalance",
  "Stable",
  "Dead",
];

export interface GroupProtocol {
  name: string;
  metadata: Buffer;
}

export interface JoinRequest {
  /** "" for a member joining for the first time. */
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  protocolType: string;
  protocols: GroupProtocol[];
  /** JoinGroup v4+: an unknown member first gets MEMBER_ID_REQUIRED with its id, then joins with it. */
  requireKnownMemberId: boolean;
}

export interface JoinMemberInfo {
  memberId: string;
  groupInstanceId: string | null;
  metadata: Buffer;
}

export interface JoinResult {
  errorCode: number;
  generationId: number;
  protocolType: string | null;
  protocolName: string | null;
  leader: string;
  memberId: string;
  /** Filled for the leader only: every member's metadata for the chosen protocol. */
  members: JoinMemberInfo[];
}

export interface SyncRequest {
  memberId: string;
  groupInstanceId: string | null;
  generationId: number;
  protocolType?: string | null;
  protocolName?: string | null;
  assignments: { memberId: string; assignment: Buffer }[];
}

export interface SyncResult {
  errorCode: number;
  protocolType: string | null;
  protocolName: string | null;
  assignment: Buffer;
}

export interface MemberDescription {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  /** Metadata for the chosen protocol (empty before one is chosen). */
  metadata: Buffer;
  assignment: Buffer;
}

export interface GroupConfig {
  scheduler: Scheduler;
  logger: Logger;
  initialRebalanceDelayMs: number;
  newMemberId(clientId: string): string;
}

interface Member {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  protocolType: string;
  protocols: GroupProtocol[];
  assignment: Buffer;
  awaitingJoin: ((result: JoinResult) => void) | null;
  awaitingSync: ((result: SyncResult) => void) | null;
  sessionTimer: TimerHandle | null;
}

const emptyBytes = Buffer.alloc(0);

export class Group {
  state: GroupState = "Empty";
  generationId = 0;
  protocolType: string | null = null;
  protocolName: string | null = null;
  leaderId: string | null = null;
  /** When the group last changed state (clock ms); offsets of an Empty group expire relative to this. */
  stateChangedAtMs: number;
  private readonly members = new Map<string, Member>();
  private readonly staticMembers = new Map<string, string>();
  /** Members told MEMBER_ID_REQUIRED who have not rejoined yet, with their expiry timers. */
  private readonly pendingMembers = new Map<string, TimerHandle>();
  private rebalanceTimer: TimerHandle | null = null;
  private inInitialDelay = false;
  private newMemberAdded = false;

  constructor(
    readonly groupId: string,
    private readonly config: GroupConfig,
  ) {
    this.stateChangedAtMs = config.scheduler.now();
  }

  get memberCount(): number {
    return this.members.size;
  }

  hasMember(memberId: string): boolean {
    return this.members.has(memberId);
  }

  /** True when a static member's instance id now belongs to a different member id (an older incarnation). */
  isFenced(memberId: string, groupInstanceId: string | null): boolean {
    if (groupInstanceId === null) return false;
    const current = this.staticMembers.get(groupInstanceId);
    return current !== undefined && current !== memberId;
  }

  join(req: JoinRequest): Promise<JoinResult> {
    this.config.logger.debug("join request", {
      group: this.groupId,
      member: req.memberId,
      state: this.state,
      generation: this.generationId,
    });
    if (this.state === "Dead")
      return Promise.resolve(this.joinError(req.memberId, ErrorCode.COORDINATOR_NOT_AVAILABLE));
    if (!this.acceptsProtocols(req.protocolType, req.protocols)) {
      return Promise.resolve(this.joinError(req.memberId, ErrorCode.INCONSISTENT_GROUP_PROTOCOL));
    }
    return req.memberId === "" ? this.joinUnknownMember(req) : this.joinKnownMember(req);
  }

  sync(req: SyncRequest): Promise<SyncResult> {
    const fail = (errorCode: number) => Promise.resolve(this.syncResult(errorCode, emptyBytes));
    if (this.state === "Dead") return fail(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    if (this.isFenced(req.memberId, req.groupInstanceId)) return fail(ErrorCode.FENCED_INSTANCE_ID);
    const member = this.members.get(req.memberId);
    if (!member) return fail(ErrorCode.UNKNOWN_MEMBER_ID);
    if (req.generationId !== this.generationId) return fail(ErrorCode.ILLEGAL_GENERATION);
    if (req.protocolType != null && req.protocolType !== this.protocolType) {
      return fail(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    }
    if (req.protocolName != null && req.protocolName !== this.protocolName) {
      return fail(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    }
    switch (this.state) {
      case "Empty":
        return fail(ErrorCode.UNKNOWN_MEMBER_ID);
      case "PreparingRebalance":
        return fail(ErrorCode.REBALANCE_IN_PROGRESS);
      case "Stable":
        this.resetSessionTimer(member);
        return Promise.resolve(this.syncResult(ErrorCode.NONE, member.assignment));
      case "CompletingRebalance":
        return this.awaitSync(member, req);
    }
  }

  heartbeat(memberId: string, groupInstanceId: string | null, generationId: number): number {
    if (this.state === "Dead") return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    if (this.isFenced(memberId, groupInstanceId)) return ErrorCode.FENCED_INSTANCE_ID;
    const member = this.members.get(memberId);
    if (!member || this.state === "Empty") return ErrorCode.UNKNOWN_MEMBER_ID;
    if (generationId !== this.generationId) return ErrorCode.ILLEGAL_GENERATION;
    this.resetSessionTimer(member);
    this.config.logger.debug("heartbeat", { group: this.groupId, member: memberId, state: this.state });
    return this.state === "PreparingRebalance" ? ErrorCode.REBALANCE_IN_PROGRESS : ErrorCode.NONE;
  }

  /** Removes one member (LeaveGroup); a static member may name itself by instance id alone. */
  leave(memberId: string, groupInstanceId: string | null): number {
    if (this.state === "Dead") return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    let id = memberId;
    if (groupInstanceId !== null) {
      const current = this.staticMembers.get(groupInstanceId);
      if (current === undefined) return ErrorCode.UNKNOWN_MEMBER_ID;
      if (id !== "" && id !== current) return ErrorCode.FENCED_INSTANCE_ID;
      id = current;
    }
    const pending = this.pendingMembers.get(id);
    if (pending) {
      pending.cancel();
      this.pendingMembers.delete(id);
      this.maybeCompleteJoin();
      return ErrorCode.NONE;
    }
    const member = this.members.get(id);
    if (!member) return ErrorCode.UNKNOWN_MEMBER_ID;
    this.removeMember(member, "left the group");
    return ErrorCode.NONE;
  }

  describeMembers(): MemberDescription[] {
    return [...this.members.values()].map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      clientId: m.clientId,
      clientHost: m.clientHost,
      metadata: this.protocolMetadata(m),
      assignment: m.assignment,
    }));
  }

  /** Each member's metadata for the chosen protocol (its first one before a choice), e.g. for subscriptions. */
  memberMetadata(): Buffer[] {
    return [...this.members.values()].map((m) =>
      this.protocolName === null ? (m.protocols[0]?.metadata ?? emptyBytes) : this.protocolMetadata(m),
    );
  }

  /** Ends the group for good (deleted, or forgotten once empty with no offsets); answers anyone waiting. */
  markDead(): void {
    for (const member of [...this.members.values()])
      this.dropMember(member, ErrorCode.COORDINATOR_NOT_AVAILABLE);
    for (const timer of this.pendingMembers.values()) timer.cancel();
    this.pendingMembers.clear();
    this.rebalanceTimer?.cancel();
    this.rebalanceTimer = null;
    this.transition("Dead");
  }

  // ---- joining ----

  private joinUnknownMember(req: JoinRequest): Promise<JoinResult> {
    const memberId = this.config.newMemberId(req.clientId);
    if (req.groupInstanceId !== null) {
      const oldId = this.staticMembers.get(req.groupInstanceId);
      if (oldId !== undefined) return this.replaceStaticMember(oldId, memberId, req);
      return this.addMemberAndRebalance(memberId, req);
    }
    if (req.requireKnownMemberId) {
      if (this.members.size + this.pendingMembers.size >= limits.groupMembersMax) {
        return Promise.resolve(this.joinError("", ErrorCode.GROUP_MAX_SIZE_REACHED));
      }
      const timer = this.config.scheduler.schedule(req.sessionTimeoutMs, () => this.expirePending(memberId));
      this.pendingMembers.set(memberId, timer);
      return Promise.resolve(this.joinError(memberId, ErrorCode.MEMBER_ID_REQUIRED));
    }
    return this.addMemberAndRebalance(memberId, req);
  }

  private joinKnownMember(req: JoinRequest): Promise<JoinResult> {
    const pending = this.pendingMembers.get(req.memberId);
    if (pending) {
      pending.cancel();
      this.pendingMembers.delete(req.memberId);
      return this.addMemberAndRebalance(req.memberId, req);
    }
    if (this.isFenced(req.memberId, req.groupInstanceId)) {
      return Promise.resolve(this.joinError(req.memberId, ErrorCode.FENCED_INSTANCE_ID));
    }
    const member = this.members.get(req.memberId);
    if (!member) return Promise.resolve(this.joinError(req.memberId, ErrorCode.UNKNOWN_MEMBER_ID));
    switch (this.state) {
      case "PreparingRebalance":
        this.updateMember(member, req);
        return this.joinAndMaybeComplete(member);
      case "CompletingRebalance":
      case "Stable": {
        const unchanged = sameProtocols(member.protocols, req.protocols);
        const leaderInStable = this.state === "Stable" && member.memberId === this.leaderId;
        if (unchanged && !leaderInStable) {
          this.resetSessionTimer(member);
          return Promise.resolve(this.currentJoinResult(member));
        }
        this.updateMember(member, req);
        this.prepareRebalance(`member ${member.memberId} rejoined with new metadata`);
        return this.joinAndMaybeComplete(member);
      }
      case "Empty":
      case "Dead":
        return Promise.resolve(this.joinError(req.memberId, ErrorCode.UNKNOWN_MEMBER_ID));
    }
  }

  private addMemberAndRebalance(memberId: string, req: JoinRequest): Promise<JoinResult> {
    if (this.members.size >= limits.groupMembersMax) {
      return Promise.resolve(this.joinError(memberId, ErrorCode.GROUP_MAX_SIZE_REACHED));
    }
    if (this.members.size === 0) this.protocolType = req.protocolType;
    const member: Member = {
      memberId,
      groupInstanceId: req.groupInstanceId,
      clientId: req.clientId,
      clientHost: req.clientHost,
      sessionTimeoutMs: req.sessionTimeoutMs,
      rebalanceTimeoutMs: req.rebalanceTimeoutMs,
      protocolType: req.protocolType,
      protocols: req.protocols,
      assignment: emptyBytes,
      awaitingJoin: null,
      awaitingSync: null,
      sessionTimer: null,
    };
    this.members.set(memberId, member);
    if (member.groupInstanceId !== null) this.staticMembers.set(member.groupInstanceId, memberId);
    this.newMemberAdded = true;
    if (this.state !== "PreparingRebalance") this.prepareRebalance(`member ${memberId} joined`);
    return this.joinAndMaybeComplete(member);
  }

  /** A static member restarted: its new member id takes the old one's place, and the old one is fenced. */
  private replaceStaticMember(oldId: string, newId: string, req: JoinRequest): Promise<JoinResult> {
    const old = this.members.get(oldId);
    assert(old, "static member map points at a missing member");
    old.sessionTimer?.cancel();
    old.awaitingJoin?.(this.joinError(oldId, ErrorCode.FENCED_INSTANCE_ID));
    old.awaitingSync?.(this.syncResult(ErrorCode.FENCED_INSTANCE_ID, emptyBytes));
    this.members.delete(oldId);
    const member: Member = {
      ...old,
      memberId: newId,
      awaitingJoin: null,
      awaitingSync: null,
      sessionTimer: null,
    };
    member.clientId = req.clientId;
    member.clientHost = req.clientHost;
    this.members.set(newId, member);
    this.staticMembers.set(req.groupInstanceId as string, newId);
    if (this.leaderId === oldId) this.leaderId = newId;
    if (this.state === "Stable" && sameProtocols(old.protocols, req.protocols)) {
      // Same subscription: no rebalance; the member syncs and gets its previous assignment back.
      this.updateMember(member, req);
      this.resetSessionTimer(member);
      return Promise.resolve({ ...this.currentJoinResult(member), members: [] });
    }
    this.updateMember(member, req);
    if (this.state !== "PreparingRebalance")
      this.prepareRebalance(`static member ${req.groupInstanceId} rejoined`);
    return this.joinAndMaybeComplete(member);
  }

  private updateMember(member: Member, req: JoinRequest): void {
    member.protocols = req.protocols;
    member.protocolType = req.protocolType;
    member.sessionTimeoutMs = req.sessionTimeoutMs;
    member.rebalanceTimeoutMs = req.rebalanceTimeoutMs;
    member.clientId = req.clientId;
    member.clientHost = req.clientHost;
  }

  /** Parks the member's JoinGroup until the join phase ends (which may be right now). */
  private joinAndMaybeComplete(member: Member): Promise<JoinResult> {
    // A second JoinGroup from the same member while one waits: the older request is answered and dropped.
    member.awaitingJoin?.(this.joinError(member.memberId, ErrorCode.REBALANCE_IN_PROGRESS));
    const joined = new Promise<JoinResult>((resolve) => {
      member.awaitingJoin = resolve;
    });
    this.maybeCompleteJoin();
    return joined;
  }

  private prepareRebalance(reason: string): void {
    if (this.state === "CompletingRebalance") {
      for (const m of this.members.values()) {
        m.awaitingSync?.(this.syncResult(ErrorCode.REBALANCE_IN_PROGRESS, emptyBytes));
        m.awaitingSync = null;
      }
    }
    const initial = this.state === "Empty";
    this.rebalanceTimer?.cancel();
    this.transition("PreparingRebalance");
    this.config.logger.info("preparing rebalance", {
      group: this.groupId,
      reason,
      generation: this.generationId,
    });
    const rebalanceTimeoutMs = this.rebalanceTimeoutMs();
    if (initial) {
      // Kafka's group.initial.rebalance.delay.ms: let more first members arrive before the first generation.
      this.inInitialDelay = true;
      this.newMemberAdded = false;
      const delayMs = Math.min(this.config.initialRebalanceDelayMs, rebalanceTimeoutMs);
      this.scheduleInitialDelay(delayMs, rebalanceTimeoutMs - delayMs);
    } else {
      this.rebalanceTimer = this.config.scheduler.schedule(rebalanceTimeoutMs, () => this.completeJoin());
    }
  }

  private scheduleInitialDelay(delayMs: number, remainingMs: number): void {
    this.rebalanceTimer = this.config.scheduler.schedule(delayMs, () => {
      if (this.newMemberAdded && remainingMs > 0) {
        this.newMemberAdded = false;
        const next = Math.min(this.config.initialRebalanceDelayMs, remainingMs);
        this.scheduleInitialDelay(next, remainingMs - next);
        return;
      }
      this.inInitialDelay = false;
      this.completeJoin();
    });
  }

  private maybeCompleteJoin(): void {
    if (this.state !== "PreparingRebalance" || this.inInitialDelay) return;
    if (this.pendingMembers.size > 0) return;
    for (const m of this.members.values()) if (!m.awaitingJoin) return;
    this.completeJoin();
  }

  /** Ends the join phase: stragglers are removed, a generation starts, everyone waiting is answered. */
  private completeJoin(): void {
    if (this.state !== "PreparingRebalance") return;
    this.rebalanceTimer?.cancel();
    this.rebalanceTimer = null;
    this.inInitialDelay = false;
    for (const m of [...this.members.values()]) {
      if (!m.awaitingJoin) this.dropMember(m, ErrorCode.UNKNOWN_MEMBER_ID);
    }
    this.generationId++;
    if (this.members.size === 0) {
      this.protocolName = null;
      this.leaderId = null;
      this.transition("Empty");
      return;
    }
    this.protocolName = this.selectProtocol();
    if (this.leaderId === null || !this.members.has(this.leaderId)) {
      this.leaderId = this.members.keys().next().value as string;
    }
    this.transition("CompletingRebalance");
    this.config.logger.info("join phase complete", {
      group: this.groupId,
      generation: this.generationId,
      protocol: this.protocolName,
      members: this.members.size,
    });
    for (const m of this.members.values()) {
      const answer = m.awaitingJoin;
      m.awaitingJoin = null;
      this.resetSessionTimer(m);
      answer?.(this.currentJoinResult(m));
    }
  }

  /** The protocol every member supports that most members list first (ties: the earliest-listed). */
  private selectProtocol(): string {
    const all = [...this.members.values()];
    const candidates = all[0].protocols
      .map((p) => p.name)
      .filter((name) => all.every((m) => supports(m, name)));
    assert(candidates.length > 0, "members share no protocol although each join was checked");
    const votes = new Map<string, number>();
    for (const m of all) {
      const vote = m.protocols.find((p) => candidates.includes(p.name))?.name as string;
      votes.set(vote, (votes.get(vote) ?? 0) + 1);
    }
    let best = candidates[0];
    for (const name of candidates) if ((votes.get(name) ?? 0) > (votes.get(best) ?? 0)) best = name;
    return best;
  }

  private acceptsProtocols(protocolType: string, protocols: GroupProtocol[]): boolean {
    if (protocolType === "" || protocols.length === 0) return false;
    if (this.members.size === 0) return true;
    if (protocolType !== this.protocolType) return false;
    const all = [...this.members.values()];
    return protocols.some((p) => all.every((m) => supports(m, p.name)));
  }

  // ---- syncing ----

  private awaitSync(member: Member, req: SyncRequest): Promise<SyncResult> {
    member.awaitingSync?.(this.syncResult(ErrorCode.REBALANCE_IN_PROGRESS, emptyBytes));
    const synced = new Promise<SyncResult>((resolve) => {
      member.awaitingSync = resolve;
    });
    this.resetSessionTimer(member);
    if (member.memberId === this.leaderId) this.applyAssignments(req.assignments);
    return synced;
  }

  private applyAssignments(assignments: SyncRequest["assignments"]): void {
    for (const m of this.members.values()) m.assignment = emptyBytes;
    for (const a of assignments) {
      const m = this.members.get(a.memberId);
      if (m) m.assignment = a.assignment;
    }
    this.transition("Stable");
    this.config.logger.info("group stable", { group: this.groupId, generation: this.generationId });
    for (const m of this.members.values()) {
      const answer = m.awaitingSync;
      m.awaitingSync = null;
      answer?.(this.syncResult(ErrorCode.NONE, m.assignment));
    }
  }

  // ---- leaving and expiry ----

  private resetSessionTimer(member: Member): void {
    member.sessionTimer?.cancel();
    member.sessionTimer = this.config.scheduler.schedule(member.sessionTimeoutMs, () => {
      member.sessionTimer = null;
      if (this.members.get(member.memberId) !== member) return;
      // A member parked in JoinGroup or SyncGroup is alive: it cannot heartbeat while it waits.
      if (member.awaitingJoin || member.awaitingSync) return this.resetSessionTimer(member);
      this.removeMember(member, "session timeout");
    });
  }

  private expirePending(memberId: string): void {
    if (!this.pendingMembers.delete(memberId)) return;
    this.config.logger.info("pending member expired", { group: this.groupId, member: memberId });
    this.maybeCompleteJoin();
  }

  private removeMember(member: Member, reason: string): void {
    this.config.logger.info("member removed", { group: this.groupId, member: member.memberId, reason });
    this.dropMember(member, ErrorCode.UNKNOWN_MEMBER_ID);
    if (this.state === "Stable" || this.state === "CompletingRebalance") {
      this.prepareRebalance(`member ${member.memberId} ${reason}`);
    }
    this.maybeCompleteJoin();
  }

  private dropMember(member: Member, errorCode: number): void {
    member.sessionTimer?.cancel();
    member.sessionTimer = null;
    member.awaitingJoin?.(this.joinError(member.memberId, errorCode));
    member.awaitingJoin = null;
    member.awaitingSync?.(this.syncResult(errorCode, emptyBytes));
    member.awaitingSync = null;
    this.members.delete(member.memberId);
    if (
      member.groupInstanceId !== null &&
      this.staticMembers.get(member.groupInstanceId) === member.memberId
    ) {
      this.staticMembers.delete(member.groupInstanceId);
    }
  }

  // ---- helpers ----

  private transition(to: GroupState): void {
    if (this.state === to) return;
    this.config.logger.debug("group state", { group: this.groupId, from: this.state, to });
    this.state = to;
    this.stateChangedAtMs = this.config.scheduler.now();
  }

  private rebalanceTimeoutMs(): number {
    let max = 0;
    for (const m of this.members.values()) max = Math.max(max, m.rebalanceTimeoutMs);
    return max;
  }

  private protocolMetadata(member: Member): Buffer {
    if (this.protocolName === null) return emptyBytes;
    return member.protocols.find((p) => p.name === this.protocolName)?.metadata ?? emptyBytes;
  }

  private currentJoinResult(member: Member): JoinResult {
    const isLeader = member.memberId === this.leaderId;
    return {
      errorCode: ErrorCode.NONE,
      generationId: this.generationId,
      protocolType: this.protocolType,
      protocolName: this.protocolName,
      leader: this.leaderId ?? "",
      memberId: member.memberId,
      members: isLeader
        ? [...this.members.values()].map((m) => ({
            memberId: m.memberId,
            groupInstanceId: m.groupInstanceId,
            metadata: this.protocolMetadata(m),
          }))
        : [],
    };
  }

  private joinError(memberId: string, errorCode: number): JoinResult {
    return {
      errorCode,
      generationId: -1,
      protocolType: null,
      protocolName: null,
      leader: "",
      memberId,
      members: [],
    };
  }

  private syncResult(errorCode: number, assignment: Buffer): SyncResult {
    return { errorCode, protocolType: this.protocolType, protocolName: this.protocolName, assignment };
  }
}

function supports(member: Member, protocolName: string): boolean {
  return member.protocols.some((p) => p.name === protocolName);
}

function sameProtocols(a: GroupProtocol[], b: GroupProtocol[]): boolean {
  return a.length === b.length && a.every((p, i) => p.name === b[i].name && p.metadata.equals(b[i].metadata));
}
