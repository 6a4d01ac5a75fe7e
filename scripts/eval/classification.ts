// Eval section for the classify stage: category, CWE, stance and verdict accuracy against hand labels, with a confusion table.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { analyzeReview, parseLineRefs } from '../../src/analyze/index.js';
import { classifyAnalysis, loadTaxonomy } from '../../src/classify/index.js';
import { unclassified, type Finding, type ReviewAnalysis } from '../../src/model.js';

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

export interface ClassificationScores {
  items: number;
  category: number;
  cweItems: number;
  cwe: number;
  stanceItems: number;
  stance: number;
  verdicts: number;
  verdict: number;
}

function scoreReport(reviews: { id: string; analysis: ReviewAnalysis }[], gold: any): string[] {
  return score(reviews, gold).lines;
}

/** Counts of correct answers against the gold labels, and the report lines. */
export function score(reviews: { id: string; analysis: ReviewAnalysis }[], gold: any): { scores: ClassificationScores; lines: string[] } {
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
  const cweMisses: string[] = [];
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
        else cweMisses.push(`${stemId(id)}#${gf.n}: CWE ${f.cwe.join(', ') || '-'}, gold ${gf.cwe.join(', ')}`);
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
  if (cweMisses.length) out.push('CWE misses:', ...cweMisses.map((m) => `  ${m}`));
  const scores = { items, category: catOk, cweItems, cwe: cweOk, stanceItems, stance: stanceOk, verdicts, verdict: verdictOk };
  return { scores, lines: out };
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

function bareFinding(item: number, title: string, text: string, statedSeverity: Finding['statedSeverity'] = null): Finding {
  return {
    item,
    title,
    text,
    excerpt: text,
    line: 1,
    recommendation: null,
    statedSeverity,
    evidence: { lines: parseLineRefs(`${title}\n${text}`), identifiers: [...new Set([...`${title} ${text}`.matchAll(/`([^`\s]+)`/g)].map((m) => m[1]!))], files: [], locations: [] },
    ...unclassified(),
  };
}

/**
 * Findings by the labels' own segmentation, to measure the classifier apart from the parser:
 * `paragraphs` — every paragraph after the opening one; otherwise numbered items ("1. Title",
 * "### 1. Title", "1. **Title**: text"), the title being the item's first line or bold lead.
 */
function labelledFindings(text: string, mode: string | undefined): Finding[] {
  if (mode === 'paragraphs') {
    return text
      .split(/\n\s*\n/)
      .map((p) => p.trim())
      .filter(Boolean)
      .slice(1)
      .map((p, i) => bareFinding(i + 1, '', p));
  }
  const out: Finding[] = [];
  const blocks = text.split(/\n(?=(?:#{1,4}\s*)?\d+[.)]\s)/).filter((b) => /^(?:#{1,4}\s*)?\d+[.)]\s/.test(b));
  for (const b of blocks) {
    const [first = '', ...rest] = b.replace(/^(?:#{1,4}\s*)?\d+[.)]\s+/, '').split('\n');
    const bold = /^\*\*(.+?)\*\*\s*:?\s*(.*)$/.exec(first);
    const title = (bold ? bold[1]! : first).replace(/[*`]/g, '').replace(/:\s*$/, '').trim();
    const body = [bold ? bold[2]! : '', ...rest].join('\n').replace(/\n\s*\n(?:In (?:conclusion|summary)|Overall)[\s\S]*$/, '').trim();
    const sev = /\bSeverity:?\**\s*:?\s*(critical|high|medium|low|info)\b/i.exec(body);
    out.push(bareFinding(out.length + 1, title, body.replace(/\*\*/g, ''), sev ? (sev[1]!.toLowerCase() as Finding['statedSeverity']) : null));
  }
  return out;
}

/**
 * Report lines for the fixtures in test/fixtures/classify/, scored against labels.json:
 * first end to end (the analyze stage's segmentation), then the classifier alone (where the parser
 * found a different number of items than the labels, the labels' segmentation is used).
 */
export function fixtureClassificationReport(dir?: string): string[] {
  const r = fixtureClassification(dir);
  if (!r) return [];
  return [
    'end to end (analyze stage segmentation):',
    ...r.endToEnd.lines.filter((l) => /accuracy|rate|without/.test(l)).map((l) => `  ${l}`),
    `classifier only (labels' segmentation for ${r.resegmented.length ? r.resegmented.join(', ') : 'none'}):`,
    ...r.classifierOnly.lines.map((l) => `  ${l}`),
  ];
}

/** Scores of the fixtures end to end and classifier-only, or null when the fixtures are absent. */
export function fixtureClassification(dir = join(repoRoot(), 'test', 'fixtures', 'classify')) {
  const labelsFile = join(dir, 'labels.json');
  if (!existsSync(labelsFile)) return null;
  const gold = JSON.parse(readFileSync(labelsFile, 'utf8'));
  const taxonomy = loadTaxonomy();
  const endToEnd: { id: string; analysis: ReviewAnalysis }[] = [];
  const classifierOnly: { id: string; analysis: ReviewAnalysis }[] = [];
  const resegmented: string[] = [];
  for (const f of readdirSync(dir).filter((x) => /\.(md|txt)$/.test(x)).sort()) {
    const text = readFileSync(join(dir, f), 'utf8');
    const label = gold.reviews?.[stemId(f)];
    const analysis = analyzeReview(text, f).analysis;
    endToEnd.push({ id: f, analysis: classifyAnalysis(analysis, taxonomy) });
    if (label && (label.segment || analysis.findings.length !== label.findings.length)) {
      resegmented.push(stemId(f));
      classifierOnly.push({ id: f, analysis: classifyAnalysis({ ...analysis, findings: labelledFindings(text, label.segment) }, taxonomy) });
    } else classifierOnly.push({ id: f, analysis: classifyAnalysis(analysis, taxonomy) });
  }
  return { endToEnd: score(endToEnd, gold), classifierOnly: score(classifierOnly, gold), resegmented };
}
