// The coordinator: request validation, offset commit checks, fetch, delete, reset and expiry.
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { silentLogger } from "../../common/logger.js";
import { ErrorCode } from "../protocol/errors.js";
import { encodeSubscription } from "./consumer-protocol.js";
import { GroupCoordinator, GroupNotEmptyError } from "./coordinator.js";
import type { JoinRequest } from "./group.js";
import { ManualScheduler } from "./scheduler.js";

const day = 24 * 60 * 60 * 1000;
const open: GroupCoordinator[] = [];

async function setup(dir?: string) {
  const scheduler = new ManualScheduler();
  const d = dir ?? (await mkdtemp(join(tmpdir(), "groups-")));
  const coordinator = await GroupCoordinator.open(d, {
    logger: silentLogger,
    scheduler,
    initialRebalanceDelayMs: 0,
    minSessionTimeoutMs: 100,
    offsetsRetentionMs: day,
  });
  open.push(coordinator);
  return { dir: d, scheduler, coordinator };
}

afterEach(async () => {
  for (const c of open.splice(0)) await c.close();
});

function req(over: Partial<JoinRequest> = {}): JoinRequest {
  return {
    memberId: "",
    groupInstanceId: null,
    clientId: "c",
    clientHost: "/127.0.0.1",
    sessionTimeoutMs: 1000,
    rebalanceTimeoutMs: 1000,
    protocolType: "consumer",
    protocols: [{ name: "range", metadata: encodeSubscription(["t"]) }],
    requireKnownMemberId: false,
    ...over,
  };
}

async function stableMember(s: Awaited<ReturnType<typeof setup>>, groupId = "g") {
  const joined = s.coordinator.join(groupId, req());
  s.scheduler.advance(0);
  const j = await joined;
  await s.coordinator.sync(groupId, {
    memberId: j.memberId,
    groupInstanceId: null,
    generationId: j.generationId,
    assignments: [],
  });
  return j;
}

const commit = (offset: bigint, topic = "t", partition = 0) => ({
  topic,
  partition,
  offset,
  leaderEpoch: -1,
  metadata: "meta",
});

describe("GroupCoordinator", () => {
  it("rejects session timeouts outside the configured range and empty group ids", async () => {
    const s = await setup();
    expect((await s.coordinator.join("g", req({ sessionTimeoutMs: 99 }))).errorCode).toBe(
      ErrorCode.INVALID_SESSION_TIMEOUT,
    );
    expect((await s.coordinator.join("g", req({ sessionTimeoutMs: 1_800_001 }))).errorCode).toBe(
      ErrorCode.INVALID_SESSION_TIMEOUT,
    );
    expect((await s.coordinator.join("", req())).errorCode).toBe(ErrorCode.INVALID_GROUP_ID);
    expect((await s.coordinator.join("nope", req({ memberId: "m" }))).errorCode).toBe(
      ErrorCode.UNKNOWN_MEMBER_ID,
    );
    expect(s.coordinator.heartbeat("nope", "m", null, 1)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });

  it("allows simple commits (generation -1, no member) for a group without members, durably", async () => {
    const s = await setup();
    const r = await s.coordinator.commitOffsets("simple", {
      generationId: -1,
      memberId: "",
      groupInstanceId: null,
      offsets: [commit(42n), { ...commit(7n, "t", 1), metadata: "x".repeat(5000) }],
    });
    expect(r.map((p) => p.errorCode)).toEqual([ErrorCode.NONE, ErrorCode.OFFSET_METADATA_TOO_LARGE]);
    await s.coordinator.close();
    const again = await setup(s.dir);
    const fetched = again.coordinator.fetchOffsets("simple", [{ name: "t", partitions: [0, 1] }]);
    expect(fetched.map((f) => [f.offset, f.metadata])).toEqual([
      [42n, "meta"],
      [-1n, ""],
    ]);
    expect(again.coordinator.listGroups()).toEqual([{ groupId: "simple", protocolType: "", state: "Empty" }]);
  });

  it("checks generation and member of commits from group members", async () => {
    const s = await setup();
    const j = await stableMember(s);
    const c = (generationId: number, memberId: string) =>
      s.coordinator.commitOffsets("g", {
        generationId,
        memberId,
        groupInstanceId: null,
        offsets: [commit(1n)],
      });
    expect((await c(j.generationId, j.memberId))[0].errorCode).toBe(ErrorCode.NONE);
    expect((await c(j.generationId + 1, j.memberId))[0].errorCode).toBe(ErrorCode.ILLEGAL_GENERATION);
    expect((await c(j.generationId, "ghost"))[0].errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect((await c(-1, ""))[0].errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(
      (
        await s.coordinator.commitOffsets("other", {
          generationId: 3,
          memberId: "m",
          groupInstanceId: null,
          offsets: [commit(1n)],
        })
      )[0].errorCode,
    ).toBe(ErrorCode.ILLEGAL_GENERATION);
  });

  it("refuses commits while the group completes a rebalance", async () => {
    const s = await setup();
    const joined = s.coordinator.join("g", req());
    s.scheduler.advance(0);
    const j = await joined;
    const r = await s.coordinator.commitOffsets("g", {
      generationId: j.generationId,
      memberId: j.memberId,
      groupInstanceId: null,
      offsets: [commit(1n)],
    });
    expect(r[0].errorCode).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
  });

  it("fetch of an unknown group gives -1 offsets with no error; null topics lists everything", async () => {
    const s = await setup();
    expect(s.coordinator.fetchOffsets("none", [{ name: "t", partitions: [3] }])).toEqual([
      { topic: "t", partition: 3, offset: -1n, leaderEpoch: -1, metadata: "", errorCode: ErrorCode.NONE },
    ]);
    await s.coordinator.commitOffsets("g", {
      generationId: -1,
      memberId: "",
      groupInstanceId: null,
      offsets: [commit(5n, "a"), commit(6n, "b")],
    });
    expect(
      s.coordinator
        .fetchOffsets("g", null)
        .map((f) => f.topic)
        .sort(),
    ).toEqual(["a", "b"]);
  });

  it("describes members with client id, host, metadata and assignment", async () => {
    const s = await setup();
    const joined = s.coordinator.join("g", req({ clientId: "me" }));
    s.scheduler.advance(0);
    const j = await joined;
    await s.coordinator.sync("g", {
      memberId: j.memberId,
      groupInstanceId: null,
      generationId: j.generationId,
      assignments: [{ memberId: j.memberId, assignment: Buffer.from("asg") }],
    });
    const d = s.coordinator.describeGroup("g");
    expect(d).toMatchObject({
      state: "Stable",
      protocolType: "consumer",
      protocolName: "range",
      leaderId: j.memberId,
    });
    expect(d.members).toEqual([
      {
        memberId: j.memberId,
        groupInstanceId: null,
        clientId: "me",
        clientHost: "/127.0.0.1",
        metadata: encodeSubscription(["t"]),
        assignment: Buffer.from("asg"),
      },
    ]);
    expect(s.coordinator.describeGroup("unknown").state).toBe("Dead");
    expect(s.coordinator.listGroups(["stable"]).map((g) => g.groupId)).toEqual(["g"]);
    expect(s.coordinator.listGroups(["Empty"])).toEqual([]);
  });

  it("deletes only empty groups; unknown ones are GROUP_ID_NOT_FOUND", async () => {
    const s = await setup();
    await stableMember(s, "busy");
    await s.coordinator.commitOffsets("idle", {
      generationId: -1,
      memberId: "",
      groupInstanceId: null,
      offsets: [commit(1n)],
    });
    const r = await s.coordinator.deleteGroups(["busy", "idle", "ghost"]);
    expect(r.map((x) => x.errorCode)).toEqual([
      ErrorCode.NON_EMPTY_GROUP,
      ErrorCode.NONE,
      ErrorCode.GROUP_ID_NOT_FOUND,
    ]);
    expect(s.coordinator.committedOffsets("idle")).toEqual([]);
    await s.coordinator.close();
    const again = await setup(s.dir);
    expect(again.coordinator.listGroups()).toEqual([]);
  });

  it("OffsetDelete refuses topics the group consumes and deletes the rest", async () => {
    const s = await setup();
    const j = await stableMember(s);
    await s.coordinator.commitOffsets("g", {
      generationId: j.generationId,
      memberId: j.memberId,
      groupInstanceId: null,
      offsets: [commit(1n, "t"), commit(2n, "old")],
    });
    const r = await s.coordinator.deleteOffsets("g", [
      { name: "t", partitions: [0] },
      { name: "old", partitions: [0] },
    ]);
    expect(r.errorCode).toBe(ErrorCode.NONE);
    expect(r.results.map((x) => x.errorCode)).toEqual([ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC, ErrorCode.NONE]);
    expect(s.coordinator.committedOffsets("g").map((e) => e.topic)).toEqual(["t"]);
    expect((await s.coordinator.deleteOffsets("ghost", [])).errorCode).toBe(ErrorCode.GROUP_ID_NOT_FOUND);
  });

  it("resetOffsets refuses while members are active and works once the group is empty", async () => {
    const s = await setup();
    const j = await stableMember(s);
    await expect(s.coordinator.resetOffsets("g", "t", [{ partition: 0, offset: 0n }])).rejects.toThrow(
      GroupNotEmptyError,
    );
    s.coordinator.leave("g", [{ memberId: j.memberId, groupInstanceId: null }]);
    await s.coordinator.resetOffsets("g", "t", [{ partition: 0, offset: 17n }]);
    expect(s.coordinator.committedOffsets("g").map((e) => e.offset)).toEqual([17n]);
  });

  it("expires offsets of empty groups after the retention, counted from when the group emptied", async () => {
    const s = await setup();
    const j = await stableMember(s);
    await s.coordinator.commitOffsets("g", {
      generationId: j.generationId,
      memberId: j.memberId,
      groupInstanceId: null,
      offsets: [commit(1n)],
    });
    await s.coordinator.commitOffsets("simple", {
      generationId: -1,
      memberId: "",
      groupInstanceId: null,
      offsets: [commit(1n)],
    });
    s.scheduler.advance(day / 2); // g's member's session ends: g is empty from here on
    await s.coordinator.expireOffsets();
    expect(s.coordinator.committedOffsets("g")).toHaveLength(1);
    s.scheduler.advance(day);
    await s.coordinator.expireOffsets();
    expect(s.coordinator.committedOffsets("simple")).toEqual([]);
    expect(s.coordinator.committedOffsets("g")).toEqual([]);
    expect(s.coordinator.listGroups().map((g) => g.groupId)).not.toContain("simple");
  });

  it("keeps a group with members' offsets while it is not empty", async () => {
    const s = await setup();
    const joined = s.coordinator.join("g", req({ sessionTimeoutMs: 1_800_000 }));
    s.scheduler.advance(0);
    const j = await joined;
    await s.coordinator.sync("g", {
      memberId: j.memberId,
      groupInstanceId: null,
      generationId: j.generationId,
      assignments: [],
    });
    await s.coordinator.commitOffsets("g", {
      generationId: j.generationId,
      memberId: j.memberId,
      groupInstanceId: null,
      offsets: [commit(9n)],
    });
    for (let i = 0; i < 50; i++) {
      s.scheduler.advance(1_000_000);
      expect(s.coordinator.heartbeat("g", j.memberId, null, j.generationId)).toBe(ErrorCode.NONE);
    }
    expect(await s.coordinator.expireOffsets()).toBe(0);
    expect(s.coordinator.committedOffsets("g").map((e) => e.offset)).toEqual([9n]);
    s.coordinator.leave("g", [{ memberId: j.memberId, groupInstanceId: null }]);
    s.scheduler.advance(day - 1);
    expect(await s.coordinator.expireOffsets()).toBe(0);
    s.scheduler.advance(1);
    expect(await s.coordinator.expireOffsets()).toBe(1);
  });
});
