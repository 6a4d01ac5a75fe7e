import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
});
