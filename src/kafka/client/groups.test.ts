import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import kafkajs from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { silentLogger } from "../../common/logger.js";
import { type Broker, startBroker } from "../broker/index.js";
import { decodeAssignment } from "./groups.js";
import { ActiveGroupError, KafkaClient, type ResetTarget } from "./index.js";

const { Kafka, logLevel } = kafkajs;

/** ConsumerProtocolAssignment bytes built by hand, as a Java client would send them. */
function assignmentBytes(
  version: number,
  topics: Array<[string, number[]]>,
  userData: Buffer | null,
): Buffer {
  const parts: Buffer[] = [int(2, version), int(4, topics.length)];
  for (const [topic, partitions] of topics) {
    const name = Buffer.from(topic, "utf8");
    parts.push(int(2, name.length), name, int(4, partitions.length), ...partitions.map((p) => int(4, p)));
  }
  parts.push(userData === null ? int(4, -1) : Buffer.concat([int(4, userData.length), userData]));
  return Buffer.concat(parts);
}

function int(bytes: 2 | 4, n: number): Buffer {
  const b = Buffer.alloc(bytes);
  if (bytes === 2) b.writeInt16BE(n, 0);
  else b.writeInt32BE(n, 0);
  return b;
}

describe("ConsumerProtocolAssignment bytes", () => {
  it("reads topics and partitions of every version, with or without user data", () => {
    const topics: Array<[string, number[]]> = [
      ["a", [2, 0]],
      ["bé", []],
    ];
    const expected = [
      { topic: "a", partitions: [0, 2] },
      { topic: "bé", partitions: [] },
    ];
    for (const version of [0, 1, 2, 3]) {
      expect(decodeAssignment(assignmentBytes(version, topics, Buffer.from("ud")))).toEqual(expected);
      expect(decodeAssignment(assignmentBytes(version, topics, null))).toEqual(expected);
    }
  });

  it("reads empty bytes as no assignment and refuses truncated or absurd bytes", () => {
    const bytes = assignmentBytes(0, [["t", [1]]], null);
    expect(decodeAssignment(Buffer.alloc(0))).toEqual([]);
    expect(decodeAssignment(bytes.subarray(0, 9))).toBeNull();
    const hugeCount = Buffer.from(bytes);
    hugeCount.writeInt32BE(0x7fffffff, 2);
    expect(decodeAssignment(hugeCount)).toBeNull();
  });
});

let dataDir: string;
let broker: Broker;
let client: KafkaClient;
let kafka: kafkajs.Kafka;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "sluice-groups-"));
  broker = await startBroker({
    port: 0,
    listenHosts: ["127.0.0.1"],
    advertisedHost: "127.0.0.1",
    dataDir,
    logger: silentLogger,
    autoCreateTopicsEnable: false,
    groupInitialRebalanceDelayMs: 0,
    groupMinSessionTimeoutMs: 1000,
  });
  client = new KafkaClient({ bootstrap: `127.0.0.1:${broker.port}`, requestTimeoutMs: 10_000, retries: 3 });
  kafka = new Kafka({
    clientId: "groups-test",
    brokers: [`127.0.0.1:${broker.port}`],
    logLevel: logLevel.NOTHING,
  });
});

afterAll(async () => {
  await client?.close();
  await broker?.close();
  await rm(dataDir, { recursive: true, force: true });
});

async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function groupConsumer(groupId: string): kafkajs.Consumer {
  return kafka.consumer({ groupId, sessionTimeout: 3000, heartbeatInterval: 300, rebalanceTimeout: 5000 });
}

describe("consumer-group administration against a live kafkajs group", () => {
  const topic = "grp-lag";
  const groupId = "g-live";
  const produced = new Map([
    [0, 10],
    [1, 6],
  ]);
  const committedByTest = new Map([
    [0, 4n],
    [1, 6n],
  ]);

  it("finds the coordinator, lists, describes with assignments and lag, and guards reset and delete", async () => {
    await client.createTopics([{ name: topic, partitions: 2 }]);
    for (const [partition, count] of produced)
      await client.produce(
        topic,
        Array.from({ length: count }, (_, i) => ({ value: `p${partition}-${i}`, partition })),
      );

    const coordinator = await client.findCoordinator(groupId);
    expect(coordinator.port).toBe(broker.port);

    const consumer = groupConsumer(groupId);
    let received = 0;
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: async () => {
        received++;
      },
    });
    try {
      await waitFor("all records consumed", () => received === 16);
      await consumer.commitOffsets(
        [...committedByTest].map(([partition, offset]) => ({
          topic,
          partition,
          offset: String(offset),
        })),
      );

      const listed = await client.listGroups();
      expect(listed.find((g) => g.groupId === groupId)).toEqual({
        groupId,
        protocolType: "consumer",
        state: "Stable",
      });

      const [description] = await client.describeGroups([groupId]);
      expect(description).toMatchObject({ groupId, state: "Stable", protocolType: "consumer" });
      expect(description.protocol).not.toBe("");
      expect(description.members).toHaveLength(1);
      const member = description.members[0];
      expect(member.clientId).toBe("groups-test");
      expect(member.clientHost).toContain("127.0.0.1");
      expect(member.assignment).toEqual([{ topic, partitions: [0, 1] }]);

      const lag = await client.groupLag(description);
      expect(lag).toEqual(
        [0, 1].map((partition) => ({
          topic,
          partition,
          committedOffset: committedByTest.get(partition),
          logEndOffset: BigInt(produced.get(partition) ?? 0),
          lag: BigInt(produced.get(partition) ?? 0) - (committedByTest.get(partition) ?? 0n),
          memberId: member.memberId,
          clientId: "groups-test",
          clientHost: member.clientHost,
        })),
      );

      const reset = client.resetOffsets(groupId, topic, { kind: "offset", offset: 2n }, { partitions: [0] });
      await expect(reset).rejects.toBeInstanceOf(ActiveGroupError);
      // The coordinator refuses a simple commit too, should a member join between the check and the commit.
      await expect(client.commitOffsets(groupId, topic, new Map([[0, 2n]]))).rejects.toThrow(
        /UNKNOWN_MEMBER_ID|ILLEGAL_GENERATION/,
      );
      expect(await client.deleteGroups([groupId])).toEqual([
        { groupId, errorCode: 68, error: "NON_EMPTY_GROUP" },
      ]);
      const still = await client.fetchCommittedOffsets(groupId, [topic]);
      expect(still.map((c) => c.offset)).toEqual([4n, 6n]);
    } finally {
      await consumer.disconnect();
    }
  });

  it("applies a reset once the members left, and a new member starts at the reset offsets", async () => {
    const [empty] = await client.describeGroups([groupId]);
    expect(empty).toMatchObject({ state: "Empty", members: [] });

    const dryRun = await client.resetOffsets(
      groupId,
      topic,
      { kind: "offset", offset: 2n },
      { partitions: [0], dryRun: true },
    );
    expect(dryRun).toEqual([{ topic, partition: 0, currentOffset: 4n, newOffset: 2n }]);
    expect((await client.fetchCommittedOffsets(groupId))[0].offset).toBe(4n);
    const plan = await client.resetOffsets(
      groupId,
      topic,
      { kind: "offset", offset: 2n },
      { partitions: [0] },
    );
    expect(plan).toEqual(dryRun);
    const committed = await client.fetchCommittedOffsets(groupId);
    expect(committed.map((c) => [c.topic, c.partition, c.offset])).toEqual([
      [topic, 0, 2n],
      [topic, 1, 6n],
    ]);

    await client.produce(topic, [{ value: "late", partition: 1 }]);
    const consumer = groupConsumer(groupId);
    const firstOffset = new Map<number, string>();
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        if (!firstOffset.has(partition)) firstOffset.set(partition, message.offset);
      },
    });
    try {
      await waitFor("both partitions consumed", () => firstOffset.size === 2);
    } finally {
      await consumer.disconnect();
    }
    expect(firstOffset.get(0)).toBe("2");
    expect(firstOffset.get(1)).toBe("6");
  });

  it("deletes empty groups and reports unknown ones by name", async () => {
    expect(await client.deleteGroups([groupId, "no-such-group"])).toEqual([
      { groupId, errorCode: 0, error: "NONE" },
      { groupId: "no-such-group", errorCode: 69, error: "GROUP_ID_NOT_FOUND" },
    ]);
    expect((await client.listGroups()).map((g) => g.groupId)).not.toContain(groupId);
    const [dead] = await client.describeGroups([groupId]);
    expect(dead).toMatchObject({ state: "Dead", members: [] });
  });
});

describe("offset reset plans", () => {
  it("resolves earliest, latest, clamped offsets and timestamps per partition", async () => {
    const topic = "grp-times";
    await client.createTopics([{ name: topic, partitions: 1 }]);
    await client.produce(
      topic,
      [0, 1, 2, 3, 4].map((i) => ({ value: `v${i}`, timestamp: 10_000 + i * 1000 })),
    );
    const plan = (target: ResetTarget) =>
      client
        .resetOffsets("g-plan", topic, target, { dryRun: true })
        .then((rows) => rows.map((r) => r.newOffset));
    expect(await plan({ kind: "earliest" })).toEqual([0n]);
    expect(await plan({ kind: "latest" })).toEqual([5n]);
    expect(await plan({ kind: "offset", offset: 99n })).toEqual([5n]);
    expect(await plan({ kind: "datetime", ms: 12_500 })).toEqual([3n]);
    expect(await plan({ kind: "datetime", ms: 99_000 })).toEqual([5n]);
    await expect(
      client.resetOffsets("g-plan", topic, { kind: "earliest" }, { partitions: [3], dryRun: true }),
    ).rejects.toThrow(/no partition 3/);
    expect(await client.listGroups()).not.toContainEqual(expect.objectContaining({ groupId: "g-plan" }));

    // A group nobody joined: the simple commit creates it, Empty, with the offsets.
    await client.resetOffsets("g-plan", topic, { kind: "latest" });
    const [description] = await client.describeGroups(["g-plan"]);
    expect(description).toMatchObject({ state: "Empty", members: [] });
    expect(await client.groupLag(description)).toMatchObject([
      { topic, partition: 0, committedOffset: 5n, logEndOffset: 5n, lag: 0n, memberId: null },
    ]);
  });
});
