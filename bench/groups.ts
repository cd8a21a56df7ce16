// Consumer-group timings with kafkajs consumers: JoinGroup to first fetched record, and the rebalance after
// one of three members leaves. Medians of several runs. Callable from bench/broker.ts or alone:
// `npm run build && npx tsx bench/groups.ts` (prints lines, then one JSON object as the last line).

import { pathToFileURL } from "node:url";
import kafkajs from "kafkajs";
import { BrokerProcess } from "../test/helpers/broker-process.js";

const { Kafka, logLevel } = kafkajs;

const topic = "bench-groups";
const partitions = 6;
const recordsPerPartition = 200;
const runsDefault = Number(process.env.BENCH_GROUP_RUNS ?? 5);
/** Every client heartbeat this often; a survivor learns of a rebalance on its next heartbeat. */
const heartbeatIntervalMs = 1000;
const sessionTimeoutMs = 6000;
const stepDeadlineMs = 60_000;

export interface GroupTimings {
  group_runs: number;
  group_join_to_first_record_ms: number;
  group_leave_rebalance_ms: number;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/** Resolves when check() holds, polling; rejects after the deadline. */
async function until(what: string, check: () => boolean): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > stepDeadlineMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

interface TrackedConsumer {
  consumer: kafkajs.Consumer;
  /** Partitions and wall-clock time of each GROUP_JOIN (a finished rebalance, as this member saw it). */
  joins: { at: number; partitions: number[] }[];
  firstRecordAt: number | null;
  firstJoinRequestAt: number | null;
}

async function startConsumer(kafka: kafkajs.Kafka, groupId: string): Promise<TrackedConsumer> {
  const consumer = kafka.consumer({
    groupId,
    sessionTimeout: sessionTimeoutMs,
    heartbeatInterval: heartbeatIntervalMs,
    rebalanceTimeout: 30_000,
    maxWaitTimeInMs: 500,
  });
  const tracked: TrackedConsumer = { consumer, joins: [], firstRecordAt: null, firstJoinRequestAt: null };
  consumer.on(consumer.events.REQUEST, (e) => {
    // REQUEST fires on the response; createdAt is when the first JoinGroup was built.
    if (e.payload.apiName === "JoinGroup" && tracked.firstJoinRequestAt === null)
      tracked.firstJoinRequestAt = e.payload.createdAt;
  });
  consumer.on(consumer.events.GROUP_JOIN, (e) => {
    tracked.joins.push({ at: Date.now(), partitions: [...(e.payload.memberAssignment[topic] ?? [])] });
  });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({
    eachMessage: async () => {
      tracked.firstRecordAt ??= Date.now();
    },
  });
  return tracked;
}

const lastPartitions = (c: TrackedConsumer) => c.joins[c.joins.length - 1]?.partitions ?? [];
const coversAll = (members: TrackedConsumer[]) => {
  const all = members.flatMap(lastPartitions);
  return all.length === partitions && new Set(all).size === partitions;
};

async function joinToFirstRecordMs(kafka: kafkajs.Kafka, run: number): Promise<number> {
  const member = await startConsumer(kafka, `bench-join-${run}`);
  try {
    await until(
      "the first record",
      () => member.firstRecordAt !== null && member.firstJoinRequestAt !== null,
    );
    return member.firstRecordAt! - member.firstJoinRequestAt!;
  } finally {
    await member.consumer.disconnect();
  }
}

async function leaveRebalanceMs(kafka: kafkajs.Kafka, run: number): Promise<number> {
  const groupId = `bench-leave-${run}`;
  const members = await Promise.all([0, 1, 2].map(() => startConsumer(kafka, groupId)));
  const [leaver, ...survivors] = members as [TrackedConsumer, TrackedConsumer, TrackedConsumer];
  try {
    await until(
      "three members sharing the partitions",
      () => members.every((m) => lastPartitions(m).length > 0) && coversAll(members),
    );
    const leftAt = Date.now();
    await leaver.consumer.disconnect();
    await until(
      "the two survivors to take over",
      () => survivors.every((m) => (m.joins[m.joins.length - 1]?.at ?? 0) > leftAt) && coversAll(survivors),
    );
    return Math.max(...survivors.map((m) => m.joins[m.joins.length - 1]!.at)) - leftAt;
  } finally {
    await Promise.all(survivors.map((m) => m.consumer.disconnect()));
  }
}

/** Starts its own broker (initial rebalance delay 0), measures, stops it. */
export async function measureGroupTimings(runs = runsDefault): Promise<GroupTimings> {
  const broker = await BrokerProcess.start({ config: { "group.initial.rebalance.delay.ms": "0" } });
  const kafka = new Kafka({
    clientId: "bench-groups",
    brokers: [broker.bootstrap],
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  const producer = kafka.producer();
  try {
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: partitions }], waitForLeaders: true });
    await producer.connect();
    const messages = Array.from({ length: partitions * recordsPerPartition }, (_, i) => ({
      partition: i % partitions,
      value: `bench-group-record-${i}`,
    }));
    await producer.send({ topic, acks: -1, messages });

    const joins: number[] = [];
    for (let run = 0; run < runs; run++) joins.push(await joinToFirstRecordMs(kafka, run));
    const leaves: number[] = [];
    for (let run = 0; run < runs; run++) leaves.push(await leaveRebalanceMs(kafka, run));
    console.log(
      `group: JoinGroup to first record ${median(joins).toFixed(0)} ms (runs ${joins.join(", ")}); ` +
        `rebalance after 1 of 3 leaves ${median(leaves).toFixed(0)} ms (runs ${leaves.join(", ")}; ` +
        `kafkajs, heartbeat ${heartbeatIntervalMs} ms)`,
    );
    return {
      group_runs: runs,
      group_join_to_first_record_ms: median(joins),
      group_leave_rebalance_ms: median(leaves),
    };
  } finally {
    await producer.disconnect().catch(() => {});
    await admin.disconnect().catch(() => {});
    await broker.cleanup();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(JSON.stringify(await measureGroupTimings()));
}
