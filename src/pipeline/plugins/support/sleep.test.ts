import { describe, expect, it } from "vitest";
import { sleep } from "./sleep.js";

describe("sleep", () => {
  it("waits about `ms`", async () => {
    const start = Date.now();
    await sleep(60, new AbortController().signal);
    expect(Date.now() - start).toBeGreaterThanOrEqual(55);
  });

  it("ends at once when aborted, before or during the wait, and for a pause that is not positive", async () => {
    const aborted = new AbortController();
    aborted.abort();
    const start = Date.now();
    await sleep(10_000, aborted.signal);
    await sleep(0, new AbortController().signal);
    await sleep(-5, new AbortController().signal);
    const later = new AbortController();
    setTimeout(() => later.abort(), 20);
    await sleep(10_000, later.signal);
    expect(Date.now() - start).toBeLessThan(2000);
  });
});
