// Similarity of findings: the signal blocks of a finding's vector (text, identifiers, cited lines, category), their weights, the agreement gate.
import type { LineRange } from '../model.js';
import { tfidf, type Corpus, type FindingFeatures } from './features.js';
import { add, fromMap, norm, normalized, scaled, type SparseVector } from './vector.js';

/**
 * Weights of the signal blocks in a finding's vector (see docs/consolidation.md for why). Each block
 * is separately normalised and scaled by the square root of its weight, so the cosine of two
 * findings' vectors is the weighted mean of the per-signal cosines (re-weighted over the signals
 * both have). Text carries most of the weight: it is the only signal that says *what* is wrong;
 * identifiers and cited lines say *where*, and two different problems in one place are common.
 */
export const WEIGHTS = {
  text: 0.8,
  identifiers: 0.1,
  places: 0.1,
  category: 0.05,
};

/**
 * Within the text block: the title and the lead (the claim and its first explanation), each a unit
 * TF-IDF vector, mixed with these weights (see docs/consolidation.md).
 */
export const TEXT_WEIGHTS = {
  title: 1,
  lead: 1,
};

/**
 * Below this much agreement in words, where two findings point (identifiers, lines) cannot make
 * them one: the same constant can be named by two different concerns.
 */
export const MIN_TEXT_AGREEMENT = 0.15;

/**
 * Two groups of findings merge only when their words about what is wrong agree across the groups at
 * least this fraction as much as within them (mean pairwise prose similarity, size-weighted): where
 * they point may coincide (one function, one set of lines), the concern must not be a different one.
 */
export const RELATIVE_AGREEMENT = 0.5;

/** Cited lines are counted in buckets of this many lines in a finding's vector. */
const LINE_BUCKET = 4;

/** Cited ranges longer than this are capped: citing a whole 600-line file says little about where. */
export const MAX_RANGE = 120;

/** Sorted, disjoint ranges, each capped at MAX_RANGE lines. */
export function mergeRanges(ranges: LineRange[]): LineRange[] {
  const sorted = ranges
    .map(([a, b]): LineRange => [a, Math.min(b, a + MAX_RANGE - 1)])
    .sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  const out: LineRange[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r[0] <= last[1] + 1) last[1] = Math.max(last[1], r[1]);
    else out.push([r[0], r[1]]);
  }
  return out;
}

/** The cited lines of a finding, per file in buckets of LINE_BUCKET lines (lines per bucket). */
function placeBlock(f: FindingFeatures, corpus: Corpus): SparseVector {
  const m = new Map<number, number>();
  for (const [path, ranges] of f.places) {
    const bucketId = corpus.vocabulary.numbered('p', path);
    for (const [a, b] of mergeRanges(ranges)) {
      for (let bucket = Math.floor(a / LINE_BUCKET); bucket <= Math.floor(b / LINE_BUCKET); bucket++) {
        const lines = Math.min(b, bucket * LINE_BUCKET + LINE_BUCKET - 1) - Math.max(a, bucket * LINE_BUCKET) + 1;
        const k = bucketId(bucket);
        m.set(k, (m.get(k) ?? 0) + lines);
      }
    }
  }
  return fromMap(m);
}

/** Entries of one vector packed with their term id fit below this (term ids stay below 2^31, so packed keys below 2^53). */
const ENTRY = 1 << 20;

/**
 * One vector from blocks over disjoint terms (text, identifiers, places, category), each normalised
 * and scaled by the square root of its weight: entries are concatenated and sorted once.
 */
function combine(blocks: Array<[SparseVector, number]>): SparseVector {
  let n = 0;
  for (const [v] of blocks) n += v.idx.length;
  if (n >= ENTRY) {
    // A block this large (a review pasting a whole code base) takes the general path.
    let out: SparseVector = { idx: new Int32Array(0), val: new Float64Array(0) };
    for (const [v, weight] of blocks) if (norm(v) > 0 && weight > 0) out = add(out, v, Math.sqrt(weight) / norm(v));
    return out;
  }
  // (term id, entry) packed in one double, so a native numeric sort orders the entries by term.
  const keys = new Float64Array(n);
  const values = new Float64Array(n);
  let k = 0;
  for (const [v, weight] of blocks) {
    const length = norm(v);
    if (length === 0 || weight <= 0) continue;
    const scale = Math.sqrt(weight) / length;
    for (let i = 0; i < v.idx.length; i++) {
      keys[k] = v.idx[i]! * ENTRY + k;
      values[k++] = v.val[i]! * scale;
    }
  }
  const order = keys.subarray(0, k).sort();
  const idx = new Int32Array(k);
  const val = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    const key = order[i]!;
    const term = Math.floor(key / ENTRY);
    idx[i] = term;
    val[i] = values[key - term * ENTRY]!;
  }
  return { idx, val };
}

/**
 * Fills each finding's vectors: `vector`, the unit sum of its signal blocks (text, identifiers
 * weighted by rarity, cited lines, category); `prose`, its words without names of code; `title`.
 * Place and category terms are interned here, so findings that share one share its term.
 */
export function weigh(features: FindingFeatures[], corpus: Corpus): void {
  const category = corpus.vocabulary.space('c');
  for (const f of features) {
    f.title = tfidf(f.titleTerms, corpus);
    f.prose = tfidf(f.proseTerms, corpus);
    const text = add(scaled(f.title, TEXT_WEIGHTS.title), tfidf(f.leadTerms, corpus), TEXT_WEIGHTS.lead);
    const ids = { idx: Int32Array.from(f.identifiers), val: Float64Array.from(f.identifiers, (t) => corpus.idf[t]!) };
    const blocks: Array<[SparseVector, number]> = [
      [text, WEIGHTS.text],
      [ids, WEIGHTS.identifiers],
      [placeBlock(f, corpus), WEIGHTS.places],
    ];
    if (f.category) {
      const c = new Map<number, number>([[category(f.category), 1]]);
      if (f.secondaryCategory && f.secondaryCategory !== f.category) c.set(category(f.secondaryCategory), 0.5);
      blocks.push([fromMap(c), WEIGHTS.category]);
    }
    f.vector = normalized(combine(blocks));
  }
}
