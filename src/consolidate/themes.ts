// Recurring themes: evidence-free advice that recurs across subjects ("keep dependencies updated"), grouped once.
import type { ConsolidatedFinding, Theme } from '../model.js';
import { graphClusters, type Edge } from './cluster.js';
import type { FindingFeatures } from './features.js';
import { fingerprints } from './fingerprint.js';
import { textIdentifiers } from './text.js';
import { add, dot, normalized, type SparseVector } from './vector.js';

/** A consolidated finding with the features of its sources and the subject it was placed in. */
export interface PlacedFinding {
  finding: ConsolidatedFinding;
  subject: string;
  /** The features of its sources: needed only when it may be recurring advice (see isGenericCandidate). */
  members: FindingFeatures[];
}

/** Findings with at most this specificity (classifier's [0, 1]) count as unspecific. */
export const GENERIC_SPECIFICITY = 0.35;
/** Unclassified advice joins a theme while its mean word similarity to the theme's findings is at least this. */
export const THEME_THRESHOLD = 0.3;
/** Each theme unit is indexed by this many of its heaviest words, to find units worth comparing. */
const INDEX_TERMS = 16;
/** A word indexed by more units than this proposes no pairs. */
const MAX_POSTING = 400;

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

/** The advice's words without names of code (which library it names does not change the advice): a unit vector. */
function adviceVector(members: FindingFeatures[]): SparseVector {
  let v: SparseVector = { idx: new Int32Array(0), val: new Float64Array(0) };
  for (const m of members) v = add(v, m.prose);
  return normalized(v);
}

/** A unit of theme clustering: the classified advice of one category, or one unclassified piece of advice. */
interface Unit {
  items: number[];
  category: string | null;
  /** Sum of the items' advice vectors. */
  sum: SparseVector;
}

/**
 * Groups generic findings into themes and keeps those spanning at least two subjects, setting
 * `theme` on their findings. Classified, the category decides: generic advice about one category is
 * one recurring piece of advice however it is worded (dependency updates, least privilege, logging).
 * Unclassified advice joins a category's advice, or other unclassified advice, by its words: average
 * linkage (its mean similarity to all of a group's findings) over pairs that share a heavy word, so
 * "logging" advice does not chain into "dependency" advice. Cost: linear in the candidates, plus the
 * pairs the word index proposes.
 */
export function findThemes(placed: PlacedFinding[]): Theme[] {
  const candidates = placed.filter((p) => isGenericCandidate(p.finding));
  if (candidates.length < 2) return [];
  candidates.sort((a, b) => (a.finding.id < b.finding.id ? -1 : a.finding.id > b.finding.id ? 1 : 0));
  const vectors = candidates.map((c) => adviceVector(c.members));

  const units: Unit[] = [];
  const byCategory = new Map<string, Unit>();
  candidates.forEach((c, i) => {
    const category = c.finding.category;
    let unit = category ? byCategory.get(category) : undefined;
    if (!unit) {
      unit = { items: [], category, sum: { idx: new Int32Array(0), val: new Float64Array(0) } };
      units.push(unit);
      if (category) byCategory.set(category, unit);
    }
    unit.items.push(i);
    unit.sum = add(unit.sum, vectors[i]!);
  });

  // Pairs worth comparing: units sharing one of their heaviest words, one side unclassified
  // (two categories are two different pieces of advice).
  const postings = new Map<number, number[]>();
  units.forEach((u, k) => {
    const order = Array.from(u.sum.idx.keys()).sort((x, y) => u.sum.val[y]! - u.sum.val[x]! || u.sum.idx[x]! - u.sum.idx[y]!);
    for (const p of order.slice(0, INDEX_TERMS)) {
      const term = u.sum.idx[p]!;
      const list = postings.get(term) ?? [];
      list.push(k);
      postings.set(term, list);
    }
  });
  const seen = new Set<number>();
  const edges: Edge[] = [];
  for (const list of postings.values()) {
    // A word shared by very many pieces of advice is not what tells them apart, and would cost its square.
    if (list.length > MAX_POSTING) continue;
    for (let x = 0; x < list.length; x++)
      for (let y = x + 1; y < list.length; y++) {
        const i = list[x]!;
        const j = list[y]!;
        if (units[i]!.category && units[j]!.category) continue;
        const key = i * units.length + j;
        if (seen.has(key)) continue;
        seen.add(key);
        const score = dot(units[i]!.sum, units[j]!.sum);
        if (score > 0) edges.push({ i, j, score, gate: 1 });
      }
  }
  const clusters = graphClusters(units.length, edges, { threshold: THEME_THRESHOLD, cohesion: 1, minGate: 0, relativeGate: 0 }, {
    self: units.map((u) => u.items.length),
    gateSelf: units.map(() => 1),
    labels: units.map(() => []),
    kinds: units.map(() => null),
    sizes: units.map((u) => u.items.length),
  })
    .map((c) => c.flatMap((k) => units[k]!.items).sort((a, b) => a - b))
    .filter((c) => new Set(c.map((i) => candidates[i]!.subject)).size >= 2);
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
function pickTitle(items: PlacedFinding[], vectors: SparseVector[]): string {
  // Unit vectors: an item's summed cosine to the others is its dot product with their sum.
  let sum: SparseVector = { idx: new Int32Array(0), val: new Float64Array(0) };
  for (const v of vectors) sum = add(sum, v);
  const ranked = items.map((it, i) => {
    const centrality = dot(vectors[i]!, sum) - dot(vectors[i]!, vectors[i]!);
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
