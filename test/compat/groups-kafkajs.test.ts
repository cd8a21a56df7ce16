// kafkajs 2.2.4 consumer groups: each member a child node process (so a kill sends no LeaveGroup);
// assignments come from kafkajs's GROUP_JOIN event, committed offsets from its admin fetchOffsets.

import { spawn } from "node:child_process";
import kafkajs from "kafkajs";
import { repoRoot } from "../helpers/broker-process.js";
import {
  groupPartitions,
  groupSuite,
  type MemberOptions,
  MemberProcess,
  parseMemberJsonLine,
  sessionTimeoutMs,
} from "./groups-harness.js";

/** The member program, run with `node --input-type=module -e` from the repository (so kafkajs resolves). */
const memberProgram = `
import kafkajs from "kafkajs";
const req = JSON.parse(process.env.SLUICE_GROUP_MEMBER);
const emit = (event) => process.stdout.write(JSON.stringify(event) + "\\n");
const kafka = new kafkajs.Kafka({
  clientId: req.clientId,
  brokers: [req.bootstrap],
  logLevel: kafkajs.logLevel.NOTHING,
  retry: { retries: 12, initialRetryTime: 200 },
});
const consumer = kafka.consumer({
  groupId: req.group,
  sessionTimeout: req.sessionTimeoutMs,
  heartbeatInterval: 1000,
  rebalanceTimeout: 30000,
  maxWaitTimeInMs: 500,
});
consumer.on(consumer.events.GROUP_JOIN, (e) => {
  const partitions = [...(e.payload.memberAssignment[req.topic] ?? [])].sort((a, b) => a - b);
  emit({ ev: "assigned", partitions });
});
consumer.on(consumer.events.CRASH, (e) => emit({ ev: "error", error: String(e.payload.error) }));
let stopping = false;
process.on("SIGTERM", async () => {
  if (stopping) return;
  stopping = true;
  await consumer.disconnect();
  emit({ ev: "closed" });
  process.exit(0);
});
await consumer.connect();
await consumer.subscribe({ topics: [req.topic], fromBeginning: true });
await consumer.run({
  eachMessage: async ({ partition, message }) =>
    emit({ ev: "record", p: partition, o: Number(message.offset), v: message.value.toString() }),
});
`;

function spawnKafkajsMember(options: MemberOptions): MemberProcess {
  const env = { ...process.env, SLUICE_GROUP_MEMBER: JSON.stringify({ ...options, sessionTimeoutMs }) };
  const child = spawn(process.execPath, ["--input-type=module", "-e", memberProgram], {
    cwd: repoRoot,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  return new MemberProcess(options.clientId, child, parseMemberJsonLine);
}

async function kafkajsCommitted(bootstrap: string, group: string, topic: string): Promise<number[]> {
  const kafka = new kafkajs.Kafka({
    clientId: "committed-probe",
    brokers: [bootstrap],
    logLevel: kafkajs.logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [answer] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
    const byPartition = new Map(answer?.partitions.map((p) => [p.partition, Number(p.offset)]));
    return Array.from({ length: groupPartitions }, (_, p) => byPartition.get(p) ?? -1001);
  } finally {
    await admin.disconnect();
  }
}

groupSuite({
  name: "kafkajs",
  tag: "kjs",
  spawnMember: spawnKafkajsMember,
  committed: kafkajsCommitted,
});
