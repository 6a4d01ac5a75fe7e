// Eval section for the classify stage: category, CWE, stance and verdict accuracy against hand labels, with a confusion table.
import { basename } from 'node:path';
import type { ReviewAnalysis } from '../../src/model.js';

interface GoldFinding {
  n: number;
  title?: string;
  category: string;
  alt?: string[];
  cwe?: number[];
  stance?: string;
}
interface GoldReview {
  verdict?: string;
  findings: GoldFinding[];
}

const stemId = (id: string): string => basename(id).replace(/\.[^.]+$/, '');
const pct = (a: number, b: number): string => (b ? `${a}/${b} = ${(a / b).toFixed(2)}` : 'n/a (0 items)');

/** Scores classified analyses against a gold file shaped like seeds.gold.json (`reviews[id].findings[n]`). */
export function classificationReport(reviews: { id: string; analysis: ReviewAnalysis }[], gold: any): string[] {
  const goldReviews = (gold?.reviews ?? {}) as Record<string, GoldReview>;
  let items = 0;
  let catOk = 0;
  let cweItems = 0;
  let cweOk = 0;
  let stanceItems = 0;
  let stanceOk = 0;
  let verdicts = 0;
  let verdictOk = 0;
  let unmatched = 0;
  const confusion = new Map<string, Map<string, number>>();
  const misses: string[] = [];
  for (const { id, analysis } of [...reviews].sort((a, b) => a.id.localeCompare(b.id))) {
    const g = goldReviews[stemId(id)];
    if (!g) continue;
    if (g.verdict) {
      verdicts++;
      if (analysis.verdict === g.verdict) verdictOk++;
      else misses.push(`${stemId(id)}: verdict ${analysis.verdict}, gold ${g.verdict}`);
    }
    for (const gf of g.findings) {
      const f = analysis.findings.find((x) => x.item === gf.n);
      if (!f) {
        unmatched++;
        misses.push(`${stemId(id)}#${gf.n}: no finding`);
        continue;
      }
      items++;
      const predicted = f.category ?? '(none)';
      const ok = predicted === gf.category || (gf.alt ?? []).includes(predicted);
      if (ok) catOk++;
      const row = confusion.get(gf.category) ?? new Map<string, number>();
      row.set(predicted, (row.get(predicted) ?? 0) + 1);
      confusion.set(gf.category, row);
      if (gf.cwe?.length) {
        cweItems++;
        if (f.cwe.some((c) => gf.cwe!.includes(c))) cweOk++;
      }
      if (gf.stance) {
        stanceItems++;
        if (f.stance === gf.stance) stanceOk++;
      }
      if (!ok || (gf.stance && f.stance !== gf.stance)) {
        misses.push(
          `${stemId(id)}#${gf.n} "${(gf.title ?? f.title).slice(0, 50)}": ${predicted}/${f.stance}, gold ${gf.category}${gf.alt?.length ? ` (alt ${gf.alt.join(', ')})` : ''}/${gf.stance ?? '-'}`,
        );
      }
    }
  }
  const lines = [
    `category accuracy (primary or alt): ${pct(catOk, items)}`,
    `CWE hit rate (any predicted CWE in gold): ${pct(cweOk, cweItems)}`,
    `stance accuracy: ${pct(stanceOk, stanceItems)}`,
    `verdict accuracy: ${pct(verdictOk, verdicts)}`,
  ];
  if (unmatched) lines.push(`gold items without a finding: ${unmatched}`);
  lines.push(...confusionTable(confusion));
  if (misses.length) lines.push('misses:', ...misses.map((m) => `  ${m}`));
  return lines;
}

/** Rows: gold category; columns: predicted category; only columns that occur. */
function confusionTable(confusion: Map<string, Map<string, number>>): string[] {
  const rows = [...confusion.keys()].sort();
  const cols = [...new Set([...confusion.values()].flatMap((r) => [...r.keys()]))].sort();
  if (!rows.length) return [];
  const w0 = Math.max(10, ...rows.map((r) => r.length));
  const abbrev = (c: string) => c.slice(0, 8);
  const header = `${'gold \\ predicted'.padEnd(w0)} ${cols.map((c) => abbrev(c).padStart(8)).join(' ')}`;
  const out = ['confusion (rows gold, columns predicted):', header];
  for (const r of rows) {
    const row = confusion.get(r)!;
    out.push(`${r.padEnd(w0)} ${cols.map((c) => String(row.get(c) ?? (c === r ? 0 : '.')).padStart(8)).join(' ')}`);
  }
  out.push(`columns: ${cols.map((c) => `${abbrev(c)}=${c}`).join(', ')}`);
  return out;
}
