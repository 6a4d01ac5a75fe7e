// Builds Review objects from review text through the real analyze (and optionally classify) stages.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { analyzeReview } from '../../src/analyze/index.js';
import { classifyAnalysis, loadTaxonomy } from '../../src/classify/index.js';
import type { ConsolidatedFinding, Review, Subject } from '../../src/model.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const taxonomy = loadTaxonomy();

export function readRepoFile(path: string): string {
  return readFileSync(join(root, path), 'utf8');
}

export function reviewFrom(
  text: string,
  id: string,
  subject: string,
  options: { classify?: boolean; reviewer?: string | null } = {},
): Review {
  const { analysis } = analyzeReview(text, id);
  const a = options.classify === false ? analysis : classifyAnalysis(analysis, taxonomy);
  return {
    ...a,
    id,
    source: id,
    subject,
    subjectInferred: false,
    reviewer: options.reviewer ?? a.author ?? null,
    date: null,
    hash: createHash('sha256').update(text).digest('hex'),
  };
}

export const SEED_SUBJECTS: Record<string, string> = {
  '000_737847ff5b057954.txt': 'neutron/tests/common/net_helpers.py',
  '001_0ff59d6f8b1316db.txt': 'neutron/agent/linux/utils.py',
  '002_e013982055bbec08.txt': 'neutron/tests/functional/agent/linux/test_netlink_lib.py',
  '003_b765430dcf81c5cc.txt': 'neutron/tests/functional/agent/linux/test_netlink_lib.py',
};

export function seedReviews(options: { classify?: boolean } = {}): Review[] {
  return Object.entries(SEED_SUBJECTS).map(([file, subject]) => reviewFrom(readRepoFile(`seeds/${file}`), file, subject, options));
}

/** `review#item` keys of every consolidated finding's sources. */
export function groupsOf(subjects: Subject[]): string[][] {
  return subjects.flatMap((s) => s.findings.map((f) => f.sources.map((src) => `${src.review}#${src.item}`)));
}

/** The consolidated finding that has this source, if any. */
export function findingWith(subjects: Subject[], review: string, item: number): ConsolidatedFinding | undefined {
  for (const s of subjects) for (const f of s.findings) if (f.sources.some((src) => src.review === review && src.item === item)) return f;
  return undefined;
}
