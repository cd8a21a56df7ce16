import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../common/logger.js";
import { lit } from "../../store/connection.js";
import { Store } from "../../store/store.js";
import { runExport } from "./export.js";

let dir: string;
const statuses = [200, 200, 301, 404, 500, 200];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "sluice-export-"));
  const store = await Store.open(dir, createLogger({ level: "error" }));
  await store.write(
    statuses.map((status, i) => ({
      action: "index" as const,
      index: "access",
      id: `d${i}`,
      source: {
        "@timestamp": `2024-05-0${i + 1}T12:00:00Z`,
        status,
        bytes: i * 100,
        path: `/page/${i}`,
        message: `request number ${i} for /page/${i}`,
      },
    })),
  );
  await store.close();
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function exportTo(name: string, query?: string) {
  const file = join(dir, name);
  let out = "";
  let err = "";
  const code = await runExport(
    "access",
    file,
    { dataDir: dir, ...(query !== undefined ? { query } : {}) },
    (s) => {
      out += s;
    },
    (s) => {
      err += s;
    },
  );
  return { code, out, err, file };
}

async function readParquet(file: string, columns: string): Promise<Record<string, unknown>[]> {
  const db = await DuckDBInstance.create(":memory:");
  const conn = await db.connect();
  try {
    await conn.run("SET TimeZone = 'UTC'");
    const reader = await conn.runAndReadAll(`SELECT ${columns} FROM read_parquet(${lit(file)}) ORDER BY _id`);
    return reader
      .getRowObjectsJS()
      .map((row) =>
        Object.fromEntries(Object.entries(row).map(([k, v]) => [k, typeof v === "bigint" ? Number(v) : v])),
      );
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}

describe("sluice export", () => {
  it("writes a whole index to Parquet with typed columns and the source", async () => {
    const r = await exportTo("all.parquet");
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toBe(`wrote 6 rows of access to ${r.file}\n`);
    const rows = await readParquet(
      r.file,
      `_id, status, bytes, path, message, "@timestamp" AS ts, _source->>'$.path' AS src_path`,
    );
    expect(rows).toHaveLength(6);
    rows.forEach((row, i) => {
      expect(row).toEqual({
        _id: `d${i}`,
        status: statuses[i],
        bytes: i * 100,
        path: `/page/${i}`,
        message: `request number ${i} for /page/${i}`,
        ts: new Date(`2024-05-0${i + 1}T12:00:00Z`),
        src_path: `/page/${i}`,
      });
    });
  });

  it("filters with a SQL WHERE condition over the index's columns", async () => {
    const r = await exportTo("errors.parquet", "status >= 400 AND \"@timestamp\" < TIMESTAMP '2024-05-06'");
    expect(r.code).toBe(0);
    expect(await readParquet(r.file, "_id, status")).toEqual([
      { _id: "d3", status: 404 },
      { _id: "d4", status: 500 },
    ]);
  });

  it("filters with Elasticsearch query JSON, bare or wrapped in {query: ...}", async () => {
    const bare = await exportTo("ok.parquet", '{"term": {"status": 200}}');
    expect(bare.code).toBe(0);
    expect((await readParquet(bare.file, "_id")).map((r) => r._id)).toEqual(["d0", "d1", "d5"]);
    const wrapped = await exportTo(
      "match.parquet",
      '{"query": {"bool": {"must": [{"match": {"message": "number"}}], "filter": [{"range": {"bytes": {"gte": 200, "lt": 500}}}]}}}',
    );
    expect(wrapped.code).toBe(0);
    expect(wrapped.out).toMatch(/^wrote 3 rows/);
    expect((await readParquet(wrapped.file, "_id")).map((r) => r._id)).toEqual(["d2", "d3", "d4"]);
  });

  it("fails with a message for an unknown index, bad JSON, an unknown query and bad SQL", async () => {
    let err = "";
    const code = await runExport(
      "nope",
      join(dir, "x.parquet"),
      { dataDir: dir },
      () => {},
      (s) => {
        err += s;
      },
    );
    expect(code).toBe(1);
    expect(err).toBe("sluice export: no such index [nope]\n");
    const badJson = await exportTo("y.parquet", "{status: 1}");
    expect(badJson.code).toBe(1);
    expect(badJson.err).toMatch(/--query is not valid JSON/);
    const unknown = await exportTo("y.parquet", '{"frobnicate": {}}');
    expect(unknown.code).toBe(1);
    expect(unknown.err).toMatch(/unknown query \[frobnicate\]/);
    const badSql = await exportTo("y.parquet", "no_such_column = 1");
    expect(badSql.code).toBe(1);
    expect(badSql.err).toMatch(/no_such_column/);
  });
});
