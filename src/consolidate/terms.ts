// What similarity reads of one finding's own text (stems of its title and lead, names of code): made where the review is analysed, cached with it, interned where findings are compared.
import type { FindingRecord } from '../model.js';
import { identifierKeys, textTerms } from './text.js';

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
export function bodyOf(finding: Pick<FindingRecord, 'title' | 'excerpt' | 'text'>): { prose: string; code: string } {
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

/**
 * The terms of one finding, from its text and evidence alone: no other finding or review changes them,
 * so a worker makes them with the analysis and the cache keeps them (consolidation, on the main
 * thread, then only interns them). Lists in the order consolidation interns them, which numbers its
 * terms in first-seen order: that keeps the same ids, and so the same sums, as making them there.
 */
export interface FindingTerms {
  /** Identifier keys the finding names (evidence, identifier-shaped tokens of title, prose and pasted code), unique, first seen first. */
  identifiers: string[];
  /** Content stems of the title, in order. */
  titleStems: string[];
  /** Content stems of the lead of the prose: its first `LEAD_WORDS`. */
  leadStems: string[];
  /** Stems of title and lead without any identifier: the words about *what* is wrong. */
  proseStems: string[];
  /** Identifier keys named in the title, in order (for ids). */
  titleIdentifiers: string[];
}

export function findingTerms(finding: Pick<FindingRecord, 'title' | 'excerpt' | 'text' | 'evidence'>): FindingTerms {
  const body = bodyOf(finding);
  const code = textTerms(head(body.code, CODE_CHARS), 0, 0);
  // The prose without names of code: what the finding says is wrong, not where. A shared constant's
  // words must not pass for agreement on the concern (see MIN_TEXT_AGREEMENT).
  const names = new Set(finding.evidence.identifiers.map((i) => i.toLowerCase()));
  const title = textTerms(finding.title, Infinity, Infinity, names);
  const text = textTerms(head(body.prose, PROSE_CHARS), LEAD_WORDS, LEAD_WORDS, names);
  const identifiers = new Set<string>();
  for (const raw of finding.evidence.identifiers) for (const k of identifierKeys(raw)) identifiers.add(k);
  for (const k of title.identifiers) identifiers.add(k);
  for (const k of text.identifiers) identifiers.add(k);
  for (const k of code.identifiers) identifiers.add(k);
  return {
    identifiers: [...identifiers],
    titleStems: title.stems,
    leadStems: text.stems,
    proseStems: [...title.prose, ...text.prose],
    titleIdentifiers: title.identifiers,
  };
}

/** The fields of FindingTerms in the order they are encoded. */
const FIELDS = ['identifiers', 'titleStems', 'leadStems', 'proseStems', 'titleIdentifiers'] as const;

/**
 * FindingTerms as one string, a line per field, a space between terms: stems and identifier keys
 * hold neither (they are made of `text.ts` tokens), and one short string per finding is far less to
 * parse, send and hold than a hundred.
 */
export function encodeTerms(terms: FindingTerms): string {
  return FIELDS.map((field) => terms[field].join(' ')).join('\n');
}

/** Reads what encodeTerms made; null for anything else (then the terms are made again from the text). */
export function decodeTerms(encoded: unknown): FindingTerms | null {
  if (typeof encoded !== 'string') return null;
  const lines = encoded.split('\n');
  if (lines.length !== FIELDS.length) return null;
  const list = (line: string): string[] => (line === '' ? [] : line.split(' '));
  return {
    identifiers: list(lines[0]!),
    titleStems: list(lines[1]!),
    leadStems: list(lines[2]!),
    proseStems: list(lines[3]!),
    titleIdentifiers: list(lines[4]!),
  };
}
