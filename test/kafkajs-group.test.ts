// Integration: kafkajs consumer groups against the broker's group coordinator over a real socket.

import { join } from "node:path";
import { type Consumer, type EachMessagePayload, Kafka, logLevel } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger, silentLogger } from "../src/common/logger.js";
import { startTestBroker, type TestBroker } from "../src/kafka/broker/test-broker.js";
import { GroupCoordinator } from "../src/kafka/groups/index.js";

const topic = "grp-t";
const partitions = 6;
let tb: TestBroker;
let kafka: Kafka;

async function openCoordinator(): Promise<GroupCoordinator> {
  return GroupCoordinator.open(join(tb.dataDir, "groups"), {
    logger: process.env.GROUPS_DEBUG ? createLogger({ level: "debug" }) : silentLogger,
    initialRebalanceDelayMs: 300,
    minSessionTimeoutMs: 1000,
  });
}

beforeAll(async () => {
  tb = await startTestBroker({
    advertisedHost: "127.0.0.1",
    groupInitialRebalanceDelayMs: 300,
    groupMinSessionTimeoutMs: 1000,
  });
  kafka = new Kafka({
    clientId: "grp-test",
    brokers: [`127.0.0.1:${tb.broker.port}`],
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: partitions }], waitForLeaders: true });
  await admin.disconnect();
});

afterAll(async () => {
  await tb.stop();
});

async function produce(count: number, tag: string) {
  const producer = kafka.producer();
  await producer.connect();
  const messages = Array.from({ length: count }, (_, i) => ({
    partition: i % partitions,
    value: `${tag}-${i}`,
  }));
  await producer.send({ topic, messages });
  await producer.disconnect();
}

interface Tracked {
  consumer: Consumer;
  assigned: number[];
  seen: string[];
}

async function startConsumer(groupId: string): Promise<Tracked> {
  const consumer = kafka.consumer({
    groupId,
    sessionTimeout: 6000,
    heartbeatInterval: 300,
    rebalanceTimeout: 20_000,
    // kafkajs learns of a rebalance between fetches, so keep long polls shorter than the rebalance timeout.
    maxWaitTimeInMs: 300,
  });
  const tracked: Tracked = { consumer, assigned: [], seen: [] };
  everyConsumer.push(tracked);
  consumer.on(consumer.events.GROUP_JOIN, (e) => {
    tracked.assigned = [...(e.payload.memberAssignment[topic] ?? [])].sort((a, b) => a - b);
  });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    autoCommitInterval: 100,
    eachMessage: async ({ message }: EachMessagePayload) => {
      tracked.seen.push(message.value?.toString() ?? "");
    },
  });
  return tracked;
}

async function waitFor(what: string, check: () => boolean, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}: ${JSON.stringify(debugState())}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const everyConsumer: Tracked[] = [];
function debugState() {
  return everyConsumer.map((c) => ({ assigned: c.assigned, seen: c.seen.length }));
}

/** Every partition is owned by exactly one of the consumers. */
function splitsExactly(consumers: Tracked[]): boolean {
  const all = consumers.flatMap((c) => c.assigned).sort((a, b) => a - b);
  return (
    all.length === partitions && all.every((p, i) => p === i) && consumers.every((c) => c.assigned.length > 0)
  );
}

describe("kafkajs consumer group", () => {
  it("splits partitions, hands a leaver's partitions over, and resumes from committed offsets", async () => {
    await produce(60, "a");
    const consumers = [await startConsumer("g1"), await startConsumer("g1"), await startConsumer("g1")];
    await waitFor("three-way split", () => splitsExactly(consumers));
    expect(consumers.map((c) => c.assigned.length)).toEqual([2, 2, 2]);

    const described = await (async () => {
      const admin = kafka.admin();
      await admin.connect();
      try {
        return await admin.describeGroups(["g1"]);
      } finally {
        await admin.disconnect();
      }
    })();
    expect(described.groups[0].state).toBe("Stable");
    expect(described.groups[0].members).toHaveLength(3);

    const [leaver, ...stayers] = consumers;
    await leaver.consumer.disconnect();
    await waitFor("two-way split", () => splitsExactly(stayers));

    await waitFor("all 60 messages", () => new Set(consumers.flatMap((c) => c.seen)).size === 60);
    for (const c of stayers) await c.consumer.disconnect();

    const admin = kafka.admin();
    await admin.connect();
    const committed = await admin.fetchOffsets({ groupId: "g1", topics: [topic] });
    const total = committed[0].partitions.reduce((n, p) => n + Number(p.offset), 0);
    expect(total).toBe(60);

    // Restart the coordinator (offsets come back from disk) and the consumers: only new messages arrive.
    await tb.broker.state.groups?.close();
    tb.broker.state.groups = await openCoordinator();
    await produce(6, "b");
    const resumed = await startConsumer("g1");
    await waitFor("the 6 new messages", () => resumed.seen.length >= 6);
    await new Promise((r) => setTimeout(r, 500));
    expect(resumed.seen.sort()).toEqual(["b-0", "b-1", "b-2", "b-3", "b-4", "b-5"]);
    await resumed.consumer.disconnect();

    const groups = await admin.listGroups();
    expect(groups.groups.map((g) => g.groupId)).toContain("g1");
    await admin.deleteGroups(["g1"]);
    expect((await admin.listGroups()).groups.map((g) => g.groupId)).not.toContain("g1");
    await admin.disconnect();
  });
});
