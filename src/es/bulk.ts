// `_bulk` NDJSON: action/metadata lines and sources parsed into store writes, and the per-item
// response shaped like Elasticsearch's (status, result or error, versions and sequence numbers).

import type { Store, WriteAction, WriteOp, WriteResult } from "../store/store.js";
import { badRequest, EsError } from "./errors.js";

type Obj = Record<string, unknown>;

interface Item {
  action: WriteAction;
  op?: WriteOp;
  /** An error found while parsing this item; it is reported without reaching the store. */
  failure?: WriteResult;
}

const actions = new Set(["index", "create", "update", "delete"]);

export function parseBulk(text: string, defaultIndex: string | undefined): Item[] {
  const lines = text.split("\n");
  const items: Item[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] as string).trim();
    if (line === "") continue;
    let meta: Obj;
    try {
      meta = JSON.parse(line);
    } catch {
      throw badRequest(
        `Malformed action/metadata line [${i + 1}], expected START_OBJECT but found [VALUE_STRING]`,
      );
    }
    const keys = Object.keys(meta ?? {});
    const action = keys[0] as WriteAction;
    if (keys.length !== 1 || !actions.has(action))
      throw badRequest(
        `Malformed action/metadata line [${i + 1}], expected field [create], [delete], [index] or [update] but found [${keys[0]}]`,
      );
    const m = (meta[action] ?? {}) as Obj;
    const index = (m._index as string | undefined) ?? defaultIndex;
    if (!index)
      throw new EsError(
        400,
        "action_request_validation_exception",
        "Validation Failed: 1: index is missing;",
      );
    const id = m._id === undefined || m._id === null ? undefined : String(m._id);
    const op: WriteOp = { action: action === "index" && m.op_type === "create" ? "create" : action, index };
    if (id !== undefined) op.id = id;
    if (typeof m.if_seq_no === "number") op.ifSeqNo = m.if_seq_no;
    if (typeof m.if_primary_term === "number") op.ifPrimaryTerm = m.if_primary_term;
    if (action === "delete") {
      if (id === undefined)
        throw new EsError(400, "action_request_validation_exception", "Validation Failed: 1: id is missing;");
      items.push({ action, op });
      continue;
    }
    const sourceLine = (lines[++i] ?? "").trim();
    items.push(parseSource(action, op, sourceLine));
  }
  return items;
}

function parseSource(action: WriteAction, op: WriteOp, line: string): Item {
  let source: unknown;
  try {
    source = JSON.parse(line);
  } catch (e) {
    return failure(action, op, 400, "document_parsing_exception", `failed to parse: ${(e as Error).message}`);
  }
  if (source === null || typeof source !== "object" || Array.isArray(source))
    return failure(
      action,
      op,
      400,
      "document_parsing_exception",
      "failed to parse, document is empty or not an object",
    );
  if (action !== "update") return { action, op: { ...op, source: source as Obj, sourceText: line } };
  const body = source as Obj;
  if (body.script !== undefined)
    return failure(
      action,
      op,
      400,
      "illegal_argument_exception",
      "scripted updates are not supported by the sluice store",
    );
  if (op.id === undefined)
    throw new EsError(400, "action_request_validation_exception", "Validation Failed: 1: id is missing;");
  const update: WriteOp = {
    ...op,
    source: (body.doc ?? {}) as Obj,
    docAsUpsert: body.doc_as_upsert === true,
  };
  if (body.upsert && typeof body.upsert === "object") update.upsert = body.upsert as Obj;
  return { action, op: update };
}

function failure(action: WriteAction, op: WriteOp, status: number, type: string, reason: string): Item {
  return { action, failure: { index: op.index, id: op.id ?? "", status, error: { type, reason } } };
}

export async function runBulk(store: Store, items: Item[]): Promise<Obj> {
  const started = Date.now();
  const ops = items.filter((it) => it.op).map((it) => it.op as WriteOp);
  const results = await store.write(ops);
  let next = 0;
  const out = items.map((it) => ({
    [it.action]: itemResponse(store, it.failure ?? (results[next++] as WriteResult)),
  }));
  return {
    errors: out.some((o) => "error" in (Object.values(o)[0] as Obj)),
    took: Date.now() - started,
    items: out,
  };
}

/** One item's (or one document API call's) response body. */
export function itemResponse(store: Store, r: WriteResult): Obj {
  const out: Obj = { _index: r.index, _id: r.id };
  if (r.error) {
    out.status = r.status;
    out.error = { ...r.error, index_uuid: store.index(r.index)?.uuid ?? "_na_", shard: "0", index: r.index };
    return out;
  }
  out._version = r.version;
  out.result = r.result;
  out._shards = { total: 1, successful: r.result === "noop" ? 0 : 1, failed: 0 };
  out._seq_no = r.seqNo;
  out._primary_term = 1;
  out.status = r.status;
  return out;
}
