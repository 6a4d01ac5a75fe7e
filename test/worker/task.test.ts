import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTaxonomy } from '../../src/classify/index.js';
import { analyzeOne } from '../../src/worker/analyze-one.js';
import { decodeResult, encodeResult, restoreLineBreaks, serializeResult, type ReviewResult } from '../../src/worker/task.js';

const SEEDS = join(import.meta.dirname, '../../seeds');
const taxonomy = loadTaxonomy();

/** Results of the seeds, and of a review whose strings hold what the encoding must leave alone. */
function results(): ReviewResult[] {
  const seeds = readdirSync(SEEDS).filter((f) => f.endsWith('.txt')).map((f) => readFileSync(join(SEEDS, f), 'utf8'));
  const awkward = [
    '---\nfile: "a\\tb\\u001fc.py"\nreviewer: "model\\nx"\n---',
    '# Review',
    '1. **Command injection in `run`** (line 4): `subprocess.call(cmd,\tshell=True)` — 日本語 🔥 ошибка, a unit separator \u001f here.',
    '2. **Hard-coded secret** on line 9:\n\n```python\nTOKEN = "a\tb"\n```',
  ].join('\n');
  return [...seeds, awkward].map((text, i) => {
    const { analysis, diagnostics } = analyzeOne(text, `review-${i}.md`, taxonomy);
    return { hash: `${i}`.repeat(64).slice(0, 64), analysis, diagnostics: [...diagnostics, { file: 'x', severity: 'warning', message: 'tab\there, 🔥' }] };
  });
}

describe('a review result as the cache keeps it', () => {
  const all = results();

  it('is one line that reads back as the result it was made from', () => {
    expect(all.some((r) => JSON.stringify(r).includes('\\t'))).toBe(true);
    for (const result of all) {
      const entry = encodeResult(serializeResult(result));
      expect(entry).not.toContain('\n');
      const { analysisText: _t, analysisAt: _a, ...decoded } = decodeResult(entry);
      expect(decoded).toEqual(JSON.parse(JSON.stringify(result)));
    }
  });

  it('holds the analysis as kb.json shows it, at a byte offset a file read can start from', () => {
    for (const result of all) {
      const entry = encodeResult(serializeResult(result));
      const { analysisText, analysisAt } = decodeResult(entry);
      const shown = JSON.stringify(result.analysis, null, 1);
      expect(analysisText.replaceAll('\t', '\n')).toBe(shown);
      expect(Buffer.from(restoreLineBreaks(Buffer.from(entry).subarray(analysisAt))).toString('utf8')).toBe(shown);
    }
  });

  it('is not taken for something else', () => {
    expect(() => decodeResult('{"hash":"x","analysis":{}}')).toThrow(/not an encoded review result/);
  });
});
