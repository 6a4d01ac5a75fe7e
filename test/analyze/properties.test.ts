// Properties on arbitrary review-like text: never fails, items count 1..n, lines point inside the review, evidence is well-formed.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyzeReview } from '../../src/analyze/index.js';
import { InputError } from '../../src/ingest/read.js';

const fragments = [
  '1. **Title**: text',
  '2. Use of `x` in `y`:',
  '- **Risk**: could allow an attacker',
  '   - **Solution**: validate input',
  '# Heading',
  '## Summary',
  '## Impact',
  '### 1. Issue (High)',
  '**Overview**',
  'Decision:',
  'In conclusion, no security defects were found.',
  'The code is vulnerable (lines 3-4 and line 9).',
  'see https://github.com/o/r/blob/main/src/a.py#L1-L2 and [b](https://github.com/o/r/blob/x/b.sol#L5)',
  '`run_as_root=True` and get_unused_port() and `neutron` project',
  '---',
  'file: a.py',
  '```',
  '| Issue | Line |',
  '|---|---|',
  '| x | 4 |',
  '> quoted `q_q`',
  '',
  '   ',
  'plain words',
];
const review = fc.array(fc.oneof(fc.constantFrom(...fragments), fc.string({ maxLength: 30 })), { maxLength: 40 }).map((ls) => ls.join('\n'));

describe('analyzeReview on arbitrary text', () => {
  it('returns a well-formed analysis and never an error diagnostic, or refuses malformed front matter', () => {
    fc.assert(
      fc.property(review, (text) => {
        let result;
        try {
          result = analyzeReview(text, 'p.md');
        } catch (error) {
          // The one refusal such text can earn: a `---` line then `key:` lines read as broken front matter.
          expect(error).toBeInstanceOf(InputError);
          expect((error as InputError).message).toMatch(/^malformed front matter: .*\(review skipped\)$/);
          return;
        }
        const { analysis, diagnostics } = result;
        expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
        const lineCount = text.split(/\r\n|\r|\n/).length;
        analysis.findings.forEach((f, i) => {
          expect(f.item).toBe(i + 1);
          expect(f.line).toBeGreaterThanOrEqual(1);
          expect(f.line).toBeLessThanOrEqual(lineCount);
          expect(typeof f.excerpt).toBe('string');
          for (const [a, b] of f.evidence.lines) expect(a).toBeLessThanOrEqual(b);
          expect(new Set(f.evidence.identifiers).size).toBe(f.evidence.identifiers.length);
          expect(f.evidence.files).toEqual(f.evidence.locations.map((l) => l.path));
        });
        if (analysis.findings.length > 1) {
          for (let i = 1; i < analysis.findings.length; i++) expect(analysis.findings[i]!.line).toBeGreaterThanOrEqual(analysis.findings[i - 1]!.line);
        }
        expect(['defects', 'no-defects', 'unclear']).toContain(analysis.verdict);
        // The result is plain data: it survives JSON unchanged (no syntax tree, no functions).
        expect(JSON.parse(JSON.stringify(analysis))).toEqual(analysis);
      }),
      { numRuns: 300, seed: 20240501 },
    );
  });
});
