// The four seed reviews: every numbered item with its exact title, line ranges and identifiers; verdicts and the contradiction flag.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { analyzeReview } from '../../src/analyze/index.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const expected = JSON.parse(readFileSync(root + 'test/fixtures/analyze/seeds.expected.json', 'utf8')) as {
  reviews: Record<string, { verdict: string; contradiction: boolean; findings: { item: number; title: string; lines: number[][]; identifiers: string[] }[] }>;
};
const seed = (name: string): string => readFileSync(root + 'seeds/' + name, 'utf8');

describe('seed reviews', () => {
  for (const [name, want] of Object.entries(expected.reviews)) {
    describe(name, () => {
      const { analysis, diagnostics } = analyzeReview(seed(name), 'seeds/' + name);

      it('extracts every numbered item, in order, with title, lines and identifiers', () => {
        expect(analysis.findings.map((f) => ({ item: f.item, title: f.title, lines: f.evidence.lines, identifiers: f.evidence.identifiers }))).toEqual(want.findings);
      });

      it('reads the verdict from the conclusion and flags a contradicting framing', () => {
        expect(analysis.verdict).toBe(want.verdict);
        expect(analysis.contradiction).toBe(want.contradiction);
        expect(diagnostics).toEqual([]);
      });

      it('keeps the opening and closing out of the findings', () => {
        expect(analysis.preamble.length).toBeGreaterThan(0);
        expect(analysis.conclusion).toMatch(/^In (conclusion|summary)/);
        for (const f of analysis.findings) expect(f.text).not.toMatch(/In (conclusion|summary),/);
      });
    });
  }

  it('gives each finding its start line, text, recommendation and unclassified fields', () => {
    const { analysis } = analyzeReview(seed('001_0ff59d6f8b1316db.txt'), '001');
    const f = analysis.findings[0]!;
    expect(f.line).toBe(3);
    expect(analysis.findings.map((x) => x.line)).toEqual([3, 7, 11, 15, 19, 23, 27, 31]);
    expect(f.text).toContain('Risk: The use of shell commands');
    expect(f.recommendation).toBe('Ensure all external inputs are properly sanitized and validated. Avoid shell=True in subprocesses to reduce risk.');
    expect(f.statedSeverity).toBeNull();
    expect(f).toMatchObject({ category: null, secondaryCategory: null, cwe: [], stance: null, severity: null, severityScore: null, specificity: null, confidence: null, reasons: [], statements: [] });
  });

  it('re-serializes excerpts from the tree as normalized markdown', () => {
    const { analysis } = analyzeReview(seed('001_0ff59d6f8b1316db.txt'), '001');
    const ex = analysis.findings[1]!.excerpt;
    expect(ex.startsWith('2. **File System Operations (Line 241-248')).toBe(true);
    expect(ex).toContain('\n   - **Risk**: Operations with file systems');
    expect(ex).not.toContain('3. **Network');
  });

  it('seed 002: items whose text is not indented under them keep that text', () => {
    const { analysis } = analyzeReview(seed('002_e013982055bbec08.txt'), '002');
    const f = analysis.findings[0]!;
    expect(f.line).toBe(3);
    expect(f.text).toContain('which means that the code is running as the root user');
    expect(f.recommendation).toBe("It's recommended to avoid running code as the root user whenever possible and instead use a separate user with limited privileges.");
    expect(analysis.conclusion).toMatch(/^In summary, the code appears to be secure/);
  });

  it('seed 002 written with blank lines (text as separate paragraphs after each item) segments the same way', () => {
    const original = analyzeReview(seed('002_e013982055bbec08.txt'), '002').analysis;
    const loose = seed('002_e013982055bbec08.txt').replace(/:\n(?=The )/g, ':\n\n').replace(/\n(?=\d\. )/g, '\n\n');
    const { analysis } = analyzeReview(loose, '002-loose');
    expect(analysis.findings.map((f) => [f.title, f.evidence.identifiers])).toEqual(original.findings.map((f) => [f.title, f.evidence.identifiers]));
    expect(analysis.findings[6]!.text).toContain('MAX_CONNTRACK_ZONE_ID constant is used in the code');
    expect(analysis.conclusion).toMatch(/^In summary/);
    expect([analysis.verdict, analysis.contradiction]).toEqual(['no-defects', true]);
  });
});
