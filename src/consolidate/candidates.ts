// Blocking: an inverted index over rare terms, identifiers and cited line windows proposes the pairs worth comparing.
import { normalizePath, type Corpus, type FindingFeatures } from './features.js';

export interface CandidateOptions {
  /** A key shared by more findings than this is too common to propose pairs (it still counts in scoring). */
  maxPosting: number;
  /** Each finding's rarest text terms used as index keys. */
  termsPerFinding: number;
  /** At most this many candidates kept per finding, the ones sharing the most rare keys. */
  perFinding: number;
}

export const DEFAULT_CANDIDATE_OPTIONS: CandidateOptions = { maxPosting: 200, termsPerFinding: 24, perFinding: 60 };

/** Cited lines are indexed in windows of this many lines, so nearby citations meet. */
const LINE_WINDOW = 16;

/** A finding's index keys (term ids) and their weights: rare text terms, identifiers, line windows. */
function keysOf(f: FindingFeatures, corpus: Corpus, options: CandidateOptions): { keys: Int32Array; weights: Float64Array } {
  const keys: number[] = [];
  const weights: number[] = [];
  // The title's and the lead's distinct terms, the rarest first.
  const all = new Int32Array(f.titleTerms.length + f.leadTerms.length);
  all.set(f.titleTerms);
  all.set(f.leadTerms, f.titleTerms.length);
  all.sort();
  const terms: number[] = [];
  for (let i = 0; i < all.length; i++) if (i === 0 || all[i] !== all[i - 1]) terms.push(all[i]!);
  if (terms.length > options.termsPerFinding) terms.sort((x, y) => corpus.idf[y]! - corpus.idf[x]! || x - y);
  for (const t of terms.slice(0, options.termsPerFinding)) {
    keys.push(t);
    weights.push(corpus.idf[t]!);
  }
  for (const t of f.identifiers) {
    keys.push(t);
    weights.push(corpus.idf[t]!);
  }
  const windows = new Set<number>();
  for (const [path, ranges] of f.places) {
    const windowId = corpus.vocabulary.numbered('l', normalizePath(path));
    for (const [a, b] of ranges) {
      const last = Math.min(b, a + 10 * LINE_WINDOW);
      for (let w = Math.floor(a / LINE_WINDOW); w <= Math.floor(last / LINE_WINDOW); w++) windows.add(windowId(w));
    }
  }
  for (const w of windows) {
    keys.push(w);
    weights.push(1);
  }
  return { keys: new Int32Array(keys), weights: new Float64Array(weights) };
}

/**
 * Moves the `k` best of `items` (higher `score` first, then lower index: a total order, so the
 * chosen set does not depend on the input order) to its front, in linear expected time.
 */
function selectTop(items: Int32Array, k: number, score: Float64Array): void {
  const better = (x: number, y: number): boolean => score[x]! > score[y]! || (score[x] === score[y] && x < y);
  let lo = 0;
  let hi = items.length - 1;
  while (lo < hi) {
    const pivot = items[(lo + hi) >> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (better(items[i]!, pivot)) i++;
      while (better(pivot, items[j]!)) j--;
      if (i <= j) {
        const t = items[i]!;
        items[i++] = items[j]!;
        items[j--] = t;
      }
    }
    if (k - 1 <= j) hi = j;
    else if (k - 1 >= i) lo = i;
    else return;
  }
}

/**
 * Each finding's candidate neighbours (indexes into `items`, ascending): findings sharing at least
 * one key not shared by more than `maxPosting` findings, at most `perFinding` per finding (ranked by
 * the summed weight of shared keys), made symmetric. Cost is bounded by findings × keys × maxPosting,
 * whatever the number of pairs; accumulation runs in typed arrays, no per-pair allocation.
 */
export function candidateNeighbors(items: FindingFeatures[], corpus: Corpus, options: CandidateOptions = DEFAULT_CANDIDATE_OPTIONS): Int32Array[] {
  const n = items.length;
  const itemKeys = items.map((f) => keysOf(f, corpus, options));
  // Postings in one flat array (CSR) over the keys this block uses, renumbered from 0.
  const local = new Map<number, number>();
  for (const { keys } of itemKeys) {
    for (let q = 0; q < keys.length; q++) {
      let k = local.get(keys[q]!);
      if (k === undefined) local.set(keys[q]!, (k = local.size));
      keys[q] = k;
    }
  }
  const size = local.size;
  const start = new Int32Array(size + 1);
  for (const { keys } of itemKeys) for (const k of keys) start[k + 1]!++;
  for (let k = 0; k < size; k++) start[k + 1]! += start[k]!;
  const postings = new Int32Array(start[size]!);
  const fill = start.slice(0, size);
  itemKeys.forEach(({ keys }, i) => {
    for (const k of keys) postings[fill[k]!++] = i;
  });

  const score = new Float64Array(n);
  const touched = new Int32Array(n);
  const lists: number[][] = items.map(() => []);
  for (let i = 0; i < n; i++) {
    const { keys, weights } = itemKeys[i]!;
    let m = 0;
    for (let q = 0; q < keys.length; q++) {
      const from = start[keys[q]!]!;
      const to = start[keys[q]! + 1]!;
      if (to - from > options.maxPosting) continue;
      const w = weights[q]!;
      for (let p = from; p < to; p++) {
        const j = postings[p]!;
        if (score[j] === 0) touched[m++] = j;
        score[j] += w;
      }
    }
    score[i] = 0;
    const ranked = touched.subarray(0, m);
    const keep = Math.min(m, options.perFinding);
    if (m > keep) selectTop(ranked, keep, score);
    for (let r = 0; r < keep; r++) {
      const j = ranked[r]!;
      if (j === i) continue;
      lists[i]!.push(j);
      lists[j]!.push(i);
    }
    for (let r = 0; r < m; r++) score[touched[r]!] = 0;
  }
  return lists.map((l) => {
    const sorted = new Int32Array(l).sort();
    let w = 0;
    for (let r = 0; r < sorted.length; r++) if (r === 0 || sorted[r] !== sorted[r - 1]) sorted[w++] = sorted[r]!;
    return sorted.slice(0, w);
  });
}
