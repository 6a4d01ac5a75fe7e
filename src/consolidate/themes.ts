// Recurring themes: evidence-free advice that recurs across subjects ("keep dependencies updated"), grouped once.
import type { ConsolidatedFinding, Theme } from '../model.js';
import { graphClusters, type Edge } from './cluster.js';
import type { FindingFeatures } from './features.js';
import { fingerprints } from './fingerprint.js';
import { textIdentifiers } from './text.js';
import { add, cosine, normalized, type SparseVector } from './vector.js';

/** A consolidated finding with the features of its sources and the subject it was placed in. */
export interface PlacedFinding {
  finding: ConsolidatedFinding;
  subject: string;
  members: FindingFeatures[];
}

/** Findings with at most this specificity (classifier's [0, 1]) count as unspecific. */
export const GENERIC_SPECIFICITY = 0.35;
/** Two generic findings in different subjects belong to one theme from this average similarity on. */
export const THEME_THRESHOLD = 0.3;
/** Below this much agreement in words, a shared category alone does not make two pieces of advice one theme. */
const THEME_MIN_TEXT = 0.1;
/** Weights of theme similarity: the words of the advice, and its category when classified. */
const THEME_WEIGHTS = { text: 0.6, category: 0.4 } as const;

/**
 * Boilerplate candidate: it cites no lines in any file, and either the classifier calls it generic,
 * or it has low specificity, or (unclassified) nothing says otherwise. Advice praised as done
 * (`positive`) is not recurring advice. Works without classification: then every finding that
 * cites no lines is a candidate, and only recurrence across subjects makes it a theme.
 */
export function isGenericCandidate(f: ConsolidatedFinding): boolean {
  const e = f.evidence;
  if (e.lines.length > 0 || e.locations.some((l) => l.lines.length > 0)) return false;
  if (f.stance === 'generic') return true;
  if (f.stance === 'positive') return false;
  return f.specificity === null || f.specificity <= GENERIC_SPECIFICITY;
}

/** The advice's words without names of code (which library it names does not change the advice). */
function centroid(members: FindingFeatures[]): SparseVector {
  let v: SparseVector = { idx: new Int32Array(0), val: new Float64Array(0) };
  for (const m of members) v = add(v, m.prose);
  return normalized(v);
}

/**
 * Theme similarity: classified, the category decides most (two pieces of generic advice about
 * the same category are the same recurring advice, however worded) and the words the rest;
 * unclassified, the words alone, and they must agree at least THEME_MIN_TEXT.
 */
function themeSimilarity(a: PlacedFinding, va: SparseVector, b: PlacedFinding, vb: SparseVector): number {
  const text = cosine(va, vb);
  const fa = a.finding;
  const fb = b.finding;
  if (!fa.category || !fb.category) return text < THEME_MIN_TEXT ? 0 : text;
  const category =
    fa.category === fb.category ? 1 : fa.category === fb.secondaryCategory || fa.secondaryCategory === fb.category ? 0.5 : 0;
  return THEME_WEIGHTS.text * text + THEME_WEIGHTS.category * category;
}

/**
 * Groups generic findings of different subjects into themes (average-link, so "logging" advice does
 * not chain into "dependency" advice), keeps groups spanning at least two subjects, and sets
 * `theme` on their findings. Pairwise over the candidates: they are few (boilerplate only) and
 * usually far fewer than findings; blocking by category keeps it bounded when classified.
 */
export function findThemes(placed: PlacedFinding[]): Theme[] {
  const candidates = placed.filter((p) => isGenericCandidate(p.finding));
  if (candidates.length < 2) return [];
  candidates.sort((a, b) => (a.finding.id < b.finding.id ? -1 : a.finding.id > b.finding.id ? 1 : 0));
  const vectors = candidates.map((c) => centroid(c.members));
  const edges: Edge[] = [];
  const blocks = new Map<string, number[]>();
  candidates.forEach((c, i) => {
    const key = c.finding.category ?? '';
    blocks.set(key, [...(blocks.get(key) ?? []), i]);
  });
  const unclassified = blocks.get('') ?? [];
  const pairsOf = (list: number[], others: number[]): void => {
    for (const i of list)
      for (const j of others) {
        if (j <= i || candidates[i]!.subject === candidates[j]!.subject) continue;
        const s = themeSimilarity(candidates[i]!, vectors[i]!, candidates[j]!, vectors[j]!);
        if (s > 0) edges.push({ i, j, score: s, gate: 1 });
      }
  };
  for (const [key, list] of blocks) {
    pairsOf(list, list);
    if (key !== '') {
      pairsOf(list, unclassified);
      pairsOf(unclassified, list);
    }
  }
  // Average linkage over theme similarity; findings of one subject may share a theme (no cannot-links).
  const ones = candidates.map(() => 1);
  const clusters = graphClusters(candidates.length, edges, { threshold: THEME_THRESHOLD, cohesion: 1, minGate: 0, relativeGate: 0 }, {
    self: ones,
    gateSelf: ones,
    labels: candidates.map(() => []),
    kinds: candidates.map(() => null),
  }).filter((c) => new Set(c.map((i) => candidates[i]!.subject)).size >= 2);
  const groups = clusters.map((c) => ({
    members: c.flatMap((i) => candidates[i]!.members),
    category: mostCommon(c.map((i) => candidates[i]!.finding.category)),
  }));
  const ids = fingerprints('theme', groups, { identifiers: false, heads: groups.map((g) => g.category) });
  const themes: Theme[] = clusters.map((c, k) => {
    const items = c.map((i) => candidates[i]!);
    const id = `theme-${ids[k]}`;
    for (const it of items) it.finding.theme = id;
    const title = pickTitle(items, c.map((i) => vectors[i]!));
    return {
      id,
      title,
      category: mostCommon(items.map((it) => it.finding.category)),
      subjects: [...new Set(items.map((it) => it.subject))].sort(),
      findings: items.map((it) => it.finding.id).sort(),
    };
  });
  return themes.sort((a, b) => b.subjects.length - a.subjects.length || (a.id < b.id ? -1 : 1));
}

function mostCommon(values: Array<string | null>): string | null {
  const counts = new Map<string, number>();
  for (const v of values) if (v) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best: string | null = null;
  for (const [v, n] of counts) if (best === null || n > counts.get(best)! || (n === counts.get(best)! && v < best)) best = v;
  return best;
}

/**
 * The theme's title: a title that names no code (advice, not a finding about `nl_lib`), then the
 * most central, then the shorter, then alphabetical.
 */
function pickTitle(items: PlacedFinding[], vectors: Array<SparseVector>): string {
  const ranked = items.map((it, i) => {
    let centrality = 0;
    vectors.forEach((v, j) => {
      if (j !== i) centrality += cosine(vectors[i]!, v);
    });
    const title = it.finding.title;
    return { title, namesCode: textIdentifiers(title).length > 0 || /`/.test(title), centrality };
  });
  ranked.sort(
    (a, b) =>
      Number(a.namesCode) - Number(b.namesCode) ||
      b.centrality - a.centrality ||
      a.title.length - b.title.length ||
      (a.title < b.title ? -1 : a.title > b.title ? 1 : 0),
  );
  return ranked[0]!.title;
}
