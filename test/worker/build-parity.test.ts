import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build } from '../../src/pipeline.js';
import { serializeKb } from '../../src/kb.js';
import { renderAll } from '../../src/render/index.js';
import { SERIAL_BELOW, type RunStats } from '../../src/worker/run.js';
import { writeCorpus } from '../../scripts/bench/corpus.js';

let root: string;
let manifest: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'review-kb-parity-'));
  const corpus = await writeCorpus(join(root, 'in', 'corpus'), { reviews: SERIAL_BELOW + 20, seed: 11, perSubject: 5 });
  manifest = corpus.manifest;
  await cp(join(import.meta.dirname, '../../seeds'), join(root, 'in', 'seeds'), { recursive: true });
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** kb.json and every rendered output, as the CLI would write them. */
async function outputs(options: { jobs: number; cacheDir?: string }): Promise<{ files: Map<string, string>; stats: RunStats }> {
  const stats: RunStats = { jobs: 0, analysed: 0, cached: 0, failed: 0, cache: null };
  const { kb } = await build({ inputs: [join(root, 'in')], manifest, jobs: options.jobs, cacheDir: options.cacheDir ?? null, stats });
  const files = new Map<string, string>([['kb.json', serializeKb(kb)], ...renderAll(kb).map((f): [string, string] => [f.path, f.content])]);
  return { files, stats };
}

describe('build with a worker pool', () => {
  it('writes byte-identical kb.json and outputs to a serial build, and to a build from the cache', async () => {
    const serial = await outputs({ jobs: 1 });
    const parallel = await outputs({ jobs: 2 });
    expect(serial.stats.jobs).toBe(1);
    expect(parallel.stats.jobs).toBe(2);
    expect(serial.stats.analysed).toBeGreaterThanOrEqual(SERIAL_BELOW + 20);
    expect([...parallel.files.keys()]).toEqual([...serial.files.keys()]);
    for (const [path, content] of serial.files) expect(parallel.files.get(path), path).toBe(content);

    const cacheDir = join(root, 'cache');
    const cold = await outputs({ jobs: 2, cacheDir });
    const warm = await outputs({ jobs: 2, cacheDir });
    expect(warm.stats.cached).toBe(cold.stats.analysed);
    expect(warm.stats.analysed).toBe(0);
    for (const [path, content] of serial.files) expect(warm.files.get(path), path).toBe(content);
    // The seeds and the generated reviews both made it in.
    const kb = JSON.parse(serial.files.get('kb.json')!);
    expect(kb.reviews.some((r: { id: string }) => r.id.startsWith('seeds/'))).toBe(true);
    expect(kb.subjects.length).toBeGreaterThan(5);
  });
});
