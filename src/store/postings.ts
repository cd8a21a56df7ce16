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
  private scores = new Float64Array(0);
  private matched = new Uint16Array(0);
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
    assert(query.terms.length < 65_535, "more query terms than the match counters hold");
    const avg = this.docs > 0 ? this.totalLength / this.docs : 0;
    const { scores, matched } = this.scratch();
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
    const result = topHits(touched, scores, matched, query);
    // Only the touched slots were written: clearing them is cheaper than zeroing the whole scratch space.
    for (const seq of touched) {
      scores[seq] = 0;
      matched[seq] = 0;
    }
    return result;
  }

  /** Per-document accumulators, kept between searches (all zero between them) and grown with the documents. */
  private scratch(): { scores: Float64Array; matched: Uint16Array } {
    if (this.scores.length < this.lengths.length) {
      this.bytes += (this.lengths.length - this.scores.length) * 10;
      this.scores = new Float64Array(this.lengths.length);
      this.matched = new Uint16Array(this.lengths.length);
    }
    return { scores: this.scores, matched: this.matched };
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
  // Best first; a candidate is compared by number before any object is made (most never enter).
  const best: PostingsHit[] = [];
  for (const seq of touched) {
    if ((matched[seq] as number) < query.need) continue;
    total++;
    const score = scores[seq] as number;
    if (maxScore === null || score > maxScore) maxScore = score;
    if (query.top === 0) continue;
    if (best.length === query.top) {
      const last = best[best.length - 1] as PostingsHit;
      if (score < last.score || (score === last.score && seq > last.seq)) continue;
      best.pop();
    }
    insertHit(best, seq, score);
  }
  return { total, maxScore, hits: best };
}

/** Puts a hit into the best-first list at its place: higher score first, then lower sequence number. */
function insertHit(best: PostingsHit[], seq: number, score: number): void {
  let lo = 0;
  let hi = best.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const other = best[mid] as PostingsHit;
    if (other.score > score || (other.score === score && other.seq < seq)) lo = mid + 1;
    else hi = mid;
  }
  best.splice(lo, 0, { seq, score });
}
