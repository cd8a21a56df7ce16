// `sluice sql "SELECT ..."`: ad-hoc read-only SQL over the store's indices (one view per index), printed
// as an aligned table, JSON lines or CSV.

import type { Command } from "commander";
import { csvField } from "../../common/csv.js";
import { limits } from "../../common/limits.js";
import type * as StoreExport from "../../store/export.js";
import { UsageError } from "../options.js";

export type SqlFormat = "table" | "json" | "csv";
const formats: readonly SqlFormat[] = ["table", "json", "csv"];

export interface SqlFlags {
  dataDir: string;
  format: string;
  /** A running store's address: query its `/_sql` endpoint instead of opening the file. */
  url?: string;
  /** Asked when the file is locked and no url was given (defaultStoreUrl; tests point it elsewhere). */
  fallbackUrl?: string;
}

/** Where `sluice sql` asks when the file is held by a running store and no --url was given. */
export const defaultStoreUrl = "http://127.0.0.1:9200";

/** Runs one query against DIR/store.duckdb and writes its rows; returns the exit code (1: the store or the query failed). */
export async function runSql(
  sql: string,
  flags: SqlFlags,
  out: (s: string) => void,
  err: (s: string) => void,
): Promise<number> {
  if (!formats.includes(flags.format as SqlFormat))
    throw new UsageError(`--format must be one of ${formats.join(", ")}, got "${flags.format}"`);
  if (flags.url) return httpSql(sql, flags, out, err);
  // DuckDB is loaded by the commands that read the store, not by every `sluice` invocation.
  const { StoreLockedError, StoreReadError, StoreSnapshot } = await import("../../store/export.js");
  let snapshot: StoreExport.StoreSnapshot | undefined;
  try {
    snapshot = await StoreSnapshot.open(flags.dataDir);
    const result = await snapshot.query(sql);
    await writers[flags.format as SqlFormat](result.columns, result.rows, out);
    return 0;
  } catch (e) {
    if (e instanceof StoreLockedError) {
      // A running `sluice up` holds the file: its /_sql endpoint answers the same query over the same views.
      const url = flags.fallbackUrl ?? defaultStoreUrl;
      err(
        `sluice sql: the store is running (its file is locked); asking ${url}/_sql (use --url to choose)\n`,
      );
      const code = await httpSql(sql, { ...flags, url }, out, err);
      if (code !== 0) err(`sluice sql: ${e.message}\n`);
      return code;
    }
    err(`sluice sql: ${e instanceof StoreReadError ? e.message : errorText(e)}\n`);
    return 1;
  } finally {
    snapshot?.close();
  }
}

/** The query through a running store's `/_sql` (JSON answer), printed in the asked format. */
async function httpSql(
  sql: string,
  flags: SqlFlags,
  out: (s: string) => void,
  err: (s: string) => void,
): Promise<number> {
  const url = `${(flags.url as string).replace(/\/+$/, "")}/_sql?format=json`;
  let answer: {
    columns?: { name: string }[];
    rows?: unknown[][];
    error?: { type?: string; reason?: string };
  };
  try {
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: sql, fetch_size: limits.storeSqlRowsMax }),
    });
    answer = (await res.json()) as typeof answer;
  } catch (e) {
    err(`sluice sql: cannot query ${url}: ${errorText(e)}\n`);
    return 1;
  }
  if (answer.error || !answer.columns || !answer.rows) {
    err(`sluice sql: ${answer.error?.reason ?? `unexpected answer from ${url}`}\n`);
    return 1;
  }
  const rows = answer.rows;
  async function* chunks(): AsyncIterable<unknown[][]> {
    yield rows;
  }
  await writers[flags.format as SqlFormat](
    answer.columns.map((c) => c.name),
    chunks(),
    out,
  );
  return 0;
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message.split("\n")[0] || e.message : String(e);
}

type Writer = (
  columns: string[],
  chunks: AsyncIterable<unknown[][]>,
  out: (s: string) => void,
) => Promise<void>;

const writers: Record<SqlFormat, Writer> = { table: writeTable, json: writeJsonLines, csv: writeCsv };

async function writeJsonLines(
  columns: string[],
  chunks: AsyncIterable<unknown[][]>,
  out: (s: string) => void,
) {
  for await (const rows of chunks) {
    const lines = rows.map((row) => JSON.stringify(Object.fromEntries(columns.map((c, i) => [c, row[i]]))));
    if (lines.length > 0) out(`${lines.join("\n")}\n`);
  }
}

async function writeCsv(columns: string[], chunks: AsyncIterable<unknown[][]>, out: (s: string) => void) {
  out(`${columns.map(csvField).join(",")}\n`);
  for await (const rows of chunks) {
    const lines = rows.map((row) => row.map((v) => csvField(v === null ? "" : cellText(v))).join(","));
    if (lines.length > 0) out(`${lines.join("\n")}\n`);
  }
}

/** Buffers rows to size the columns, so it stops at a limit and says how many rows it left out. */
async function writeTable(columns: string[], chunks: AsyncIterable<unknown[][]>, out: (s: string) => void) {
  const cells: string[][] = [];
  let total = 0;
  for await (const rows of chunks) {
    for (const row of rows) {
      total++;
      if (cells.length < limits.sqlTableRowsMax)
        cells.push(row.map((v) => (v === null ? "NULL" : cellText(v))));
    }
  }
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((r) => (r[i] ?? "").length)));
  const line = (values: string[]) =>
    `${values.map((v, i) => v.padEnd(widths[i] ?? 0)).join(" | ")}`.trimEnd();
  const text = [line(columns), widths.map((w) => "-".repeat(w)).join("-+-"), ...cells.map(line)];
  out(`${text.join("\n")}\n`);
  const hidden = total - cells.length;
  out(
    `(${total} row${total === 1 ? "" : "s"}${hidden > 0 ? `, ${hidden} not shown: use --format json or csv` : ""})\n`,
  );
}

function cellText(value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

export function registerSql(program: Command): void {
  program
    .command("sql <query>")
    .description(
      "run read-only SQL (SELECT, WITH, DESCRIBE, SHOW, SUMMARIZE) over the store's indices, each a view named after its index",
    )
    .option("--data-dir <dir>", "directory holding the store's database", "./data")
    .option("--format <format>", "table, json (one object per line) or csv", "table")
    .option(
      "--url <url>",
      `ask a running store's /_sql endpoint (e.g. ${defaultStoreUrl}); used by default when the file is held by a running store`,
    )
    .action(async (query: string, flags: SqlFlags) => {
      process.exitCode = await runSql(
        query,
        flags,
        (s) => process.stdout.write(s),
        (s) => process.stderr.write(s),
      );
    });
}
