// Which text fields have in-memory postings (src/store/postings.ts), and keeping them true to the table: a build
// reads a snapshot of the column in the background while commits that land meanwhile are queued, then replayed;
// once ready, every commit updates them. All postings together stay under a memory limit.

import { limits } from "../common/limits.js";
import type { Logger } from "../common/logger.js";
import { FieldPostings } from "./postings.js";

/** One commit's effect on a text column: versions that left (replaced, deleted) and versions that came. */
export interface PostingsChange {
  removed: number[];
  added: { seq: number; tokens: string | null }[];
}

/** A snapshot of a column, read in chunks: sequence numbers and their token strings. */
export type ColumnSnapshot = AsyncIterable<{ seqs: number[]; tokens: (string | null)[] }>;

type Entry =
  | {
      kind: "building";
      postings: FieldPostings;
      queued: PostingsChange[];
      done: Promise<FieldPostings | null>;
    }
  | { kind: "ready"; postings: FieldPostings }
  | { kind: "disabled" };

export class TextPostings {
  private readonly entries = new Map<string, Map<string, Entry>>();

  constructor(private readonly logger: Logger) {}

  /** The field's postings when built; null while building, not started, or dropped for memory. */
  ready(table: string, column: string): FieldPostings | null {
    const entry = this.entries.get(table)?.get(column);
    return entry?.kind === "ready" ? entry.postings : null;
  }

  /**
   * The build of a field's postings: the one under way, or a new one. `snapshot` runs inside `exclusive`, the
   * writer's lock, so the snapshot and the queue of later commits start at the same point.
   */
  build(
    table: string,
    column: string,
    index: string,
    exclusive: <T>(work: () => Promise<T>) => Promise<T>,
    snapshot: () => Promise<ColumnSnapshot>,
  ): Promise<FieldPostings | null> {
    const entry = this.entries.get(table)?.get(column);
    if (entry?.kind === "ready") return Promise.resolve(entry.postings);
    if (entry?.kind === "disabled") return Promise.resolve(null);
    if (entry?.kind === "building") return entry.done;
    const building: Entry & { kind: "building" } = {
      kind: "building",
      postings: new FieldPostings(),
      queued: [],
      done: Promise.resolve(null),
    };
    building.done = (async () => {
      const chunks = await exclusive(async () => {
        this.set(table, column, building);
        return snapshot();
      });
      for await (const chunk of chunks) {
        if (this.entries.get(table)?.get(column) !== building) return null;
        for (let i = 0; i < chunk.seqs.length; i++)
          building.postings.add(chunk.seqs[i] as number, chunk.tokens[i] ?? null);
        if (!this.withinLimit(table, column, index, building.postings)) return null;
      }
      if (this.entries.get(table)?.get(column) !== building) return null;
      for (const change of building.queued) apply(building.postings, change);
      this.set(table, column, { kind: "ready", postings: building.postings });
      this.logger.info("text field postings built", {
        index,
        column,
        documents: building.postings.docs,
        bytes: building.postings.bytes,
      });
      return this.withinLimit(table, column, index, building.postings) ? building.postings : null;
    })().catch((err) => {
      this.logger.warn("text field postings could not be built; match queries on it scan the table", {
        index,
        column,
        error: err,
      });
      if (this.entries.get(table)?.get(column) === building) this.entries.get(table)?.delete(column);
      return null;
    });
    return building.done;
  }

  /** After a commit to `table`: `changeOf(column)` is what it did to that text column. */
  afterCommit(table: string, index: string, changeOf: (column: string) => PostingsChange): void {
    const byColumn = this.entries.get(table);
    if (!byColumn) return;
    for (const [column, entry] of byColumn) {
      if (entry.kind === "disabled") continue;
      const change = changeOf(column);
      if (entry.kind === "building") entry.queued.push(change);
      else {
        apply(entry.postings, change);
        this.withinLimit(table, column, index, entry.postings);
      }
    }
  }

  /** Forgets a dropped table's postings (a build under way notices and stops). */
  drop(table: string): void {
    this.entries.delete(table);
  }

  private set(table: string, column: string, entry: Entry): void {
    const byColumn = this.entries.get(table) ?? new Map<string, Entry>();
    this.entries.set(table, byColumn);
    byColumn.set(column, entry);
  }

  /** False (and the field's postings dropped for good, until restart) once all postings pass the limit. */
  private withinLimit(table: string, column: string, index: string, grown: FieldPostings): boolean {
    let total = 0;
    for (const byColumn of this.entries.values())
      for (const entry of byColumn.values()) if (entry.kind !== "disabled") total += entry.postings.bytes;
    if (total <= limits.storePostingsBytesMax) return true;
    this.set(table, column, { kind: "disabled" });
    this.logger.warn(
      "text field postings dropped: over the memory limit; match queries on it scan the table",
      {
        index,
        column,
        field_bytes: grown.bytes,
        limit_bytes: limits.storePostingsBytesMax,
      },
    );
    return false;
  }
}

function apply(postings: FieldPostings, change: PostingsChange): void {
  for (const seq of change.removed) postings.remove(seq);
  for (const { seq, tokens } of change.added) postings.add(seq, tokens);
}
