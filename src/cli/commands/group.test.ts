import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import kafkajs from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { silentLogger } from "../../common/logger.js";
import { type Broker, startBroker } from "../../kafka/broker/index.js";
import { KafkaClient } from "../../kafka/client/index.js";
import { formatTable, parseDatetime, resetTargetFromFlags } from "./group.js";

const { Kafka, logLevel } = kafkajs;
const sluiceBin = join(import.meta.dirname, "../../../bin/sluice.js");

describe("group command helpers", () => {
  it("takes exactly one reset target", () => {
    const base = { topic: "t" };
    expect(resetTargetFromFlags({ ...base, toEarliest: true })).toEqual({ kind: "earliest" });
    expect(resetTargetFromFlags({ ...base, toOffset: "7" })).toEqual({ kind: "offset", offset: 7n });
    expect(resetTargetFromFlags({ ...base, toDatetime: "2024-01-02T03:04:05Z" })).toEqual({
      kind: "datetime",
      ms: Date.UTC(2024, 0, 2, 3, 4, 5),
    });
    expect(() => resetTargetFromFlags(base)).toThrow(/exactly one/);
    expect(() => resetTargetFromFlags({ ...base, toEarliest: true, toLatest: true })).toThrow(/exactly one/);
    expect(() => resetTargetFromFlags({ ...base, toOffset: "-1" })).toThrow(/non-negative/);
    expect(() => parseDatetime("yesterday")).toThrow(/ISO-8601/);
  });

  it("lines table columns up under their headers", () => {
    expect(
      formatTable(
        ["A", "LONG-HEADER", "C"],
        [
          ["xyz", "1", "last"],
          ["q", "22", ""],
        ],
      ),
    ).toBe("A    LONG-HEADER  C\nxyz  1            last\nq    22\n");
  });
});

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI asynchronously: the broker lives in this process and must keep answering. */
function sluice(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [sluiceBin, ...args, "-b", bootstrap],
      { timeout: 30_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === "number" ? err.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

let dataDir: string;
let broker: Broker;
let bootstrap: string;
let client: KafkaClient;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "sluice-cli-group-"));
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
  bootstrap = `127.0.0.1:${broker.port}`;
  client = new KafkaClient({ bootstrap, requestTimeoutMs: 10_000, retries: 3 });
  await client.createTopics([{ name: "cli-g", partitions: 2 }]);
  await client.produce(
    "cli-g",
    Array.from({ length: 8 }, (_, i) => ({ value: `v${i}`, partition: i % 2, timestamp: 1_000 + i * 1000 })),
  );
});

afterAll(async () => {
  await client?.close();
  await broker?.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe("sluice group (built CLI against an in-process broker)", () => {
  it("resets offsets with a dry run and for real, then lists and describes the group", async () => {
    const dry = await sluice(
      "group",
      "reset-offsets",
      "cli-grp",
      "--topic",
      "cli-g",
      "--to-latest",
      "--dry-run",
    );
    expect(dry).toMatchObject({ code: 0, stderr: "" });
    expect(dry.stdout).toMatch(/GROUP\s+TOPIC\s+PARTITION\s+CURRENT-OFFSET\s+NEW-OFFSET/);
    expect(dry.stdout).toMatch(/cli-grp\s+cli-g\s+0\s+-\s+4/);
    expect(dry.stdout).toContain("Dry run");
    expect(await client.fetchCommittedOffsets("cli-grp")).toEqual([]);

    const real = await sluice(
      "group",
      "reset-offsets",
      "cli-grp",
      "-t",
      "cli-g",
      "-p",
      "1",
      "--to-datetime",
      "1970-01-01T00:00:04Z",
    );
    expect(real.code).toBe(0);
    expect(real.stdout).toMatch(/cli-grp\s+cli-g\s+1\s+-\s+1/); // partition 1 holds the records of 2s, 4s, 6s, 8s
    const committed = await client.fetchCommittedOffsets("cli-grp");
    expect(committed.map((c) => [c.partition, c.offset])).toEqual([[1, 1n]]);

    const list = await sluice("group", "list");
    expect(list.code).toBe(0);
    expect(list.stdout.split("\n")).toContain("cli-grp");
    const listJson = JSON.parse((await sluice("group", "list", "--json")).stdout);
    expect(listJson).toContainEqual({ groupId: "cli-grp", protocolType: "", state: "Empty" });

    const text = await sluice("group", "describe", "cli-grp");
    expect(text.code).toBe(0);
    expect(text.stdout).toContain("State: Empty");
    expect(text.stdout).toMatch(/cli-g\s+1\s+1\s+4\s+3/);

    const json = JSON.parse((await sluice("group", "describe", "cli-grp", "--json")).stdout);
    expect(json).toMatchObject({ groupId: "cli-grp", state: "Empty", members: [] });
    expect(json.offsets).toEqual([
      {
        topic: "cli-g",
        partition: 1,
        committedOffset: 1,
        logEndOffset: 4,
        lag: 3,
        memberId: null,
        clientId: null,
        clientHost: null,
      },
    ]);
  });

  it("shows a live member, refuses to reset or delete its group, and deletes it once empty", async () => {
    const kafka = new Kafka({ clientId: "cli-peer", brokers: [bootstrap], logLevel: logLevel.NOTHING });
    const consumer = kafka.consumer({ groupId: "cli-live", sessionTimeout: 3000, heartbeatInterval: 300 });
    let received = 0;
    await consumer.connect();
    await consumer.subscribe({ topic: "cli-g", fromBeginning: true });
    await consumer.run({
      eachMessage: async () => {
        received++;
      },
    });
    try {
      const deadline = Date.now() + 20_000;
      while (received < 8 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(received).toBe(8);

      const text = await sluice("group", "describe", "cli-live");
      expect(text.code).toBe(0);
      expect(text.stdout).toContain("State: Stable");
      expect(text.stdout).toContain("1 member(s)");
      expect(text.stdout).toMatch(/cli-peer\s+\S*127\.0\.0\.1\s+cli-g:0,1/);

      const refused = await sluice("group", "reset-offsets", "cli-live", "-t", "cli-g", "--to-earliest");
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/active member/);

      const notEmpty = await sluice("group", "delete", "cli-live");
      expect(notEmpty.code).toBe(1);
      expect(notEmpty.stderr).toContain("NON_EMPTY_GROUP");
    } finally {
      await consumer.disconnect();
    }

    const deleted = await sluice("group", "delete", "cli-live", "cli-grp");
    expect(deleted).toMatchObject({ code: 0, stderr: "" });
    expect(deleted.stdout).toBe("Deleted group cli-live.\nDeleted group cli-grp.\n");
    expect((await sluice("group", "list")).stdout.split("\n")).not.toContain("cli-live");

    const missing = await sluice("group", "delete", "cli-live");
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("GROUP_ID_NOT_FOUND");
    const describeMissing = await sluice("group", "describe", "cli-live");
    expect(describeMissing.code).toBe(1);
    expect(describeMissing.stderr).toMatch(/does not exist/);
  });

  it("exits 2 on usage errors", async () => {
    const noTarget = await sluice("group", "reset-offsets", "g", "--topic", "cli-g");
    expect(noTarget.code).toBe(2);
    expect(noTarget.stderr).toMatch(/exactly one/);
    expect((await sluice("group", "reset-offsets", "g", "--to-earliest")).code).toBe(2); // no --topic
    expect((await sluice("group", "reset-offsets", "g", "-t", "cli-g", "-p", "x", "--to-latest")).code).toBe(
      2,
    );
  });
});
