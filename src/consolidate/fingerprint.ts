// Stable ids for consolidated findings: derived from what the sources agree on, never from positions or lines.
import { createHash } from 'node:crypto';
import type { FindingFeatures } from './features.js';
import { contentStems, identifierKeys } from './text.js';

interface Term {
  term: string;
  identifier: boolean;
  /** Number of distinct reviews in the group that use the term. */
  support: number;
}

/** The terms a source is anchored by: the identifiers it cites and the content words of its title. */
function anchorTerms(f: FindingFeatures, identifiers: boolean): Map<string, boolean> {
  const terms = new Map<string, boolean>();
  if (identifiers) {
    for (const raw of f.finding.evidence.identifiers) for (const k of identifierKeys(raw)) terms.set(k, true);
    for (const k of f.titleIdentifiers) terms.set(k, true);
  }
  const words = identifiers ? f.titleStems : contentStems(f.finding.title, { identifiers: 'skip' });
  for (const s of words) if (!terms.has(s)) terms.set(s, false);
  return terms;
}

/**
 * The group's key terms, best first: most reviews using it; then identifiers before words (a name
 * in the code is more specific than a word); then longer (more specific); then alphabetical. Corpus
 * statistics are deliberately not used, so adding unrelated reviews elsewhere cannot change an id.
 */
export function keyTerms(members: FindingFeatures[], identifiers = true): Term[] {
  const support = new Map<string, { identifier: boolean; reviews: Set<string> }>();
  for (const m of members) {
    for (const [term, identifier] of anchorTerms(m, identifiers)) {
      const s = support.get(term) ?? { identifier, reviews: new Set<string>() };
      s.identifier ||= identifier;
      s.reviews.add(m.review.id);
      support.set(term, s);
    }
  }
  return [...support.entries()]
    .map(([term, s]) => ({ term, identifier: s.identifier, support: s.reviews.size }))
    .sort(
      (a, b) =>
        b.support - a.support ||
        Number(b.identifier) - Number(a.identifier) ||
        b.term.length - a.term.length ||
        (a.term < b.term ? -1 : a.term > b.term ? 1 : 0),
    );
}

function hash(parts: string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 10);
}

function slug(text: string): string {
  return (
    text
      .toLowerCase()
      .replace(/[^a-z0-9_]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 32)
      .replace(/-+$/, '') || 'finding'
  );
}

export interface FingerprintInput {
  members: FindingFeatures[];
  category: string | null;
}

export interface FingerprintOptions {
  /** Whether names of code may be key terms (not for themes: advice is the same whatever it names). */
  identifiers?: boolean;
  /** Readable head of the id when set (a theme's category), instead of the first key term. */
  heads?: Array<string | null>;
}

/**
 * Ids for groups within one scope (a subject path, or `*` for the whole input): `<key term>-<hash of
 * scope, category and key terms>`. The first key term is the one most sources share, so a new review
 * that agrees (uses the same name or word) only strengthens it, a reworded review among others keeps
 * the others' term on top, and line numbers never enter. When two groups of a scope would get the
 * same id, both take one more key term, and so on; as a last resort the sorted source keys decide.
 */
export function fingerprints(scope: string, groups: FingerprintInput[], options: FingerprintOptions = {}): string[] {
  const terms = groups.map((g) => keyTerms(g.members, options.identifiers ?? true));
  const make = (i: number, k: number): string => {
    const chosen = terms[i]!.slice(0, k).map((t) => t.term);
    const head = options.heads?.[i] ?? chosen[0] ?? 'finding';
    return `${slug(head)}-${hash([scope, groups[i]!.category ?? '', ...chosen])}`;
  };
  const depth = groups.map(() => 1);
  const ids = groups.map((_, i) => make(i, 1));
  for (let round = 0; round < 6; round++) {
    const seen = new Map<string, number[]>();
    ids.forEach((id, i) => seen.set(id, [...(seen.get(id) ?? []), i]));
    let clash = false;
    for (const list of seen.values()) {
      if (list.length < 2) continue;
      clash = true;
      for (const i of list) {
        depth[i]! += 1;
        ids[i] = make(i, depth[i]!);
      }
    }
    if (!clash) return ids;
  }
  const seen = new Map<string, number[]>();
  ids.forEach((id, i) => seen.set(id, [...(seen.get(id) ?? []), i]));
  for (const list of seen.values()) {
    if (list.length < 2) continue;
    for (const i of list) {
      const keys = groups[i]!.members.map((m) => m.key).sort();
      ids[i] = `${ids[i]}-${hash(keys).slice(0, 6)}`;
    }
  }
  return ids;
}
