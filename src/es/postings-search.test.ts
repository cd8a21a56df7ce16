import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createLogger } from "../common/logger.js";
import { Store, type WriteOp } from "../store/store.js";
import { search } from "./search.js";

const dirs: string[] = [];
const stores: Store[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close().catch(() => undefined);
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function open(
  dir = mkdtempSync(join(tmpdir(), "sluice-postings-")),
): Promise<{ store: Store; dir: string }> {
  dirs.push(dir);
  const store = await Store.open(dir, createLogger({ level: "error" }));
  stores.push(store);
  return { store, dir };
}

/** A deterministic pseudo-random sequence, so a failure replays. */
function random(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x / 2147483648;
  };
}

const vocabulary = ["red", "green", "blue", "cyan", "amber", "slate", "ivory", "olive", "coral", "plum"];

function sentence(next: () => number): string {
  const n = 1 + Math.floor(next() * 12);
  return Array.from({ length: n }, () => vocabulary[Math.floor(next() * vocabulary.length)]).join(" ");
}

async function both(store: Store, body: Record<string, unknown>) {
  const params = { index: "docs", body, query: new URLSearchParams() };
  const fast = await search(store, params);
  const scan = await search(store, params, { postings: false });
  delete fast.took;
  delete scan.took;
  return { fast, scan };
}

const queries = (next: () => number): Record<string, unknown>[] => {
  const out: Record<string, unknown>[] = [];
  for (let i = 0; i < 40; i++) {
    const terms = Array.from(
      { length: 1 + Math.floor(next() * 3) },
      () => vocabulary[Math.floor(next() * vocabulary.length)],
    ).join(" ");
    const variants: Record<string, unknown>[] = [
      { query: { match: { text: terms } } },
      { query: { match: { text: { query: terms, operator: "and" } } }, size: 5 },
      { query: { match: { text: { query: terms, minimum_should_match: "2" } } }, from: 3, size: 4 },
      { query: { match: { text: { query: terms, boost: 2.5 } } }, version: true, seq_no_primary_term: true },
      { query: { match: { text: terms } }, size: 0, track_total_hits: 7 },
      { query: { match: { text: { query: `${terms} absent`, minimum_should_match: "50%" } } } },
    ];
    out.push(variants[i % variants.length] as Record<string, unknown>);
  }
  return out;
};

describe("match from in-memory postings", () => {
  it("answers exactly as the SQL scan does: hits, order, scores, totals, max_score, paging", async () => {
    const { store } = await open();
    const next = random(7);
    const ops: WriteOp[] = Array.from({ length: 400 }, (_, i) => ({
      action: "index" as const,
      index: "docs",
      id: String(i),
      source: { text: sentence(next), n: i },
    }));
    await store.write(ops);
    // The first match starts a background build and scans meanwhile; once built, matches use the postings.
    expect(await store.fieldPostings("docs", "text", false)).toBeNull();
    expect(await store.fieldPostings("docs", "text")).not.toBeNull();
    for (const body of queries(next)) {
      const { fast, scan } = await both(store, body);
      expect(fast).toEqual(scan);
    }
    // Updates, deletes and new documents after the postings were built keep both paths in step.
    const changes: WriteOp[] = [];
    for (let i = 0; i < 150; i++) {
      const id = String(Math.floor(next() * 500));
      if (next() < 0.3) changes.push({ action: "delete", index: "docs", id });
      else changes.push({ action: "index", index: "docs", id, source: { text: sentence(next) } });
    }
    await store.write(changes);
    await store.write([{ action: "index", index: "docs", id: "empty", source: { text: "!!!" } }]);
    for (const body of queries(next)) {
      const { fast, scan } = await both(store, body);
      expect(fast).toEqual(scan);
    }
    const total = (r: Record<string, unknown>) => (r.hits as { total: { value: number } }).total.value;
    const { fast } = await both(store, { query: { match: { text: "red" } }, track_total_hits: true });
    expect(total(fast)).toBeGreaterThan(10);
  });

  it("replays the commits that land while the postings are being built", async () => {
    const { store } = await open();
    const next = random(5);
    await store.write(
      Array.from({ length: 3000 }, (_, i) => ({
        action: "index" as const,
        index: "docs",
        id: String(i),
        source: { text: sentence(next) },
      })),
    );
    const build = store.fieldPostings("docs", "text");
    const writes = [
      store.write([{ action: "delete", index: "docs", id: "7" }]),
      store.write([{ action: "index", index: "docs", id: "8", source: { text: "plum plum plum" } }]),
      store.write([{ action: "index", index: "docs", source: { text: "amber new" } }]),
    ];
    await Promise.all([build, ...writes]);
    for (const body of [
      { query: { match: { text: "plum" } } },
      { query: { match: { text: "amber new" } }, size: 20 },
      { query: { match: { text: "red green" } }, track_total_hits: true },
    ]) {
      const { fast, scan } = await both(store, body);
      expect(fast).toEqual(scan);
    }
  });

  it("rebuilds the postings from the table after a restart", async () => {
    const { store, dir } = await open();
    const next = random(11);
    await store.write(
      Array.from({ length: 120 }, (_, i) => ({
        action: "index" as const,
        index: "docs",
        id: String(i),
        source: { text: sentence(next) },
      })),
    );
    await store.fieldPostings("docs", "text");
    const before = await both(store, { query: { match: { text: "amber plum" } } });
    await store.close();
    stores.splice(stores.indexOf(store), 1);
    const reopened = (await open(dir)).store;
    expect(await reopened.fieldPostings("docs", "text")).not.toBeNull();
    const after = await both(reopened, { query: { match: { text: "amber plum" } } });
    expect(after.fast).toEqual(after.scan);
    expect(after.fast).toEqual(before.fast);
    expect(await reopened.fieldPostings("docs", "text")).not.toBeNull();
    expect(await reopened.fieldPostings("docs", "n")).toBeNull();
  });
});
