// An in-memory inverted index for one text field of one index: per term, the documents that hold it (by write
// sequence number) and how often; per document, its token count. It answers `match` queries' top hits and
// totals without scanning the table. Built from the table on first use, then kept current by every commit.

import { assert } from "../common/assert.js";

/** BM25 parameters, Elasticsearch's defaults; the SQL scoring in src/es/query.ts uses the same. */
export const bm25K1 = 1.2;
export const bm25B = 0.75;

/** Sequence numbers index the length table; one index past 2^31 writes would need another layout. */
const seqMax = 2 ** 31 - 1;
/** Rough heap cost of one term's entry (map slot, array header, the term itself is counted apart). */
const termOverheadBytes = 96;
/** Heap cost of one posting: two small integers in a packed array. */
const postingBytes = 8;

/**
 * A term's postings as one packed array of [seq, freq, seq, freq, ...] in sequence order: plain arrays of small
 * integers are compact in V8 and, unlike typed arrays, cheap to create for the many terms that occur once.
 */
type PostingList = number[];

export interface PostingsQuery {
  /** Analysed, distinct query terms, in query order (the order scores are summed in, as the SQL path does). */
  terms: string[];
  /** How many of the terms a document must hold to match. */
  need: number;
  boost: number;
  /** How many top hits to return (from + size). */
  top: number;
}

export interface PostingsHit {
  seq: number;
  score: number;
}

export interface PostingsResult {
  total: number;
  maxScore: number | null;
  /** Best first; ties by sequence number, as the SQL path orders them. */
  hits: PostingsHit[];
}

export class FieldPostings {
  private readonly terms = new Map<string, PostingList>();
  /** Token count by sequence number; 0 for documents without tokens, deleted or replaced. */
  private lengths = new Uint32Array(1024);
  /** Live documents with at least one token, and their summed token counts (BM25's N and average length). */
  docs = 0;
  totalLength = 0;
  /** Approximate memory held, for the store's limit. */
  bytes = this.lengths.byteLength;

  /** Indexes one document version. `tokens` is the column's space-joined token string. */
  add(seq: number, tokens: string | null): void {
    assert(seq >= 0 && seq <= seqMax, "sequence number out of the postings' range");
    if (!tokens) return;
    const list = tokens.split(" ");
    for (const term of list) {
      const postings = this.terms.get(term);
      if (postings === undefined) {
        this.terms.set(term, [seq, 1]);
        this.bytes += termOverheadBytes + term.length * 2 + postingBytes;
        continue;
      }
      // Documents arrive one at a time in sequence order: a term already seen in this one is the last entry.
      const last = postings.length - 2;
      if (postings[last] === seq) postings[last + 1] = (postings[last + 1] as number) + 1;
      else {
        postings.push(seq, 1);
        this.bytes += postingBytes;
      }
    }
    this.ensureLength(seq);
    assert(this.lengths[seq] === 0, "a sequence number is indexed twice");
    this.lengths[seq] = list.length;
    this.docs++;
    this.totalLength += list.length;
  }

  /** Forgets a document version (deleted, or replaced by a newer one with its own sequence number). */
  remove(seq: number): void {
    const length = seq < this.lengths.length ? (this.lengths[seq] as number) : 0;
    if (length === 0) return;
    this.lengths[seq] = 0;
    this.docs--;
    this.totalLength -= length;
  }

  private ensureLength(seq: number): void {
    if (seq < this.lengths.length) return;
    let size = this.lengths.length;
    while (size <= seq) size *= 2;
    const grown = new Uint32Array(size);
    grown.set(this.lengths);
    this.bytes += grown.byteLength - this.lengths.byteLength;
    this.lengths = grown;
  }

  /** BM25 over the live documents, with the same arithmetic, in the same order, as the SQL scoring. */
  search(query: PostingsQuery): PostingsResult {
    const avg = this.docs > 0 ? this.totalLength / this.docs : 0;
    const scores = new Float64Array(this.lengths.length);
    const matched = new Uint16Array(this.lengths.length);
    const touched: number[] = [];
    for (const term of query.terms) {
      const postings = this.terms.get(term);
      if (!postings) continue;
      let df = 0;
      for (let i = 0; i < postings.length; i += 2) if (this.lengths[postings[i] as number] !== 0) df++;
      const weight = query.boost * Math.log(1 + (this.docs - df + 0.5) / (df + 0.5));
      for (let i = 0; i < postings.length; i += 2) {
        const seq = postings[i] as number;
        const length = this.lengths[seq] as number;
        if (length === 0) continue;
        const tf = postings[i + 1] as number;
        const norm = avg > 0 ? bm25K1 * (1 - bm25B + (bm25B * length) / avg) : bm25K1;
        if (matched[seq] === 0) touched.push(seq);
        matched[seq] = (matched[seq] as number) + 1;
        scores[seq] = (scores[seq] as number) + (weight * tf) / (tf + norm);
      }
    }
    return topHits(touched, scores, matched, query);
  }
}

function topHits(
  touched: number[],
  scores: Float64Array,
  matched: Uint16Array,
  query: PostingsQuery,
): PostingsResult {
  let total = 0;
  let maxScore: number | null = null;
  const best: PostingsHit[] = [];
  const worse = (a: PostingsHit, b: PostingsHit) =>
    a.score < b.score || (a.score === b.score && a.seq > b.seq);
  for (const seq of touched) {
    if ((matched[seq] as number) < query.need) continue;
    total++;
    const score = scores[seq] as number;
    if (maxScore === null || score > maxScore) maxScore = score;
    if (query.top === 0) continue;
    const hit = { seq, score };
    if (best.length < query.top) {
      best.push(hit);
      if (best.length === query.top) best.sort((a, b) => (worse(a, b) ? 1 : -1));
      continue;
    }
    if (!worse(hit, best[best.length - 1] as PostingsHit)) insertSorted(best, hit, worse);
  }
  if (best.length < query.top) best.sort((a, b) => (worse(a, b) ? 1 : -1));
  return { total, maxScore, hits: best };
}

/** Puts `hit` into the best-first list, dropping the last one (the list is at its size). */
function insertSorted(
  best: PostingsHit[],
  hit: PostingsHit,
  worse: (a: PostingsHit, b: PostingsHit) => boolean,
) {
  let lo = 0;
  let hi = best.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (worse(best[mid] as PostingsHit, hit)) hi = mid;
    else lo = mid + 1;
  }
  best.pop();
  best.splice(lo, 0, hit);
}
