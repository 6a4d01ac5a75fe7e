// Splits a finding into sentences and labels each as risk, recommendation or context.
import type { Finding, Statement, StatementKind } from '../model.js';
import { matchPhrases, phraseScore } from './match.js';
import type { CompiledLexicon } from './taxonomy.js';
import { negationMask, sentenceLabel, sentences, tokenize, type Token } from './text.js';

/** A sentence of a finding, tokenized once for every later step. */
export interface Sentence {
  text: string;
  tokens: Token[];
  negated: boolean[];
  kind: StatementKind;
  /** True for the finding's title. */
  title: boolean;
}

export interface PreparedFinding {
  title: Sentence;
  body: Sentence[];
}

/** Title without list numbering, emphasis and a trailing colon. */
export function cleanTitle(title: string): string {
  return title
    .replace(/^\s*(?:#+\s*|\d+[.)]\s*|[-*+]\s+)/, '')
    .replace(/\*\*|`/g, '')
    .replace(/(^|\s)[*_]+|[*_]+(?=\s|$)/g, '$1')
    .replace(/\s*:\s*$/, '')
    .trim();
}

const squash = (s: string) => s.replace(/[\s*_`#]+/g, ' ').trim().toLowerCase();

/** The body text: the finding's text without a repeated title, plus the recommendation if the text lacks it. */
function bodyText(finding: Finding, title: string): { text: string; recommendation: string | null } {
  let text = finding.text ?? '';
  const t = squash(title);
  const lead = squash(text.slice(0, title.length + 40));
  if (t && lead.startsWith(t)) {
    // Drop the title and the punctuation after it ("Title: text", "Title (lines 1-2): text").
    const idx = text.toLowerCase().indexOf(title.slice(0, 12).toLowerCase());
    if (idx >= 0 && idx < 20) {
      const after = text.slice(idx + title.length);
      text = after.replace(/^[^\S\n]*(?:\([^)\n]*\))?[^\S\n]*[:.\-–—]?/, '');
    }
  }
  const rec = finding.recommendation?.trim() || null;
  const recommendation = rec && !squash(text).includes(squash(rec).slice(0, 80)) ? rec : null;
  return { text, recommendation };
}

export function labelSentence(text: string, tokens: Token[], lex: CompiledLexicon): StatementKind {
  const label = sentenceLabel(text);
  if (label) {
    if (lex.recommendationLabels.has(label)) return 'recommendation';
    if (lex.riskLabels.has(label)) return 'risk';
    if (lex.contextLabels.has(label)) return 'context';
  }
  const words = tokens.filter((t) => !t.punct);
  const starts = matchPhrases(words.slice(0, lex.recommendationStarts.maxN), lex.recommendationStarts).some((m) => m.start === 0);
  const rec = phraseScore(matchPhrases(tokens, lex.recommendationCues)) + (starts ? 2 : 0);
  const risk = phraseScore(matchPhrases(tokens, lex.riskCues));
  // Advice usually names the risk it guards against, so it wins unless the risk words clearly dominate.
  if (rec >= 1.5 && rec >= 0.75 * risk) return 'recommendation';
  if (risk >= 1) return 'risk';
  return 'context';
}

function sentence(text: string, lex: CompiledLexicon, kind?: StatementKind): Sentence {
  const tokens = tokenize(text);
  const negated = negationMask(tokens, {
    triggers: lex.negationTriggers,
    pseudo: lex.negationPseudo,
    terminators: lex.negationTerminators,
    maxScope: lex.maxScope,
    maxTriggerLen: lex.maxTriggerLen,
  });
  return { text, tokens, negated, kind: kind ?? labelSentence(text, tokens, lex), title: false };
}

/** A block of code rather than prose: mostly indented lines, or dense in code punctuation. */
function isCode(block: string): boolean {
  const lines = block.split('\n').filter((l) => l.trim());
  if (!lines.length) return false;
  const indented = lines.filter((l) => /^(?: {4}|\t)/.test(l)).length;
  if (indented / lines.length >= 0.6 && lines.length > 1) return true;
  const symbols = (block.match(/[{}();=<>\[\]]/g) ?? []).length;
  return symbols / block.length > 0.06 && !/[a-z]\.\s/.test(block);
}

/** A block that is only a section heading of an audit submission ("Impact", "Recommendation"). */
function headingOf(block: string, lex: CompiledLexicon): string | null {
  const h = block.trim().replace(/^#+\s*/, '').replace(/[*:]/g, '').trim().toLowerCase();
  if (h.length > 40 || h.includes('\n')) return null;
  return lex.recommendationLabels.has(h) || lex.riskLabels.has(h) || lex.contextLabels.has(h) || SKIP_SECTIONS.has(h) ? h : null;
}

/** Sections whose content says nothing about the finding itself. */
const SKIP_SECTIONS = new Set(['tool used', 'tools used']);

/** Tokenizes and labels a finding's title and sentences; code blocks are left out. */
export function prepareFinding(finding: Finding, lex: CompiledLexicon): PreparedFinding {
  const title = cleanTitle(finding.title ?? '');
  const { text, recommendation } = bodyText(finding, title);
  const recKey = finding.recommendation ? squash(finding.recommendation) : '';
  const body: Sentence[] = [];
  let section: string | null = null;
  for (const block of text.replace(/\r\n?/g, '\n').split(/\n\s*\n/)) {
    const heading = headingOf(block, lex);
    if (heading) {
      section = heading;
      continue;
    }
    if (section && SKIP_SECTIONS.has(section)) continue;
    if (isCode(block)) continue;
    const forced: StatementKind | undefined =
      section && lex.recommendationLabels.has(section) ? 'recommendation' : section === 'impact' || section === 'risk' ? 'risk' : undefined;
    for (const s of sentences(block)) {
      // The analyze stage already found the review's recommendation: its sentences are recommendations.
      const kind = forced ?? (recKey && recKey.includes(squash(s)) ? 'recommendation' : undefined);
      body.push(sentence(s, lex, kind));
    }
  }
  if (recommendation) for (const s of sentences(recommendation)) body.push(sentence(s, lex, 'recommendation'));
  const t = sentence(title, lex, 'context');
  t.title = true;
  return { title: t, body };
}

/** The statements of a prepared finding, in order, without markdown emphasis and role labels. */
export function statementsOf(p: PreparedFinding, lex: CompiledLexicon): Statement[] {
  return p.body.map((s) => {
    let text = s.text.replace(/\*\*/g, '').trim();
    // "Solution: Ensure …" → "Ensure …": the kind already says what the label said.
    const label = sentenceLabel(text);
    if (label && (lex.recommendationLabels.has(label) || lex.riskLabels.has(label) || lex.contextLabels.has(label))) {
      const rest = text.replace(/^[^:]*:\s*/, '');
      if (rest) text = rest;
    }
    return { kind: s.kind, text };
  });
}
