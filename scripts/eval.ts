// `npm run eval`: builds the development sets in ../shared/eval and prints quality figures against their labels.
import { existsSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { build } from '../src/pipeline.js';
import type { KB } from '../src/model.js';
import { auditShapeReport, extractionReport } from './eval/extraction.js';
import { classificationReport } from './eval/classification.js';
import { groupingReport, seedDuplicatesReport } from './eval/grouping.js';

const EVAL_DIR = resolve(process.argv[2] ?? '../shared/eval');

function section(title: string, lines: string[]): void {
  process.stdout.write(`\n## ${title}\n${lines.map((l) => `  ${l}`).join('\n')}\n`);
}

/** Gold review ids carry no extension; ours are file names. */
const stem = (id: string): string => basename(id).replace(/\.[^.]+$/, '');

/** Do the inferred subjects partition the reviews as the gold subjects do? */
function subjectsReport(kb: KB, gold: { subjects: Record<string, { reviews: string[] }> }): string[] {
  const ours = new Map<string, string[]>();
  for (const r of kb.reviews) ours.set(r.subject, [...(ours.get(r.subject) ?? []), stem(r.id)]);
  const key = (ids: string[]): string => [...ids].sort().join(',');
  const predicted = new Set([...ours.values()].map(key));
  const expected = Object.values(gold.subjects).map((s) => key(s.reviews));
  const matched = expected.filter((k) => predicted.has(k)).length;
  return [
    `subjects matched without manifest: ${matched}/${expected.length} (inferred names: ${[...ours.keys()].map((k) => JSON.stringify(k)).join(', ')})`,
  ];
}

async function evalSeeds(): Promise<void> {
  const goldFile = join(EVAL_DIR, 'seeds.gold.json');
  if (!existsSync(goldFile)) return void process.stdout.write(`skipped seeds: ${goldFile} not found\n`);
  const gold = JSON.parse(readFileSync(goldFile, 'utf8'));
  const { kb } = await build({ inputs: ['seeds'], manifest: 'seeds/manifest.csv' });
  const reviews = kb.reviews.map((r) => ({ id: r.id, analysis: r }));
  section('Seeds: extraction', extractionReport(reviews, gold));
  const inferred = await build({ inputs: ['seeds'] });
  section('Seeds: subjects', subjectsReport(inferred.kb, gold));
  section('Seeds: classification', classificationReport(reviews, gold));
  section('Seeds: consolidation', seedDuplicatesReport(kb, gold));
}

async function evalContest(name: string): Promise<void> {
  const dir = join(EVAL_DIR, name);
  if (!existsSync(join(dir, 'gold.json'))) return void process.stdout.write(`skipped ${name}: not found\n`);
  const gold = JSON.parse(readFileSync(join(dir, 'gold.json'), 'utf8'));
  const started = Date.now();
  const { kb } = await build({ inputs: [join(dir, 'reviews')], scope: 'all' });
  section(`${name}: extraction`, auditShapeReport(kb.reviews.map((r) => ({ id: r.id, analysis: r }))));
  section(`${name}: grouping (scope all, ${kb.reviews.length} submissions, ${((Date.now() - started) / 1000).toFixed(1)} s)`, groupingReport(kb, gold.families, stem));
}

process.stdout.write(`review-kb eval on ${EVAL_DIR}\n`);
await evalSeeds();
await evalContest('sherlock-blueberry');
