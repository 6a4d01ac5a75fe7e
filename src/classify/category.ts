// Scores a prepared finding against every category's cues: the primary and secondary category, CWE ids, confidence, reasons.
import { matchPhrases } from './match.js';
import type { PreparedFinding, Sentence } from './statements.js';
import type { Taxonomy } from './taxonomy.js';

/** Where a cue sits weighs how much it says about the topic: the title names it, advice only mentions it. */
export const TITLE_WEIGHT = 2.5;
export const RECOMMENDATION_WEIGHT = 0.5;
/**
 * A risk cue inside a negation scope ("no evidence of command injection") still names the topic but
 * is not a claim about it: it counts a quarter. A negated control ("no access control", "without
 * validation") is the claim itself and counts in full.
 */
export const NEGATED_RISK_WEIGHT = 0.25;
/** Below this total, nothing fits well enough: the finding is `other` rather than a forced guess. */
export const OTHER_THRESHOLD = 2.5;
/** The runner-up becomes the secondary category when it reaches this share of the winner's score. */
export const SECONDARY_SHARE = 0.5;

export interface CueFire {
  category: string;
  phrase: string;
  cwe?: number;
  control: boolean;
  where: 'title' | 'text' | 'recommendation';
  negated: boolean;
  /** The cue's compiled weight (specificity × IDF). */
  weight: number;
  /** Its contribution here: weight × place × negation. */
  value: number;
}

export interface CategoryResult {
  category: string;
  secondary: string | null;
  scores: Map<string, number>;
  confidence: number;
  cwe: number[];
  /** Cues of the chosen categories, strongest first. */
  fired: CueFire[];
  /** Every cue that fired, for stance and specificity. */
  all: CueFire[];
}

/**
 * Titles name the weakness first and then where or when it happens: "Division by zero in
 * sharePrice() when the vault is empty". Words after the first location/condition word weigh half,
 * so the place ("sharePrice", "fee calculation") does not outvote the weakness.
 */
const TITLE_TAIL = new Set(['in', 'when', 'if', 'on', 'at', 'for', 'after', 'during', 'within', 'inside', 'while', 'whenever']);

function titleTailStart(s: Sentence): number {
  for (let i = 1; i < s.tokens.length; i++) if (TITLE_TAIL.has(s.tokens[i]!.norm)) return i;
  return s.tokens.length;
}

function fires(s: Sentence, tax: Taxonomy): CueFire[] {
  const where = s.title ? 'title' : s.kind === 'recommendation' ? 'recommendation' : 'text';
  const factor = s.title ? TITLE_WEIGHT : s.kind === 'recommendation' ? RECOMMENDATION_WEIGHT : 1;
  const tail = s.title ? titleTailStart(s) : Infinity;
  const out: CueFire[] = [];
  for (const m of matchPhrases(s.tokens, tax.cues, s.negated)) {
    const place = m.start >= tail ? 0.5 : 1;
    for (const c of m.cues) {
      const neg = m.negated && !c.control ? NEGATED_RISK_WEIGHT : 1;
      const f: CueFire = { category: c.category!, phrase: c.phrase, control: !!c.control, where, negated: m.negated, weight: c.weight, value: c.weight * factor * neg * place };
      if (c.cwe !== undefined) f.cwe = c.cwe;
      out.push(f);
    }
  }
  return out;
}

/**
 * A category's score: its specific cues (weight ≥ 2) add up, while topic words (weight < 2: "vault",
 * "deposit", "port") count in full up to TOPIC_CAP and a quarter beyond it, so a pile of context words
 * cannot outvote one phrase that names the weakness.
 */
export const TOPIC_CAP = 3;
const SPECIFIC = 2;

function categoryScores(byCat: Map<string, Map<string, CueFire[]>>, countNegated: boolean): Map<string, number> {
  const scores = new Map<string, number>();
  for (const [cat, phrases] of byCat) {
    let specific = 0;
    let topic = 0;
    for (const list of phrases.values()) {
      const v = aggregate(list.map((f) => (countNegated && f.negated && !f.control ? f.value / NEGATED_RISK_WEIGHT : f.value)));
      if (list[0]!.weight >= SPECIFIC) specific += v;
      else topic += v;
    }
    const s = specific + (topic <= TOPIC_CAP ? topic : TOPIC_CAP + 0.25 * (topic - TOPIC_CAP));
    scores.set(cat, Math.round(s * 1000) / 1000);
  }
  return scores;
}

/** A phrase said again confirms the topic but does not multiply it: the strongest mention and a quarter of the next. */
function aggregate(values: number[]): number {
  const [a = 0, b = 0] = [...values].sort((x, y) => y - x);
  return a + 0.25 * b;
}

export function scoreCategories(p: PreparedFinding, tax: Taxonomy): CategoryResult {
  const all = [p.title, ...p.body].flatMap((s) => fires(s, tax));
  // category → phrase → contributions
  const byCat = new Map<string, Map<string, CueFire[]>>();
  for (const f of all) {
    const phrases = byCat.get(f.category) ?? new Map<string, CueFire[]>();
    const list = phrases.get(f.phrase) ?? [];
    list.push(f);
    phrases.set(f.phrase, list);
    byCat.set(f.category, phrases);
  }
  const scores = categoryScores(byCat, false);
  // When nothing affirmed reaches the threshold, the topic the review negates is still its topic
  // ("There is no evidence of command execution …"): the stance will say it is handled.
  const affirmedBest = Math.max(0, ...[...scores.entries()].filter(([id]) => id !== 'other').map(([, v]) => v));
  if (affirmedBest < OTHER_THRESHOLD) {
    const full = categoryScores(byCat, true);
    const fullBest = Math.max(0, ...[...full.entries()].filter(([id]) => id !== 'other').map(([, v]) => v));
    if (fullBest >= OTHER_THRESHOLD) for (const [k, v] of full) scores.set(k, v);
  }
  // Ties break by taxonomy order, so results do not depend on Map iteration order.
  const order = new Map(tax.categories.map((c, i) => [c.id, i]));
  const ranked = [...scores.entries()]
    .filter(([id]) => id !== 'other')
    .sort((a, b) => b[1] - a[1] || (order.get(a[0]) ?? 0) - (order.get(b[0]) ?? 0));
  const [best, second] = ranked;
  const bestScore = best?.[1] ?? 0;
  const secondScore = second?.[1] ?? 0;

  if (!best || bestScore < OTHER_THRESHOLD) {
    return {
      category: 'other',
      secondary: best && bestScore >= OTHER_THRESHOLD * SECONDARY_SHARE ? best[0] : null,
      scores,
      // Confident it is "other" when no cue came close.
      confidence: round(0.5 + 0.4 * (1 - bestScore / OTHER_THRESHOLD)),
      cwe: [],
      fired: best ? strongest(byCat.get(best[0])!) : [],
      all,
    };
  }
  const secondary = second && secondScore >= SECONDARY_SHARE * bestScore && secondScore >= OTHER_THRESHOLD * SECONDARY_SHARE ? second[0] : null;
  // Confidence grows with the evidence (saturating) and with the margin over the runner-up.
  const strength = 1 - Math.exp(-bestScore / 4);
  const margin = (bestScore - secondScore) / bestScore;
  const confidence = round(strength * (0.55 + 0.45 * margin));

  const fired = strongest(byCat.get(best[0])!);
  const cat = tax.categories.find((c) => c.id === best[0])!;
  const specific = fired.filter((f) => f.cwe !== undefined && !(f.negated && !f.control)).map((f) => f.cwe!);
  const cwe = [...new Set(specific.length ? [...specific, ...cat.cwe.slice(0, 1)] : cat.cwe)];
  if (secondary) fired.push(...strongest(byCat.get(secondary)!).slice(0, 3));
  return { category: best[0], secondary, scores, confidence, cwe, fired, all };
}

/** One entry per phrase (its strongest mention), strongest first, ties by phrase. */
function strongest(phrases: Map<string, CueFire[]>): CueFire[] {
  return [...phrases.values()]
    .map((list) => list.reduce((a, b) => (b.value > a.value ? b : a)))
    .sort((a, b) => b.value - a.value || a.phrase.localeCompare(b.phrase));
}

export function round(n: number): number {
  return Math.round(Math.max(0, Math.min(1, n)) * 100) / 100;
}
