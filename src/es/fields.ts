// Field access for one index inside a query: which column holds a field, SQL literals of query
// values in that field's type, and predicates that work on scalar and list columns alike.

import { lit } from "../store/connection.js";
import { parseDateValue, resolveDateMath } from "../store/dates.js";
import { type FieldInfo, tokenListSql } from "../store/mapping.js";
import type { IndexState } from "../store/store.js";
import { EsError } from "./errors.js";

export interface FieldRef {
  info: FieldInfo;
  /** SQL for the column (scalar or list). */
  sql: string;
  /** The column is a list (multi-valued or text tokens). */
  list: boolean;
}

const metaFields: Record<string, FieldInfo> = {
  _id: { name: "_id", type: "keyword", esType: "_id", jsonPath: "", list: false, column: "_id" },
  _index: { name: "_index", type: "keyword", esType: "_index", jsonPath: "", list: false, column: "_index" },
};

export function fieldRef(state: IndexState, name: string): FieldRef | null {
  if (name === "_index") return { info: metaFields._index as FieldInfo, sql: lit(state.name), list: false };
  const info = metaFields[name] ?? state.mapping.fields[name];
  if (!info?.column) return null;
  if (info.type === "text") return { info, sql: tokenListSql(info.column), list: true };
  return { info, sql: info.column, list: info.list };
}

/** Fields whose name matches a pattern such as `message`, `*`, `user.*` (objects excluded). */
export function matchingFields(state: IndexState, pattern: string): string[] {
  if (!pattern.includes("*")) return state.mapping.fields[pattern] ? [pattern] : [];
  const re = new RegExp(
    `^${pattern
      .split("*")
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
      .join(".*")}$`,
  );
  return Object.values(state.mapping.fields)
    .filter((f) => f.column && re.test(f.name))
    .map((f) => f.name);
}

/** `pred` applied to a field: for list columns, true when any element satisfies it. */
export function anyValue(ref: FieldRef, pred: (x: string) => string): string {
  if (!ref.list) return pred(ref.sql);
  return `coalesce(len(list_filter(${ref.sql}, lambda x: ${pred("x")})) > 0, false)`;
}

/** A query value as a SQL literal in the field's type; `roundUp` for date-math upper bounds. */
export function valueSql(info: FieldInfo, value: unknown, nowMs: number, roundUp = false): string {
  switch (info.type) {
    case "long":
    case "double": {
      const n = typeof value === "number" ? value : Number(value);
      if (value === null || value === "" || typeof value === "boolean" || !Number.isFinite(n))
        throw shardError(`For input string: "${String(value)}"`);
      return info.type === "long" && !Number.isInteger(n) ? String(n) : String(n);
    }
    case "boolean":
      if (value === true || value === "true") return "true";
      if (value === false || value === "false") return "false";
      throw shardError(`Can't parse boolean value [${String(value)}], expected [true] or [false]`);
    case "date": {
      const ms = typeof value === "string" ? resolveDateMath(value, nowMs, roundUp) : parseDateValue(value);
      if (ms === null)
        throw shardError(
          `failed to parse date field [${String(value)}] with format [strict_date_optional_time||epoch_millis]`,
        );
      return String(ms);
    }
    default:
      return lit(String(value));
  }
}

function shardError(reason: string): EsError {
  return new EsError(400, "query_shard_exception", `failed to create query: ${reason}`);
}
