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
    .replace(/[*_`]/g, '')
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
  if (rec >= 1.5 && rec >= risk) return 'recommendation';
  if (risk >= 1) return 'risk';
  return 'context';
}

function sentence(text: string, lex: CompiledLexicon, kind?: StatementKind): Sentence {
  const tokens = tokenize(text);
  const negated = negationMask(tokens, {
    triggers: lex.negationTriggers,
    terminators: lex.negationTerminators,
    maxScope: lex.maxScope,
    maxTriggerLen: lex.maxTriggerLen,
  });
  return { text, tokens, negated, kind: kind ?? labelSentence(text, tokens, lex), title: false };
}

/** Tokenizes and labels a finding's title and sentences. */
export function prepareFinding(finding: Finding, lex: CompiledLexicon): PreparedFinding {
  const title = cleanTitle(finding.title ?? '');
  const { text, recommendation } = bodyText(finding, title);
  const body = sentences(text).map((s) => sentence(s, lex));
  if (recommendation) for (const s of sentences(recommendation)) body.push(sentence(s, lex, 'recommendation'));
  const t = sentence(title, lex, 'context');
  t.title = true;
  return { title: t, body };
}

/** The statements of a prepared finding, in order, without label prefixes' markdown. */
export function statementsOf(p: PreparedFinding): Statement[] {
  return p.body.map((s) => ({ kind: s.kind, text: s.text.replace(/\*\*/g, '').trim() }));
}
