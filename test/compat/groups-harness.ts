// The consumer-group scenario every real client runs (kcat -G, kafka-python, confluent-kafka, kafkajs):
// split, hand-over on close and on kill, at-least-once delivery, exact resume after commit and broker restarts.

import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import kafkajs from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BrokerProcess, repoRoot } from "../helpers/broker-process.js";
import { expectToolsInstalled, range } from "../helpers/compat.js";
import { systemPython } from "../helpers/run.js";

const { Kafka, AssignerProtocol, logLevel } = kafkajs;

export const groupPartitions = 6;
/** Explicit for every client: the library defaults (10 s, 45 s) would make the kill case slow. */
export const sessionTimeoutMs = 6000;
/** After a kill the broker waits out the session, then survivors rejoin on their next heartbeat (1 s). */
const killHandoverSlackMs = 12_000;
const conditionDeadlineMs = 60_000;
const pollIntervalMs = 200;
/** Printed output kept per member for failure messages; older text is dropped. */
const memberOutputKeptCharsMax = 200_000;
export const groupsScript = join(repoRoot, "test", "compat", "py", "groups_member.py");

export const groupBrokerConfig = {
  "group.initial.rebalance.delay.ms": "0",
  "group.min.session.timeout.ms": "1000",
};

export interface ConsumedRecord {
  p: number;
  o: number;
  v: string;
}

/** One consumer in its own OS process; what it prints is parsed into assignment and records. */
export class MemberProcess {
  /** The partitions from the client's own latest rebalance callback; null before the first. */
  assignment: number[] | null = null;
  readonly records: ConsumedRecord[] = [];
  readonly errors: string[] = [];
  closedCleanly = false;
  private output = "";
  private readonly exited: Promise<number | null>;
  private alive = true;

  constructor(
    readonly clientId: string,
    private readonly child: ChildProcess,
    private readonly parseLine: (member: MemberProcess, line: string) => void,
  ) {
    // Separate line buffers: stdout and stderr chunks interleave mid-line.
    const pending = { stdout: "", stderr: "" };
    for (const stream of ["stdout", "stderr"] as const) {
      child[stream]?.setEncoding("utf8").on("data", (chunk: string) => {
        pending[stream] += chunk;
        const lines = pending[stream].split("\n");
        pending[stream] = lines.pop() ?? "";
        this.consumeLines(lines);
      });
    }
    this.exited = new Promise((resolve) => {
      child.on("exit", (code) => {
        this.alive = false;
        resolve(code);
      });
      child.on("error", (err) => {
        this.errors.push(err.message);
        this.alive = false;
        resolve(127);
      });
    });
  }

  get running(): boolean {
    return this.alive;
  }

  /** Last lines of everything the process printed, for failure messages. */
  get tail(): string {
    return this.output.split("\n").slice(-40).join("\n");
  }

  /** Clean close (SIGTERM: the member commits and sends LeaveGroup); returns the exit code. */
  async close(timeoutMs = 30_000): Promise<number | null> {
    if (!this.alive) return this.exited;
    this.child.kill("SIGTERM");
    const timer = setTimeout(() => this.child.kill("SIGKILL"), timeoutMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /** A crash: no commit, no LeaveGroup; the broker must notice through the session timeout. */
  async kill(): Promise<void> {
    if (!this.alive) return;
    this.child.kill("SIGKILL");
    await this.exited;
  }

  private consumeLines(lines: string[]): void {
    for (const line of lines) {
      this.output += `${line}\n`;
      if (line.trim() !== "") this.parseLine(this, line);
    }
    if (this.output.length > memberOutputKeptCharsMax)
      this.output = this.output.slice(-memberOutputKeptCharsMax / 2);
  }
}

/** Parses the JSON lines of groups_member.py and of the kafkajs member. */
export function parseMemberJsonLine(member: MemberProcess, line: string): void {
  if (!line.startsWith("{")) return;
  let event: { ev?: string; partitions?: number[]; p?: number; o?: number; v?: string; error?: string };
  try {
    event = JSON.parse(line);
  } catch {
    return; // a library's own log line that happens to start with "{"
  }
  if (event.ev === "assigned") member.assignment = [...(event.partitions ?? [])].sort((a, b) => a - b);
  else if (event.ev === "revoked") member.assignment = [];
  else if (event.ev === "record") member.records.push({ p: event.p!, o: event.o!, v: event.v! });
  else if (event.ev === "closed") member.closedCleanly = true;
  else if (event.ev === "error") member.errors.push(event.error ?? "");
}

export interface MemberOptions {
  bootstrap: string;
  group: string;
  topic: string;
  clientId: string;
}

/** What each client provides to the shared scenario. */
export interface GroupClient {
  name: string;
  /** Short and unique: names the topic and group. */
  tag: string;
  spawnMember(options: MemberOptions): MemberProcess;
  /** The group's committed offsets, partition by partition, read through a client API (-1001: none). */
  committed(bootstrap: string, group: string, topic: string): Promise<number[]>;
}

export function spawnPythonMember(command: string, options: MemberOptions): MemberProcess {
  const request = {
    bootstrap: options.bootstrap,
    group: options.group,
    topic: options.topic,
    client_id: options.clientId,
    session_timeout_ms: sessionTimeoutMs,
  };
  const child = spawn(systemPython, [groupsScript, command, JSON.stringify(request)], {
    cwd: repoRoot,
    stdio: ["ignore", "pipe", "pipe"],
  });
  return new MemberProcess(options.clientId, child, parseMemberJsonLine);
}

/** Runs one of groups_member.py's committed commands and returns its offsets. */
export async function pythonCommitted(
  command: string,
  bootstrap: string,
  group: string,
  topic: string,
): Promise<number[]> {
  const request = { bootstrap, group, topic, partitions: groupPartitions, client_id: "committed-probe" };
  const child = spawn(systemPython, [groupsScript, command, JSON.stringify(request)], {
    cwd: repoRoot,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (c: string) => {
    stdout += c;
  });
  child.stderr.setEncoding("utf8").on("data", (c: string) => {
    stderr += c;
  });
  const timer = setTimeout(() => child.kill("SIGKILL"), 90_000);
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  clearTimeout(timer);
  if (code !== 0) throw new Error(`${command} failed (code ${code}):\n${stderr}`);
  const lines = stdout.trim().split("\n");
  return (JSON.parse(lines[lines.length - 1]!) as { offsets: number[] }).offsets;
}

/** Polls until check() returns true; fails with describe()'s text after the deadline. */
export async function waitUntil(
  what: string,
  check: () => Promise<boolean> | boolean,
  describeState: () => Promise<string> | string,
  deadlineMs = conditionDeadlineMs,
): Promise<number> {
  const start = performance.now();
  for (;;) {
    if (await check()) return performance.now() - start;
    if (performance.now() - start > deadlineMs)
      throw new Error(`timed out after ${deadlineMs} ms waiting for ${what}\n${await describeState()}`);
    await new Promise((r) => setTimeout(r, pollIntervalMs));
  }
}

export interface GroupView {
  state: string;
  members: { clientId: string; partitions: number[] }[];
}

/** DescribeGroups through kafkajs's admin, decoding each member's consumer-protocol assignment. */
export async function describeGroup(admin: kafkajs.Admin, group: string, topic: string): Promise<GroupView> {
  const { groups } = await admin.describeGroups([group]);
  const g = groups[0];
  if (!g) return { state: "Missing", members: [] };
  return {
    state: g.state,
    members: g.members.map((m) => {
      const decoded = AssignerProtocol.MemberAssignment.decode(m.memberAssignment);
      const partitions = [...(decoded?.assignment[topic] ?? [])].sort((a, b) => a - b);
      return { clientId: m.clientId, partitions };
    }),
  };
}

/**
 * True when the group is Stable with exactly these members, their partitions are disjoint and cover the
 * topic, every member got at least one, and each client's own rebalance callback agrees with the broker.
 */
export function isCleanSplit(view: GroupView, members: MemberProcess[]): boolean {
  if (view.state !== "Stable" || view.members.length !== members.length) return false;
  const byClient = new Map(view.members.map((m) => [m.clientId, m.partitions]));
  if (byClient.size !== members.length) return false;
  const all: number[] = [];
  for (const member of members) {
    const partitions = byClient.get(member.clientId);
    if (!partitions || partitions.length === 0) return false;
    if (JSON.stringify(member.assignment) !== JSON.stringify(partitions)) return false;
    all.push(...partitions);
  }
  return JSON.stringify(all.sort((a, b) => a - b)) === JSON.stringify(range(0, groupPartitions));
}

export function recordValue(round: number, partition: number, i: number): string {
  return `r${round}-p${partition}-${i}`;
}

/** The scenario of the acceptance criteria, as one ordered test per client. */
export function groupSuite(client: GroupClient): void {
  describe(`${client.name} consumer group`, () => {
    let broker: BrokerProcess;
    let admin: kafkajs.Admin;
    let producer: kafkajs.Producer;
    const members: MemberProcess[] = [];

    beforeAll(async () => {
      broker = await BrokerProcess.start({ config: groupBrokerConfig });
      const kafka = new Kafka({
        clientId: "groups-observer",
        brokers: [broker.bootstrap],
        logLevel: logLevel.NOTHING,
        retry: { retries: 12, initialRetryTime: 200 },
      });
      admin = kafka.admin();
      producer = kafka.producer();
      await admin.connect();
      await producer.connect();
    });
    afterAll(async () => {
      await Promise.all(members.map((m) => m.kill()));
      await producer?.disconnect().catch(() => {});
      await admin?.disconnect().catch(() => {});
      await broker?.cleanup();
    });

    it("has the real clients installed", async () => {
      await expectToolsInstalled();
    });

    it("splits 6 partitions over 3 members, hands over on close and kill, resumes at committed offsets", async () => {
      const topic = `groups-${client.tag}`;
      const group = `group-${client.tag}`;
      const produced: string[] = [];
      const produceRound = async (round: number, perPartition: number) => {
        const messages = range(0, groupPartitions).flatMap((partition) =>
          range(0, perPartition).map((i) => ({ partition, value: recordValue(round, partition, i) })),
        );
        await producer.send({ topic, acks: -1, messages });
        produced.push(...messages.map((m) => m.value));
      };
      const start = (clientId: string) => {
        const member = client.spawnMember({ bootstrap: broker.bootstrap, group, topic, clientId });
        members.push(member);
        return member;
      };
      const state = async () =>
        `group: ${JSON.stringify(await describeGroup(admin, group, topic).catch((e) => String(e)))}\n` +
        members
          .map(
            (m) =>
              `--- ${m.clientId} (running ${m.running}, assignment ${JSON.stringify(m.assignment)}, ` +
              `${m.records.length} records) ---\n${m.tail}`,
          )
          .join("\n") +
        `\n--- broker stderr tail ---\n${broker.stderr.slice(-3000)}`;
      const waitForSplit = (what: string, group_: MemberProcess[], deadlineMs?: number) =>
        waitUntil(
          what,
          async () => isCleanSplit(await describeGroup(admin, group, topic), group_),
          state,
          deadlineMs,
        );
      const waitForAllConsumed = () =>
        waitUntil(
          `all ${produced.length} produced records consumed`,
          () => {
            const seen = new Set(members.flatMap((m) => m.records.map((r) => r.v)));
            return produced.every((v) => seen.has(v));
          },
          state,
        );

      expect(
        await admin.createTopics({
          topics: [{ topic, numPartitions: groupPartitions }],
          waitForLeaders: true,
        }),
      ).toBe(true);
      await produceRound(1, 20);

      const a = start(`${client.tag}-a`);
      const b = start(`${client.tag}-b`);
      const c = start(`${client.tag}-c`);
      await waitForSplit("three members splitting the partitions", [a, b, c]);

      const closeStart = performance.now();
      expect(await a.close(), a.tail).toBe(0);
      expect(a.closedCleanly, a.tail).toBe(true);
      await waitForSplit("the two survivors of a clean close to take over", [b, c]);
      const closeHandoverMs = performance.now() - closeStart;

      const a2 = start(`${client.tag}-a2`);
      await waitForSplit("a new third member to be given partitions", [b, c, a2]);
      await produceRound(2, 10);
      await waitForAllConsumed();

      const killStart = performance.now();
      await b.kill();
      await waitForSplit(
        "the survivors of a SIGKILL to take over",
        [c, a2],
        sessionTimeoutMs + killHandoverSlackMs + 30_000,
      );
      const killHandoverMs = performance.now() - killStart;
      expect(killHandoverMs).toBeLessThan(sessionTimeoutMs + killHandoverSlackMs);
      await produceRound(3, 10);
      await waitForAllConsumed();
      expect(members.flatMap((m) => m.errors)).toEqual([]);

      // A clean stop commits; the committed offsets are then the log end of every partition.
      expect(await Promise.all([c.close(), a2.close()])).toEqual([0, 0]);
      const ends = (await admin.fetchTopicOffsets(topic))
        .sort((x, y) => x.partition - y.partition)
        .map((p) => Number(p.high));
      expect(ends).toEqual(range(0, groupPartitions).map(() => 40));
      const committed = await client.committed(broker.bootstrap, group, topic);
      expect(committed).toEqual(ends);

      // kill -9 straight after the commits (acknowledged means fsync'd), then a clean restart as well.
      await broker.kill9();
      await broker.restart();
      expect(await client.committed(broker.bootstrap, group, topic)).toEqual(committed);
      await broker.restart();
      expect(await client.committed(broker.bootstrap, group, topic)).toEqual(committed);

      await produceRound(4, 5);
      const d = start(`${client.tag}-d`);
      await waitForSplit("a lone restarted member to take every partition", [d]);
      const round4 = produced.filter((v) => v.startsWith("r4-"));
      await waitUntil(
        "the restarted member to consume the records produced after the commit",
        () => round4.every((v) => d.records.some((r) => r.v === v)),
        state,
      );
      // Exactly at the committed offsets: nothing before them comes back.
      for (const partition of range(0, groupPartitions)) {
        const offsets = d.records.filter((r) => r.p === partition).map((r) => r.o);
        expect(Math.min(...offsets), `partition ${partition}`).toBe(committed[partition]);
      }
      expect(d.records.map((r) => r.v).sort()).toEqual([...round4].sort());
      expect(await d.close()).toBe(0);

      console.log(
        `[groups] ${client.name}: hand-over after clean close ${Math.round(closeHandoverMs)} ms, ` +
          `after SIGKILL ${Math.round(killHandoverMs)} ms (session timeout ${sessionTimeoutMs} ms)`,
      );
    });
  });
}
