// Infers what file a review is about when nothing says so: by the files it cites, then by shared rare identifiers.
import type { ReviewAnalysis } from '../model.js';

export interface InferredSubject {
  subject: string;
  /** Why: for the warning that tells the user the subject was inferred. */
  reason: string;
}

interface Candidate {
  id: string;
  analysis: ReviewAnalysis;
}

/** Reviews sharing at least this many distinctive identifiers are taken to review the same file. */
const MIN_SHARED_IDENTIFIERS = 2;
/** An identifier cited by more than this share of reviews says nothing about which file they review. */
const MAX_DOCUMENT_SHARE = 0.05;
const MAX_DOCUMENT_COUNT = 200;

/** Assigns every candidate an inferred subject. Deterministic for the same set of reviews. */
export function inferSubjects(candidates: Candidate[]): Map<string, InferredSubject> {
  const result = new Map<string, InferredSubject>();
  const rest: Candidate[] = [];
  for (const c of candidates) {
    const file = primaryFile(c.analysis);
    if (file) result.set(c.id, { subject: file, reason: `it cites ${file}` });
    else rest.push(c);
  }
  for (const group of groupByIdentifiers(rest)) {
    const named = nameGroup(group);
    for (const c of group.members) result.set(c.id, named);
  }
  return result;
}

/** The file a review cites most (links and named paths), the first cited on a tie. */
function primaryFile(analysis: ReviewAnalysis): string | null {
  const counts = new Map<string, number>();
  for (const f of analysis.findings) {
    for (const path of f.evidence.files) counts.set(path, (counts.get(path) ?? 0) + 1);
    for (const loc of f.evidence.locations) counts.set(loc.path, (counts.get(loc.path) ?? 0) + 1);
  }
  let best: string | null = null;
  for (const [path, n] of counts) if (best === null || n > counts.get(best)!) best = path;
  return best;
}

interface Group {
  members: Candidate[];
  identifiers: Map<string, number>;
  documentFrequency: Map<string, number>;
}

function identifiersOf(analysis: ReviewAnalysis): Set<string> {
  return new Set(analysis.findings.flatMap((f) => f.evidence.identifiers));
}

/** Union-find over pairs that share enough distinctive identifiers, found through an inverted index. */
function groupByIdentifiers(candidates: Candidate[]): Group[] {
  const sorted = [...candidates].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const sets = sorted.map((c) => identifiersOf(c.analysis));
  const postings = new Map<string, number[]>();
  sets.forEach((set, i) =>
    set.forEach((name) => {
      const docs = postings.get(name);
      if (docs) docs.push(i);
      else postings.set(name, [i]);
    }),
  );
  const maxDf = Math.max(2, Math.min(MAX_DOCUMENT_COUNT, Math.floor(sorted.length * MAX_DOCUMENT_SHARE)));

  const shared = new Map<number, number>();
  for (const docs of postings.values()) {
    if (docs.length < 2 || docs.length > maxDf) continue;
    for (let a = 0; a < docs.length; a++)
      for (let b = a + 1; b < docs.length; b++) {
        const key = docs[a]! * sorted.length + docs[b]!;
        shared.set(key, (shared.get(key) ?? 0) + 1);
      }
  }
  const parent = sorted.map((_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i]!)));
  for (const [key, count] of shared) {
    if (count < MIN_SHARED_IDENTIFIERS) continue;
    const a = find(Math.floor(key / sorted.length));
    const b = find(key % sorted.length);
    if (a !== b) parent[Math.max(a, b)] = Math.min(a, b);
  }
  const groups = new Map<number, Group>();
  sorted.forEach((c, i) => {
    const root = find(i);
    const group: Group = groups.get(root) ?? { members: [], identifiers: new Map(), documentFrequency: new Map() };
    group.members.push(c);
    sets[i]!.forEach((name) => group.identifiers.set(name, (group.identifiers.get(name) ?? 0) + 1));
    groups.set(root, group);
  });
  for (const group of groups.values())
    for (const name of group.identifiers.keys()) group.documentFrequency.set(name, postings.get(name)!.length);
  return [...groups.values()];
}

/** A readable name from what the group's reviews share: its most common, rarest identifiers. */
function nameGroup(group: Group): InferredSubject {
  if (group.members.length === 1) {
    const only = group.members[0]!;
    return { subject: only.id.replace(/\.[^./]+$/, ''), reason: 'no other review cites the same files or identifiers' };
  }
  const shared = [...group.identifiers]
    .filter(([, n]) => n >= 2)
    .sort(([a, na], [b, nb]) => nb - na || group.documentFrequency.get(a)! - group.documentFrequency.get(b)! || (a < b ? -1 : 1))
    .map(([name]) => name);
  return {
    subject: shared.slice(0, 2).join(' & '),
    reason: `its reviews share the identifiers ${shared.slice(0, 5).join(', ')}`,
  };
}
