// kcat -G (librdkafka 2.0.2) consumer groups: each member a kcat process; assignments come from kcat's own
// "% Group ... rebalanced" lines. kcat has no committed-offsets query, so confluent-kafka (same librdkafka) reads them.

import { spawn } from "node:child_process";
import { repoRoot } from "../helpers/broker-process.js";
import {
  groupSuite,
  type MemberOptions,
  MemberProcess,
  pythonCommitted,
  sessionTimeoutMs,
} from "./groups-harness.js";

const rebalancedLine = /^% Group \S+ rebalanced \(memberid [^)]*\): (assigned|revoked): ?(.*)$/;

function parseKcatLine(member: MemberProcess, line: string): void {
  if (line.startsWith("{")) {
    try {
      const record = JSON.parse(line) as { partition: number; offset: number; payload: string };
      member.records.push({ p: record.partition, o: record.offset, v: record.payload });
    } catch {
      member.errors.push(`unparsable kcat output: ${line}`);
    }
    return;
  }
  const match = rebalancedLine.exec(line);
  if (!match) return;
  if (match[1] === "revoked") {
    member.assignment = [];
    return;
  }
  const partitions = [...(match[2] ?? "").matchAll(/\[(\d+)\]/g)].map((m) => Number(m[1]));
  member.assignment = partitions.sort((a, b) => a - b);
}

function spawnKcatMember(options: MemberOptions): MemberProcess {
  const settings = {
    "client.id": options.clientId,
    "session.timeout.ms": sessionTimeoutMs,
    "heartbeat.interval.ms": 1000,
    "max.poll.interval.ms": 30000,
    "auto.offset.reset": "earliest",
    "auto.commit.interval.ms": 1000,
  };
  // No -o: in -G mode it would override the committed offsets on every assignment.
  // -u: records go to a pipe, which stdio would otherwise buffer until exit.
  const args = ["-b", options.bootstrap, "-G", options.group, "-J", "-u"];
  for (const [key, value] of Object.entries(settings)) args.push("-X", `${key}=${value}`);
  args.push(options.topic);
  const child = spawn("kcat", args, { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] });
  const member = new MemberProcess(options.clientId, child, parseKcatLine);
  // kcat prints no line of its own when it closes; a clean exit after SIGTERM is the clean close.
  child.on("exit", (code) => {
    if (code === 0) member.closedCleanly = true;
  });
  return member;
}

groupSuite({
  name: "kcat -G",
  tag: "kcat",
  spawnMember: spawnKcatMember,
  committed: (bootstrap, group, topic) => pythonCommitted("ck-committed", bootstrap, group, topic),
});
