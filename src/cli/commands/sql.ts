// `sluice sql "SELECT ..."`: ad-hoc read-only SQL over the store's indices (one view per index), printed
// as an aligned table, JSON lines or CSV.

import type { Command } from "commander";
import { limits } from "../../common/limits.js";
import type * as StoreExport from "../../store/export.js";
import { UsageError } from "../options.js";

export type SqlFormat = "table" | "json" | "csv";
const formats: readonly SqlFormat[] = ["table", "json", "csv"];

export interface SqlFlags {
  dataDir: string;
  format: string;
}

/** Runs one query against DIR/store.duckdb and writes its rows; returns the exit code (1: the store or the query failed). */
export async function runSql(
  sql: string,
  flags: SqlFlags,
  out: (s: string) => void,
  err: (s: string) => void,
): Promise<number> {
  if (!formats.includes(flags.format as SqlFormat))
    throw new UsageError(`--format must be one of ${formats.join(", ")}, got "${flags.format}"`);
  // DuckDB is loaded by the commands that read the store, not by every `sluice` invocation.
  const { StoreReadError, StoreSnapshot } = await import("../../store/export.js");
  let snapshot: StoreExport.StoreSnapshot | undefined;
  try {
    snapshot = await StoreSnapshot.open(flags.dataDir);
    const result = await snapshot.query(sql);
    await writers[flags.format as SqlFormat](result.columns, result.rows, out);
    return 0;
  } catch (e) {
    err(`sluice sql: ${e instanceof StoreReadError ? e.message : errorText(e)}\n`);
    return 1;
  } finally {
    snapshot?.close();
  }
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

function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
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
    .action(async (query: string, flags: SqlFlags) => {
      process.exitCode = await runSql(
        query,
        flags,
        (s) => process.stdout.write(s),
        (s) => process.stderr.write(s),
      );
    });
}
