// Eval section: how well per-review analysis extracts findings, titles, lines, identifiers and verdicts, against gold labels.
import type { ReviewAnalysis } from '../../src/model.js';

interface GoldFinding {
  n: number;
  title: string;
  lines: [number, number][];
  identifiers: string[];
}

interface GoldReview {
  verdict: string;
  verdict_note?: string;
  contradiction?: boolean;
  findings: GoldFinding[];
}

/** Gold review ids carry no extension or folder; ours are paths like `seeds/000_….txt`. */
const stem = (id: string): string => (id.split(/[\\/]/).pop() ?? id).replace(/\.[^.]+$/, '');

const pct = (a: number, b: number): string => (b === 0 ? 'n/a' : `${((100 * a) / b).toFixed(1)}%`);
const sameLines = (a: readonly (readonly number[])[], b: readonly (readonly number[])[]): boolean =>
  a.length === b.length && a.every((r, i) => r[0] === b[i]![0] && r[1] === b[i]![1]);

/** Lines to print: findings found vs expected, title and line-range exact matches, identifier P/R, verdicts, contradictions. */
export function extractionReport(reviews: { id: string; analysis: ReviewAnalysis }[], gold: any): string[] {
  const goldReviews = (gold?.reviews ?? {}) as Record<string, GoldReview>;
  const byStem = new Map(reviews.map((r) => [stem(r.id), r.analysis]));
  let expected = 0;
  let found = 0;
  let matchedItems = 0;
  let titles = 0;
  let lines = 0;
  let idExact = 0;
  let idTp = 0;
  let idOurs = 0;
  let idGold = 0;
  let verdicts = 0;
  let verdictTotal = 0;
  const contradictionExpected: string[] = [];
  const contradictionFlagged: string[] = [];
  const misses: string[] = [];
  for (const [id, g] of Object.entries(goldReviews).sort(([a], [b]) => a.localeCompare(b))) {
    const a = byStem.get(id);
    expected += g.findings.length;
    verdictTotal++;
    const wantContradiction = g.contradiction ?? /contradict/i.test(g.verdict_note ?? '');
    if (wantContradiction) contradictionExpected.push(id);
    if (!a) {
      misses.push(`${id}: review not in the build`);
      continue;
    }
    found += a.findings.length;
    if (a.verdict === g.verdict) verdicts++;
    else misses.push(`${id}: verdict ${a.verdict}, expected ${g.verdict}`);
    if (a.contradiction) contradictionFlagged.push(id);
    for (const gf of g.findings) {
      const f = a.findings.find((x) => x.item === gf.n);
      idGold += gf.identifiers.length;
      if (!f) {
        misses.push(`${id}#${gf.n}: not extracted`);
        continue;
      }
      matchedItems++;
      if (f.title === gf.title) titles++;
      else misses.push(`${id}#${gf.n}: title ${JSON.stringify(f.title)}, expected ${JSON.stringify(gf.title)}`);
      if (sameLines(f.evidence.lines, gf.lines)) lines++;
      else misses.push(`${id}#${gf.n}: lines ${JSON.stringify(f.evidence.lines)}, expected ${JSON.stringify(gf.lines)}`);
      const want = new Set(gf.identifiers);
      const got = new Set(f.evidence.identifiers);
      idOurs += got.size;
      let tp = 0;
      for (const x of got) if (want.has(x)) tp++;
      idTp += tp;
      if (tp === want.size && tp === got.size) idExact++;
      else misses.push(`${id}#${gf.n}: identifiers ${JSON.stringify([...got])}, expected ${JSON.stringify(gf.identifiers)}`);
    }
  }
  const flaggedRight = contradictionFlagged.filter((x) => contradictionExpected.includes(x)).length;
  const out = [
    `findings: ${found} found, ${expected} expected (${matchedItems} matched by item number)`,
    `titles exact: ${titles}/${expected} (${pct(titles, expected)})`,
    `line ranges exact: ${lines}/${expected} (${pct(lines, expected)})`,
    `identifiers: precision ${pct(idTp, idOurs)} (${idTp}/${idOurs}), recall ${pct(idTp, idGold)} (${idTp}/${idGold}), exact per item ${idExact}/${expected}`,
    `verdicts: ${verdicts}/${verdictTotal} (${pct(verdicts, verdictTotal)})`,
    `contradiction flagged: ${flaggedRight}/${contradictionExpected.length} expected` +
      (contradictionFlagged.length > flaggedRight ? `, ${contradictionFlagged.length - flaggedRight} flagged wrongly` : '') +
      (contradictionFlagged.length ? ` (${contradictionFlagged.join(', ')})` : ''),
  ];
  for (const m of misses.slice(0, 20)) out.push(`mismatch ${m}`);
  if (misses.length > 20) out.push(`… and ${misses.length - 20} more mismatches`);
  return out;
}

/** Audit-style submissions: how many parse as exactly one finding with a stated severity and a linked location with lines. */
export function auditShapeReport(reviews: { id: string; analysis: ReviewAnalysis }[]): string[] {
  let one = 0;
  let sev = 0;
  let located = 0;
  let all = 0;
  let authors = 0;
  for (const { analysis: a } of reviews) {
    if (a.author) authors++;
    if (a.findings.length !== 1) continue;
    one++;
    const f = a.findings[0]!;
    const hasSev = f.statedSeverity !== null;
    const hasLoc = f.evidence.locations.some((l) => l.lines.length > 0);
    if (hasSev) sev++;
    if (hasLoc) located++;
    if (hasSev && hasLoc) all++;
  }
  const n = reviews.length;
  return [
    `one finding: ${one}/${n}; with stated severity: ${sev}; with a linked location and lines: ${located}; all three: ${all}/${n} (${pct(all, n)})`,
    `author handle read: ${authors}/${n}`,
  ];
}
