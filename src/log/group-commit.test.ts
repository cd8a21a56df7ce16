import { describe, expect, it } from "vitest";
import { GroupCommit } from "./group-commit.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("GroupCommit", () => {
  it("shares syncs between concurrent callers and covers late arrivals with the next sync", async () => {
    let running = 0;
    let maxRunning = 0;
    const commit = new GroupCommit(async () => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      await sleep(5);
      running--;
    });
    const first = Array.from({ length: 100 }, () => commit.request());
    await sleep(1); // first sync in flight
    const second = Array.from({ length: 100 }, () => commit.request());
    await Promise.all([...first, ...second]);
    expect(commit.syncs).toBe(2);
    expect(maxRunning).toBe(1);
  });

  it("a caller arriving during a sync waits for one that started after it", async () => {
    const events: string[] = [];
    let n = 0;
    const commit = new GroupCommit(async () => {
      const id = ++n;
      events.push(`start${id}`);
      await sleep(3);
      events.push(`end${id}`);
    });
    const a = commit.request();
    await sleep(1);
    const b = commit.request().then(() => events.push("b done"));
    await Promise.all([a, b]);
    expect(events).toEqual(["start1", "end1", "start2", "end2", "b done"]);
  });

  it("passes a sync failure to its waiters and keeps working afterwards", async () => {
    let fail = true;
    const commit = new GroupCommit(async () => {
      if (fail) throw new Error("EIO");
    });
    await expect(commit.request()).rejects.toThrow("EIO");
    fail = false;
    await expect(commit.request()).resolves.toBeUndefined();
  });
});
