// `sluice export INDEX FILE.parquet [--query Q]`: writes an index, or the documents a query selects, to a
// Parquet file; Q is Elasticsearch query JSON (`{"term": ...}` or `{"query": {...}}`) or a SQL WHERE condition.

import type { Command } from "commander";
import type { QueryContext } from "../../es/query.js";
import type * as StoreExport from "../../store/export.js";
import type { IndexState } from "../../store/store.js";

export interface ExportFlags {
  dataDir: string;
  query?: string;
}

/** Returns the exit code: 0 with a `wrote N rows to FILE` line, 1 when the store, the query or the file failed. */
export async function runExport(
  index: string,
  file: string,
  flags: ExportFlags,
  out: (s: string) => void,
  err: (s: string) => void,
): Promise<number> {
  // DuckDB is loaded by the commands that read the store, not by every `sluice` invocation.
  const { StoreReadError, StoreSnapshot } = await import("../../store/export.js");
  let snapshot: StoreExport.StoreSnapshot | undefined;
  try {
    snapshot = await StoreSnapshot.open(flags.dataDir);
    const state = snapshot.requireIndex(index);
    const filter = await exportFilter(state, flags.query);
    const rows = await snapshot.exportParquet(index, file, filter);
    out(`wrote ${rows} row${rows === 1 ? "" : "s"} of ${index} to ${file}\n`);
    return 0;
  } catch (e) {
    err(`sluice export: ${e instanceof StoreReadError ? e.message : errorText(e)}\n`);
    return 1;
  } finally {
    snapshot?.close();
  }
}

/** JSON (it starts with `{`) is the query DSL, compiled the way search compiles it; anything else is SQL. */
export async function exportFilter(
  state: IndexState,
  query: string | undefined,
): Promise<{ rawWhere?: string; where?: string }> {
  if (query === undefined || query.trim() === "") return {};
  if (!query.trim().startsWith("{")) return { where: query };
  const [{ StoreReadError }, { compileQuery }] = await Promise.all([
    import("../../store/export.js"),
    import("../../es/query.js"),
  ]);
  let parsed: unknown;
  try {
    parsed = JSON.parse(query);
  } catch (e) {
    throw new StoreReadError(`--query is not valid JSON: ${(e as Error).message}`);
  }
  const body = parsed as Record<string, unknown>;
  const dsl = Object.keys(body).length === 1 && "query" in body ? body.query : body;
  const compiled = await compileQuery(dsl, exportQueryContext(state));
  return { rawWhere: compiled.where };
}

/** Scores are not exported, so BM25 statistics are never read. */
function exportQueryContext(state: IndexState): QueryContext {
  return { state, nowMs: Date.now(), stats: async () => ({ docs: 0, avgLength: 0, df: [] }) };
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message.split("\n")[0] || e.message : String(e);
}

export function registerExport(program: Command): void {
  program
    .command("export <index> <file>")
    .description("write an index (or the documents --query selects) to a Parquet file")
    .option("--data-dir <dir>", "directory holding the store's database", "./data")
    .option(
      "--query <query>",
      'Elasticsearch query JSON (e.g. \'{"term":{"status":404}}\') or a SQL WHERE condition over the index\'s columns',
    )
    .action(async (index: string, file: string, flags: ExportFlags) => {
      process.exitCode = await runExport(
        index,
        file,
        flags,
        (s) => process.stdout.write(s),
        (s) => process.stderr.write(s),
      );
    });
}
