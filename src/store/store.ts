// The embedded document store: one DuckDB database under the data directory, one table per index
// (`_id`, `_seq`, `_version`, `_source` JSON text, then one typed column per mapped field), a catalog
// of index metadata and templates, and durable bulk writes (each bulk is one committed transaction).

import { randomBytes, randomUUID } from "node:crypto";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { limits } from "../common/limits.js";
import type { Logger } from "../common/logger.js";
import { lit, type Row, readRows, SerialConnection } from "./connection.js";
import {
  applyDocument,
  applyExplicitMapping,
  emptyMapping,
  extractPaths,
  extractSql,
  type FieldInfo,
  type IndexMapping,
  type MappingDelta,
  MappingError,
  sqlType,
  tokenColumnSeparator,
} from "./mapping.js";
import type { FieldPostings } from "./postings.js";
import { type ColumnSnapshot, TextPostings } from "./text-postings.js";

export interface IndexState {
  name: string;
  table: string;
  uuid: string;
  createdMs: number;
  mapping: IndexMapping;
  settings: Record<string, unknown>;
  aliases: Record<string, unknown>;
  /** Next sequence number handed to a write. */
  seq: number;
  /** Layout of the index table (see indexFormat); absent in indices written before formats were numbered. */
  format?: number;
}

/**
 * The index table layout this build writes. 1: text columns were VARCHAR[] token lists. 2: text columns are
 * one VARCHAR of space-joined tokens (see tokenListSql). Older indices are migrated when the store opens.
 */
export const indexFormat = 2;

export type WriteAction = "index" | "create" | "update" | "delete";

export interface WriteOp {
  action: WriteAction;
  index: string;
  id?: string;
  /** The document (index/create), or the partial `doc` (update). */
  source?: Record<string, unknown>;
  /** The exact JSON text of `source` when it came from the wire (kept verbatim as ES does). */
  sourceText?: string;
  docAsUpsert?: boolean;
  upsert?: Record<string, unknown>;
  ifSeqNo?: number;
  ifPrimaryTerm?: number;
}

export interface WriteResult {
  index: string;
  id: string;
  status: number;
  result?: "created" | "updated" | "deleted" | "not_found" | "noop";
  version?: number;
  seqNo?: number;
  error?: { type: string; reason: string };
}

export class StoreError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

interface DocState {
  version: number;
  seqNo: number;
  source: Record<string, unknown> | null;
  text: string | null;
  /** Space-joined tokens per text column (see extractSql). */
  tokens: Record<string, string> | null;
  /** A row for this id is in the table now (it must be deleted before the new row goes in). */
  stored: boolean;
  /** That row's sequence number (its postings are dropped when the commit replaces or deletes it). */
  storedSeq?: number;
  touched: boolean;
}

const indexNamePattern = /^[^A-Z\\/*?"<>| ,#:_\-+.][^A-Z\\/*?"<>| ,#:]*$/;

export class Store {
  readonly indices = new Map<string, IndexState>();
  readonly templates = new Map<string, { kind: string; body: Record<string, unknown> }>();
  private nextTable = 0;
  private sqlConn: Promise<SerialConnection> | undefined;
  /** In-memory postings of text fields, built in the background on first use. */
  private readonly textPostings: TextPostings;

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly writer: SerialConnection,
    readonly reader: SerialConnection,
    readonly logger: Logger,
  ) {
    this.textPostings = new TextPostings(logger);
  }

  static async open(dataDir: string, logger: Logger): Promise<Store> {
    mkdirSync(dataDir, { recursive: true });
    // Checkpoints (WAL folded into the database file) cost 100+ ms each; a larger threshold than
    // DuckDB's 16 MB made bulk ingest ~40% faster here, at the price of a longer WAL replay on start.
    const instance = await DuckDBInstance.create(join(dataDir, "store.duckdb"), {
      checkpoint_threshold: `${limits.storeCheckpointWalBytes / (1024 * 1024)}MB`,
    });
    const writer = await SerialConnection.open(instance);
    const reader = await SerialConnection.open(instance);
    const store = new Store(instance, writer, reader, logger);
    await store.loadCatalog();
    return store;
  }

  private async loadCatalog(): Promise<void> {
    await this.writer.run(
      "CREATE TABLE IF NOT EXISTS sluice_indices (name VARCHAR PRIMARY KEY, meta VARCHAR)",
    );
    await this.writer.run(
      "CREATE TABLE IF NOT EXISTS sluice_templates (kind VARCHAR, name VARCHAR, body VARCHAR, PRIMARY KEY (kind, name))",
    );
    await this.writer.run(
      "CREATE TEMP TABLE IF NOT EXISTS stage (_id VARCHAR, _seq BIGINT, _version BIGINT, src VARCHAR, tok VARCHAR)",
    );
    for (const row of await this.writer.all("SELECT name, meta FROM sluice_indices")) {
      const state = JSON.parse(String(row.meta)) as IndexState;
      await this.upgradeIndex(state);
      this.indices.set(state.name, state);
      this.nextTable = Math.max(this.nextTable, Number(state.table.slice(2)) + 1);
    }
    for (const row of await this.writer.all("SELECT kind, name, body FROM sluice_templates")) {
      this.templates.set(templateKey(String(row.kind), String(row.name)), {
        kind: String(row.kind),
        body: JSON.parse(String(row.body)),
      });
    }
  }

  /** Brings an index written by an older build to `indexFormat`, in one transaction; refuses a newer one. */
  private async upgradeIndex(state: IndexState): Promise<void> {
    const format = state.format ?? 1;
    if (format > indexFormat)
      throw new Error(
        `index [${state.name}] has table format ${format}, newer than this build's ${indexFormat}: upgrade Sluice`,
      );
    if (format === indexFormat) return;
    const conn = this.writer.raw;
    await conn.run("BEGIN TRANSACTION");
    try {
      for (const f of Object.values(state.mapping.fields)) {
        if (f.type !== "text" || !f.column) continue;
        await conn.run(
          `ALTER TABLE ${state.table} ALTER COLUMN ${f.column} TYPE VARCHAR USING NULLIF(array_to_string(${f.column}, ' '), '')`,
        );
      }
      state.format = indexFormat;
      await conn.run(
        `UPDATE sluice_indices SET meta = ${lit(JSON.stringify(state))} WHERE name = ${lit(state.name)}`,
      );
      await conn.run("COMMIT");
    } catch (e) {
      await conn.run("ROLLBACK").catch(() => undefined);
      throw e;
    }
    this.logger.info("store index upgraded", {
      index: state.name,
      from_format: format,
      to_format: indexFormat,
    });
  }

  /** A connection of its own for users' SQL: the views it makes must not shadow the store's tables elsewhere. */
  sqlConnection(): Promise<SerialConnection> {
    this.sqlConn ??= SerialConnection.open(this.instance);
    return this.sqlConn;
  }

  async close(): Promise<void> {
    if (this.sqlConn) {
      const sql = await this.sqlConn;
      await sql.exclusive(async () => undefined);
      sql.close();
    }
    await this.writer.exclusive(async () => undefined);
    await this.reader.exclusive(async () => undefined);
    this.writer.close();
    this.reader.close();
    this.instance.closeSync();
  }

  index(name: string): IndexState | undefined {
    return this.indices.get(name);
  }

  // ---- templates (index templates, legacy templates, ILM policies: stored and answered) ----

  async putTemplate(kind: string, name: string, body: Record<string, unknown>): Promise<void> {
    await this.writer.run(
      `INSERT OR REPLACE INTO sluice_templates VALUES (${lit(kind)}, ${lit(name)}, ${lit(JSON.stringify(body))})`,
    );
    this.templates.set(templateKey(kind, name), { kind, body });
  }

  getTemplates(kind: string): Map<string, Record<string, unknown>> {
    const out = new Map<string, Record<string, unknown>>();
    for (const [key, t] of this.templates) if (t.kind === kind) out.set(key.slice(kind.length + 1), t.body);
    return out;
  }

  async deleteTemplate(kind: string, name: string): Promise<boolean> {
    if (!this.templates.delete(templateKey(kind, name))) return false;
    await this.writer.run(`DELETE FROM sluice_templates WHERE kind = ${lit(kind)} AND name = ${lit(name)}`);
    return true;
  }

  /** Settings and mappings from matching templates, composable ones winning over legacy (by priority/order). */
  private templateBodies(name: string): Record<string, unknown>[] {
    const matching: { rank: number; body: Record<string, unknown> }[] = [];
    for (const [kind, rankBase] of [
      ["legacy", 0],
      ["composable", 1e9],
    ] as const) {
      for (const body of this.getTemplates(kind).values()) {
        const patterns = [body.index_patterns ?? body.template].flat().map(String);
        if (!patterns.some((p) => globMatch(p, name))) continue;
        const rank = rankBase + Number(body.priority ?? body.order ?? 0);
        const inner = kind === "composable" ? ((body.template ?? {}) as Record<string, unknown>) : body;
        matching.push({ rank, body: inner });
      }
    }
    if (matching.some((m) => m.rank >= 1e9))
      return matching
        .filter((m) => m.rank >= 1e9)
        .sort((a, b) => a.rank - b.rank)
        .slice(-1)
        .map((m) => m.body);
    return matching.sort((a, b) => a.rank - b.rank).map((m) => m.body);
  }

  // ---- indices ----

  async createIndex(name: string, body: Record<string, unknown> = {}): Promise<IndexState> {
    return this.writer.exclusive(() => this.createIndexLocked(name, body));
  }

  private async createIndexLocked(name: string, body: Record<string, unknown>): Promise<IndexState> {
    if (this.indices.has(name))
      throw new StoreError(
        400,
        "resource_already_exists_exception",
        `index [${name}/${this.indices.get(name)?.uuid}] already exists`,
        {
          index: name,
        },
      );
    if (!indexNamePattern.test(name) || name === "." || name === ".." || Buffer.byteLength(name) > 255)
      throw new StoreError(
        400,
        "invalid_index_name_exception",
        `Invalid index name [${name}], must be lowercase and must not contain \\, /, *, ?, ", <, >, |, space, comma, #`,
        {
          index: name,
        },
      );
    const mapping = emptyMapping();
    const delta: MappingDelta = { added: [], listified: [] };
    const settings: Record<string, unknown> = {};
    const aliases: Record<string, unknown> = {};
    try {
      for (const t of [...this.templateBodies(name), body]) {
        applyExplicitMapping(mapping, t.mappings, delta);
        Object.assign(settings, flattenSettings((t.settings ?? {}) as Record<string, unknown>));
        Object.assign(aliases, t.aliases ?? {});
      }
    } catch (e) {
      if (e instanceof MappingError) throw new StoreError(400, e.type, e.message);
      throw e;
    }
    const state: IndexState = {
      name,
      table: `i_${this.nextTable++}`,
      uuid: randomUUID().replace(/-/g, "").slice(0, 22),
      createdMs: Date.now(),
      mapping,
      settings,
      aliases,
      seq: 0,
      format: indexFormat,
    };
    const columns = Object.values(mapping.fields)
      .filter((f) => f.column)
      .map((f) => `, ${f.column} ${sqlType(f)}`)
      .join("");
    const conn = this.writer.raw;
    await conn.run("BEGIN TRANSACTION");
    try {
      await conn.run(
        `CREATE TABLE ${state.table} (_id VARCHAR, _seq BIGINT, _version BIGINT, _source VARCHAR${columns})`,
      );
      await conn.run(`INSERT INTO sluice_indices VALUES (${lit(name)}, ${lit(JSON.stringify(state))})`);
      await conn.run("COMMIT");
    } catch (e) {
      await conn.run("ROLLBACK");
      throw e;
    }
    this.indices.set(name, state);
    return state;
  }

  async deleteIndex(name: string): Promise<void> {
    await this.writer.exclusive(async (conn) => {
      const state = this.indices.get(name);
      if (!state) return;
      this.textPostings.drop(state.table);
      await conn.run("BEGIN TRANSACTION");
      await conn.run(`DROP TABLE IF EXISTS ${state.table}`);
      await conn.run(`DELETE FROM sluice_indices WHERE name = ${lit(name)}`);
      await conn.run("COMMIT");
      this.indices.delete(name);
    });
  }

  /** Adds explicit mappings to an existing index (`PUT index/_mapping`). */
  async putMapping(name: string, body: Record<string, unknown>): Promise<void> {
    await this.writer.exclusive(async (conn) => {
      const state = this.requireIndex(name);
      const mapping = structuredClone(state.mapping);
      const delta: MappingDelta = { added: [], listified: [] };
      try {
        applyExplicitMapping(mapping, body, delta);
      } catch (e) {
        if (e instanceof MappingError) throw new StoreError(400, e.type, e.message);
        throw e;
      }
      await conn.run("BEGIN TRANSACTION");
      try {
        await this.alterColumns(state, delta);
        await conn.run(
          `UPDATE sluice_indices SET meta = ${lit(JSON.stringify({ ...state, mapping }))} WHERE name = ${lit(name)}`,
        );
        await conn.run("COMMIT");
      } catch (e) {
        await conn.run("ROLLBACK");
        throw e;
      }
      state.mapping = mapping;
    });
  }

  requireIndex(name: string): IndexState {
    const state = this.indices.get(name);
    if (!state)
      throw new StoreError(404, "index_not_found_exception", `no such index [${name}]`, {
        "resource.type": "index_or_alias",
        "resource.id": name,
        index_uuid: "_na_",
        index: name,
      });
    return state;
  }

  // ---- documents ----

  async getDoc(
    index: string,
    id: string,
  ): Promise<{ version: number; seqNo: number; source: string } | null> {
    const state = this.requireIndex(index);
    const rows = await this.reader.all(
      `SELECT _version, _seq, _source FROM ${state.table} WHERE _id = ${lit(id)} LIMIT 1`,
    );
    const row = rows[0];
    return row
      ? { version: Number(row._version), seqNo: Number(row._seq), source: String(row._source) }
      : null;
  }

  /** Applies writes in order; each index's share is one committed transaction (durable when this resolves). */
  async write(ops: WriteOp[]): Promise<WriteResult[]> {
    // Preparing a write while the previous one commits was measured: no gain on two cores, where DuckDB's
    // insert already keeps both busy (20.9k against 20.7k docs/s), so writes simply take turns.
    return this.writer.exclusive(() => this.writeLocked(ops));
  }

  private async writeLocked(ops: WriteOp[]): Promise<WriteResult[]> {
    const results: WriteResult[] = new Array(ops.length);
    for (const [index, positions] of groupByIndex(ops)) {
      await this.writeIndex(
        index,
        positions.map((p) => ops[p] as WriteOp),
        (k, r) => {
          results[positions[k] as number] = r;
        },
      );
    }
    return results;
  }

  private async writeIndex(
    index: string,
    ops: WriteOp[],
    report: (k: number, r: WriteResult) => void,
  ): Promise<void> {
    let state = this.indices.get(index);
    if (!state) {
      const creates = ops.some(
        (op) => op.action !== "delete" && !(op.action === "update" && !op.docAsUpsert && !op.upsert),
      );
      try {
        if (!creates) throw this.missingIndexError(index);
        state = await this.createIndexLocked(index, {});
      } catch (e) {
        const err = e instanceof StoreError ? e : new StoreError(500, "exception", String(e));
        ops.forEach((op, k) => {
          report(k, {
            index,
            id: op.id ?? "",
            status: err.status,
            error: { type: err.type, reason: err.message },
          });
        });
        return;
      }
    }
    const docs = await this.currentDocs(state, ops);
    const mapping = structuredClone(state.mapping);
    const delta: MappingDelta = { added: [], listified: [] };
    let seq = state.seq;
    ops.forEach((op, k) => {
      const result = this.applyOp(state as IndexState, op, docs, mapping, delta, () => seq++);
      report(k, result);
    });
    await this.commit(state, docs, mapping, seq);
  }

  private missingIndexError(index: string): StoreError {
    try {
      this.requireIndex(index);
    } catch (e) {
      return e as StoreError;
    }
    return new StoreError(500, "exception", "unreachable");
  }

  private async currentDocs(state: IndexState, ops: WriteOp[]): Promise<Map<string, DocState>> {
    const docs = new Map<string, DocState>();
    const ids = [...new Set(ops.filter((op) => op.id !== undefined).map((op) => op.id as string))];
    if (ids.length === 0) return docs;
    const updateIds = new Set(ops.filter((op) => op.action === "update").map((op) => op.id));
    const rows = await readRows(
      this.writer.raw,
      `SELECT _id, _version, _seq, _source FROM ${state.table} WHERE _id IN (${ids.map(lit).join(",")})`,
    );
    for (const row of rows) {
      const id = String(row._id);
      docs.set(id, {
        version: Number(row._version),
        seqNo: Number(row._seq),
        source: updateIds.has(id) ? JSON.parse(String(row._source)) : {},
        text: String(row._source),
        tokens: null,
        stored: true,
        storedSeq: Number(row._seq),
        touched: false,
      });
    }
    return docs;
  }

  private applyOp(
    state: IndexState,
    op: WriteOp,
    docs: Map<string, DocState>,
    mapping: IndexMapping,
    delta: MappingDelta,
    nextSeq: () => number,
  ): WriteResult {
    const id = op.id ?? autoId();
    const current = docs.get(id);
    const live = current?.source != null ? current : undefined;
    const base = { index: state.name, id };
    if (op.ifSeqNo !== undefined && (live?.seqNo !== op.ifSeqNo || (op.ifPrimaryTerm ?? 1) !== 1))
      return conflict(
        base,
        `[${id}]: version conflict, required seqNo [${op.ifSeqNo}], primary term [${op.ifPrimaryTerm ?? 1}]. ${live ? `current document has seqNo [${live.seqNo}] and primary term [1]` : "but no document was found"}`,
      );
    if (op.action === "delete") {
      if (!live)
        return {
          ...base,
          status: 404,
          result: "not_found",
          version: (current?.version ?? 0) + 1,
          seqNo: nextSeq(),
        };
      const seqNo = nextSeq();
      docs.set(id, {
        ...live,
        version: live.version + 1,
        seqNo,
        source: null,
        text: null,
        tokens: null,
        touched: true,
      });
      return { ...base, status: 200, result: "deleted", version: live.version + 1, seqNo };
    }
    if (op.action === "create" && live)
      return conflict(
        base,
        `[${id}]: version conflict, document already exists (current version [${live.version}])`,
      );
    let source = op.source ?? {};
    let text = op.sourceText ?? null;
    if (op.action === "update") {
      if (!live) {
        if (!op.docAsUpsert && !op.upsert)
          return {
            ...base,
            status: 404,
            error: { type: "document_missing_exception", reason: `[${id}]: document missing` },
          };
        source = op.upsert ?? source;
      } else {
        source = deepMerge(structuredClone(live.source as Record<string, unknown>), source);
        if (JSON.stringify(source) === JSON.stringify(live.source))
          return { ...base, status: 200, result: "noop", version: live.version, seqNo: live.seqNo };
      }
      text = null;
    }
    const mark = delta.added.length;
    const listMark = delta.listified.length;
    const tokens: Record<string, string> = {};
    try {
      applyDocument(mapping, source, delta, tokens);
    } catch (e) {
      if (!(e instanceof MappingError)) throw e;
      for (const f of delta.added.splice(mark)) delete mapping.fields[f.name];
      for (const f of delta.listified.splice(listMark)) f.list = false;
      return {
        ...base,
        status: 400,
        error: { type: e.type, reason: e.message.replace("in document.", `in document with id '${id}'.`) },
      };
    }
    const version = (live?.version ?? current?.version ?? 0) + 1;
    const seqNo = nextSeq();
    docs.set(id, {
      version,
      seqNo,
      source,
      text: text ?? JSON.stringify(source),
      tokens,
      stored: current?.stored ?? false,
      storedSeq: current?.storedSeq,
      touched: true,
    });
    // A literal, not a spread of `base`: this runs once per indexed document and the spread showed in profiles.
    return {
      index: state.name,
      id,
      status: live ? 200 : 201,
      result: live ? "updated" : "created",
      version,
      seqNo,
    };
  }

  private async commit(
    state: IndexState,
    docs: Map<string, DocState>,
    mapping: IndexMapping,
    seq: number,
  ): Promise<void> {
    const conn = this.writer.raw;
    const touched = [...docs.entries()].filter(([, d]) => d.touched);
    if (touched.length === 0 && seq === state.seq) return;
    await conn.run("BEGIN TRANSACTION");
    try {
      await this.alterColumns(state, mappingDelta(state.mapping, mapping));
      const stale = touched.filter(([, d]) => d.stored).map(([id]) => lit(id));
      if (stale.length > 0) await conn.run(`DELETE FROM ${state.table} WHERE _id IN (${stale.join(",")})`);
      const fields = Object.values(mapping.fields).filter(
        (f): f is FieldInfo & { column: string } => !!f.column,
      );
      const texts = fields.filter((f) => f.type === "text");
      const appender = await conn.createAppender("stage", "main", "temp");
      let rows = 0;
      for (const [id, d] of touched) {
        if (d.text === null) continue;
        appender.appendVarchar(id);
        appender.appendBigInt(BigInt(d.seqNo));
        appender.appendBigInt(BigInt(d.version));
        appender.appendVarchar(d.text);
        appender.appendVarchar(texts.map((f) => d.tokens?.[f.column] ?? "").join(tokenColumnSeparator));
        appender.endRow();
        rows++;
      }
      appender.closeSync();
      if (rows > 0) {
        const shared = extractPaths(fields);
        const cols = fields.map((f) => `, ${f.column}`).join("");
        const exprs = fields
          .map(
            (f) =>
              `, ${extractSql(f, f.type === "text" ? texts.indexOf(f) : shared.includes(f) ? shared.indexOf(f) : undefined)}`,
          )
          .join("");
        const paths = shared.map((f) => lit(f.jsonPath)).join(", ");
        const vals = shared.length > 0 ? `json_extract_string(src, [${paths}])` : "[]::VARCHAR[]";
        await conn.run(
          `INSERT INTO ${state.table} (_id, _seq, _version, _source${cols}) SELECT _id, _seq, _version, src${exprs} FROM (SELECT *, ${vals} AS vals, string_split(tok, chr(31)) AS toks FROM stage)`,
        );
        await conn.run("DELETE FROM stage");
      }
      const next = { ...state, mapping, seq };
      await conn.run(
        `UPDATE sluice_indices SET meta = ${lit(JSON.stringify(next))} WHERE name = ${lit(state.name)}`,
      );
      await conn.run("COMMIT");
    } catch (e) {
      await conn.run("ROLLBACK").catch(() => undefined);
      await conn.run("DELETE FROM stage").catch(() => undefined);
      throw e;
    }
    state.mapping = mapping;
    state.seq = seq;
    this.updatePostings(state, touched);
  }

  /** After a commit: the replaced and deleted versions leave the postings, the new versions join them. */
  private updatePostings(state: IndexState, touched: [string, DocState][]): void {
    this.textPostings.afterCommit(state.table, state.name, (column) => {
      const removed: number[] = [];
      const added: { seq: number; tokens: string | null }[] = [];
      for (const [, d] of touched) {
        if (d.storedSeq !== undefined) removed.push(d.storedSeq);
        if (d.text !== null) added.push({ seq: d.seqNo, tokens: d.tokens?.[column] ?? null });
      }
      return { removed, added };
    });
  }

  /**
   * The postings of a text field, or null when the field is not text, its postings were dropped for memory, or
   * (with `wait` false) they are not built yet: the first use starts a background build from a snapshot of the
   * column, and searches scan the table until it is done.
   */
  async fieldPostings(index: string, field: string, wait = true): Promise<FieldPostings | null> {
    const state = this.indices.get(index);
    const info = state?.mapping.fields[field];
    if (!state || info?.type !== "text" || !info.column) return null;
    const column = info.column;
    const ready = this.textPostings.ready(state.table, column);
    if (ready) return ready;
    const building = this.textPostings.build(
      state.table,
      column,
      state.name,
      (work) => this.writer.exclusive(work),
      () => this.columnSnapshot(state, column),
    );
    return wait ? building : null;
  }

  /** Starts reading a text column on a connection of its own; the read sees the table as it is now. */
  private async columnSnapshot(state: IndexState, column: string): Promise<ColumnSnapshot> {
    const conn = await this.instance.connect();
    try {
      const result = await conn.stream(
        `SELECT _seq, ${column} FROM ${state.table} WHERE ${column} IS NOT NULL`,
      );
      // The first chunk is fetched here, under the writer's lock, so the snapshot is taken before it is released.
      const first = await result.fetchChunk();
      return (async function* () {
        try {
          for (let chunk = first; chunk && chunk.rowCount > 0; chunk = await result.fetchChunk())
            yield {
              seqs: chunk.getColumnValues(0).map(Number),
              tokens: chunk.getColumnValues(1) as (string | null)[],
            };
        } finally {
          conn.closeSync();
        }
      })();
    } catch (e) {
      conn.closeSync();
      throw e;
    }
  }

  private async alterColumns(state: IndexState, delta: MappingDelta): Promise<void> {
    const conn = this.writer.raw;
    for (const f of delta.added) {
      if (f.column) await conn.run(`ALTER TABLE ${state.table} ADD COLUMN ${f.column} ${sqlType(f)}`);
    }
    for (const f of delta.listified) {
      if (!f.column || delta.added.includes(f)) continue;
      await conn.run(
        `ALTER TABLE ${state.table} ALTER COLUMN ${f.column} TYPE ${sqlType(f)} USING CASE WHEN ${f.column} IS NULL THEN NULL ELSE [${f.column}] END`,
      );
    }
  }

  /** Live documents in an index. */
  async count(index: string): Promise<number> {
    const state = this.requireIndex(index);
    const rows = await this.reader.all(`SELECT count(*) AS n FROM ${state.table}`);
    return Number(rows[0]?.n ?? 0);
  }

  /** Runs a read-only query on the search connection (sees the last committed writes). */
  async query(sql: string): Promise<Row[]> {
    return this.reader.all(sql);
  }
}

/** Positions of the ops, by index, in order of first appearance. */
function groupByIndex(ops: WriteOp[]): Map<string, number[]> {
  const byIndex = new Map<string, number[]>();
  ops.forEach((op, i) => {
    const list = byIndex.get(op.index) ?? [];
    list.push(i);
    byIndex.set(op.index, list);
  });
  return byIndex;
}

/** Columns to add and to turn into lists to take a table from `committed` to `next`. */
function mappingDelta(committed: IndexMapping, next: IndexMapping): MappingDelta {
  const delta: MappingDelta = { added: [], listified: [] };
  for (const field of Object.values(next.fields)) {
    const before = committed.fields[field.name];
    if (!before?.column) {
      if (field.column) delta.added.push(field);
    } else if (field.list && !before.list && field.type !== "text") delta.listified.push(field);
  }
  return delta;
}

/** Random bytes drawn in blocks: one crypto call per block instead of per generated id. */
let idPool = Buffer.alloc(0);
let idPoolOffset = 0;

/** A 20-character URL-safe random id, the shape of Elasticsearch's auto-generated ids. */
function autoId(): string {
  if (idPoolOffset + 15 > idPool.length) {
    idPool = randomBytes(15 * 4096);
    idPoolOffset = 0;
  }
  idPoolOffset += 15;
  return idPool.toString("base64url", idPoolOffset - 15, idPoolOffset);
}

function conflict(base: { index: string; id: string }, reason: string): WriteResult {
  return { ...base, status: 409, error: { type: "version_conflict_engine_exception", reason } };
}

function deepMerge(target: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  for (const [k, v] of Object.entries(patch)) {
    const t = target[k];
    if (v && typeof v === "object" && !Array.isArray(v) && t && typeof t === "object" && !Array.isArray(t))
      deepMerge(t as Record<string, unknown>, v as Record<string, unknown>);
    else target[k] = v;
  }
  return target;
}

function templateKey(kind: string, name: string): string {
  return `${kind}:${name}`;
}

function flattenSettings(settings: Record<string, unknown>, prefix = ""): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(settings)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v && typeof v === "object" && !Array.isArray(v))
      Object.assign(out, flattenSettings(v as Record<string, unknown>, key));
    else out[key.startsWith("index.") ? key : `index.${key}`] = v;
  }
  return out;
}

/** Elasticsearch-style wildcard match (`*` only), used for index patterns and template patterns. */
export function globMatch(pattern: string, name: string): boolean {
  const re = new RegExp(
    `^${pattern
      .split("*")
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
      .join(".*")}$`,
  );
  return re.test(name);
}
