// Replays librdkafka test 0118's opening against the state machine: two consumers subscribe a few ms apart,
// and the first one is not polled (so cannot rejoin) while the second waits for its assignment.
import { describe, expect, it } from "vitest";
import { silentLogger } from "../../common/logger.js";
import { ErrorCode } from "../protocol/errors.js";
import { Group, type JoinRequest, type JoinResult } from "./group.js";
import { ManualScheduler } from "./scheduler.js";

// librdkafka's test harness: session.timeout.ms=6000, heartbeat.interval.ms=3000, max.poll.interval.ms=300000.
const sessionTimeoutMs = 6000;
const heartbeatIntervalMs = 3000;
const rebalanceTimeoutMs = 300_000;

function setup(initialRebalanceDelayMs: number) {
  const scheduler = new ManualScheduler();
  let n = 0;
  const group = new Group("g", {
    scheduler,
    logger: silentLogger,
    initialRebalanceDelayMs,
    newMemberId: (clientId) => `${clientId}-${++n}`,
  });
  return { scheduler, group };
}

function req(clientId: string, memberId = ""): JoinRequest {
  return {
    memberId,
    groupInstanceId: null,
    clientId,
    clientHost: "/127.0.0.1",
    sessionTimeoutMs,
    rebalanceTimeoutMs,
    protocolType: "consumer",
    protocols: [{ name: "range", metadata: Buffer.from(clientId) }],
    requireKnownMemberId: true,
  };
}

/** JoinGroup v4+ as librdkafka does it: an empty id gets MEMBER_ID_REQUIRED, then it joins with that id. */
// Wrapped in an object: an async function returning the parked promise itself would wait for it.
async function twoStepJoin(group: Group, clientId: string): Promise<{ joined: Promise<JoinResult> }> {
  const first = await group.join(req(clientId));
  expect(first.errorCode).toBe(ErrorCode.MEMBER_ID_REQUIRED);
  return { joined: group.join(req(clientId, first.memberId)) };
}

/** Records when a parked JoinGroup is answered, without awaiting it. */
function watch(p: Promise<JoinResult>) {
  const seen: { result: JoinResult | null } = { result: null };
  p.then((r) => {
    seen.result = r;
  });
  return seen;
}

const settle = () => new Promise((r) => setImmediate(r));

async function syncAlone(group: Group, joined: JoinResult) {
  const synced = await group.sync({
    memberId: joined.memberId,
    groupInstanceId: null,
    generationId: joined.generationId,
    assignments: [{ memberId: joined.memberId, assignment: Buffer.from("all") }],
  });
  expect(synced.errorCode).toBe(ErrorCode.NONE);
}

describe("a consumer joining just after the first generation formed (librdkafka 0118)", () => {
  it("with no initial delay, the first member forms generation 1 alone; the late one waits for it to rejoin", async () => {
    const s = setup(0);
    const c1Join = await twoStepJoin(s.group, "c1");
    s.scheduler.advance(0);
    const c1 = await c1Join.joined;
    expect(c1.generationId).toBe(1);
    expect(c1.members.map((m) => m.memberId)).toEqual([c1.memberId]);
    await syncAlone(s.group, c1);

    // c2 arrives a few ms later: a Stable group moves to PreparingRebalance and parks c2's join.
    s.scheduler.advance(5);
    const c2 = watch((await twoStepJoin(s.group, "c2")).joined);
    expect(s.group.state).toBe("PreparingRebalance");

    // c1 keeps heartbeating (librdkafka does, while its revoke callback waits for the app to poll);
    // each heartbeat keeps it in the group, as in Kafka, so c2 stays parked well past the test's 40 s.
    for (let t = 0; t < 40_000; t += heartbeatIntervalMs) {
      expect(s.group.heartbeat(c1.memberId, null, 1)).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
      s.scheduler.advance(heartbeatIntervalMs);
      await settle();
    }
    expect(s.group.hasMember(c1.memberId)).toBe(true);
    expect(c2.result).toBeNull();

    // Once c1 rejoins, both are in generation 2 at once.
    const c1Again = await Promise.all([s.group.join(req("c1", c1.memberId)), settle()]);
    await settle();
    expect(c1Again[0].generationId).toBe(2);
    expect(c2.result?.generationId).toBe(2);
    expect(c2.result?.errorCode).toBe(ErrorCode.NONE);
  });

  it("if the first member goes silent instead, its session expiry ends the join phase for the late one", async () => {
    const s = setup(0);
    const c1Join = await twoStepJoin(s.group, "c1");
    s.scheduler.advance(0);
    const c1 = await c1Join.joined;
    await syncAlone(s.group, c1);
    const c2 = watch((await twoStepJoin(s.group, "c2")).joined);
    expect(s.group.heartbeat(c1.memberId, null, 1)).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    s.scheduler.advance(sessionTimeoutMs - 1);
    await settle();
    expect(c2.result).toBeNull();
    s.scheduler.advance(1);
    await settle();
    expect(s.group.hasMember(c1.memberId)).toBe(false);
    expect(c2.result?.generationId).toBe(2);
    expect(c2.result?.members.length).toBe(1);
  });

  it("the late member's parked JoinGroup does not expire its own session while it waits", async () => {
    const s = setup(0);
    const c1Join = await twoStepJoin(s.group, "c1");
    s.scheduler.advance(0);
    const c1 = await c1Join.joined;
    await syncAlone(s.group, c1);
    const c2 = watch((await twoStepJoin(s.group, "c2")).joined);
    for (let t = 0; t < sessionTimeoutMs * 3; t += heartbeatIntervalMs) {
      s.group.heartbeat(c1.memberId, null, 1);
      s.scheduler.advance(heartbeatIntervalMs);
    }
    await settle();
    expect(c2.result).toBeNull();
    expect(s.group.memberCount).toBe(2);
  });

  it("with Kafka's default 3 s initial delay, a member 5 ms behind lands in generation 1 too", async () => {
    const s = setup(3000);
    const c1 = watch((await twoStepJoin(s.group, "c1")).joined);
    s.scheduler.advance(5);
    const c2 = watch((await twoStepJoin(s.group, "c2")).joined);
    s.scheduler.advance(3000);
    await settle();
    // c2 arrived during the first delay, so the delay was extended once more (as Kafka does).
    expect(c1.result).toBeNull();
    s.scheduler.advance(3000);
    await settle();
    expect(c1.result?.generationId).toBe(1);
    expect(c2.result?.generationId).toBe(1);
    const leader = c1.result?.leader === c1.result?.memberId ? c1.result : c2.result;
    expect(leader?.members.length).toBe(2);
  });
});
