// One DuckDB connection whose statements run one at a time (the binding must not interleave work on
// a connection); results come back as plain JS rows with BIGINTs turned into numbers where exact.

import type { DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";

export type Row = Record<string, unknown>;

export class SerialConnection {
  private tail: Promise<unknown> = Promise.resolve();

  private constructor(readonly raw: DuckDBConnection) {}

  static async open(instance: DuckDBInstance): Promise<SerialConnection> {
    const conn = await instance.connect();
    await conn.run("SET TimeZone = 'UTC'");
    return new SerialConnection(conn);
  }

  /** Runs `work` after everything queued before it; failures do not block later work. */
  exclusive<T>(work: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
    const next = this.tail.then(() => work(this.raw));
    this.tail = next.catch(() => undefined);
    return next;
  }

  run(sql: string): Promise<void> {
    return this.exclusive(async (c) => {
      await c.run(sql);
    });
  }

  all(sql: string): Promise<Row[]> {
    return this.exclusive((c) => readRows(c, sql));
  }

  close(): void {
    this.raw.closeSync();
  }
}

export async function readRows(conn: DuckDBConnection, sql: string): Promise<Row[]> {
  const reader = await conn.runAndReadAll(sql);
  return reader.getRowObjectsJS().map((row) => {
    const out: Row = {};
    for (const [k, v] of Object.entries(row)) out[k] = plain(v);
    return out;
  });
}

function plain(value: unknown): unknown {
  if (typeof value === "bigint") {
    const n = Number(value);
    return Number.isSafeInteger(n) ? n : value.toString();
  }
  if (Array.isArray(value)) return value.map(plain);
  return value;
}

/** A SQL string literal. */
export function lit(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}
