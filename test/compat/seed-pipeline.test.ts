// The seed's pipeline, unchanged: `sluice up -f ../shared/seed/logstash.conf` takes JSON lines on tcp:5000 and
// stores them in `myindex` through the elasticsearch output and the embedded store on :9200. The documents are
// then read with the official JavaScript client (@elastic/elasticsearch 9.4) and checked against figures computed
// here from what was sent.

import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@elastic/elasticsearch";
import { afterAll, describe, expect, it } from "vitest";
import { isPortFree, repoRoot, sluiceBin } from "../helpers/broker-process.js";

const seedConfig = join(repoRoot, "..", "shared", "seed", "logstash.conf");
/** The seed's file fixes tcp 5000 and http://localhost:9200; `up` also takes the broker's 9092. */
const seedPorts = [5000, 9200, 9092];
const readyTimeoutMs = 30_000;
const users = ["ada", "grace", "linus", "margaret"];

interface SentDoc {
  user: string;
  status: number;
  bytes: number;
  message: string;
}

function documents(n: number): SentDoc[] {
  return Array.from({ length: n }, (_, i) => ({
    user: users[i % users.length]!,
    // Unequal bucket sizes so the terms order is fixed by counts.
    status: i % 5 === 0 ? 500 : i % 2 === 1 ? 404 : 200,
    bytes: 100 + i * 7,
    message: `request number ${i} from ${users[i % users.length]}`,
  }));
}

class UpProcess {
  stdout = "";
  stderr = "";
  readonly exited: Promise<number | null>;

  constructor(
    readonly child: ChildProcess,
    readonly dataDir: string,
  ) {
    child.stdout!.setEncoding("utf8").on("data", (c: string) => {
      this.stdout += c;
    });
    child.stderr!.setEncoding("utf8").on("data", (c: string) => {
      this.stderr = (this.stderr + c).slice(-1024 * 1024);
    });
    this.exited = new Promise((resolve) => child.once("exit", (code) => resolve(code)));
  }

  static async start(): Promise<UpProcess> {
    const dataDir = mkdtempSync(join(tmpdir(), "sluice-seed-"));
    const child = spawn(process.execPath, [sluiceBin, "up", "-f", seedConfig, "--data-dir", dataDir], {
      cwd: repoRoot,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const up = new UpProcess(child, dataDir);
    const deadline = Date.now() + readyTimeoutMs;
    while (!/^sluice up ready/m.test(up.stdout)) {
      if (child.exitCode !== null)
        throw new Error(`sluice up exited ${child.exitCode}:\n${up.stdout}\n${up.stderr}`);
      if (Date.now() > deadline) {
        child.kill("SIGKILL");
        throw new Error(`sluice up was not ready in ${readyTimeoutMs} ms:\n${up.stdout}\n${up.stderr}`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    return up;
  }

  async stop(): Promise<number | null> {
    if (this.child.exitCode === null) this.child.kill("SIGTERM");
    const timer = setTimeout(() => this.child.kill("SIGKILL"), 20_000);
    const code = await this.exited;
    clearTimeout(timer);
    rmSync(this.dataDir, { recursive: true, force: true });
    return code;
  }
}

function sendLines(port: number, lines: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "localhost", () => {
      socket.end(lines.map((l) => `${l}\n`).join(""));
    });
    socket.on("error", reject);
    socket.on("close", () => resolve());
  });
}

async function waitForCount(client: Client, expected: number): Promise<number> {
  const deadline = Date.now() + 30_000;
  let count = -1;
  while (Date.now() < deadline) {
    try {
      await client.indices.refresh({ index: "myindex" });
      count = (await client.count({ index: "myindex" })).count;
      if (count >= expected) return count;
    } catch {
      // The index appears with the first bulk request.
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return count;
}

describe("the seed's pipeline under sluice up", () => {
  let up: UpProcess | undefined;
  afterAll(async () => {
    await up?.stop();
  });

  it("has the seed's pipeline file and free ports", async () => {
    expect(existsSync(seedConfig), `${seedConfig} (../shared beside the repo)`).toBe(true);
    for (const port of seedPorts)
      expect(
        await isPortFree(port),
        `port ${port} is taken: the seed's pipeline needs it; stop what uses it`,
      ).toBe(true);
  });

  it("stores JSON lines sent to tcp:5000 in myindex, searchable with @elastic/elasticsearch 9.4", async () => {
    up = await UpProcess.start();
    expect(up.stdout).toMatch(/^store: http:\/\/127\.0\.0\.1:9200/m);
    const sent = documents(57);
    await sendLines(
      5000,
      sent.map((d) => JSON.stringify(d)),
    );
    const client = new Client({ node: "http://localhost:9200" });
    try {
      expect(await waitForCount(client, sent.length)).toBe(sent.length);

      // Hits: every document, in bytes order, with the fields sent.
      const all = await client.search<SentDoc>({
        index: "myindex",
        size: 100,
        sort: [{ bytes: "asc" }],
        query: { match_all: {} },
      });
      expect((all.hits.total as { value: number }).value).toBe(sent.length);
      expect(all.hits.hits.map((h) => h._source && { ...pick(h._source) })).toEqual(sent);

      // A term query on a number field.
      const notFound = await client.search({ index: "myindex", size: 0, query: { term: { status: 404 } } });
      expect((notFound.hits.total as { value: number }).value).toBe(
        sent.filter((d) => d.status === 404).length,
      );

      // A terms aggregation, buckets by count (desc), then key.
      const agg = await client.search({
        index: "myindex",
        size: 0,
        aggs: { statuses: { terms: { field: "status" } }, total: { sum: { field: "bytes" } } },
      });
      const aggregations = agg.aggregations as {
        statuses: { buckets: { key: number; doc_count: number }[] };
        total: { value: number };
      };
      expect(aggregations, "aggregations in the answer").toBeDefined();
      const buckets = aggregations.statuses.buckets;
      expect(buckets.map((b) => [Number(b.key), b.doc_count])).toEqual(expectedTerms(sent));
      expect(aggregations.total.value).toBe(sent.reduce((s, d) => s + d.bytes, 0));
    } finally {
      await client.close();
    }
    expect(await up.stop()).toBe(0);
    up = undefined;
  });
});

function pick(source: SentDoc): SentDoc {
  return { user: source.user, status: source.status, bytes: source.bytes, message: source.message };
}

function expectedTerms(sent: SentDoc[]): [number, number][] {
  const counts = new Map<number, number>();
  for (const d of sent) counts.set(d.status, (counts.get(d.status) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || a[0] - b[0]);
}
