import { describe, expect, it } from "vitest";
import { createLogger } from "../common/logger.js";
import { type ColumnSnapshot, TextPostings } from "./text-postings.js";

const logger = createLogger({ level: "error" });
const direct = <T>(work: () => Promise<T>) => work();

describe("text postings builds", () => {
  it("queues the commits that land during a build and replays them after the snapshot", async () => {
    const registry = new TextPostings(logger);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const snapshot = async (): Promise<ColumnSnapshot> =>
      (async function* () {
        yield { seqs: [0, 1], tokens: ["red blue", "blue"] };
        await gate;
        yield { seqs: [2], tokens: ["red"] };
      })();
    const done = registry.build("t", "c0", "idx", direct, snapshot);
    await new Promise((resolve) => setImmediate(resolve));
    expect(registry.ready("t", "c0")).toBeNull();
    // Doc at seq 1 is replaced by seq 3, seq 0 is deleted: both after the snapshot was taken.
    registry.afterCommit("t", "idx", () => ({ removed: [1], added: [{ seq: 3, tokens: "blue blue" }] }));
    registry.afterCommit("t", "idx", () => ({ removed: [0], added: [] }));
    release();
    const postings = await done;
    expect(postings).not.toBeNull();
    expect(registry.ready("t", "c0")).toBe(postings);
    const blue = postings?.search({ terms: ["blue"], need: 1, boost: 1, top: 10 });
    expect(blue?.hits.map((h) => h.seq)).toEqual([3]);
    expect(blue?.total).toBe(1);
    expect(postings?.search({ terms: ["red"], need: 1, boost: 1, top: 10 }).hits.map((h) => h.seq)).toEqual([
      2,
    ]);
    expect([postings?.docs, postings?.totalLength]).toEqual([2, 3]);
    // Once ready, commits apply at once.
    registry.afterCommit("t", "idx", () => ({ removed: [2], added: [{ seq: 4, tokens: "red red" }] }));
    expect(postings?.search({ terms: ["red"], need: 1, boost: 1, top: 10 }).hits.map((h) => h.seq)).toEqual([
      4,
    ]);
  });

  it("gives one build to concurrent callers, forgets a dropped table's build, and survives a failing snapshot", async () => {
    const registry = new TextPostings(logger);
    let snapshots = 0;
    const snapshot = async (): Promise<ColumnSnapshot> => {
      snapshots++;
      return (async function* () {
        yield { seqs: [0], tokens: ["x"] };
      })();
    };
    const [a, b] = await Promise.all([
      registry.build("t", "c0", "idx", direct, snapshot),
      registry.build("t", "c0", "idx", direct, snapshot),
    ]);
    expect(snapshots).toBe(1);
    expect(a).toBe(b);
    registry.drop("t");
    expect(registry.ready("t", "c0")).toBeNull();
    const failed = await registry.build("u", "c0", "idx", direct, async () => {
      throw new Error("read failed");
    });
    expect(failed).toBeNull();
    // A later attempt starts afresh.
    expect(await registry.build("u", "c0", "idx", direct, snapshot)).not.toBeNull();
  });
});
