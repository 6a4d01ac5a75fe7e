// Merges a cluster of findings into one consolidated finding: representative title, evidence, sources, strongest stance and severity.
import type { ConsolidatedFinding, Evidence, FileRef, LineRange, Severity, Source, Stance } from '../model.js';
import type { FindingFeatures } from './features.js';
import { contentStems, dice } from './text.js';
import { dot, fromMap, type SparseVector } from './vector.js';

/**
 * Strongest stance wins: one review raising a concern tied to the code outweighs others calling it
 * handled, generic or fine (the point of a security KB is not to lose a raised concern).
 */
export const STANCE_RANK: Record<Stance, number> = { concern: 4, mitigated: 3, generic: 2, positive: 1 };
/** Highest severity wins, for the same reason. */
export const SEVERITY_RANK: Record<Severity, number> = { critical: 5, high: 4, medium: 3, low: 2, info: 1 };

/** Two recommendations this similar (stem Jaccard) say the same thing; the fuller wording is kept. */
const RECOMMENDATION_DUPLICATE = 0.6;

/** Source order: by review id, then item number. */
export function byKey(a: FindingFeatures, b: FindingFeatures): number {
  const ra = a.review.id;
  const rb = b.review.id;
  if (ra !== rb) return ra < rb ? -1 : 1;
  return a.finding.item - b.finding.item;
}

export function strongestStance(stances: Array<Stance | null>): Stance | null {
  let best: Stance | null = null;
  for (const s of stances) if (s && (!best || STANCE_RANK[s] > STANCE_RANK[best])) best = s;
  return best;
}

export function highestSeverity(severities: Array<Severity | null>): Severity | null {
  let best: Severity | null = null;
  for (const s of severities) if (s && (!best || SEVERITY_RANK[s] > SEVERITY_RANK[best])) best = s;
  return best;
}

function maxOrNull(values: Array<number | null>): number | null {
  let best: number | null = null;
  for (const v of values) if (v !== null && Number.isFinite(v) && (best === null || v > best)) best = v;
  return best;
}

/** Most frequent non-null value; ties go to the lexicographically first (order-independent). */
export function majority(values: Array<string | null>): string | null {
  const counts = new Map<string, number>();
  for (const v of values) if (v) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best: string | null = null;
  for (const [v, n] of counts) {
    const bn = best === null ? 0 : counts.get(best)!;
    if (n > bn || (n === bn && best !== null && v < best)) best = v;
  }
  return best;
}

/** How much a finding pins itself to code: classifier specificity when known, else cited lines and identifiers. */
export function evidenceStrength(f: FindingFeatures): number {
  if (f.finding.specificity !== null) return f.finding.specificity;
  const e = f.finding.evidence;
  const n = e.lines.length + e.locations.length + e.identifiers.length;
  return n / (n + 2);
}

/**
 * The representative: the most central member (highest mean cosine to the others), then the most
 * specific, then the most informative title (more content words, up to 8), then the key. So the
 * title shown is the one the group agrees on most, not whichever review came first. Members'
 * vectors are unit vectors, so a member's mean cosine to the others is its dot product with their
 * sum: one pass over the group, not one per pair.
 */
export function representative(members: FindingFeatures[]): FindingFeatures {
  if (members.length === 1) return members[0]!;
  // With two members both are equally central; from three on, the sum gives each one's mean cosine.
  let sum: SparseVector | null = null;
  if (members.length > 2) {
    const total = new Map<number, number>();
    for (const m of members) for (let i = 0; i < m.vector.idx.length; i++) total.set(m.vector.idx[i]!, (total.get(m.vector.idx[i]!) ?? 0) + m.vector.val[i]!);
    sum = fromMap(total);
  }
  let best: FindingFeatures | null = null;
  let bestScore = -Infinity;
  for (const m of [...members].sort(byKey)) {
    const centrality = sum ? (dot(m.vector, sum) - dot(m.vector, m.vector)) / (members.length - 1) : 0;
    const words = Math.min(8, m.titleStems.length) / 8;
    const score = centrality + 0.1 * evidenceStrength(m) + 0.05 * words;
    if (score > bestScore + 1e-12) {
      best = m;
      bestScore = score;
    }
  }
  return best!;
}

function mergeLines(ranges: LineRange[]): LineRange[] {
  const seen = new Set<string>();
  const out: LineRange[] = [];
  for (const [a, b] of ranges) {
    const k = `${a}-${b}`;
    if (!seen.has(k)) {
      seen.add(k);
      out.push([a, b]);
    }
  }
  return out.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
}

/** Union of the members' evidence: lines and locations de-duplicated and sorted, names in first-mention order. */
export function mergeEvidence(members: FindingFeatures[]): Evidence {
  const sorted = [...members].sort(byKey);
  const identifiers: string[] = [];
  const seenIds = new Set<string>();
  const files: string[] = [];
  const seenFiles = new Set<string>();
  const locations = new Map<string, FileRef>();
  const lines: LineRange[] = [];
  for (const m of sorted) {
    const e = m.finding.evidence;
    lines.push(...e.lines);
    for (const id of e.identifiers) {
      const k = id.toLowerCase();
      if (!seenIds.has(k)) {
        seenIds.add(k);
        identifiers.push(id);
      }
    }
    for (const f of e.files) {
      if (!seenFiles.has(f)) {
        seenFiles.add(f);
        files.push(f);
      }
    }
    for (const loc of e.locations) {
      const existing = locations.get(loc.path);
      if (existing) {
        existing.lines.push(...loc.lines);
        if (!existing.url && loc.url) existing.url = loc.url;
      } else {
        const ref: FileRef = { path: loc.path, lines: [...loc.lines] };
        if (loc.url) ref.url = loc.url;
        locations.set(loc.path, ref);
      }
    }
  }
  const locs = [...locations.values()]
    .map((l) => ({ ...l, lines: mergeLines(l.lines) }))
    .sort((x, y) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0));
  return { lines: mergeLines(lines), identifiers, files, locations: locs };
}

function jaccard(a: Set<string>, b: Set<string>): number {
  if (a.size === 0 && b.size === 0) return 1;
  let inter = 0;
  for (const x of a) if (b.has(x)) inter++;
  return inter / (a.size + b.size - inter);
}

/**
 * Recommendations without repeats: exact repeats (after whitespace/case folding) and near-duplicates
 * (same content stems, or near-identical strings) collapse into one, keeping the fuller wording at
 * the place of the first.
 */
export function mergeRecommendations(texts: string[]): string[] {
  const kept: Array<{ text: string; norm: string; stems: Set<string> | null }> = [];
  const exact = new Set<string>();
  const stemsOf = (k: { text: string; stems: Set<string> | null }): Set<string> => (k.stems ??= new Set(contentStems(k.text)));
  for (const raw of texts) {
    const text = raw.replace(/\s+/g, ' ').trim();
    if (!text) continue;
    const norm = text.toLowerCase();
    // Exact repeats (the common case in a large group) need no stemming or string distance.
    if (exact.has(norm)) continue;
    exact.add(norm);
    const entry = { text, norm, stems: null as Set<string> | null };
    // Dice only for strings of similar length (it cannot reach 0.9 otherwise, and it is the slow test).
    const near = (k: { norm: string }): boolean =>
      Math.min(k.norm.length, norm.length) >= 0.8 * Math.max(k.norm.length, norm.length) && dice(k.norm, norm) >= 0.9;
    const dup = kept.find((k) => (stemsOf(entry).size > 0 && jaccard(stemsOf(k), stemsOf(entry)) >= RECOMMENDATION_DUPLICATE) || near(k));
    if (!dup) kept.push(entry);
    else if (text.length > dup.text.length) Object.assign(dup, entry);
  }
  return kept.map((k) => k.text);
}

function source(f: FindingFeatures): Source {
  return {
    review: f.review.id,
    item: f.finding.item,
    reviewer: f.review.reviewer,
    title: f.finding.title,
    line: f.finding.line,
    excerpt: f.finding.excerpt,
    stance: f.finding.stance,
  };
}

/** One consolidated finding from a cluster (id and theme are filled in later). */
export function mergeCluster(members: FindingFeatures[]): ConsolidatedFinding {
  const sorted = [...members].sort(byKey);
  const rep = representative(sorted);
  const findings = sorted.map((m) => m.finding);
  const category = majority(findings.map((f) => f.category)) ?? null;
  const repFinding = rep.finding;
  const secondaryCategory =
    repFinding.category === category ? repFinding.secondaryCategory : majority(findings.map((f) => f.secondaryCategory));
  const cwe = [...new Set(findings.flatMap((f) => f.cwe))].sort((a, b) => a - b);
  const severity = highestSeverity(findings.map((f) => f.severity ?? f.statedSeverity));
  const reviewers = [...new Set(sorted.map((m) => m.review.reviewer).filter((r): r is string => !!r))].sort();
  return {
    id: '',
    title: repFinding.title || repFinding.text.slice(0, 80),
    category,
    secondaryCategory: secondaryCategory === category ? null : secondaryCategory,
    cwe,
    severity,
    severityScore: maxOrNull(findings.map((f) => f.severityScore)),
    stance: strongestStance(findings.map((f) => f.stance)),
    specificity: maxOrNull(findings.map((f) => f.specificity)),
    confidence: maxOrNull(findings.map((f) => f.confidence)),
    corroboration: new Set(sorted.map((m) => m.review.id)).size,
    reviewers,
    sources: sorted.map(source),
    evidence: mergeEvidence(sorted),
    recommendations: mergeRecommendations(findings.map((f) => f.recommendation ?? '')),
    theme: null,
  };
}
