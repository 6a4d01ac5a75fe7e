// Similarity of findings: the signal blocks of a finding's vector (text, identifiers, cited lines, category), their weights, the agreement gate.
import type { LineRange } from '../model.js';
import { tfidf, type Corpus, type FindingFeatures } from './features.js';
import { fromMap, normalized } from './vector.js';

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

/** Adds `block`, normalised and scaled by √weight, into `out` (term id → weight). */
function addBlock(out: Map<number, number>, block: Map<number, number>, weight: number): void {
  let sum = 0;
  for (const x of block.values()) sum += x * x;
  if (weight <= 0 || sum === 0) return;
  const scale = Math.sqrt(weight / sum);
  for (const [k, x] of block) out.set(k, (out.get(k) ?? 0) + x * scale);
}

/** The cited lines of a finding, per file in buckets of LINE_BUCKET lines (lines per bucket). */
function placeBlock(f: FindingFeatures, corpus: Corpus): Map<number, number> {
  const m = new Map<number, number>();
  const place = corpus.vocabulary.space('p');
  for (const [path, ranges] of f.places) {
    for (const [a, b] of mergeRanges(ranges)) {
      for (let bucket = Math.floor(a / LINE_BUCKET); bucket <= Math.floor(b / LINE_BUCKET); bucket++) {
        const lines = Math.min(b, bucket * LINE_BUCKET + LINE_BUCKET - 1) - Math.max(a, bucket * LINE_BUCKET) + 1;
        const k = place(`${path}:${bucket}`);
        m.set(k, (m.get(k) ?? 0) + lines);
      }
    }
  }
  return m;
}

/** The text block: the title's and the lead's unit TF-IDF vectors mixed by TEXT_WEIGHTS. */
function textBlock(f: FindingFeatures, corpus: Corpus): Map<number, number> {
  const m = new Map<number, number>();
  for (let i = 0; i < f.title.idx.length; i++) m.set(f.title.idx[i]!, TEXT_WEIGHTS.title * f.title.val[i]!);
  const lead = tfidf(f.leadTerms, corpus);
  for (let i = 0; i < lead.idx.length; i++) m.set(lead.idx[i]!, (m.get(lead.idx[i]!) ?? 0) + TEXT_WEIGHTS.lead * lead.val[i]!);
  return m;
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
    const v = new Map<number, number>();
    addBlock(v, textBlock(f, corpus), WEIGHTS.text);
    addBlock(v, new Map(f.identifiers.map((t) => [t, corpus.idf[t]!])), WEIGHTS.identifiers);
    addBlock(v, placeBlock(f, corpus), WEIGHTS.places);
    if (f.category) {
      const c = new Map<number, number>([[category(f.category), 1]]);
      if (f.secondaryCategory && f.secondaryCategory !== f.category) c.set(category(f.secondaryCategory), 0.5);
      addBlock(v, c, WEIGHTS.category);
    }
    f.vector = normalized(fromMap(v));
  }
}
