import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createLogger } from "../common/logger.js";
import { analyze } from "./analysis.js";
import { renderMapping } from "./mapping.js";
import { Store, StoreError } from "./store.js";

const dirs: string[] = [];
const stores: Store[] = [];
async function open(
  dir = mkdtempSync(join(tmpdir(), "sluice-store-")),
): Promise<{ store: Store; dir: string }> {
  dirs.push(dir);
  const store = await Store.open(dir, createLogger({ level: "error" }));
  stores.push(store);
  return { store, dir };
}

afterEach(async () => {
  for (const s of stores.splice(0)) await s.close().catch(() => undefined);
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe("analysis", () => {
  it("splits like the standard tokenizer and lowercases", () => {
    expect(analyze("Hello, World! it's 3.14 e-mail U.S.A_x")).toEqual([
      "hello",
      "world",
      "it's",
      "3.14",
      "e",
      "mail",
      "u.s.a_x",
    ]);
    expect(analyze("Grüße aus Köln")).toEqual(["grüße", "aus", "köln"]);
  });
});

describe("store", () => {
  it("detects dynamic mappings like Elasticsearch", async () => {
    const { store } = await open();
    await store.write([
      {
        action: "index",
        index: "m",
        id: "1",
        source: { s: "text", n: 1, f: 1.5, b: true, d: "2024-01-01T00:00:00Z", o: { x: "y" } },
      },
    ]);
    expect(renderMapping(store.index("m")?.mapping as never)).toEqual({
      properties: {
        b: { type: "boolean" },
        d: { type: "date" },
        f: { type: "float" },
        n: { type: "long" },
        o: {
          properties: { x: { type: "text", fields: { keyword: { type: "keyword", ignore_above: 256 } } } },
        },
        s: { type: "text", fields: { keyword: { type: "keyword", ignore_above: 256 } } },
      },
    });
  });

  it("versions, create conflicts, updates, noops, upserts and deletes", async () => {
    const { store } = await open();
    const r = await store.write([
      { action: "index", index: "v", id: "a", source: { n: 1 } },
      { action: "index", index: "v", id: "a", source: { n: 2 } },
      { action: "create", index: "v", id: "a", source: { n: 3 } },
      { action: "update", index: "v", id: "a", source: { m: 1 } },
      { action: "update", index: "v", id: "a", source: { m: 1 } },
      { action: "update", index: "v", id: "b", source: { k: 1 } },
      { action: "update", index: "v", id: "c", source: { k: 1 }, docAsUpsert: true },
      { action: "delete", index: "v", id: "a" },
      { action: "delete", index: "v", id: "zz" },
    ]);
    expect(r.map((x) => [x.status, x.result ?? x.error?.type, x.version])).toEqual([
      [201, "created", 1],
      [200, "updated", 2],
      [409, "version_conflict_engine_exception", undefined],
      [200, "updated", 3],
      [200, "noop", 3],
      [404, "document_missing_exception", undefined],
      [201, "created", 1],
      [200, "deleted", 4],
      [404, "not_found", 1],
    ]);
    expect(r.map((x) => x.seqNo).filter((s) => s !== undefined)).toEqual([0, 1, 2, 2, 3, 4, 5]);
    expect(await store.getDoc("v", "a")).toBeNull();
    expect(JSON.parse((await store.getDoc("v", "c"))?.source as string)).toEqual({ k: 1 });
  });

  it("rejects a value its field cannot hold, without adding the document's new fields", async () => {
    const { store } = await open();
    await store.write([{ action: "index", index: "t", id: "1", source: { n: 1 } }]);
    const [bad] = await store.write([
      { action: "index", index: "t", id: "2", source: { fresh: "x", n: "abc" } },
    ]);
    expect(bad?.status).toBe(400);
    expect(bad?.error?.type).toBe("document_parsing_exception");
    expect(store.index("t")?.mapping.fields.fresh).toBeUndefined();
    expect(await store.count("t")).toBe(1);
  });

  it("turns a column into a list when a field gets several values", async () => {
    const { store } = await open();
    await store.write([{ action: "index", index: "l", id: "1", source: { n: 1 } }]);
    await store.write([{ action: "index", index: "l", id: "2", source: { n: [2, 3] } }]);
    const state = store.index("l");
    expect(state?.mapping.fields.n?.list).toBe(true);
    const rows = await store.query(
      `SELECT _id, ${state?.mapping.fields.n?.column} AS n FROM ${state?.table} ORDER BY _id`,
    );
    expect(rows).toEqual([
      { _id: "1", n: [1] },
      { _id: "2", n: [2, 3] },
    ]);
  });

  it("applies explicit mappings, templates and strict dynamic mapping", async () => {
    const { store } = await open();
    await store.putTemplate("composable", "t1", {
      index_patterns: ["logs-*"],
      template: { mappings: { properties: { code: { type: "keyword" } } } },
    });
    await store.write([{ action: "index", index: "logs-a", id: "1", source: { code: 42 } }]);
    expect(store.index("logs-a")?.mapping.fields.code?.type).toBe("keyword");
    await store.createIndex("strict", {
      mappings: { dynamic: "strict", properties: { a: { type: "long" } } },
    });
    const [r] = await store.write([{ action: "index", index: "strict", id: "1", source: { b: 1 } }]);
    expect(r?.error?.type).toBe("strict_dynamic_mapping_exception");
    await expect(
      store.createIndex("bad", { mappings: { properties: { a: { type: "nope" } } } }),
    ).rejects.toBeInstanceOf(StoreError);
    await expect(store.createIndex("Upper")).rejects.toMatchObject({ type: "invalid_index_name_exception" });
    await expect(store.createIndex("strict")).rejects.toMatchObject({
      type: "resource_already_exists_exception",
    });
  });

  it("keeps indices, mappings, documents and sequence numbers across a reopen", async () => {
    const first = await open();
    await first.store.write([
      { action: "index", index: "p", id: "1", source: { s: "hello" } },
      { action: "index", index: "p", id: "2", source: { s: "world" } },
    ]);
    await first.store.close();
    stores.splice(stores.indexOf(first.store), 1);
    const { store } = await open(first.dir);
    expect(await store.count("p")).toBe(2);
    expect(store.index("p")?.mapping.fields["s.keyword"]?.type).toBe("keyword");
    const [r] = await store.write([{ action: "index", index: "p", id: "3", source: { s: "again" } }]);
    expect(r?.seqNo).toBe(2);
  });
});

describe("dotted field names", () => {
  it("treats {'a.b': v} and {a: {b: v}} as one field", async () => {
    const { store } = await open();
    await store.write([{ action: "index", index: "d", id: "1", source: { "a.b": 1, "s.t": "x" } }]);
    await store.write([{ action: "index", index: "d", id: "2", source: { a: { b: 2 }, s: { t: "y" } } }]);
    const state = store.index("d");
    expect(state?.mapping.fields.a?.type).toBe("object");
    const b = state?.mapping.fields["a.b"]?.column;
    const t = state?.mapping.fields["s.t.keyword"]?.column;
    const rows = await store.query(`SELECT _id, ${b} AS b, ${t} AS t FROM ${state?.table} ORDER BY _id`);
    expect(rows).toEqual([
      { _id: "1", b: 1, t: "x" },
      { _id: "2", b: 2, t: "y" },
    ]);
  });
});

describe("table formats", () => {
  it("stores text tokens as one space-joined string and upgrades a format-1 index (token lists) on open", async () => {
    const { store, dir } = await open();
    await store.write([
      { action: "index", index: "old", id: "1", source: { message: "Hello brave World" } },
      { action: "index", index: "old", id: "2", source: { message: "!!!" } },
    ]);
    const state = store.index("old");
    const column = state?.mapping.fields.message?.column as string;
    expect(state?.format).toBe(2);
    const now = await store.query(`SELECT _id, ${column} AS t FROM ${state?.table} ORDER BY _id`);
    expect(now.map((r) => r.t)).toEqual(["hello brave world", null]);

    // Rewrite the table the way format 1 laid it out, and forget the format number, as an old build would.
    const conn = (store as unknown as { writer: { raw: { run(sql: string): Promise<unknown> } } }).writer.raw;
    await conn.run(
      `ALTER TABLE ${state?.table} ALTER COLUMN ${column} TYPE VARCHAR[] USING coalesce(string_split(${column}, ' '), [])`,
    );
    const meta = { ...state, format: undefined };
    await conn.run(
      `UPDATE sluice_indices SET meta = '${JSON.stringify(meta).replace(/'/g, "''")}' WHERE name = 'old'`,
    );
    await store.close();
    stores.splice(stores.indexOf(store), 1);

    const reopened = (await open(dir)).store;
    const upgraded = reopened.index("old");
    expect(upgraded?.format).toBe(2);
    const rows = await reopened.query(`SELECT _id, ${column} AS t FROM ${upgraded?.table} ORDER BY _id`);
    expect(rows.map((r) => r.t)).toEqual(["hello brave world", null]);
  });

  it("refuses an index written by a newer build", async () => {
    const { store, dir } = await open();
    await store.write([{ action: "index", index: "new", id: "1", source: { a: "x" } }]);
    const conn = (store as unknown as { writer: { raw: { run(sql: string): Promise<unknown> } } }).writer.raw;
    const meta = { ...store.index("new"), format: 99 };
    await conn.run(`UPDATE sluice_indices SET meta = '${JSON.stringify(meta)}' WHERE name = 'new'`);
    await store.close();
    stores.splice(stores.indexOf(store), 1);
    await expect(open(dir)).rejects.toThrow("table format 99, newer than this build's 2");
  });
});

describe("concurrent writes", () => {
  it("keep call order, unique sequence numbers and every document when appends, id writes and mapping changes interleave", async () => {
    const { store } = await open();
    await store.write([{ action: "index", index: "logs", source: { n: -1 } }]);
    const calls: Promise<unknown>[] = [];
    for (let i = 0; i < 20; i++) {
      // Appends with generated ids, each adding a field of its own...
      calls.push(
        store.write(
          Array.from({ length: 50 }, (_, k) => ({
            action: "index" as const,
            index: "logs",
            source: { n: i * 50 + k, [`f${i}`]: `v${k}` },
          })),
        ),
      );
      // ...with barriers between them: a write with an id, and a mapping change.
      if (i % 5 === 2)
        calls.push(store.write([{ action: "index", index: "logs", id: `fixed`, source: { n: 1e6 + i } }]));
      if (i === 10) calls.push(store.putMapping("logs", { properties: { extra: { type: "keyword" } } }));
    }
    const results = (await Promise.all(calls)).filter(Array.isArray) as {
      seqNo?: number;
      status: number;
    }[][];
    const seqs = results.flat().map((r) => r.seqNo as number);
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(results.flat().every((r) => r.status === 201 || r.status === 200)).toBe(true);
    expect(await store.count("logs")).toBe(1 + 1000 + 1);
    const state = store.index("logs");
    for (let i = 0; i < 20; i++) expect(state?.mapping.fields[`f${i}`]?.type).toBe("text");
    expect(state?.mapping.fields.extra?.type).toBe("keyword");
    const fixed = await store.getDoc("logs", "fixed");
    expect([fixed?.version, JSON.parse(fixed?.source ?? "{}").n]).toEqual([4, 1e6 + 17]);
  });

  it("leave the mapping as committed when a commit fails, so the next write adds the columns it needs", async () => {
    const { store } = await open();
    await store.write([{ action: "index", index: "logs", source: { a: 1 } }]);
    const commit = (store as unknown as { commit: (...args: unknown[]) => Promise<void> }).commit;
    let calls = 0;
    (store as unknown as { commit: (...args: unknown[]) => Promise<void> }).commit = async function (
      this: Store,
      ...args: unknown[]
    ) {
      if (calls++ === 0) throw new Error("disk full");
      return commit.apply(this, args);
    };
    const first = store.write([{ action: "index", index: "logs", source: { a: 2, b: "new field" } }]);
    const second = store.write([{ action: "index", index: "logs", source: { a: 3, b: "again" } }]);
    await expect(first).rejects.toThrow("disk full");
    expect((await second)[0]?.status).toBe(201);
    const state = store.index("logs");
    const rows = await store.query(
      `SELECT ${state?.mapping.fields.a?.column} AS a, ${state?.mapping.fields["b.keyword"]?.column} AS b FROM ${state?.table} ORDER BY a`,
    );
    expect(rows).toEqual([
      { a: 1, b: null },
      { a: 3, b: "again" },
    ]);
  });
});
