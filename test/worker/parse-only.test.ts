// The benchmark's references: remark-parse alone on one thread, and the same split across threads, over the same files.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeCorpus } from '../../scripts/bench/corpus.js';
import { ROOT } from '../helpers/cli.js';

// The compiled module (test/global-setup.ts builds it): its worker threads run the file they were started from.
const { parseOnly, parseOnlyParallel } = (await import(join(ROOT, 'dist/scripts/bench/parse-only.js'))) as typeof import('../../scripts/bench/parse-only.js');

const root = mkdtempSync(join(tmpdir(), 'parse-only-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('parse-only references', () => {
  it('parses every file once, whether on one thread or split across three', async () => {
    const corpus = await writeCorpus(join(root, 'corpus'), { reviews: 40, seed: 3 });
    const files = corpus.files;
    const one = await parseOnly(files);
    const three = await parseOnlyParallel(files, 3);
    expect(one.files).toBe(40);
    expect(three).toMatchObject({ files: one.files, bytes: one.bytes });
    expect(one.bytes).toBe(corpus.bytes);
    expect(three.seconds).toBeGreaterThan(0);
  });
});
