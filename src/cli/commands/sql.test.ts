import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../common/logger.js";
import { Store } from "../../store/store.js";
import { UsageError } from "../options.js";
import { runSql } from "./sql.js";

let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "sluice-sql-"));
  const store = await Store.open(dir, createLogger({ level: "error" }));
  await store.write([
    { action: "index", index: "web-logs", id: "a", source: doc("GET", 200, 512, "2024-03-01T10:00:00Z") },
    { action: "index", index: "web-logs", id: "b", source: doc("POST", 404, 0, "2024-03-01T11:30:00Z") },
    { action: "index", index: "web-logs", id: "c", source: doc("GET", 500, 17, "2024-03-02T00:00:00Z") },
    { action: "index", index: "other", id: "x", source: { note: 'has "quotes", commas\nand lines', n: 1.5 } },
  ]);
  await store.close();
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function doc(method: string, status: number, bytes: number, ts: string) {
  return {
    "@timestamp": ts,
    http: { request: { method }, response: { status_code: status, body: { bytes } } },
    message: `${method} /index.html HTTP/1.1`,
    tags: ["web", method.toLowerCase()],
  };
}

async function sql(query: string, format = "table", url?: string) {
  let out = "";
  let err = "";
  const code = await runSql(
    query,
    // Nothing listens on port 9 (discard): the locked-file fallback fails fast instead of finding a real store.
    { dataDir: dir, format, fallbackUrl: "http://127.0.0.1:9", ...(url ? { url } : {}) },
    (s) => {
      out += s;
    },
    (s) => {
      err += s;
    },
  );
  return { code, out, err };
}

const jsonRows = (out: string) =>
  out
    .trim()
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l));

describe("sluice sql", () => {
  it("exposes each index as a view with _id, _source JSON and typed field columns", async () => {
    const r = await sql(
      'SELECT _id, "http.request.method" AS m, "http.response.status_code" AS s, "@timestamp" AS t, message, _source->>\'$.http.response.body.bytes\' AS b FROM "web-logs" ORDER BY _id',
      "json",
    );
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(jsonRows(r.out)).toEqual([
      {
        _id: "a",
        m: "GET",
        s: 200,
        t: "2024-03-01T10:00:00.000Z",
        message: "GET /index.html HTTP/1.1",
        b: "512",
      },
      {
        _id: "b",
        m: "POST",
        s: 404,
        t: "2024-03-01T11:30:00.000Z",
        message: "POST /index.html HTTP/1.1",
        b: "0",
      },
      {
        _id: "c",
        m: "GET",
        s: 500,
        t: "2024-03-02T00:00:00.000Z",
        message: "GET /index.html HTTP/1.1",
        b: "17",
      },
    ]);
  });

  it("gives typed columns their SQL types (DESCRIBE)", async () => {
    const r = await sql('DESCRIBE "web-logs"', "json");
    const types = Object.fromEntries(jsonRows(r.out).map((c) => [c.column_name, c.column_type]));
    expect(types).toMatchObject({
      _id: "VARCHAR",
      _source: "JSON",
      "http.response.status_code": "BIGINT",
      "@timestamp": "TIMESTAMP",
      message: "VARCHAR",
      "http.request.method": "VARCHAR",
    });
  });

  it("aggregates, and prints an aligned table by default", async () => {
    const r = await sql(
      'SELECT "http.request.method" AS method, count(*) AS n FROM "web-logs" GROUP BY 1 ORDER BY 1',
    );
    expect(r.code).toBe(0);
    expect(r.out).toBe("method | n\n-------+--\nGET    | 2\nPOST   | 1\n(2 rows)\n");
  });

  it("writes CSV with quoting, and SHOW TABLES lists the indices", async () => {
    const csv = await sql("SELECT note, n FROM other", "csv");
    expect(csv.out).toBe('note,n\n"has ""quotes"", commas\nand lines",1.5\n');
    const tables = await sql("SHOW TABLES", "json");
    expect(jsonRows(tables.out).map((t) => t.name)).toEqual(["other", "web-logs"]);
    const summary = await sql('SUMMARIZE SELECT "http.response.status_code" FROM "web-logs"', "json");
    expect(jsonRows(summary.out)[0]).toMatchObject({ min: "200", max: "500" });
  });

  it("refuses statements that write and more than one statement", async () => {
    for (const q of [
      'DELETE FROM "web-logs"',
      "CREATE TABLE t AS SELECT 1",
      "COPY (SELECT 1) TO '/tmp/x.csv'",
      "WITH x AS (SELECT * FROM store.i_0) INSERT INTO store.i_0 SELECT * FROM x",
      "SELECT 1; DROP VIEW other",
      "ATTACH 'x.duckdb'",
    ]) {
      const r = await sql(q);
      expect(r.code, q).toBe(1);
      expect(r.err, q).toMatch(/sluice sql: (only|give exactly one)/);
    }
    const direct = await sql("SELECT count(*) AS n FROM store.i_0", "json");
    expect(jsonRows(direct.out)).toEqual([{ n: expect.any(Number) }]);
  });

  it("reports SQL errors, a missing store and a bad format", async () => {
    const bad = await sql("SELECT nope FROM other");
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/^sluice sql: .*nope/);
    let err = "";
    const missing = await runSql(
      "SELECT 1",
      { dataDir: join(dir, "absent"), format: "table" },
      () => {},
      (s) => {
        err += s;
      },
    );
    expect(missing).toBe(1);
    expect(err).toMatch(/no store database at/);
    await expect(sql("SELECT 1", "xml")).rejects.toThrow(UsageError);
  });

  it("says clearly that the store is locked while a writer has it open, and reads its WAL once it died", async () => {
    // A real Store in another process (like `sluice store`) writes one document, then holds the file.
    const holder = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        "--input-type=module",
        "-e",
        `import { createLogger } from "./src/common/logger.ts";
         import { Store } from "./src/store/store.ts";
         const store = await Store.open(${JSON.stringify(dir)}, createLogger({ level: "error" }));
         await store.write([{ action: "index", index: "late", id: "z", source: { word: "after" } }]);
         process.stdout.write("open\\n"); setTimeout(() => {}, 60000);`,
      ],
      { cwd: process.cwd(), stdio: ["ignore", "pipe", "inherit"] },
    );
    const exited = new Promise((resolve) => holder.once("exit", resolve));
    try {
      await new Promise<void>((resolve) => holder.stdout.once("data", () => resolve()));
      const r = await sql("SELECT 1");
      expect(r.code).toBe(1);
      expect(r.err).toContain("the store is running (its file is locked); asking http://127.0.0.1:9/_sql");
      expect(r.err).toMatch(/open in another process .*sluice store/);
    } finally {
      holder.kill("SIGKILL");
      await exited;
    }
    // Killed without a checkpoint: the document is only in the WAL, which a read-only open replays.
    const after = await sql("SELECT _id, word FROM late", "json");
    expect(after.err).toBe("");
    expect(jsonRows(after.out)).toEqual([{ _id: "z", word: "after" }]);
  });

  it("asks a running store's /_sql with --url, printing the same formats", async () => {
    const { startStoreServer } = await import("../../es/server.js");
    const liveDir = mkdtempSync(join(tmpdir(), "sluice-sql-live-"));
    const server = await startStoreServer({
      port: 0,
      dataDir: liveDir,
      logger: createLogger({ level: "error" }),
    });
    try {
      await fetch(`http://127.0.0.1:${server.port}/live/_doc?refresh=true`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ word: "hello", n: 2 }),
      });
      const url = `http://127.0.0.1:${server.port}`;
      const csv = await sql("SELECT word, n FROM live", "csv", url);
      expect([csv.code, csv.out, csv.err]).toEqual([0, "word,n\nhello,2\n", ""]);
      const json = await sql("SELECT n * 2 AS twice FROM live", "json", url);
      expect(jsonRows(json.out)).toEqual([{ twice: 4 }]);
      const bad = await sql("DROP TABLE live", "csv", url);
      expect(bad.code).toBe(1);
      expect(bad.err).toContain("only SELECT");
    } finally {
      await server.close();
      rmSync(liveDir, { recursive: true, force: true });
    }
  });

  it("finds the database of `sluice up --data-dir D` under D/store", async () => {
    const upDir = mkdtempSync(join(tmpdir(), "sluice-sql-up-"));
    try {
      const store = await Store.open(join(upDir, "store"), createLogger({ level: "error" }));
      await store.write([{ action: "index", index: "u", id: "1", source: { n: 7 } }]);
      await store.close();
      let out = "";
      const code = await runSql(
        "SELECT n FROM u",
        { dataDir: upDir, format: "csv" },
        (s) => {
          out += s;
        },
        () => {},
      );
      expect(code).toBe(0);
      expect(out).toBe("n\n7\n");
    } finally {
      rmSync(upDir, { recursive: true, force: true });
    }
  });
});
