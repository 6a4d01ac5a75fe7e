// Similarity of two findings: text, title, shared rare identifiers, overlapping cited lines, category, combined.
import type { LineRange } from '../model.js';
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
 * Weights of the signals (see docs/consolidation.md for why). Text carries most of the weight: it is
 * the only signal that says *what* is wrong; identifiers and cited lines say *where*, and two
 * different problems in the same place are common (a function with two bugs). A signal a pair
 * cannot compare (no identifiers on one side, unclassified) drops out and the rest are re-weighted.
 */
export const WEIGHTS = {
  text: 0.45,
  title: 0.15,
  identifiers: 0.15,
  places: 0.15,
  category: 0.1,
} as const;

/**
 * Below this much agreement in words, where a finding points (identifiers, lines) cannot make two
 * findings one: the same constant can be named by two different concerns.
 */
export const MIN_TEXT_AGREEMENT = 0.12;

/** How much of the rest of the score survives when the texts do not agree at all. */
const UNAGREED_TEXT_FACTOR = 0.5;

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

/** All signals of a pair and their weighted combination. Symmetric. */
export function similarity(a: FindingFeatures, b: FindingFeatures, corpus: Corpus): PairSignals {
  const text = cosine(a.vector, b.vector);
  const title = titleSimilarity(a, b);
  const identifiers = identifierSimilarity(a, b);
  const places = placeSimilarity(a, b, corpus);
  const category = categorySimilarity(a, b);
  let sum = WEIGHTS.text * text + WEIGHTS.title * title;
  let weight = WEIGHTS.text + WEIGHTS.title;
  if (identifiers !== null) {
    sum += WEIGHTS.identifiers * identifiers;
    weight += WEIGHTS.identifiers;
  }
  if (places !== null) {
    sum += WEIGHTS.places * places;
    weight += WEIGHTS.places;
  }
  if (category !== null) {
    sum += WEIGHTS.category * category;
    weight += WEIGHTS.category;
  }
  let score = sum / weight;
  if (Math.max(text, title) < MIN_TEXT_AGREEMENT) score *= UNAGREED_TEXT_FACTOR;
  return { text, title, identifiers, places, category, score };
}
