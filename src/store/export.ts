// Read-only SQL over a store's data directory: the database is attached READ_ONLY to a private in-memory
// DuckDB, each index appears as a view named after it, and an index (or part of it) can be copied to Parquet.

import { existsSync } from "node:fs";
import { join } from "node:path";
import { type DuckDBConnection, DuckDBInstance, StatementType } from "@duckdb/node-api";
import { lit } from "./connection.js";
import type { FieldInfo } from "./mapping.js";
import type { IndexState } from "./store.js";

/** Schema name the store's database is attached under; its raw tables are `store.i_N`. */
export const attachedSchema = "store";
const storeFileName = "store.duckdb";

export class StoreReadError extends Error {
  override name = "StoreReadError";
}

/** The database file is held by a running store: DuckDB allows no reader beside its writer. */
export class StoreLockedError extends StoreReadError {
  override name = "StoreLockedError";
}

/** `SELECT` projecting an index's raw table into its user-facing columns (see docs/sql-and-export.md). */
export function indexViewSelect(state: IndexState, schema = attachedSchema): string {
  const cols = ["_id", "_version", "_source::JSON AS _source"];
  const seen = new Set(["_id", "_version", "_source"]);
  for (const field of Object.values(state.mapping.fields)) {
    // DuckDB identifiers ignore case, so `Host` and `host` cannot both be columns: the first one wins.
    const key = field.name.toLowerCase();
    if (!field.column || field.type === "object" || seen.has(key)) continue;
    seen.add(key);
    cols.push(`${fieldSql(field)} AS ${quoteIdent(field.name)}`);
  }
  return `SELECT ${cols.join(", ")} FROM ${schema}.${state.table}`;
}

function fieldSql(field: FieldInfo): string {
  const column = field.column as string;
  if (field.type === "date")
    return field.list ? `list_transform(${column}, lambda x: epoch_ms(x))` : `epoch_ms(${column})`;
  // Text columns hold analysed tokens; users want the text they indexed, which lives in `_source`.
  if (field.type === "text") return sourceText(field.jsonPath, field.list);
  return column;
}

function sourceText(jsonPath: string, list: boolean): string {
  const path = lit(jsonPath);
  if (jsonPath.includes("[*]")) return `json_extract_string(_source, ${path})`;
  if (!list) return `json_extract_string(_source, ${path})`;
  const all = lit(`${jsonPath}[*]`);
  return `CASE WHEN json_type(_source, ${path}) = 'ARRAY' THEN json_extract_string(_source, ${all}) WHEN json_extract_string(_source, ${path}) IS NULL THEN NULL ELSE [json_extract_string(_source, ${path})] END`;
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Statement kinds `sluice sql` accepts; DESCRIBE, SHOW and SUMMARIZE are SELECTs once parsed. */
const readOnlyKeywords = /^\s*(select|with|describe|show|summarize|from|values|\()/i;

export interface QueryResult {
  columns: string[];
  rows: AsyncIterable<unknown[][]>;
}

/** A consistent read-only view of a data directory; close it to release the file. */
export class StoreSnapshot {
  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly conn: DuckDBConnection,
    readonly indices: Map<string, IndexState>,
  ) {}

  static async open(dataDir: string): Promise<StoreSnapshot> {
    const file = storeFile(dataDir);
    const instance = await DuckDBInstance.create(":memory:");
    const conn = await instance.connect();
    try {
      await conn.run("SET TimeZone = 'UTC'");
      await attach(conn, file);
      const indices = await readCatalog(conn);
      for (const state of indices.values())
        await conn.run(`CREATE VIEW ${quoteIdent(state.name)} AS ${indexViewSelect(state)}`);
      return new StoreSnapshot(instance, conn, indices);
    } catch (e) {
      conn.closeSync();
      instance.closeSync();
      throw e;
    }
  }

  requireIndex(name: string): IndexState {
    const state = this.indices.get(name);
    if (!state) throw new StoreReadError(`no such index [${name}]`);
    return state;
  }

  /** Runs one read-only statement; rows arrive in chunks as plain JS values. */
  async query(sql: string): Promise<QueryResult> {
    await this.checkReadOnly(sql);
    const result = await this.conn.stream(sql);
    const columns = result.columnNames();
    async function* chunks(): AsyncIterable<unknown[][]> {
      for await (const rows of result.yieldRowsJs()) yield rows.map((row) => row.map(plainValue));
    }
    return { columns, rows: chunks() };
  }

  private async checkReadOnly(sql: string): Promise<void> {
    await checkReadOnly(this.conn, sql);
  }

  /**
   * Copies an index's rows to a Parquet file. `rawWhere` filters the raw table (a compiled
   * Elasticsearch query); `where` filters the view's columns (SQL written by the user). Returns rows written.
   */
  async exportParquet(index: string, file: string, filter: { rawWhere?: string; where?: string } = {}) {
    const state = this.requireIndex(index);
    let select = indexViewSelect(state);
    if (filter.rawWhere) select += ` WHERE ${filter.rawWhere}`;
    let outer = `SELECT * FROM (${select}) AS ${quoteIdent(state.name)}`;
    if (filter.where) outer += ` WHERE ${filter.where}`;
    const reader = await this.conn.runAndReadAll(`COPY (${outer}) TO ${lit(file)} (FORMAT parquet)`);
    return Number(reader.getRows()[0]?.[0] ?? 0);
  }

  close(): void {
    this.conn.closeSync();
    this.instance.closeSync();
  }
}

/** Refuses anything but one read-only statement (StoreReadError says why). */
export async function checkReadOnly(conn: DuckDBConnection, sql: string): Promise<void> {
  if (!readOnlyKeywords.test(sql))
    throw new StoreReadError("only SELECT, WITH, DESCRIBE, SHOW and SUMMARIZE statements are allowed");
  const extracted = await conn.extractStatements(sql);
  if (extracted.count !== 1) throw new StoreReadError("give exactly one SQL statement");
  const prepared = await extracted.prepare(0);
  if (prepared.statementType !== StatementType.SELECT)
    throw new StoreReadError("only read-only statements are allowed (this one would change something)");
}

/** `sluice store --data-dir D` keeps D/store.duckdb; `sluice up --data-dir D` keeps D/store/store.duckdb. */
function storeFile(dataDir: string): string {
  const candidates = [join(dataDir, storeFileName), join(dataDir, "store", storeFileName)];
  const found = candidates.find((f) => existsSync(f));
  if (!found) throw new StoreReadError(`no store database at ${candidates.join(" or ")}`);
  return found;
}

async function attach(conn: DuckDBConnection, file: string): Promise<void> {
  try {
    await conn.run(`ATTACH ${lit(file)} AS ${attachedSchema} (READ_ONLY)`);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    // DuckDB lets one process write a database file, or any number read it, never both at once.
    if (/lock/i.test(message))
      throw new StoreLockedError(
        `the store database ${file} is open in another process (a running 'sluice store' or 'sluice up'); DuckDB allows no readers beside a writer, so stop that process first (${message})`,
      );
    throw e;
  }
}

async function readCatalog(conn: DuckDBConnection): Promise<Map<string, IndexState>> {
  const reader = await conn.runAndReadAll(`SELECT meta FROM ${attachedSchema}.sluice_indices ORDER BY name`);
  const out = new Map<string, IndexState>();
  for (const [meta] of reader.getRows()) {
    const state = JSON.parse(String(meta)) as IndexState;
    out.set(state.name, state);
  }
  return out;
}

/** BIGINTs as numbers where exact, timestamps as ISO text, nested values made plain. */
export function plainValue(value: unknown): unknown {
  if (typeof value === "bigint") {
    const n = Number(value);
    return Number.isSafeInteger(n) ? n : value.toString();
  }
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (Array.isArray(value)) return value.map(plainValue);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = plainValue(v);
    return out;
  }
  return value;
}
