// Decides the review's stance on a finding (concern, mitigated, positive, generic) and how specific its evidence is.
import type { Evidence, Severity, Stance } from '../model.js';
import type { CueFire } from './category.js';
import { matchPhrases, type Match } from './match.js';
import type { PreparedFinding } from './statements.js';
import type { CompiledLexicon, PhraseIndex } from './taxonomy.js';

export interface StanceResult {
  stance: Stance;
  specificity: number;
  /** Readable reasons: which stance cues fired. */
  reasons: string[];
  hedging: number;
}

interface Hit {
  phrase: string;
  weight: number;
  /** Document position: sentence index, then token index. */
  pos: number;
}

function hits(p: PreparedFinding, index: PhraseIndex, opts: { skipRecommendations: boolean; skipNegated: boolean }): Hit[] {
  const out: Hit[] = [];
  [p.title, ...p.body].forEach((s, si) => {
    if (opts.skipRecommendations && s.kind === 'recommendation') return;
    for (const m of matchPhrases(s.tokens, index, s.negated) as Match[]) {
      if (opts.skipNegated && m.negated) continue;
      out.push({ phrase: m.cues[0]!.phrase, weight: m.cues[0]!.weight, pos: si * 100000 + m.start });
    }
  });
  return out;
}

const sum = (h: Hit[]) => h.reduce((a, b) => a + b.weight, 0);
const names = (h: Hit[]) => [...new Set(h.map((x) => `"${x.phrase}"`))].slice(0, 3).join(', ');

/**
 * The rule, in order:
 * 1. mitigated — the review says the risk is handled ("inputs are controlled", "no evidence that …",
 *    or a risk cue inside a negation scope), outside advice sentences, and no contrast ("but",
 *    "however", "the risk remains") follows the last such statement;
 * 2. positive — praise ("is a good practice") with no risk asserted and no risk sentence;
 * 3. concern — evidence from this code (cited lines 4, identifiers up to 1.5, files 1, a stated
 *    severity 3, a specific mechanism cue 1) plus concrete risk assertions ("an attacker can",
 *    "missing", "this is a security risk") outweigh boilerplate ("it's important to ensure",
 *    "keep … up to date", "potential security risks"; half weight inside recommendations) and
 *    hedging; with no evidence at all, the assertions alone must reach 3.5;
 * 4. generic otherwise.
 */
export function decideStance(
  p: PreparedFinding,
  evidence: Evidence | undefined,
  fired: CueFire[],
  statedSeverity: Severity | null,
  lex: CompiledLexicon,
): StanceResult {
  const reasons: string[] = [];
  const mitigation = hits(p, lex.mitigation, { skipRecommendations: true, skipNegated: true });
  // A risk cue the review negates ("not directly influenced by external user inputs") is a mitigation too.
  // A negated weakness ("cannot overflow", "not influenced by user input") says it is handled; only
  // phrases that name a weakness count ("no one can deposit into the vault" negates none), and not
  // when the review rates the finding: an audit's "no slippage", "without collateral" is the defect.
  const negatedRisk = statedSeverity ? [] : fired.filter((f) => f.negated && !f.control && f.where === 'text' && f.weight >= 2.5);
  const contrast = hits(p, lex.contrast, { skipRecommendations: true, skipNegated: false });
  const praise = hits(p, lex.praise, { skipRecommendations: true, skipNegated: true });
  const concern = hits(p, lex.concern, { skipRecommendations: true, skipNegated: true });
  // Negated boilerplate ("this is not a security issue") is not boilerplate, except inside advice,
  // where "ensure it does not allow potential security risks" is still advice.
  const onlyAdvice = { ...p, title: { ...p.title, tokens: [], negated: [] }, body: p.body.map((s) => (s.kind === 'recommendation' ? s : { ...s, tokens: [], negated: [] })) };
  const genericInAdvice = hits(onlyAdvice, lex.generic, { skipRecommendations: false, skipNegated: false });
  const generic = [...hits(p, lex.generic, { skipRecommendations: true, skipNegated: true }), ...genericInAdvice];
  const hedges = hits(p, lex.hedging, { skipRecommendations: true, skipNegated: false });
  const riskSentences = p.body.filter((s) => s.kind === 'risk').length;

  const lastMitigation = Math.max(-1, ...mitigation.map((h) => h.pos));
  const mitigationScore = sum(mitigation) + Math.min(2, negatedRisk.length);
  const contradicted = contrast.some((c) => c.pos > lastMitigation);

  const lines = evidence?.lines.length ?? 0;
  const ids = evidence?.identifiers.length ?? 0;
  const files = (evidence?.files.length ?? 0) + (evidence?.locations.length ?? 0);
  const mechanism = Math.max(0, ...fired.filter((f) => !f.control && !f.negated && f.where !== 'recommendation').map((f) => f.weight));

  const evidenceScore = (lines ? 4 : 0) + Math.min(1.5, 0.75 * ids) + (files ? 1 : 0) + (statedSeverity ? 3 : 0) + (mechanism >= 2.5 ? 1 : 0);
  const concernScore = evidenceScore + sum(concern);
  // Advice in a recommendation is expected even for real defects: it weighs half.
  const genericScore = sum(generic) - 0.5 * sum(genericInAdvice) + 0.5 * sum(hedges);
  // Without any evidence from this code, only a strong, concrete assertion makes a concern.
  const supported = evidenceScore > 1 || sum(concern) >= 3.5;

  let stance: Stance;
  if (mitigationScore >= 2 && !contradicted) {
    stance = 'mitigated';
    reasons.push(`stance mitigated: ${names(mitigation) || negatedRisk.map((f) => `"${f.phrase}" (negated)`).slice(0, 2).join(', ')}`);
  } else if (sum(praise) >= 2 && sum(concern) < 1.5 && riskSentences === 0) {
    stance = 'positive';
    reasons.push(`stance positive: ${names(praise)}`);
  } else if (supported && concernScore > genericScore) {
    stance = 'concern';
    const why = [lines ? 'cited lines' : '', ids ? 'identifiers' : '', files ? 'files' : '', statedSeverity ? 'stated severity' : ''].filter(Boolean);
    reasons.push(`stance concern: ${[...why, names(concern)].filter(Boolean).join(', ') || 'specific mechanism'}`);
  } else {
    stance = 'generic';
    reasons.push(`stance generic: ${names(generic) || 'no evidence from this code'}`);
  }

  // Specificity: how much file-specific evidence backs the finding, minus boilerplate.
  const specificity =
    0.35 * (lines ? 1 : 0) +
    0.2 * Math.min(1, ids / 2) +
    0.15 * (files ? 1 : 0) +
    0.2 * Math.min(1, mechanism / 3) +
    0.1 * Math.min(1, sum(concern) / 3) -
    0.2 * Math.min(1, genericScore / 5);
  return { stance, specificity: Math.round(Math.max(0, Math.min(1, specificity)) * 100) / 100, reasons, hedging: sum(hedges) };
}
