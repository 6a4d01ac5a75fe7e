// Blocking: an inverted index over rare stems, identifiers and cited line windows proposes the pairs worth scoring.
import { idf, normalizePath, type Corpus, type FindingFeatures } from './features.js';

export interface CandidateOptions {
  /** A key shared by more findings than this is too common to propose pairs (it still counts in scoring). */
  maxPosting: number;
  /** Each finding's rarest stems used as index keys. */
  stemsPerFinding: number;
  /** At most this many candidates kept per finding, the ones sharing the most rare keys. */
  perFinding: number;
}

export const DEFAULT_CANDIDATE_OPTIONS: CandidateOptions = { maxPosting: 400, stemsPerFinding: 24, perFinding: 60 };

/** Cited lines are indexed in windows of this many lines, so nearby citations meet. */
const LINE_WINDOW = 16;

function keysOf(f: FindingFeatures, corpus: Corpus, options: CandidateOptions): Map<string, number> {
  const keys = new Map<string, number>();
  const stems = [...new Set([...f.titleStems.keys(), ...f.leadStems.keys()])]
    .map((s) => [s, idf(corpus.stemDf.get(s), corpus.size)] as const)
    .sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0))
    .slice(0, options.stemsPerFinding);
  for (const [s, w] of stems) keys.set(`s:${s}`, w);
  for (const [id, w] of f.identifierWeights) keys.set(`i:${id}`, w);
  for (const [path, ranges] of f.places) {
    const p = normalizePath(path);
    for (const [a, b] of ranges) {
      const last = Math.min(b, a + 10 * LINE_WINDOW);
      for (let w = Math.floor(a / LINE_WINDOW); w <= Math.floor(last / LINE_WINDOW); w++) keys.set(`l:${p}:${w}`, 1);
    }
  }
  return keys;
}

/**
 * Candidate pairs `[i, j]` (i < j, indexes into `items`) sharing at least one rare key, at most
 * `perFinding` per finding ranked by the summed weight of shared keys. Cost is bounded by
 * findings × keys × maxPosting, independent of how many pairs exist.
 */
export function candidatePairs(
  items: FindingFeatures[],
  corpus: Corpus,
  options: CandidateOptions = DEFAULT_CANDIDATE_OPTIONS,
): Array<[number, number]> {
  const itemKeys = items.map((f) => keysOf(f, corpus, options));
  const postings = new Map<string, number[]>();
  itemKeys.forEach((keys, i) => {
    for (const k of keys.keys()) {
      let list = postings.get(k);
      if (!list) postings.set(k, (list = []));
      list.push(i);
    }
  });
  const pairs = new Set<number>();
  const out: Array<[number, number]> = [];
  const n = items.length;
  for (let i = 0; i < n; i++) {
    const acc = new Map<number, number>();
    for (const [k, w] of itemKeys[i]!) {
      const list = postings.get(k)!;
      if (list.length > options.maxPosting) continue;
      for (const j of list) if (j !== i) acc.set(j, (acc.get(j) ?? 0) + w);
    }
    const ranked = [...acc.entries()].sort((x, y) => y[1] - x[1] || x[0] - y[0]).slice(0, options.perFinding);
    for (const [j] of ranked) {
      const a = Math.min(i, j);
      const b = Math.max(i, j);
      const code = a * n + b;
      if (!pairs.has(code)) {
        pairs.add(code);
        out.push([a, b]);
      }
    }
  }
  return out.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
}
