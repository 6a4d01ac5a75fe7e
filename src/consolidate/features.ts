// Per-finding features for similarity (interned terms of title, lead and concern, identifiers of prose and pasted code, cited places) and corpus IDF.
import type { FindingRecord, LineRange, ReviewRecord } from '../model.js';
import { findingTerms, type FindingTerms } from './terms.js';
import { Vocabulary, type SparseVector } from './vector.js';

/** One finding of one review, with what similarity needs precomputed. */
export interface FindingFeatures {
  /** `review#item`: unique in the input. */
  key: string;
  review: ReviewRecord;
  finding: FindingRecord;
  subject: string;
  /** Stem ids of the title. */
  titleTerms: number[];
  /** Stem ids of the lead of the prose: its first `LEAD_WORDS` content words. */
  leadTerms: number[];
  /** Stem ids of title and lead without any identifier: the words about *what* is wrong. */
  proseTerms: number[];
  /** Interned identifier keys the finding names (evidence, identifier-shaped tokens of its prose and pasted code), unique. */
  identifiers: number[];
  /** Cited lines per file: the subject's own lines and every linked location. */
  places: Map<string, LineRange[]>;
  /** Terms of the cited lines and of the categories, flat (term id, amount) pairs; filled by `internSignals`. */
  placeTerms: number[];
  categoryTerms: number[];
  category: string | null;
  secondaryCategory: string | null;
  /** Content stems of the title, in order (for ids and representative titles). */
  titleStems: string[];
  /** Identifier keys named in the title, in order (for ids). */
  titleIdentifiers: string[];
  /** The finding's unit vector of weighted signal blocks; filled by `weigh`. */
  vector: SparseVector;
  /** Unit TF-IDF vector of `proseTerms`; filled by `weigh`. */
  prose: SparseVector;
  /** Unit TF-IDF vector of the title alone; filled by `weigh`. */
  title: SparseVector;
}

/** Document frequencies over the whole input, by term id: rarity is what makes a shared term telling. */
export interface Corpus {
  size: number;
  vocabulary: Vocabulary;
  df: Int32Array;
  /** `idf(df)` of every term counted. */
  idf: Float64Array;
}

/** Normalised path key: no `./`, no leading or trailing slashes, POSIX separators. */
export function normalizePath(path: string): string {
  return path.replace(/\\/g, '/').replace(/^\.\//, '').replace(/^\/+|\/+$/g, '').trim();
}

function addRanges(places: Map<string, LineRange[]>, path: string, ranges: LineRange[]): void {
  const key = normalizePath(path);
  if (!key) return;
  const list = places.get(key) ?? [];
  for (const r of ranges) {
    const a = Math.min(r[0], r[1]);
    const b = Math.max(r[0], r[1]);
    if (Number.isFinite(a) && Number.isFinite(b) && a > 0) list.push([a, b]);
  }
  places.set(key, list);
}

/**
 * Extracts the features of one finding, interning its terms: those given (made with the analysis,
 * see terms.ts), or made now from its text. Corpus weights come later (`weigh`).
 */
export function extractFeatures(review: ReviewRecord, finding: FindingRecord, vocabulary: Vocabulary, terms: FindingTerms = findingTerms(finding)): FindingFeatures {
  const stem = vocabulary.space('s');
  const identifier = vocabulary.space('i');
  // Identifiers first, then stems: the order that numbers the terms (see FindingTerms).
  const identifiers = terms.identifiers.map(identifier);
  const places = new Map<string, LineRange[]>();
  if (finding.evidence.lines.length > 0) addRanges(places, review.subject, finding.evidence.lines);
  for (const loc of finding.evidence.locations) addRanges(places, loc.path, loc.lines);
  for (const f of finding.evidence.files) if (!places.has(normalizePath(f))) addRanges(places, f, []);
  return {
    key: `${review.id}#${finding.item}`,
    review,
    finding,
    subject: review.subject,
    titleTerms: terms.titleStems.map(stem),
    leadTerms: terms.leadStems.map(stem),
    proseTerms: terms.proseStems.map(stem),
    identifiers: identifiers.sort((a, b) => a - b),
    places,
    placeTerms: [],
    categoryTerms: [],
    category: finding.category,
    secondaryCategory: finding.secondaryCategory,
    titleStems: terms.titleStems,
    titleIdentifiers: terms.titleIdentifiers,
    vector: { idx: new Int32Array(0), val: new Float64Array(0) },
    prose: { idx: new Int32Array(0), val: new Float64Array(0) },
    title: { idx: new Int32Array(0), val: new Float64Array(0) },
  };
}

/** Counts document frequencies of every term (text, identifiers, cited files) over all findings. */
export function buildCorpus(features: FindingFeatures[], vocabulary: Vocabulary): Corpus {
  const df = new Int32Array(vocabulary.size);
  const seen = new Int32Array(vocabulary.size).fill(-1);
  features.forEach((f, n) => {
    const visit = (t: number): void => {
      if (seen[t] !== n) {
        seen[t] = n;
        df[t]!++;
      }
    };
    for (const t of f.titleTerms) visit(t);
    for (const t of f.leadTerms) visit(t);
    for (const t of f.proseTerms) visit(t);
    for (const t of f.identifiers) visit(t);
  });
  const weights = Float64Array.from(df, (d) => idf(d, features.length));
  return { size: features.length, vocabulary, df, idf: weights };
}

/** Smoothed IDF: never zero (a term every finding shares still counts a little), ln(1 + N/df). */
export function idf(df: number | undefined, size: number): number {
  return Math.log(1 + size / Math.max(1, df ?? 1));
}
