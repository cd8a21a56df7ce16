// `/_sql`: Elasticsearch's SQL endpoint shape (query, fetch_size; format json, txt, csv, tsv) answered with
// DuckDB's SQL dialect over one view per index. No cursors: a result past fetch_size is refused, not cut.

import { csvField } from "../common/csv.js";
import { limits } from "../common/limits.js";
import { StoreReadError } from "../store/export.js";
import { runLiveSql, type SqlResult } from "../store/live-sql.js";
import type { Store } from "../store/store.js";
import { badRequest, EsError } from "./errors.js";

type Obj = Record<string, unknown>;

const defaultFetchSize = 1000;
const formats = ["json", "txt", "csv", "tsv"];

export async function sqlReply(store: Store, body: Obj, params: URLSearchParams): Promise<unknown> {
  const query = body.query;
  if (typeof query !== "string" || query.trim() === "")
    throw new EsError(
      400,
      "action_request_validation_exception",
      "Validation Failed: 1: [query] is required;",
    );
  const fetchSize = body.fetch_size === undefined ? defaultFetchSize : Number(body.fetch_size);
  if (!Number.isInteger(fetchSize) || fetchSize < 1 || fetchSize > limits.storeSqlRowsMax)
    throw badRequest(
      `[fetch_size] must be an integer from 1 to ${limits.storeSqlRowsMax}, got [${body.fetch_size}]`,
    );
  const format = params.get("format") ?? "json";
  if (!formats.includes(format)) throw badRequest(`Invalid response content type: [${format}]`);
  let result: SqlResult;
  try {
    result = await runLiveSql(store, query, fetchSize);
  } catch (e) {
    const reason = e instanceof Error ? (e.message.split("\n")[0] ?? e.message) : String(e);
    throw new EsError(
      400,
      e instanceof StoreReadError ? "verification_exception" : "parsing_exception",
      reason,
    );
  }
  if (result.truncated)
    throw badRequest(
      `the result has more than fetch_size [${fetchSize}] rows and the sluice store has no SQL cursors: add a LIMIT or raise fetch_size (at most ${limits.storeSqlRowsMax})`,
    );
  if (format === "json") return { columns: result.columns, rows: result.rows };
  if (format === "txt") return textTable(result);
  const separator = format === "csv" ? "," : "\t";
  const lines = [result.columns.map((c) => c.name), ...result.rows.map((r) => r.map(cell))];
  return `${lines.map((cells) => cells.map((c) => (format === "csv" ? csvField(c) : c)).join(separator)).join("\n")}\n`;
}

function cell(value: unknown): string {
  if (value === null || value === undefined) return "";
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}

/** The `txt` format: a header, a rule of dashes and `+`, then left-aligned cells, as Elasticsearch prints. */
function textTable(result: SqlResult): string {
  const rows = result.rows.map((r) => r.map(cell));
  const widths = result.columns.map((c, i) =>
    Math.max(c.name.length, ...rows.map((r) => (r[i] ?? "").length)),
  );
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] as number)).join("|");
  return `${[line(result.columns.map((c) => c.name)), widths.map((w) => "-".repeat(w)).join("+"), ...rows.map(line)].join("\n")}\n`;
}
