import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { writeOutputs, type OutputFile } from '../../src/output/outdir.js';

describe('writeOutputs', () => {
  it('writes a file made in pieces before it takes the next file, so what the pieces were made from can go first', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'review-kb-outdir-')), 'out');
    const events: string[] = [];
    function* outputs(): Generator<OutputFile> {
      yield {
        path: 'kb.json',
        *pieces() {
          for (let i = 0; i < 3; i++) {
            events.push(`piece ${i}`);
            yield `${i}`;
          }
        },
      };
      events.push('next file');
      yield { path: 'index.md', content: '# Index\n' };
    }
    expect(await writeOutputs(out, outputs())).toEqual(['index.md', 'kb.json']);
    expect(events).toEqual(['piece 0', 'piece 1', 'piece 2', 'next file']);
    expect(readFileSync(join(out, 'kb.json'), 'utf8')).toBe('012');
  });

  it('writes a file made in pieces of any size byte for byte, characters of up to four bytes at every seam', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'review-kb-outdir-')), 'out');
    // From tiny pieces to pieces larger than a write, in characters of one to four bytes.
    const piece = fc.tuple(fc.constantFrom('a', 'é', '日', '🔥'), fc.integer({ min: 0, max: 120_000 })).map(([c, n]) => c.repeat(n));
    await fc.assert(
      fc.asyncProperty(fc.array(piece, { maxLength: 12 }), async (pieces) => {
        await writeOutputs(out, [{ path: 'kb.json', pieces: () => pieces }]);
        expect(readFileSync(join(out, 'kb.json')).equals(Buffer.from(pieces.join('')))).toBe(true);
      }),
      { numRuns: 40 },
    );
  });

  it('leaves the previous output in place when making a file in pieces fails halfway', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'review-kb-outdir-')), 'out');
    await writeOutputs(out, [{ path: 'kb.json', content: 'before' }]);
    function* failing(): Generator<string> {
      yield 'x'.repeat(500_000);
      throw new Error('no more pieces');
    }
    await expect(writeOutputs(out, [{ path: 'kb.json', pieces: failing }])).rejects.toThrow('no more pieces');
    expect(readFileSync(join(out, 'kb.json'), 'utf8')).toBe('before');
  });

  it('fails with the error of a write that fails while others are under way, naming the file, never as an unhandled rejection', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'review-kb-outdir-')), 'out');
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      // 'd' is written where 'd/x' made a folder: that write fails at once, while the next files' folders are made.
      const outputs: OutputFile[] = [
        { path: 'd/x.md', content: 'x' },
        { path: 'd', content: 'file over a folder' },
        ...Array.from({ length: 8 }, (_, i) => ({ path: `e${i}/page.md`, content: `${i}` })),
      ];
      // Named by the output file (a write's own error may name none, or only the staging folder's copy).
      await expect(writeOutputs(out, outputs)).rejects.toThrow(`${join(out, 'd')}: EISDIR`);
      await new Promise((settle) => setImmediate(settle));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
