// Read-only SQL over the running store (the `/_sql` endpoint): each index is a temporary view named after it on
// a connection kept for this, as `sluice sql` shows them from the file, so queries work the same both ways.

import { checkReadOnly, indexViewSelect, plainValue, quoteIdent } from "./export.js";
import type { Store } from "./store.js";

export interface SqlColumn {
  name: string;
  /** Elasticsearch SQL's type name for the column. */
  type: string;
}

export interface SqlResult {
  columns: SqlColumn[];
  rows: unknown[][];
  /** More rows exist than were asked for. */
  truncated: boolean;
}

/** Views made on the SQL connection, by index name, with the definition they were made from. */
const views = new WeakMap<Store, Map<string, string>>();

/** Runs one read-only statement on the store's SQL connection; at most `maxRows` rows come back. */
export async function runLiveSql(store: Store, sql: string, maxRows: number): Promise<SqlResult> {
  const connection = await store.sqlConnection();
  return connection.exclusive(async (conn) => {
    await syncViews(store, (text) => conn.run(text));
    await checkReadOnly(conn, sql);
    const result = await conn.stream(sql);
    const names = result.columnNames();
    const types = result.columnTypes().map((t) => esSqlType(t.toString()));
    const rows: unknown[][] = [];
    let truncated = false;
    for await (const chunk of result.yieldRowsJs()) {
      for (const row of chunk) {
        if (rows.length === maxRows) {
          truncated = true;
          break;
        }
        rows.push(row.map(plainValue));
      }
      if (truncated) break;
    }
    return { columns: names.map((name, i) => ({ name, type: types[i] as string })), rows, truncated };
  });
}

/** Makes the views match the indices and their mappings now (a mapping grows as documents arrive). */
async function syncViews(store: Store, run: (sql: string) => Promise<unknown>): Promise<void> {
  const made = views.get(store) ?? new Map<string, string>();
  views.set(store, made);
  for (const [name] of made)
    if (!store.indices.has(name)) {
      await run(`DROP VIEW IF EXISTS temp.${quoteIdent(name)}`);
      made.delete(name);
    }
  for (const state of store.indices.values()) {
    const select = indexViewSelect(state, "main");
    if (made.get(state.name) === select) continue;
    await run(`CREATE OR REPLACE TEMP VIEW ${quoteIdent(state.name)} AS ${select}`);
    made.set(state.name, select);
  }
}

/** DuckDB's type names as Elasticsearch SQL names them (lists keep their element's name). */
function esSqlType(duck: string): string {
  const base = duck.replace(/\[\]$/, "").toUpperCase();
  if (base === "VARCHAR") return "keyword";
  if (base === "BIGINT" || base === "HUGEINT" || base === "UBIGINT") return "long";
  if (base === "INTEGER" || base === "UINTEGER") return "integer";
  if (base === "SMALLINT" || base === "USMALLINT") return "short";
  if (base === "TINYINT" || base === "UTINYINT") return "byte";
  if (base === "DOUBLE" || base.startsWith("DECIMAL")) return "double";
  if (base === "FLOAT") return "float";
  if (base === "BOOLEAN") return "boolean";
  if (base.startsWith("TIMESTAMP") || base === "DATE") return "datetime";
  if (base === "JSON" || base.startsWith("STRUCT") || base.startsWith("MAP")) return "object";
  return base.toLowerCase();
}
