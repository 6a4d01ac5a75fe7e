import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { classificationReport, fixtureClassification } from '../../scripts/eval/classification.js';
import { classifyAnalysis, loadTaxonomy } from '../../src/classify/index.js';
import { splitReview } from './split.js';

describe('labelled fixtures (C, web, Python, Node, kernel, contracts, audit submissions)', () => {
  it('meets the targets on reviews of code the seeds never touch', () => {
    const r = fixtureClassification()!;
    const s = r.classifierOnly.scores;
    expect(s.items).toBeGreaterThanOrEqual(50);
    expect(s.category / s.items).toBeGreaterThanOrEqual(0.9);
    expect(s.stance / s.stanceItems).toBeGreaterThanOrEqual(0.8);
    expect(s.cwe / s.cweItems).toBeGreaterThanOrEqual(0.8);
  });

  it('classifies the plain-paragraph review without titles', () => {
    const text = readFileSync('test/fixtures/classify/c-plain-review.txt', 'utf8');
    const paras = text.split(/\n\s*\n/).slice(1);
    const tax = loadTaxonomy();
    const analysis = {
      frontMatter: null,
      preamble: '',
      conclusion: '',
      verdict: 'defects' as const,
      contradiction: false,
      author: null,
      findings: paras.map((p, i) => splitReview(`${i + 1}. **Item**: ${p}`)[0]!).map((f, i) => ({ ...f, item: i + 1, title: '' })),
    };
    const out = classifyAnalysis(analysis, tax).findings;
    // Labels: memory-safety; numeric-error; error-handling (memory-safety also acceptable); command-injection, mitigated.
    expect(out.map((f) => f.stance)).toEqual(['concern', 'concern', 'concern', 'mitigated']);
    expect(out[0]!.category).toBe('memory-safety');
    expect(out[1]!.category).toBe('numeric-error');
    expect(['error-handling', 'memory-safety']).toContain(out[2]!.category);
    expect(out[3]!.category).toBe('command-injection');
  });

  it('reports accuracy lines and a confusion table for a gold file', () => {
    const r = fixtureClassification()!;
    expect(r.classifierOnly.lines[0]).toMatch(/^category accuracy \(primary or alt\): \d+\/\d+ = /);
    const lines = classificationReport([], { reviews: {} }, { fixtures: false });
    expect(lines[0]).toBe('category accuracy (primary or alt): n/a (0 items)');
  });
});
