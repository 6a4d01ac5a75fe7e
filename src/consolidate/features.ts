// Per-finding features for similarity (stems, identifiers, cited places) and corpus statistics (IDF) over them.
import type { Finding, LineRange, Review } from '../model.js';
import { identifierKeys, stripFencedCode, textTerms } from './text.js';

/** One finding of one review, with what similarity needs precomputed. */
export interface FindingFeatures {
  /** `review#item`: unique in the input. */
  key: string;
  review: Review;
  finding: Finding;
  subject: string;
  /** Stem counts of the title. */
  titleStems: Map<string, number>;
  /** Stem counts of the lead of the prose: its first `LEAD_WORDS` content words. */
  leadStems: Map<string, number>;
  /** Stem counts of title and lead without any identifier: the words about *what* is wrong. */
  proseStems: Map<string, number>;
  /** Normalised code identifiers the finding names (evidence and identifier-shaped prose tokens). */
  identifiers: Set<string>;
  /** Cited lines per file: the subject's own lines and every linked location. */
  places: Map<string, LineRange[]>;
  category: string | null;
  secondaryCategory: string | null;
  /** Title normalised for string distances. */
  titleNorm: string;
  /** TF-IDF vector of title and lead (title counted twice), L2-normalised; filled by `weigh`. */
  vector: Map<string, number>;
  /** TF-IDF vector of `proseStems`, L2-normalised; filled by `weigh`. */
  proseVector: Map<string, number>;
  /** TF-IDF vector of the title alone, L2-normalised; filled by `weigh`. */
  titleVector: Map<string, number>;
  /** IDF weight of each identifier; filled by `weigh`. */
  identifierWeights: Map<string, number>;
}

/** Document frequencies over the whole input: rarity is what makes a shared term or identifier telling. */
export interface Corpus {
  size: number;
  stemDf: Map<string, number>;
  identifierDf: Map<string, number>;
  fileDf: Map<string, number>;
}

/** Normalised path key: no `./`, no leading or trailing slashes, POSIX separators. */
export function normalizePath(path: string): string {
  return path.replace(/\\/g, '/').replace(/^\.\//, '').replace(/^\/+|\/+$/g, '').trim();
}

function count(tokens: string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const t of tokens) m.set(t, (m.get(t) ?? 0) + 1);
  return m;
}

/** Whitespace- and case-folded text, for comparing a title with the start of a body. */
const fold = (t: string): string => t.replace(/[\s*_`#]+/g, ' ').trim().toLowerCase();

/**
 * The prose of a finding without pasted code, and without its title when the text opens with it
 * (`# Title`, `1. **Title**: text…`): the title is weighted on its own and must not count twice.
 */
function bodyOf(finding: Finding): string {
  const source = finding.excerpt ? stripFencedCode(finding.excerpt) : finding.text;
  const title = fold(finding.title);
  if (!title) return source;
  const lines = source.trimStart().split('\n');
  const firstLine = lines[0]!.replace(/^\s*(?:#+|\d+[.)]|[-*+])\s*/, '');
  if (!fold(firstLine).startsWith(title)) return source;
  // Drop as many words from the first line as the title has, then any closing markup and colon.
  const words = title.split(' ').length;
  const rest = firstLine
    .replace(/^[\s*_`#]*/, '')
    .split(/(?<=\S)(?=\s)/)
    .slice(words)
    .join('')
    .replace(/^[\s*_`:.\-–—]*/, '');
  return [rest, ...lines.slice(1)].join('\n');
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

/** Extracts the features of one finding. Pure; corpus weights come later (`weigh`). */
export function extractFeatures(review: Review, finding: Finding): FindingFeatures {
  const body = bodyOf(finding);
  // The prose without names of code: what the finding says is wrong, not where. A shared constant's
  // words must not pass for agreement on the concern (see MIN_TEXT_AGREEMENT).
  const names = new Set(finding.evidence.identifiers.map((i) => i.toLowerCase()));
  const title = textTerms(finding.title, Infinity, names);
  const lead = textTerms(body, LEAD_WORDS, names);
  const identifiers = new Set<string>();
  for (const raw of finding.evidence.identifiers) for (const k of identifierKeys(raw)) identifiers.add(k);
  for (const k of title.identifiers) identifiers.add(k);
  for (const k of lead.identifiers) identifiers.add(k);
  const places = new Map<string, LineRange[]>();
  if (finding.evidence.lines.length > 0) addRanges(places, review.subject, finding.evidence.lines);
  for (const loc of finding.evidence.locations) addRanges(places, loc.path, loc.lines);
  for (const f of finding.evidence.files) if (!places.has(normalizePath(f))) addRanges(places, f, []);
  return {
    key: `${review.id}#${finding.item}`,
    review,
    finding,
    subject: review.subject,
    titleStems: count(title.stems),
    proseStems: count([...title.prose, ...lead.prose]),
    leadStems: count(lead.stems),
    identifiers,
    places,
    category: finding.category,
    secondaryCategory: finding.secondaryCategory,
    titleNorm: title.stems.join(' '),
    vector: new Map(),
    proseVector: new Map(),
    titleVector: new Map(),
    identifierWeights: new Map(),
  };
}

/** Counts document frequencies of stems, identifiers and cited files over all findings. */
export function buildCorpus(features: FindingFeatures[]): Corpus {
  const stemDf = new Map<string, number>();
  const identifierDf = new Map<string, number>();
  const fileDf = new Map<string, number>();
  for (const f of features) {
    const stems = new Set([...f.titleStems.keys(), ...f.leadStems.keys()]);
    for (const s of stems) stemDf.set(s, (stemDf.get(s) ?? 0) + 1);
    for (const id of f.identifiers) identifierDf.set(id, (identifierDf.get(id) ?? 0) + 1);
    for (const p of f.places.keys()) fileDf.set(p, (fileDf.get(p) ?? 0) + 1);
  }
  return { size: features.length, stemDf, identifierDf, fileDf };
}

/** Smoothed IDF: never zero (a term every finding shares still counts a little), ln(1 + N/df). */
export function idf(df: number | undefined, size: number): number {
  return Math.log(1 + size / Math.max(1, df ?? 1));
}

function normalize(v: Map<string, number>): Map<string, number> {
  let sum = 0;
  for (const x of v.values()) sum += x * x;
  const norm = Math.sqrt(sum);
  if (norm === 0) return v;
  for (const [k, x] of v) v.set(k, x / norm);
  return v;
}

/**
 * A finding states its claim first (a title, a summary sentence) and then elaborates: proof,
 * impact, background, code walk-through. The elaboration differs most between two reports of the
 * same issue, so text similarity reads the title and the first this-many content words.
 */
export const LEAD_WORDS = 60;

/** Title terms count double: a title is the author's own summary of the issue. */
export const TITLE_WEIGHT = 2;

/** Fills the TF-IDF vectors (sublinear tf) and identifier weights of every finding. */
export function weigh(features: FindingFeatures[], corpus: Corpus): void {
  for (const f of features) {
    const v = new Map<string, number>();
    const tv = new Map<string, number>();
    for (const [s, n] of f.titleStems) {
      const w = (1 + Math.log(n)) * idf(corpus.stemDf.get(s), corpus.size);
      tv.set(s, w);
      v.set(s, (v.get(s) ?? 0) + TITLE_WEIGHT * w);
    }
    for (const [s, n] of f.leadStems) {
      const w = (1 + Math.log(n)) * idf(corpus.stemDf.get(s), corpus.size);
      v.set(s, (v.get(s) ?? 0) + w);
    }
    f.vector = normalize(v);
    const pv = new Map<string, number>();
    for (const [s, n] of f.proseStems) pv.set(s, (1 + Math.log(n)) * idf(corpus.stemDf.get(s), corpus.size));
    f.proseVector = normalize(pv);
    f.titleVector = normalize(tv);
    const iw = new Map<string, number>();
    for (const id of f.identifiers) iw.set(id, idf(corpus.identifierDf.get(id), corpus.size));
    f.identifierWeights = iw;
  }
}

/** Cosine of two L2-normalised sparse vectors. */
export function cosine(a: Map<string, number>, b: Map<string, number>): number {
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  let dot = 0;
  for (const [k, x] of small) {
    const y = large.get(k);
    if (y !== undefined) dot += x * y;
  }
  return Math.min(1, dot);
}
