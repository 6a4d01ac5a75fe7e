import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTaxonomy } from '../../src/classify/index.js';
import { analyzeAll, SERIAL_BELOW, workerCount, type Outcome, type ReviewInput, type RunStats } from '../../src/worker/run.js';
import { writeCorpus } from '../../scripts/bench/corpus.js';
import type { FileDigest } from '../../src/cache/store.js';
import { buildStamp } from '../../src/output/uptodate.js';

const SEEDS = join(import.meta.dirname, '../../seeds');
let root: string;
let inputs: ReviewInput[];
const taxonomy = loadTaxonomy();

const toInput = (file: string): ReviewInput => ({ id: file, file, text: null, meta: { subject: null, reviewer: null, date: null } });
const stats = (): RunStats => ({ jobs: 0, analysed: 0, cached: 0, failed: 0, cache: null });
/** Outcomes with the text each gives kb.json in place of the function that makes it. */
const shown = (list: Outcome[]) => list.map((o) => (o.ok ? { ...o, kbText: Buffer.from(o.kbText()).toString('utf8') } : o));

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'review-kb-worker-'));
  // Enough reviews that the pool really starts (the seeds alone are analysed on the main thread).
  const corpus = await writeCorpus(join(root, 'corpus'), { reviews: SERIAL_BELOW + 12, seed: 7 });
  await cp(SEEDS, join(root, 'seeds'), { recursive: true });
  const seeds = (await readdir(join(root, 'seeds'))).filter((f) => f.endsWith('.txt')).map((f) => join(root, 'seeds', f));
  inputs = [...seeds, ...corpus.files].map(toInput);
  // A batch record (text in hand) and an empty file go through the same path.
  inputs.push({ id: 'batch#1', file: 'batch.jsonl#1', text: '1. **Hardcoded password** in `connect` (line 12).\n', meta: { subject: 'db.py', reviewer: null, date: null } });
  await writeFile(join(root, 'empty.md'), '  \n');
  inputs.push(toInput(join(root, 'empty.md')));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('workerCount', () => {
  it('keeps tiny runs on the main thread and never exceeds the jobs asked for', () => {
    expect(workerCount(4, 8)).toBe(1);
    expect(workerCount(10_000, 1)).toBe(1);
    expect(workerCount(10_000, 2)).toBe(2);
    expect(workerCount(SERIAL_BELOW, 8)).toBe(2);
  });
});

describe('analyzeAll', () => {
  it('gives the same outcomes, in input order, with a worker pool and on one thread', async () => {
    const serialStats = stats();
    const parallelStats = stats();
    const serial = await analyzeAll(inputs, { taxonomy, taxonomyFile: null, jobs: 1, stats: serialStats });
    const parallel = await analyzeAll(inputs, { taxonomy, taxonomyFile: null, jobs: 2, stats: parallelStats });
    expect(serialStats.jobs).toBe(1);
    expect(parallelStats.jobs).toBe(2);
    expect(JSON.stringify(shown(parallel))).toBe(JSON.stringify(shown(serial)));
    // Each gives kb.json its analysis as kb.json shows it, from the first field on.
    for (const o of parallel) if (o.ok) expect(o.kbText()).toBe(JSON.stringify(o.analysis, null, 1).slice(2));
    expect(parallel).toHaveLength(inputs.length);
    // Order is the input order: each outcome's findings come from its own review.
    const seed = parallel[0] as Extract<Outcome, { ok: true }>;
    const seedText = await readFile(inputs[0]!.file, 'utf8');
    expect(seed.ok).toBe(true);
    expect(seed.analysis.findings.length).toBeGreaterThan(0);
    for (const f of seed.analysis.findings) expect(seedText).toContain(f.title.split(' ')[0]!);
    const empty = parallel.at(-1)!;
    expect(empty.ok).toBe(false);
    expect(!empty.ok && empty.diagnostic.message).toMatch(/empty review/);
    const batch = parallel.at(-2) as Extract<Outcome, { ok: true }>;
    expect(batch.analysis.findings[0]?.evidence.identifiers).toContain('connect');
  });

  it('reports progress up to the total', async () => {
    const seen: number[] = [];
    await analyzeAll(inputs.slice(0, 6), { taxonomy, taxonomyFile: null, jobs: 1, onProgress: (done, total) => seen.push(done / total) });
    expect(seen.at(-1)).toBe(1);
    expect([...seen].sort((a, b) => a - b)).toEqual(seen);
  });
});

describe('the per-review cache', () => {
  let work: string;
  let files: ReviewInput[];
  beforeAll(async () => {
    work = join(root, 'cached');
    await cp(join(root, 'corpus'), work, { recursive: true });
    // Every review of the corpus: enough for the pool to start.
    const dir = join(work, 'reviews');
    files = (await readdir(dir, { recursive: true })).filter((f) => f.endsWith('.md')).sort().map((f) => toInput(join(dir, f)));
  });

  const run = async (options: { jobs?: number; taxonomyFile?: string | null; analyzerVersion?: string; digests?: Map<string, FileDigest>; maxBytes?: number } = {}) => {
    const s = stats();
    const taxonomyFile = options.taxonomyFile ?? null;
    const outcomes = await analyzeAll(files, {
      taxonomy: taxonomyFile ? loadTaxonomy(taxonomyFile) : taxonomy,
      taxonomyFile,
      jobs: options.jobs ?? 2,
      cacheDir: join(work, '.cache'),
      analyzerVersion: options.analyzerVersion,
      digests: options.digests,
      maxBytes: options.maxBytes,
      stats: s,
    });
    return { outcomes, stats: s };
  };

  it('analyses everything once, then nothing, and gives the same outcomes from the cache', async () => {
    const cold = await run();
    expect(cold.stats).toMatchObject({ analysed: files.length, cached: 0, jobs: 2 });
    const warm = await run();
    expect(warm.stats).toMatchObject({ analysed: 0, cached: files.length });
    const strip = (list: Outcome[]) => JSON.stringify(shown(list).map((o) => (o.ok ? { ...o, cached: null } : o)));
    expect(strip(warm.outcomes)).toBe(strip(cold.outcomes));
    expect(warm.outcomes.every((o) => o.ok && o.cached)).toBe(true);
  });

  it('analyses a review again when its text changes, and only that one', async () => {
    await run();
    const target = files[3]!.file;
    await writeFile(target, `${await readFile(target, 'utf8')}\n6. **SQL injection** in \`find_user\` (line 88): the query is built with string formatting.\n`);
    const after = await run();
    expect(after.stats).toMatchObject({ analysed: 1, cached: files.length - 1 });
    const changed = after.outcomes[3] as Extract<Outcome, { ok: true }>;
    expect(changed.cached).toBe(false);
    expect(changed.analysis.findings.some((f) => f.evidence.identifiers.includes('find_user'))).toBe(true);
  });

  it('analyses everything again when the taxonomy changes', async () => {
    await run();
    const custom = join(root, 'taxonomy.json');
    await writeFile(custom, JSON.stringify({ extends: 'default', categories: [{ id: 'command-injection', cues: { 'helper process': 3 } }] }));
    const changed = await run({ taxonomyFile: custom });
    expect(changed.stats).toMatchObject({ analysed: files.length, cached: 0 });
    const again = await run({ taxonomyFile: custom });
    expect(again.stats).toMatchObject({ analysed: 0, cached: files.length });
  });

  it('analyses everything again when the analyser version changes', async () => {
    await run();
    const bumped = await run({ analyzerVersion: 'test-next' });
    expect(bumped.stats).toMatchObject({ analysed: files.length, cached: 0 });
  });

  it('looks reviews up by the digests the up-to-date check took, without reading them again, within the size limit', async () => {
    await run();
    const { digests } = await buildStamp({ inputs: files.map((f) => f.file), files: [], options: {} });
    expect(digests.size).toBe(files.length);
    // Gone since the check read it: found by its digest all the same (without, the read fails).
    const gone = files[2]!.file;
    const text = await readFile(gone, 'utf8');
    await rm(gone);
    const known = await run({ digests });
    expect(known.stats).toMatchObject({ analysed: 0, cached: files.length, failed: 0 });
    expect((await run()).outcomes[2]).toMatchObject({ ok: false, diagnostic: { message: expect.stringContaining('cannot read') } });
    await writeFile(gone, text);
    // --max-bytes still applies to a review found by its digest.
    const limit = digests.get(files[4]!.file)!.size - 1;
    const limited = await run({ digests, maxBytes: limit });
    expect(limited.outcomes[4]).toMatchObject({ ok: false, diagnostic: { message: expect.stringContaining(`over the limit of ${limit} bytes`) } });
  });

  it('is shared by the serial path', async () => {
    await run();
    const serial = await run({ jobs: 1 });
    expect(serial.stats).toMatchObject({ analysed: 0, cached: files.length, jobs: 1 });
  });
});

describe('the time limit per review', () => {
  it('stops a worker stuck on one review, fails that review and still analyses every other one', async () => {
    // Thousands of `> - > - a` lines make remark-parse quadratic: unbounded, this one review runs for minutes.
    const stuck = join(root, 'quadratic.md');
    await writeFile(stuck, '# Review\n\n' + '> - > - a\n'.repeat(20_000));
    const all = [...inputs.slice(0, 20), toInput(stuck), ...inputs.slice(20)];
    const runStats = stats();
    const started = Date.now();
    const outcomes = await analyzeAll(all, { taxonomy, taxonomyFile: null, jobs: 2, timeoutMs: 1500, stats: runStats });
    expect(Date.now() - started).toBeLessThan(60_000);
    expect(outcomes[20]).toEqual({
      ok: false,
      diagnostic: { file: stuck, severity: 'error', message: 'analysis took longer than 1.5 s, the limit per review (skipped; raise it with --timeout)' },
    });
    // Every other review came back, in input order, from the surviving or the replacement worker.
    const reference = await analyzeAll(inputs, { taxonomy, taxonomyFile: null, jobs: 1, stats: stats() });
    expect(shown([...outcomes.slice(0, 20), ...outcomes.slice(21)])).toEqual(shown(reference));
    expect(runStats.failed).toBe(2); // the stuck review and the empty file
  }, 120_000);

  it('guards a run too small for the pool when one of its reviews is large', async () => {
    const stuck = join(root, 'quadratic-small-run.md');
    await writeFile(stuck, '# Review\n\n' + '> - > - a\n'.repeat(20_000));
    const few = [...inputs.slice(0, 3), toInput(stuck)];
    const runStats = stats();
    const outcomes = await analyzeAll(few, { taxonomy, taxonomyFile: null, timeoutMs: 1500, stats: runStats });
    expect(runStats.jobs).toBe(1);
    expect(outcomes[3]).toMatchObject({ ok: false, diagnostic: { file: stuck, message: expect.stringMatching(/^analysis took longer than 1\.5 s/) } });
    expect(outcomes.slice(0, 3).every((o) => o.ok)).toBe(true);
  }, 120_000);
});
