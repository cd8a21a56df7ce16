// Every transition of the group state machine, driven by a manual clock (no real sleeps).
import { describe, expect, it } from "vitest";
import { silentLogger } from "../../common/logger.js";
import { ErrorCode } from "../protocol/errors.js";
import { Group, type JoinRequest, type JoinResult } from "./group.js";
import { ManualScheduler } from "./scheduler.js";

const delayMs = 100;

function setup() {
  const scheduler = new ManualScheduler();
  let n = 0;
  const group = new Group("g", {
    scheduler,
    logger: silentLogger,
    initialRebalanceDelayMs: delayMs,
    newMemberId: (clientId) => `${clientId}-${++n}`,
  });
  return { scheduler, group };
}

function req(over: Partial<JoinRequest> = {}): JoinRequest {
  return {
    memberId: "",
    groupInstanceId: null,
    clientId: "c",
    clientHost: "/127.0.0.1",
    sessionTimeoutMs: 1000,
    rebalanceTimeoutMs: 2000,
    protocolType: "consumer",
    protocols: [{ name: "range", metadata: Buffer.from("m") }],
    requireKnownMemberId: false,
    ...over,
  };
}

/** Lets resolved promises run their callbacks. */
const settle = () => new Promise((r) => setImmediate(r));

async function joinOne(s: ReturnType<typeof setup>, over: Partial<JoinRequest> = {}) {
  const p = s.group.join(req(over));
  s.scheduler.advance(delayMs);
  return p;
}

async function stableGroupOfTwo() {
  const s = setup();
  const a = s.group.join(req({ clientId: "a" }));
  const b = s.group.join(req({ clientId: "b" }));
  s.scheduler.advance(delayMs * 2);
  const [ja, jb] = await Promise.all([a, b]);
  const leader = ja.leader === ja.memberId ? ja : jb;
  const follower = leader === ja ? jb : ja;
  const fs = s.group.sync({
    memberId: follower.memberId,
    groupInstanceId: null,
    generationId: 1,
    assignments: [],
  });
  await s.group.sync({
    memberId: leader.memberId,
    groupInstanceId: null,
    generationId: 1,
    assignments: [
      { memberId: leader.memberId, assignment: Buffer.from("L") },
      { memberId: follower.memberId, assignment: Buffer.from("F") },
    ],
  });
  await fs;
  return { ...s, ja, jb, leader, follower };
}

describe("Group state machine", () => {
  it("Empty -> PreparingRebalance on first join, waits the initial delay, then CompletingRebalance", async () => {
    const s = setup();
    expect(s.group.state).toBe("Empty");
    const p = s.group.join(req());
    expect(s.group.state).toBe("PreparingRebalance");
    s.scheduler.advance(delayMs - 1);
    expect(s.group.state).toBe("PreparingRebalance");
    s.scheduler.advance(1);
    expect(s.group.state).toBe("CompletingRebalance");
    const r = await p;
    expect(r.errorCode).toBe(ErrorCode.NONE);
    expect(r.generationId).toBe(1);
    expect(r.leader).toBe(r.memberId);
    expect(r.members).toEqual([{ memberId: r.memberId, groupInstanceId: null, metadata: Buffer.from("m") }]);
    expect(r.protocolName).toBe("range");
  });

  it("extends the initial delay while new members keep arriving, up to the rebalance timeout", async () => {
    const s = setup();
    const a = s.group.join(req({ clientId: "a" }));
    s.scheduler.advance(delayMs - 10);
    const b = s.group.join(req({ clientId: "b" }));
    s.scheduler.advance(20);
    expect(s.group.state).toBe("PreparingRebalance");
    s.scheduler.advance(delayMs);
    expect(s.group.state).toBe("CompletingRebalance");
    const [ra, rb] = await Promise.all([a, b]);
    expect(ra.generationId).toBe(rb.generationId);
    const leader = [ra, rb].find((r) => r.memberId === r.leader) as JoinResult;
    expect(leader.members.map((m) => m.memberId).sort()).toEqual([ra.memberId, rb.memberId].sort());
    const follower = [ra, rb].find((r) => r !== leader) as JoinResult;
    expect(follower.members).toEqual([]);
  });

  it("CompletingRebalance -> Stable on the leader's sync; each member gets its bytes verbatim", async () => {
    const s = setup();
    const a = s.group.join(req({ clientId: "a" }));
    const b = s.group.join(req({ clientId: "b" }));
    s.scheduler.advance(delayMs * 2); // b's arrival extends the initial delay once
    const [ra, rb] = await Promise.all([a, b]);
    const leader = ra.leader === ra.memberId ? ra : rb;
    const follower = leader === ra ? rb : ra;
    const fSync = s.group.sync({
      memberId: follower.memberId,
      groupInstanceId: null,
      generationId: 1,
      assignments: [],
    });
    expect(s.group.state).toBe("CompletingRebalance");
    const lSync = s.group.sync({
      memberId: leader.memberId,
      groupInstanceId: null,
      generationId: 1,
      assignments: [
        { memberId: leader.memberId, assignment: Buffer.from([1, 2, 3]) },
        { memberId: follower.memberId, assignment: Buffer.from([9]) },
      ],
    });
    expect(s.group.state).toBe("Stable");
    expect((await lSync).assignment).toEqual(Buffer.from([1, 2, 3]));
    expect((await fSync).assignment).toEqual(Buffer.from([9]));
    // A late sync in Stable gets the stored assignment.
    const again = await s.group.sync({
      memberId: follower.memberId,
      groupInstanceId: null,
      generationId: 1,
      assignments: [],
    });
    expect(again.assignment).toEqual(Buffer.from([9]));
  });

  it("Stable -> PreparingRebalance on a new member, and back to CompletingRebalance once all rejoin", async () => {
    const s = await stableGroupOfTwo();
    expect(s.group.state).toBe("Stable");
    const c = s.group.join(req({ clientId: "c" }));
    expect(s.group.state).toBe("PreparingRebalance");
    expect(s.group.heartbeat(s.ja.memberId, null, 1)).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    const ra = s.group.join(req({ memberId: s.ja.memberId }));
    expect(s.group.state).toBe("PreparingRebalance");
    const rb = s.group.join(req({ memberId: s.jb.memberId }));
    expect(s.group.state).toBe("CompletingRebalance");
    const results = await Promise.all([ra, rb, c]);
    expect(results.every((r) => r.generationId === 2)).toBe(true);
    expect(results[0].leader).toBe(s.leader.memberId); // the previous leader keeps the role
  });

  it("Stable -> PreparingRebalance when a member leaves; the rest rejoin; last leave -> Empty", async () => {
    const s = await stableGroupOfTwo();
    expect(s.group.leave(s.follower.memberId, null)).toBe(ErrorCode.NONE);
    expect(s.group.state).toBe("PreparingRebalance");
    const r = await s.group.join(req({ memberId: s.leader.memberId }));
    expect(s.group.state).toBe("CompletingRebalance");
    expect(r.generationId).toBe(2);
    expect(s.group.leave(s.leader.memberId, null)).toBe(ErrorCode.NONE);
    expect(s.group.state).toBe("Empty");
    expect(s.group.generationId).toBe(3);
    expect(s.group.leave("nobody", null)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });

  it("CompletingRebalance -> PreparingRebalance when a member rejoins with new metadata; waiting syncs get REBALANCE_IN_PROGRESS", async () => {
    const s = setup();
    const a = s.group.join(req({ clientId: "a" }));
    const b = s.group.join(req({ clientId: "b" }));
    s.scheduler.advance(delayMs * 2); // b's arrival extends the initial delay once
    const [ra, rb] = await Promise.all([a, b]);
    const follower = ra.leader === ra.memberId ? rb : ra;
    const leader = follower === ra ? rb : ra;
    const waiting = s.group.sync({
      memberId: follower.memberId,
      groupInstanceId: null,
      generationId: 1,
      assignments: [],
    });
    const changed = s.group.join(
      req({ memberId: follower.memberId, protocols: [{ name: "range", metadata: Buffer.from("new") }] }),
    );
    expect(s.group.state).toBe("PreparingRebalance");
    expect((await waiting).errorCode).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    const lj = s.group.join(req({ memberId: leader.memberId }));
    const [rc, rl] = await Promise.all([changed, lj]);
    expect(rc.generationId).toBe(2);
    expect(rl.members.find((m) => m.memberId === follower.memberId)?.metadata).toEqual(Buffer.from("new"));
  });

  it("CompletingRebalance -> PreparingRebalance when a member's session expires before syncing", async () => {
    const s = setup();
    const a = s.group.join(req({ clientId: "a" }));
    const b = s.group.join(req({ clientId: "b", sessionTimeoutMs: 5000 }));
    s.scheduler.advance(delayMs * 2);
    const [ra] = await Promise.all([a, b]);
    s.scheduler.advance(999);
    expect(s.group.heartbeat(ra.memberId, null, 1)).toBe(ErrorCode.NONE);
    s.scheduler.advance(998);
    // a's heartbeat restarted its session: nothing expired yet.
    expect(s.group.state).toBe("CompletingRebalance");
    s.scheduler.advance(2);
    expect(s.group.state).toBe("PreparingRebalance");
    expect(s.group.hasMember(ra.memberId)).toBe(false);
  });

  it("Stable -> PreparingRebalance -> Empty when every session expires", async () => {
    const s = await stableGroupOfTwo();
    s.scheduler.advance(1000);
    expect(s.group.memberCount).toBe(0);
    expect(s.group.state).toBe("Empty");
  });

  it("members who do not rejoin within the rebalance timeout are removed", async () => {
    const s = await stableGroupOfTwo();
    const c = s.group.join(req({ clientId: "c", sessionTimeoutMs: 60_000 }));
    // Keep the old members' sessions alive with heartbeats but never rejoin them.
    for (let t = 0; t < 4; t++) {
      s.scheduler.advance(500);
      s.group.heartbeat(s.ja.memberId, null, 1);
      s.group.heartbeat(s.jb.memberId, null, 1);
    }
    const rc = await c;
    expect(rc.errorCode).toBe(ErrorCode.NONE);
    expect(s.group.memberCount).toBe(1);
    expect(rc.leader).toBe(rc.memberId);
  });

  it("Empty -> Dead when marked dead; a Dead group answers COORDINATOR_NOT_AVAILABLE", async () => {
    const s = setup();
    s.group.markDead();
    expect(s.group.state).toBe("Dead");
    expect((await s.group.join(req())).errorCode).toBe(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    expect(s.group.heartbeat("x", null, 0)).toBe(ErrorCode.COORDINATOR_NOT_AVAILABLE);
  });

  it("two-step join: MEMBER_ID_REQUIRED, then the returned id joins", async () => {
    const s = setup();
    const first = await s.group.join(req({ requireKnownMemberId: true }));
    expect(first.errorCode).toBe(ErrorCode.MEMBER_ID_REQUIRED);
    expect(first.memberId).not.toBe("");
    expect(s.group.state).toBe("Empty");
    const second = await joinOne(s, { memberId: first.memberId, requireKnownMemberId: true });
    expect(second.errorCode).toBe(ErrorCode.NONE);
    expect(second.memberId).toBe(first.memberId);
  });

  it("a pending member that never rejoins expires after its session timeout", async () => {
    const s = await stableGroupOfTwo();
    const pending = await s.group.join(req({ requireKnownMemberId: true }));
    s.scheduler.advance(1001);
    const late = await s.group.join(req({ memberId: pending.memberId }));
    expect(late.errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });

  it("heartbeat errors: unknown member, illegal generation, none when stable", async () => {
    const s = await stableGroupOfTwo();
    expect(s.group.heartbeat("ghost", null, 1)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(s.group.heartbeat(s.ja.memberId, null, 7)).toBe(ErrorCode.ILLEGAL_GENERATION);
    expect(s.group.heartbeat(s.ja.memberId, null, 1)).toBe(ErrorCode.NONE);
  });

  it("sync errors: unknown member, illegal generation, rebalance in progress, protocol mismatch", async () => {
    const s = await stableGroupOfTwo();
    const sync = (over: object) =>
      s.group.sync({
        memberId: s.ja.memberId,
        groupInstanceId: null,
        generationId: 1,
        assignments: [],
        ...over,
      });
    expect((await sync({ memberId: "ghost" })).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect((await sync({ generationId: 0 })).errorCode).toBe(ErrorCode.ILLEGAL_GENERATION);
    expect((await sync({ protocolName: "roundrobin" })).errorCode).toBe(
      ErrorCode.INCONSISTENT_GROUP_PROTOCOL,
    );
    void s.group.join(req({ clientId: "new" }));
    expect((await sync({})).errorCode).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
  });

  it("chooses the protocol all members support by preference votes; rejects a member sharing none", async () => {
    const s = setup();
    const p = (...names: string[]) => names.map((name) => ({ name, metadata: Buffer.from(name) }));
    const a = s.group.join(req({ protocols: p("range", "roundrobin") }));
    const b = s.group.join(req({ protocols: p("roundrobin", "sticky") }));
    const c = s.group.join(req({ protocols: p("roundrobin", "range") }));
    const bad = await s.group.join(req({ protocols: p("cooperative") }));
    expect(bad.errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    const wrongType = await s.group.join(req({ protocolType: "connect" }));
    expect(wrongType.errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    s.scheduler.advance(delayMs * 3);
    const results = await Promise.all([a, b, c]);
    expect(results.map((r) => r.protocolName)).toEqual(["roundrobin", "roundrobin", "roundrobin"]);
    const leader = results.find((r) => r.leader === r.memberId) as JoinResult;
    expect(leader.members.map((m) => m.metadata.toString())).toEqual([
      "roundrobin",
      "roundrobin",
      "roundrobin",
    ]);
  });

  it("static member: rejoining with a new member id keeps the assignment, fences the old id, no rebalance", async () => {
    const s = setup();
    const first = await joinOne(s, { groupInstanceId: "inst-1" });
    await s.group.sync({
      memberId: first.memberId,
      groupInstanceId: "inst-1",
      generationId: 1,
      assignments: [{ memberId: first.memberId, assignment: Buffer.from("P0") }],
    });
    expect(s.group.state).toBe("Stable");
    const again = await s.group.join(req({ groupInstanceId: "inst-1", clientId: "c2" }));
    expect(again.errorCode).toBe(ErrorCode.NONE);
    expect(again.memberId).not.toBe(first.memberId);
    expect(again.generationId).toBe(1);
    expect(s.group.state).toBe("Stable");
    const synced = await s.group.sync({
      memberId: again.memberId,
      groupInstanceId: "inst-1",
      generationId: 1,
      assignments: [],
    });
    expect(synced.assignment).toEqual(Buffer.from("P0"));
    expect(s.group.heartbeat(first.memberId, "inst-1", 1)).toBe(ErrorCode.FENCED_INSTANCE_ID);
    const oldJoin = await s.group.join(req({ memberId: first.memberId, groupInstanceId: "inst-1" }));
    expect(oldJoin.errorCode).toBe(ErrorCode.FENCED_INSTANCE_ID);
    expect(s.group.leave(first.memberId, "inst-1")).toBe(ErrorCode.FENCED_INSTANCE_ID);
    expect(s.group.leave("", "inst-1")).toBe(ErrorCode.NONE);
    expect(s.group.state).toBe("Empty");
  });

  it("static member with a changed subscription triggers a rebalance", async () => {
    const s = setup();
    const first = await joinOne(s, { groupInstanceId: "inst-1" });
    await s.group.sync({
      memberId: first.memberId,
      groupInstanceId: "inst-1",
      generationId: 1,
      assignments: [],
    });
    const p = s.group.join(
      req({ groupInstanceId: "inst-1", protocols: [{ name: "range", metadata: Buffer.from("x") }] }),
    );
    expect(s.group.state).toBe("CompletingRebalance");
    const r = await p;
    expect(r.generationId).toBe(2);
  });

  it("the leader rejoining a stable group starts a rebalance (so it can reassign)", async () => {
    const s = await stableGroupOfTwo();
    void s.group.join(req({ memberId: s.leader.memberId }));
    expect(s.group.state).toBe("PreparingRebalance");
    const f = await s.group.join(req({ memberId: s.follower.memberId }));
    expect(f.generationId).toBe(2);
    await settle();
  });
});
