// Eval section for the classify stage: category, CWE, stance and verdict accuracy against hand labels, with a confusion table.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { analyzeReview, parseLineRefs } from '../../src/analyze/index.js';
import { classifyAnalysis, loadTaxonomy } from '../../src/classify/index.js';
import type { Finding, ReviewAnalysis } from '../../src/model.js';

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

/**
 * Scores classified analyses against a gold file shaped like seeds.gold.json (`reviews[id].findings[n]`),
 * then (unless `fixtures: false`) the classifier's own labelled fixtures in test/fixtures/classify/.
 */
export function classificationReport(
  reviews: { id: string; analysis: ReviewAnalysis }[],
  gold: any,
  opts: { fixtures?: boolean } = {},
): string[] {
  const lines = scoreReport(reviews, gold);
  if (opts.fixtures !== false) {
    const fx = fixtureClassificationReport();
    if (fx.length) lines.push('', 'classifier fixtures (test/fixtures/classify, other code and other reviewers):', ...fx.map((l) => `  ${l}`));
  }
  return lines;
}

function scoreReport(reviews: { id: string; analysis: ReviewAnalysis }[], gold: any): string[] {
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
  const out = [
    `category accuracy (primary or alt): ${pct(catOk, items)}`,
    `CWE hit rate (any predicted CWE in gold): ${pct(cweOk, cweItems)}`,
    `stance accuracy: ${pct(stanceOk, stanceItems)}`,
    `verdict accuracy: ${pct(verdictOk, verdicts)}`,
  ];
  if (unmatched) out.push(`gold items without a finding: ${unmatched}`);
  out.push(...confusionTable(confusion));
  if (misses.length) out.push('misses:', ...misses.map((m) => `  ${m}`));
  return out;
}

/** One row per gold category: how its items were predicted (the diagonal first). */
function confusionTable(confusion: Map<string, Map<string, number>>): string[] {
  const rows = [...confusion.keys()].sort();
  if (!rows.length) return [];
  const w = Math.max(...rows.map((r) => r.length));
  const out = ['confusion (gold → predicted):'];
  for (const r of rows) {
    const row = confusion.get(r)!;
    const total = [...row.values()].reduce((a, b) => a + b, 0);
    const cells = [...row.entries()].sort((a, b) => Number(b[0] === r) - Number(a[0] === r) || b[1] - a[1] || a[0].localeCompare(b[0]));
    out.push(`  ${r.padEnd(w)} (${total}): ${cells.map(([c, n]) => (c === r ? `${n} ok` : `${n} ${c}`)).join(', ')}`);
  }
  return out;
}

/** The repository root: works from scripts/eval/ and from dist/scripts/eval/. */
function repoRoot(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  return [join(here, '..', '..'), join(here, '..', '..', '..')].find((d) => existsSync(join(d, 'package.json'))) ?? process.cwd();
}

/** A finding per paragraph (after the opening one), for plain-prose reviews: measures the classifier apart from segmentation. */
function paragraphFindings(text: string): Finding[] {
  const paras = text.split(/\n\s*\n/).map((p) => p.trim()).filter(Boolean).slice(1);
  return paras.map((p, i) => ({
    item: i + 1,
    title: '',
    text: p,
    excerpt: p,
    line: 1,
    recommendation: null,
    statedSeverity: null,
    evidence: { lines: parseLineRefs(p), identifiers: [...new Set([...p.matchAll(/`([^`\s]+)`/g)].map((m) => m[1]!))], files: [], locations: [] },
    category: null,
    secondaryCategory: null,
    cwe: [],
    stance: null,
    severity: null,
    severityScore: null,
    specificity: null,
    confidence: null,
    reasons: [],
    statements: [],
  }));
}

/** Analyses and classifies the fixtures in test/fixtures/classify/ and scores them against labels.json. */
export function fixtureClassificationReport(dir = join(repoRoot(), 'test', 'fixtures', 'classify')): string[] {
  const labelsFile = join(dir, 'labels.json');
  if (!existsSync(labelsFile)) return [];
  const gold = JSON.parse(readFileSync(labelsFile, 'utf8'));
  const taxonomy = loadTaxonomy();
  const reviews = readdirSync(dir)
    .filter((f) => /\.(md|txt)$/.test(f))
    .sort()
    .map((f) => {
      const text = readFileSync(join(dir, f), 'utf8');
      const analysis = analyzeReview(text, f).analysis;
      if (gold.reviews?.[stemId(f)]?.segment === 'paragraphs') analysis.findings = paragraphFindings(text);
      return { id: f, analysis: classifyAnalysis(analysis, taxonomy) };
    });
  return scoreReport(reviews, gold);
}
