// Per-finding features for similarity (interned terms of title, lead and concern, identifiers of prose and pasted code, cited places) and corpus IDF.
import type { FindingRecord, LineRange, ReviewRecord } from '../model.js';
import { identifierKeys, textTerms } from './text.js';
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

/**
 * A finding states its claim first (a title, a summary sentence) and then elaborates: proof,
 * impact, background, code walk-through. The lead is the claim plus its first explanation.
 */
export const LEAD_WORDS = 60;

/**
 * Past the lead, the prose is read for identifiers up to this many characters, and pasted code up to
 * this many: enough for any report measured (the Blueberry reports paste 1 KB of code on average,
 * and reading 2 KB of it groups them exactly as reading all of it), and a review pasting a whole code
 * base costs no more than a long report.
 */
export const PROSE_CHARS = 16_000;
export const CODE_CHARS = 4_000;

/** The start of a text, at most `max` characters, cut at a line end. */
function head(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.lastIndexOf('\n', max);
  return text.slice(0, cut > 0 ? cut : max);
}

/** Normalised path key: no `./`, no leading or trailing slashes, POSIX separators. */
export function normalizePath(path: string): string {
  return path.replace(/\\/g, '/').replace(/^\.\//, '').replace(/^\/+|\/+$/g, '').trim();
}

/** Whitespace- and case-folded text, for comparing a title with the start of a body. */
const fold = (t: string): string => t.replace(/[\s*_`#]+/g, ' ').trim().toLowerCase();

/**
 * Sections that do not describe the issue: the fix (kept as `recommendation`), tooling, the bare
 * code links, references. Their words are alike across unrelated reports ("use safeTransfer").
 */
const NOT_THE_ISSUE = /^(?:recommendations?|recommended|mitigations?|remediation|fix|suggested fix|tools? used|code snippets?|references?|links?)\b/i;

/** Opening or closing line of a fenced code block: its fence (``` or ~~~, 3 or more) and what follows. */
// CommonMark: a backtick fence's info string holds no backtick, so ```withdraw()``` on a line is inline code.
const FENCE = /^ {0,3}(`{3,}(?=[^`]*$)|~{3,})(.*)$/;
const HEADING = /^ {0,3}#{1,6}\s+(.*?)\s*#*\s*$/;

/**
 * Whether consolidation reads a finding's text: only when it has no excerpt to read its prose from
 * (bodyOf) or no title to name a merged finding by (mergeCluster). A build's records of the reviews
 * keep the text only then: 30.5 million characters at 10,000 reviews of the bench corpus, held
 * through consolidation, where the memory of a build peaks.
 */
export function readsText(finding: Pick<FindingRecord, 'excerpt' | 'title'>): boolean {
  return !finding.excerpt || !finding.title;
}

/**
 * The prose of a finding — without pasted code, without the sections that do not describe the
 * issue, without heading lines, and without its title when the text opens with it (`# Title`,
 * `1. **Title**: text…`): the title is weighted on its own and must not count twice — and, apart,
 * the code it pastes (fenced blocks), whose names say where. One pass over the lines.
 */
export function bodyOf(finding: FindingRecord): { prose: string; code: string } {
  const source = finding.excerpt || finding.text;
  const title = fold(finding.title);
  const kept: string[] = [];
  const code: string[] = [];
  let fence: string | null = null;
  let skipping = false;
  let first = true;
  let from = 0;
  while (from <= source.length) {
    let to = source.indexOf('\n', from);
    if (to < 0) to = source.length;
    let line = source.slice(from, to);
    from = to + 1;
    if (fence !== null) {
      const close = FENCE.exec(line);
      if (close && close[1]![0] === fence[0] && close[1]!.length >= fence.length && !close[2]!.trim()) fence = null;
      else code.push(line);
      continue;
    }
    const open = finding.excerpt ? FENCE.exec(line) : null;
    if (open) {
      fence = open[1]!;
      continue;
    }
    if (first) {
      if (!line.trim()) continue;
      first = false;
      line = withoutTitle(line, title);
    }
    const heading = HEADING.exec(line);
    if (heading) {
      skipping = NOT_THE_ISSUE.test(heading[1]!.replace(/[*_`:]/g, '').trim());
      continue;
    }
    if (!skipping) kept.push(line);
  }
  return { prose: kept.join('\n'), code: code.join('\n') };
}

/** The first line of a finding without the title it opens with, if it does (`**Title**: text` → `text`). */
function withoutTitle(line: string, title: string): string {
  if (!title) return line;
  const firstLine = line.replace(/^\s*(?:#+|\d+[.)]|[-*+])\s*/, '');
  // Only the line's start can hold the title: fold a bounded prefix, not a whole paragraph.
  if (!fold(firstLine.slice(0, 4 * title.length + 40)).startsWith(title)) return line;
  // Drop as many words from the line as the title has, then any closing markup and colon.
  const rest = firstLine.replace(/^[\s*_`#]*/, '');
  let words = title.split(' ').length;
  let at = 0;
  while (words > 0 && at < rest.length) {
    while (at < rest.length && /\s/.test(rest[at]!)) at++;
    while (at < rest.length && !/\s/.test(rest[at]!)) at++;
    words--;
  }
  return rest.slice(at).replace(/^[\s*_`:.\-–—]*/, '');
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

/** Extracts the features of one finding, interning its terms. Corpus weights come later (`weigh`). */
export function extractFeatures(review: ReviewRecord, finding: FindingRecord, vocabulary: Vocabulary): FindingFeatures {
  const body = bodyOf(finding);
  const code = textTerms(head(body.code, CODE_CHARS), 0, 0);
  // The prose without names of code: what the finding says is wrong, not where. A shared constant's
  // words must not pass for agreement on the concern (see MIN_TEXT_AGREEMENT).
  const names = new Set(finding.evidence.identifiers.map((i) => i.toLowerCase()));
  const title = textTerms(finding.title, Infinity, Infinity, names);
  const text = textTerms(head(body.prose, PROSE_CHARS), LEAD_WORDS, LEAD_WORDS, names);
  const stem = vocabulary.space('s');
  const identifier = vocabulary.space('i');
  const identifiers = new Set<number>();
  for (const raw of finding.evidence.identifiers) for (const k of identifierKeys(raw)) identifiers.add(identifier(k));
  for (const k of title.identifiers) identifiers.add(identifier(k));
  for (const k of text.identifiers) identifiers.add(identifier(k));
  for (const k of code.identifiers) identifiers.add(identifier(k));
  const places = new Map<string, LineRange[]>();
  if (finding.evidence.lines.length > 0) addRanges(places, review.subject, finding.evidence.lines);
  for (const loc of finding.evidence.locations) addRanges(places, loc.path, loc.lines);
  for (const f of finding.evidence.files) if (!places.has(normalizePath(f))) addRanges(places, f, []);
  return {
    key: `${review.id}#${finding.item}`,
    review,
    finding,
    subject: review.subject,
    titleTerms: title.stems.map(stem),
    leadTerms: text.stems.map(stem),
    proseTerms: [...title.prose, ...text.prose].map(stem),
    identifiers: [...identifiers].sort((a, b) => a - b),
    places,
    placeTerms: [],
    categoryTerms: [],
    category: finding.category,
    secondaryCategory: finding.secondaryCategory,
    titleStems: title.stems,
    titleIdentifiers: title.identifiers,
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
