// Similarity of two findings: text, title, shared rare identifiers, overlapping cited lines, category, combined.
import type { LineRange } from '../model.js';
import type { Vector } from './cluster.js';
import { cosine, idf, type Corpus, type FindingFeatures } from './features.js';
import { dice, titleJaroWinkler } from './text.js';

/** The signals behind one pair's score, each in [0, 1], null when a side has nothing to compare. */
export interface PairSignals {
  text: number;
  title: number;
  identifiers: number | null;
  places: number | null;
  category: number | null;
  score: number;
}

/**
 * Weights of the signals in a finding's vector (see docs/consolidation.md for why). Each signal is
 * a separately normalised block, scaled by the square root of its weight, so the cosine of two
 * findings' vectors is the weighted mean of the per-signal cosines (re-weighted over the signals
 * both have). Text carries most of the weight: it is the only signal that says *what* is wrong;
 * identifiers and cited lines say *where*, and two different problems in one place are common.
 */
export const WEIGHTS = {
  text: 0.8,
  identifiers: 0.1,
  places: 0.1,
  category: 0.05,
} as const;

/**
 * Below this much agreement in words, where two findings point (identifiers, lines) cannot make
 * them one: the same constant can be named by two different concerns.
 */
export const MIN_TEXT_AGREEMENT = 0.15;

/** Cited lines are counted in buckets of this many lines in a finding's vector. */
const LINE_BUCKET = 4;

/** Cited ranges longer than this are capped: citing a whole 600-line file says little about where. */
const MAX_RANGE = 120;

function mergeRanges(ranges: LineRange[]): LineRange[] {
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

function size(ranges: LineRange[]): number {
  let n = 0;
  for (const [a, b] of ranges) n += b - a + 1;
  return n;
}

function intersection(a: LineRange[], b: LineRange[]): number {
  let i = 0;
  let j = 0;
  let n = 0;
  while (i < a.length && j < b.length) {
    const lo = Math.max(a[i]![0], b[j]![0]);
    const hi = Math.min(a[i]![1], b[j]![1]);
    if (hi >= lo) n += hi - lo + 1;
    if (a[i]![1] < b[j]![1]) i++;
    else j++;
  }
  return n;
}

/**
 * Cited places: cosine of the two sets of (file, line) cited — 1 when both cite exactly the same
 * lines, lower as either cites more elsewhere. Files cited without lines count through their rarity
 * only (at half weight): "the same file" is weak evidence when everyone cites the main contract.
 */
export function placeSimilarity(a: FindingFeatures, b: FindingFeatures, corpus: Corpus): number | null {
  if (a.places.size === 0 || b.places.size === 0) return null;
  let sizeA = 0;
  let sizeB = 0;
  let shared = 0;
  const mergedB = new Map<string, LineRange[]>();
  for (const [p, r] of b.places) {
    const m = mergeRanges(r);
    mergedB.set(p, m);
    sizeB += size(m);
  }
  for (const [p, r] of a.places) {
    const m = mergeRanges(r);
    sizeA += size(m);
    const other = mergedB.get(p);
    if (other) shared += intersection(m, other);
  }
  const lineCos = sizeA > 0 && sizeB > 0 ? shared / Math.sqrt(sizeA * sizeB) : 0;
  let fileDot = 0;
  let fileA = 0;
  let fileB = 0;
  for (const p of a.places.keys()) {
    const w = idf(corpus.fileDf.get(p), corpus.size) ** 2;
    fileA += w;
    if (b.places.has(p)) fileDot += w;
  }
  for (const p of b.places.keys()) fileB += idf(corpus.fileDf.get(p), corpus.size) ** 2;
  const fileCos = fileA > 0 && fileB > 0 ? fileDot / Math.sqrt(fileA * fileB) : 0;
  return Math.max(lineCos, 0.5 * fileCos);
}

/** Shared identifiers, each weighted by its rarity (IDF): cosine of the IDF-weighted identifier sets. */
export function identifierSimilarity(a: FindingFeatures, b: FindingFeatures): number | null {
  if (a.identifierWeights.size === 0 || b.identifierWeights.size === 0) return null;
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (const [id, w] of a.identifierWeights) {
    na += w * w;
    if (b.identifierWeights.has(id)) dot += w * w;
  }
  for (const w of b.identifierWeights.values()) nb += w * w;
  return dot / Math.sqrt(na * nb);
}

/** 1 same category, 0.5 when one's primary is the other's secondary, 0 otherwise; null if unclassified. */
export function categorySimilarity(a: FindingFeatures, b: FindingFeatures): number | null {
  if (!a.category || !b.category) return null;
  if (a.category === b.category) return 1;
  if (a.category === b.secondaryCategory || a.secondaryCategory === b.category) return 0.5;
  return 0;
}

/** Title similarity: TF-IDF cosine of title stems, with string distances for near-identical wordings. */
export function titleSimilarity(a: FindingFeatures, b: FindingFeatures): number {
  const cos = cosine(a.titleVector, b.titleVector);
  const str = 0.5 * titleJaroWinkler(a.titleNorm, b.titleNorm) + 0.5 * dice(a.titleNorm, b.titleNorm);
  return Math.max(cos, str);
}

function addBlock(out: Vector, prefix: string, block: Map<string, number>, weight: number): void {
  let sum = 0;
  for (const x of block.values()) sum += x * x;
  if (sum === 0) return;
  const scale = Math.sqrt(weight / sum);
  for (const [k, x] of block) out.set(prefix + k, x * scale);
}

/**
 * A finding as one sparse vector of blocks: `t:` its text (TF-IDF of title and lead), `i:` its
 * identifiers (IDF-weighted), `p:` the lines it cites (per file, in buckets), `c:` its category.
 * Summing these vectors gives a cluster's centroid; their cosine is the weighted mean of signals.
 */
export function findingVector(f: FindingFeatures): Vector {
  const v: Vector = new Map();
  addBlock(v, 't:', f.vector, WEIGHTS.text);
  addBlock(v, 'i:', f.identifierWeights, WEIGHTS.identifiers);
  const places = new Map<string, number>();
  for (const [path, ranges] of f.places) {
    for (const [a, b] of mergeRanges(ranges)) {
      for (let line = a; line <= b; line++) {
        const k = `${path}:${Math.floor(line / LINE_BUCKET)}`;
        places.set(k, (places.get(k) ?? 0) + 1);
      }
    }
  }
  addBlock(v, 'p:', places, WEIGHTS.places);
  if (f.category) {
    const c = new Map<string, number>([[f.category, 1]]);
    if (f.secondaryCategory && f.secondaryCategory !== f.category) c.set(f.secondaryCategory, 0.5);
    addBlock(v, 'c:', c, WEIGHTS.category);
  }
  return v;
}

/**
 * Whether two findings (or clusters, given summed prose vectors) may merge at all: the words they
 * use about what is wrong, names of code left out, must agree a little (see MIN_TEXT_AGREEMENT).
 */
export function agreeEnough(proseA: Vector, proseB: Vector): boolean {
  return vectorCosine(proseA, proseB) >= MIN_TEXT_AGREEMENT;
}

/** Cosine of two vectors. */
export function vectorCosine(a: Vector, b: Vector): number {
  let d = 0;
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  for (const [k, x] of small) {
    const y = large.get(k);
    if (y !== undefined) d += x * y;
  }
  let na = 0;
  let nb = 0;
  for (const x of a.values()) na += x * x;
  for (const x of b.values()) nb += x * x;
  return na > 0 && nb > 0 ? d / Math.sqrt(na * nb) : 0;
}

/** All signals of a pair, for explanations, and the score clustering uses (0 when the words disagree). */
export function similarity(a: FindingFeatures, b: FindingFeatures, corpus: Corpus): PairSignals {
  const va = findingVector(a);
  const vb = findingVector(b);
  const score = agreeEnough(a.proseVector, b.proseVector) ? vectorCosine(va, vb) : 0;
  return {
    text: cosine(a.vector, b.vector),
    title: titleSimilarity(a, b),
    identifiers: identifierSimilarity(a, b),
    places: placeSimilarity(a, b, corpus),
    category: categorySimilarity(a, b),
    score,
  };
}
