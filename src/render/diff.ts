// Run-to-run difference of two KBs by stable finding id: new, unchanged, changed (severity/category/corroboration/title), gone.
import type { ConsolidatedFinding, KB, Severity } from '../model.js';
import { oneLine } from './escape.js';

export interface DiffFinding {
  id: string;
  subject: string;
  title: string;
  category: string | null;
  severity: Severity | null;
  corroboration: number;
}

export interface DiffChange {
  field: 'title' | 'category' | 'severity' | 'corroboration';
  before: string | number | null;
  after: string | number | null;
}

export interface KbDiff {
  new: DiffFinding[];
  changed: (DiffFinding & { changes: DiffChange[] })[];
  unchanged: DiffFinding[];
  gone: DiffFinding[];
  counts: { new: number; changed: number; unchanged: number; gone: number };
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const order = (a: DiffFinding, b: DiffFinding): number => cmp(a.subject, b.subject) || cmp(a.id, b.id);

/** Every consolidated finding of a KB by id (the first wins if a broken KB repeats an id). */
export function findingsById(kb: KB): Map<string, DiffFinding> {
  const map = new Map<string, DiffFinding>();
  for (const s of kb.subjects) {
    for (const f of s.findings) if (!map.has(f.id)) map.set(f.id, summarize(f, s.path));
  }
  return map;
}

function summarize(f: ConsolidatedFinding, subject: string): DiffFinding {
  return { id: f.id, subject, title: f.title, category: f.category, severity: f.severity, corroboration: f.corroboration };
}

export function diffKb(oldKb: KB, newKb: KB): KbDiff {
  const before = findingsById(oldKb);
  const after = findingsById(newKb);
  const result: KbDiff = { new: [], changed: [], unchanged: [], gone: [], counts: { new: 0, changed: 0, unchanged: 0, gone: 0 } };
  for (const [id, f] of after) {
    const old = before.get(id);
    if (!old) {
      result.new.push(f);
      continue;
    }
    const changes: DiffChange[] = [];
    for (const field of ['title', 'category', 'severity', 'corroboration'] as const) {
      if (old[field] !== f[field]) changes.push({ field, before: old[field], after: f[field] });
    }
    if (changes.length > 0) result.changed.push({ ...f, changes });
    else result.unchanged.push(f);
  }
  for (const [id, f] of before) if (!after.has(id)) result.gone.push(f);
  result.new.sort(order);
  result.changed.sort(order);
  result.unchanged.sort(order);
  result.gone.sort(order);
  result.counts = { new: result.new.length, changed: result.changed.length, unchanged: result.unchanged.length, gone: result.gone.length };
  return result;
}

/** Plain text for a terminal: review text is reduced to one printable line (no escape sequences replayed). */
export function formatDiff(d: KbDiff): string {
  const out: string[] = [
    `${d.counts.new} new, ${d.counts.changed} changed, ${d.counts.unchanged} unchanged, ${d.counts.gone} gone`,
  ];
  const line = (mark: string, f: DiffFinding): string =>
    `${mark} ${f.id}  ${oneLine(f.subject)}: ${oneLine(f.title)} [${f.category ?? 'uncategorized'}, ${f.severity ?? 'unrated'}, ×${f.corroboration}]`;
  for (const f of d.new) out.push(line('+', f));
  for (const f of d.changed) {
    out.push(line('~', f));
    for (const c of f.changes) out.push(`    ${c.field}: ${oneLine(String(c.before ?? '–'))} → ${oneLine(String(c.after ?? '–'))}`);
  }
  for (const f of d.gone) out.push(line('-', f));
  return `${out.join('\n')}\n`;
}
