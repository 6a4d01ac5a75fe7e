import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeCorpus } from '../../scripts/bench/corpus.js';
import type { Memo } from '../../src/cache/memo.js';
import { build } from '../../src/pipeline.js';
import { QuoteCache, RenderWorker, renderAll, renderEach } from '../../src/render/index.js';
import { quoteExcerptBoth, type Quote } from '../../src/render/excerpt.js';
import { markdownToSafeHtml } from '../../src/render/safe-html.js';
import type { KB } from '../../src/model.js';
import { sampleKb } from './helpers.js';

const workers: RenderWorker[] = [];
const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(workers.map((w) => w.close()));
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});
function renderWorker(): RenderWorker {
  const w = new RenderWorker();
  workers.push(w);
  return w;
}

const seedsKb = async (): Promise<KB> => (await build({ inputs: ['seeds'], manifest: 'seeds/manifest.csv', jobs: 1, cacheDir: null })).kb;

/** The KB of a small synthetic corpus (the bench's generator: 48 reviews, 4 a subject), made once. */
let corpus: Promise<KB> | null = null;
function corpusKb(): Promise<KB> {
  return (corpus ??= (async () => {
    const dir = await mkdtemp(join(tmpdir(), 'review-kb-render-worker-'));
    dirs.push(dir);
    const { manifest } = await writeCorpus(join(dir, 'corpus'), { reviews: 48, seed: 5, perSubject: 4 });
    return (await build({ inputs: [join(dir, 'corpus')], manifest, jobs: 1, cacheDir: null })).kb;
  })());
}

/** A memo kept in memory, as the stored one is across runs. */
function memoryMemo(): Memo {
  const known = new Map<string, unknown>();
  return {
    of<T>(kind: string, key: string, compute: () => T): T {
      const id = `${kind}\u0000${key}`;
      if (!known.has(id)) known.set(id, compute());
      return known.get(id) as T;
    },
  };
}

/**
 * Every output as writeOutputs takes it: each page made when it comes (its subject's quotes still at
 * hand), awaited after. `settle` runs after each file, as writeOutputs' waits for its writes do.
 */
async function renderedWith(
  kb: KB,
  worker: RenderWorker,
  quotes?: QuoteCache,
  settle: () => Promise<unknown> = async () => undefined,
): Promise<{ files: Map<string, string>; finishedElsewhere: string[] }> {
  const made: [string, string | Promise<string>][] = [];
  for (const f of renderEach(kb, { convertHtml: (markdowns) => worker.convert(markdowns), quotes })) {
    made.push([f.path, 'render' in f ? f.render() : 'pieces' in f ? [...f.pieces()].join('') : f.content]);
    await settle();
  }
  const finishedElsewhere = made.filter(([, content]) => content instanceof Promise).map(([path]) => path);
  return { files: new Map(await Promise.all(made.map(async ([path, content]) => [path, await content] as [string, string]))), finishedElsewhere };
}

describe('subject pages finished in the render worker', () => {
  it('are byte for byte the pages made on the main thread, for the sample KB and the seeds', async () => {
    for (const kb of [sampleKb(), await seedsKb()]) {
      const here = new Map(renderAll(kb).map((f) => [f.path, f.content]));
      const worker = renderWorker();
      const { files, finishedElsewhere } = await renderedWith(kb, worker);
      // Only the subjects' HTML pages go to the worker; every other file is as it was.
      expect(finishedElsewhere.sort()).toEqual([...here.keys()].filter((p) => p.startsWith('html/subjects/')).sort());
      expect(finishedElsewhere.length).toBeGreaterThan(0);
      expect(files).toEqual(here);
      expect(worker.answered).toEqual({ inWorker: finishedElsewhere.length, here: 0 });
    }
  });

  it('quotes the next subjects\' excerpts in the worker, and the pages that take them are the same', async () => {
    const kb = await corpusKb();
    const here = new Map(renderAll(kb).map((f) => [f.path, f.content]));
    const worker = renderWorker();
    const asked: Promise<Quote[]>[] = [];
    const quotes = new QuoteCache((excerpts) => {
      const made = worker.quote(excerpts);
      asked.push(made);
      return made;
    });
    // Each file waits for the quotes asked for so far, so that they have all arrived when their subjects' pages come.
    const { files } = await renderedWith(kb, worker, quotes, () => Promise.all(asked));
    expect(files).toEqual(here);
    // The same quotes were taken as without a worker, each once per subject.
    const alone = new QuoteCache();
    renderAll(kb, { quotes: alone });
    expect(quotes.made.here + quotes.made.elsewhere).toBe(alone.made.here);
    // Asked for once two subjects in a row quoted theirs, for the next ones, the third's while its pages are made:
    // the first three subjects' quotes are made here, every later one's came from the worker.
    const firstThree = [...kb.subjects].sort((a, b) => (a.path < b.path ? -1 : 1)).slice(0, 3);
    const excerpts = new Set(firstThree.flatMap((s) => s.findings.flatMap((f) => f.sources.map((x) => x.excerpt))));
    expect(quotes.made.here).toBeGreaterThan(0);
    expect(quotes.made.here).toBeLessThanOrEqual(excerpts.size);
    expect(quotes.made.elsewhere).toBeGreaterThan(alone.made.here / 2);
  });

  it('asks for no quotes ahead in a re-run that makes the pages of a changed subject here and there', async () => {
    const kb = await corpusKb();
    // The same build, so that the tickets remembered by the first run are those of the second.
    const memo = memoryMemo();
    const buildId = 'same build';
    renderAll(kb, { memo, buildId });
    const asked: string[][] = [];
    const quotes = new QuoteCache(async (excerpts) => {
      asked.push(excerpts);
      return excerpts.map(quoteExcerptBoth);
    });
    // Only every third subject "changed": its pages are made; the tickets of the others are remembered.
    const changed = new Set([...kb.subjects].sort((a, b) => (a.path < b.path ? -1 : 1)).filter((_, i) => i % 3 === 0).map((s) => s.path));
    for (const f of renderEach(kb, { memo, buildId, quotes })) {
      if ('render' in f && [...changed].some((p) => f.path.includes(p))) await f.render();
    }
    expect(quotes.made.here).toBeGreaterThan(0);
    expect(asked).toEqual([]);
  });

  it('does what the worker had, and everything after, on the main thread once the worker is gone', async () => {
    const worker = renderWorker();
    const pieces = ['# Title\n\nSome *text* with `code`.', '| a | b |\n| - | - |\n| 1 | 2 |', '<script>alert(1)</script>\n\n[link](javascript:alert(1))'];
    const expected = pieces.map(markdownToSafeHtml);
    const quoted = pieces.map(quoteExcerptBoth);
    expect(await worker.convert(pieces)).toEqual(expected);
    expect(await worker.quote(pieces)).toEqual(quoted);
    expect(worker.answered).toEqual({ inWorker: 2, here: 0 });
    // Requests still out when the worker stops are not lost.
    const out = [worker.convert(pieces), worker.convert(pieces.slice(1)), worker.quote(pieces)];
    await worker.close();
    expect(await Promise.all(out)).toEqual([expected, expected.slice(1), quoted]);
    expect(await worker.quote(pieces)).toEqual(quoted);
    expect(worker.answered.inWorker + worker.answered.here).toBe(6);
    expect(worker.answered.here).toBeGreaterThan(0);
  });
});
