// `_cat/indices`, `_cat/health` and `_cluster/health`: text tables (with `v` and `h`) or JSON.

import type { Store } from "../store/store.js";
import { resolveIndices } from "./indices.js";

type Row = Record<string, string>;

export const clusterName = "sluice";

export async function indexRows(store: Store, expr: string | undefined): Promise<Row[]> {
  const rows: Row[] = [];
  for (const state of resolveIndices(store, expr ?? "*", true)) {
    const r =
      (
        await store.query(
          `SELECT count(*) AS n, coalesce(sum(strlen(_source)), 0) AS bytes FROM ${state.table}`,
        )
      )[0] ?? {};
    const size = formatBytes(Number(r.bytes ?? 0));
    rows.push({
      health: "green",
      status: "open",
      index: state.name,
      uuid: state.uuid,
      pri: "1",
      rep: "0",
      "docs.count": String(r.n ?? 0),
      "docs.deleted": "0",
      "store.size": size,
      "pri.store.size": size,
      "dataset.size": size,
    });
  }
  return rows;
}

export function healthRow(store: Store): Row {
  const now = Date.now();
  const shards = String(store.indices.size);
  return {
    epoch: String(Math.floor(now / 1000)),
    timestamp: new Date(now).toISOString().slice(11, 19),
    cluster: clusterName,
    status: "green",
    "node.total": "1",
    "node.data": "1",
    shards,
    pri: shards,
    relo: "0",
    init: "0",
    unassign: "0",
    "unassign.pri": "0",
    pending_tasks: "0",
    max_task_wait_time: "-",
    active_shards_percent: "100.0%",
  };
}

export function clusterHealth(store: Store): Record<string, unknown> {
  const shards = store.indices.size;
  return {
    cluster_name: clusterName,
    status: "green",
    timed_out: false,
    number_of_nodes: 1,
    number_of_data_nodes: 1,
    active_primary_shards: shards,
    active_shards: shards,
    relocating_shards: 0,
    initializing_shards: 0,
    unassigned_shards: 0,
    unassigned_primary_shards: 0,
    delayed_unassigned_shards: 0,
    number_of_pending_tasks: 0,
    number_of_in_flight_fetch: 0,
    task_max_waiting_in_queue_millis: 0,
    active_shards_percent_as_number: 100.0,
  };
}

/** A cat table as ES prints it: space-padded columns, a header line only with `v`. */
export function catText(rows: Row[], columns: string[], verbose: boolean): string {
  const widths = columns.map((c) =>
    Math.max(verbose ? c.length : 0, ...rows.map((r) => (r[c] ?? "").length)),
  );
  const line = (cells: string[]) =>
    `${cells
      .map((cell, i) => cell.padEnd(widths[i] as number))
      .join(" ")
      .trimEnd()}\n`;
  return (verbose ? line(columns) : "") + rows.map((r) => line(columns.map((c) => r[c] ?? ""))).join("");
}

/** Rows for `format=json`, keeping only `h` columns when asked. */
export function catColumns(all: string[], h: string | null): string[] {
  if (!h) return all;
  return h
    .split(",")
    .map((c) => c.trim())
    .filter((c) => all.includes(c));
}

export function formatBytes(n: number): string {
  const units = ["b", "kb", "mb", "gb", "tb"];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${v}b` : `${Number(v.toFixed(1))}${units[u]}`;
}
