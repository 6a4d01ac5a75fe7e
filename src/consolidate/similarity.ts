// Similarity of findings: the signal blocks of a finding's vector (text, identifiers, cited lines, category), their weights, the agreement gate.
import type { LineRange } from '../model.js';
import type { Corpus, FindingFeatures } from './features.js';
import { VectorBuilder } from './vector.js';

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

/**
 * Interns the terms of each finding's cited lines (per file, in buckets of LINE_BUCKET lines, weighed
 * by lines per bucket) and categories, in the order of `features`, so that findings sharing one share
 * its term, and vectors made block by block (weigh) have the term ids of vectors made all at once.
 */
export function internSignals(features: FindingFeatures[], corpus: Corpus): void {
  const category = corpus.vocabulary.space('c');
  for (const f of features) {
    const places: number[] = [];
    for (const [path, ranges] of f.places) {
      const bucketId = corpus.vocabulary.numbered('p', path);
      for (const [a, b] of mergeRanges(ranges)) {
        for (let bucket = Math.floor(a / LINE_BUCKET); bucket <= Math.floor(b / LINE_BUCKET); bucket++) {
          const lines = Math.min(b, bucket * LINE_BUCKET + LINE_BUCKET - 1) - Math.max(a, bucket * LINE_BUCKET) + 1;
          places.push(bucketId(bucket), lines);
        }
      }
    }
    const categories: number[] = [];
    if (f.category) {
      categories.push(category(f.category), 1);
      if (f.secondaryCategory && f.secondaryCategory !== f.category) categories.push(category(f.secondaryCategory), 0.5);
    }
    f.placeTerms = places;
    f.categoryTerms = categories;
  }
}

/**
 * Fills each finding's vectors: `vector`, the unit sum of its signal blocks (text, identifiers
 * weighted by rarity, cited lines, category), each block normalised and scaled by the square root
 * of its weight; `prose`, its words without names of code; `title`. Needs `internSignals` first;
 * one `builder` may serve every call.
 */
export function weigh(features: FindingFeatures[], corpus: Corpus, builder = new VectorBuilder(corpus.vocabulary.size)): void {
  for (const f of features) {
    f.title = builder.tfidf(f.titleTerms, corpus.idf);
    f.prose = builder.tfidf(f.proseTerms, corpus.idf);
    for (let i = 0; i < f.title.idx.length; i++) builder.add(f.title.idx[i]!, TEXT_WEIGHTS.title * f.title.val[i]!);
    builder.addTfidf(f.leadTerms, corpus.idf, TEXT_WEIGHTS.lead);
    builder.block(WEIGHTS.text);
    for (const t of f.identifiers) builder.add(t, corpus.idf[t]!);
    builder.block(WEIGHTS.identifiers);
    for (let k = 0; k < f.placeTerms.length; k += 2) builder.add(f.placeTerms[k]!, f.placeTerms[k + 1]!);
    builder.block(WEIGHTS.places);
    for (let k = 0; k < f.categoryTerms.length; k += 2) builder.add(f.categoryTerms[k]!, f.categoryTerms[k + 1]!);
    builder.block(WEIGHTS.category);
    f.vector = builder.take();
  }
}
