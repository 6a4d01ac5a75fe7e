// Cross-review consolidation: merge the same finding across reviews, place it in subjects, stable ids, recurring themes.
import { createHash } from 'node:crypto';
import type { ConsolidatedFinding, ReviewRecord, Subject, Theme } from '../model.js';
import { candidateNeighbors } from './candidates.js';
import { graphClusters, type ClusterOptions, type Edge } from './cluster.js';
import { buildCorpus, extractFeatures, type Corpus, type FindingFeatures } from './features.js';
import { fingerprints } from './fingerprint.js';
import { byKey, mergeCluster } from './merge.js';
import { internSignals, MIN_TEXT_AGREEMENT, RELATIVE_AGREEMENT, weigh } from './similarity.js';
import { findThemes, isGenericCandidate, type PlacedFinding } from './themes.js';
import { dot, Scratch, VectorBuilder, Vocabulary } from './vector.js';

export { readsText } from './features.js';

export interface ConsolidateOptions {
  /** `subject`: merge findings within each reviewed file; `all`: across the whole input (audit contests). */
  scope: 'subject' | 'all';
  /** Called as each block is clustered (a subject; in `all` scope, the whole input): how many of how many are done. */
  onProgress?: (done: number, total: number) => void;
}

/** When two clusters merge (see ClusterOptions and docs/consolidation.md). */
export const LINKAGE: ClusterOptions = { threshold: 0.4, cohesion: 0, minGate: MIN_TEXT_AGREEMENT, relativeGate: RELATIVE_AGREEMENT };

/** Candidate pairs less similar than this are not kept as edges (see clusterBlock). */
export const MIN_EDGE = 0.1;

/** Stable, path-safe, readable id for a subject path: a slug of the path plus a short hash of it (slugs can collide). */
export function subjectId(path: string): string {
  const slug = path
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(-80)
    .replace(/^-+/, '');
  const h = createHash('sha256').update(path).digest('hex').slice(0, 8);
  return `${slug || 'subject'}-${h}`;
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Report order: most severe first, then most specific, then most corroborated, then id. */
export function compareFindings(a: ConsolidatedFinding, b: ConsolidatedFinding): number {
  return (
    (b.severityScore ?? -1) - (a.severityScore ?? -1) ||
    (b.specificity ?? -1) - (a.specificity ?? -1) ||
    b.corroboration - a.corroboration ||
    compareStrings(a.id, b.id)
  );
}

/**
 * Findings that must stay apart: those of one review (a review does not repeat itself), and the
 * reports of one auditor (`author`, the handle an audit submission opens with): contest auditors
 * file each issue once, so two of their reports are two issues. A reviewer name from metadata is
 * not used: the same model run twice on a file may well repeat a finding.
 */
function cannotLinkLabels(f: FindingFeatures): string[] {
  return f.review.author ? [`review:${f.review.id}`, `author:${f.review.author.toLowerCase()}`] : [`review:${f.review.id}`];
}

/**
 * What kind of claim a finding makes, by its classified stance: a risk in this code (concern, or
 * mitigated: the same risk said to be handled), generic advice, or praise. Different kinds are
 * different claims even about the same thing (seed 002's "keep MAX_CONNTRACK_ZONE_ID validated and
 * updated" boilerplate vs seed 003's infinite loop over zone ids); generic advice recurring across
 * files is what themes collect. Unclassified findings (null) may join any kind.
 */
const CLAIM_KIND: Record<string, number> = { concern: 0, mitigated: 0, generic: 1, positive: 2 };
function claimKind(f: FindingFeatures): number | null {
  const s = f.finding.stance;
  return s ? (CLAIM_KIND[s] ?? null) : null;
}

/** Clusters one block of findings (a subject, or the whole input) and merges each cluster. */
function clusterBlock(items: FindingFeatures[], corpus: Corpus, scratch: [Scratch, Scratch]): Array<{ members: FindingFeatures[]; finding: ConsolidatedFinding }> {
  const labelIds = new Map<string, number>();
  const labels = items.map((f) =>
    cannotLinkLabels(f).map((l) => {
      let id = labelIds.get(l);
      if (id === undefined) labelIds.set(l, (id = labelIds.size));
      return id;
    }),
  );
  const neighbors = candidateNeighbors(items, corpus);
  // Similarities of candidate pairs only, each item's vectors loaded once into dense scratch arrays.
  // A pair below MIN_EDGE is left out like a pair never proposed: it barely moves any linkage.
  const [vectors, prose] = scratch;
  const edges: Edge[] = [];
  items.forEach((f, i) => {
    vectors.load(f.vector);
    prose.load(f.prose);
    for (const j of neighbors[i]!) {
      if (j <= i) continue;
      const score = vectors.dot(items[j]!.vector);
      if (score >= MIN_EDGE) edges.push({ i, j, score, gate: prose.dot(items[j]!.prose) });
    }
  });
  vectors.clear();
  prose.clear();
  const clusters = graphClusters(items.length, edges, LINKAGE, {
    self: items.map((f) => dot(f.vector, f.vector)),
    gateSelf: items.map((f) => dot(f.prose, f.prose)),
    labels,
    kinds: items.map(claimKind),
  });
  return clusters.map((c) => {
    const members = c.map((i) => items[i]!);
    return { members, finding: mergeCluster(members) };
  });
}

/** Where a group is placed in `all` scope: the subject most of its sources review; ties to the first path. */
function majoritySubject(members: FindingFeatures[]): string {
  const counts = new Map<string, number>();
  for (const m of members) counts.set(m.subject, (counts.get(m.subject) ?? 0) + 1);
  let best = '';
  for (const [s, n] of counts) if (best === '' || n > counts.get(best)! || (n === counts.get(best)! && s < best)) best = s;
  return best;
}

/**
 * Consolidates the findings of all reviews. Deterministic: the same reviews in any order give the
 * same result. In `subject` scope only findings of reviews of the same subject merge; in `all` scope
 * any two findings may (contest mode), and each merged finding is placed in the subject most of its
 * sources belong to (ties: alphabetically first path).
 */
export function consolidate(reviews: readonly ReviewRecord[], options: ConsolidateOptions): { subjects: Subject[]; themes: Theme[] } {
  const sortedReviews = [...reviews].sort((a, b) => compareStrings(a.id, b.id));
  const vocabulary = new Vocabulary();
  const features: FindingFeatures[] = [];
  for (const r of sortedReviews) for (const f of r.findings) features.push(extractFeatures(r, f, vocabulary));
  features.sort(byKey);
  const corpus = buildCorpus(features, vocabulary);
  internSignals(features, corpus);

  const blocks = new Map<string, FindingFeatures[]>();
  for (const f of features.splice(0)) {
    const key = options.scope === 'all' ? '*' : f.subject;
    const list = blocks.get(key) ?? [];
    list.push(f);
    blocks.set(key, list);
  }

  // Vectors are made block by block and let go with their block: at repository scale every finding's
  // vectors at once were a good part of the heap. Only recurring advice is compared across blocks (themes).
  const builder = new VectorBuilder(vocabulary.size);
  const scratch: [Scratch, Scratch] = [new Scratch(vocabulary.size), new Scratch(vocabulary.size)];
  const placed: PlacedFinding[] = [];
  const scopeKeys = [...blocks.keys()].sort(compareStrings);
  for (const [done, scopeKey] of scopeKeys.entries()) {
    const items = blocks.get(scopeKey)!;
    blocks.delete(scopeKey);
    weigh(items, corpus, builder);
    const groups = clusterBlock(items, corpus, scratch);
    const ids = fingerprints(
      scopeKey,
      groups.map((g) => ({ members: g.members, category: g.finding.category })),
    );
    groups.forEach((g, k) => {
      g.finding.id = ids[k]!;
      const subject = options.scope === 'all' ? majoritySubject(g.members) : scopeKey;
      placed.push({ finding: g.finding, members: isGenericCandidate(g.finding) ? g.members : [], subject });
    });
    options.onProgress?.(done + 1, scopeKeys.length);
  }

  const themes = findThemes(placed);

  const subjectReviews = new Map<string, ReviewRecord[]>();
  for (const r of sortedReviews) {
    const list = subjectReviews.get(r.subject) ?? [];
    list.push(r);
    subjectReviews.set(r.subject, list);
  }
  const bySubject = new Map<string, ConsolidatedFinding[]>();
  for (const p of placed) {
    const list = bySubject.get(p.subject) ?? [];
    list.push(p.finding);
    bySubject.set(p.subject, list);
  }
  const subjects: Subject[] = [...subjectReviews.entries()]
    .sort((a, b) => compareStrings(a[0], b[0]))
    .map(([path, rs]) => ({
      id: subjectId(path),
      path,
      inferred: rs.every((r) => r.subjectInferred),
      reviews: rs.map((r) => r.id),
      findings: (bySubject.get(path) ?? []).sort(compareFindings),
    }));
  return { subjects, themes };
}
