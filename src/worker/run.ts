// Runs the per-review analysis over every input (worker pool or serial, through the cache) and returns outcomes in input order.
import { availableParallelism } from 'node:os';
import { taxonomyVersion, type Taxonomy } from '../classify/index.js';
import { DEFAULT_MAX_REVIEW_BYTES } from '../ingest/read.js';
import { ReviewCache, type CacheStats, type CacheVersions } from '../cache/store.js';
import type { Diagnostic, ReviewAnalysis } from '../model.js';
import { ANALYZER_VERSION, analyzeOne } from './analyze-one.js';
import { runPool } from './pool.js';
import { asDiagnostic, processBatch, type ItemResult, type ReviewResult, type TaskContext, type WorkItem } from './task.js';

export { asDiagnostic } from './task.js';

/** Metadata that comes with a review from outside its text (batch record fields, manifest). */
export interface ExternalMeta {
  subject: string | null;
  reviewer: string | null;
  date: string | null;
}

/** One review to analyse: a file to read, or a batch record whose text is already in hand. */
export interface ReviewInput {
  id: string;
  file: string;
  text: string | null;
  meta: ExternalMeta;
}

export interface RunOptions {
  /** The loaded taxonomy, and the file it came from (workers load their own copy from it). */
  taxonomy: Taxonomy;
  taxonomyFile: string | null;
  maxBytes?: number;
  onProgress?: (done: number, total: number) => void;
  /** Worker threads; default: the cores available. 1 analyses on the main thread. */
  jobs?: number;
  /** Folder of the per-review cache; null or absent: no cache. */
  cacheDir?: string | null;
  /** Part of the cache key; only tests set it (to show that a new analyser version misses the cache). */
  analyzerVersion?: string;
  /** Filled in when given: how the run went, for the summary and the benchmark. */
  stats?: RunStats;
}

export interface RunStats {
  jobs: number;
  analysed: number;
  cached: number;
  failed: number;
  cache: CacheStats | null;
}

export type Outcome =
  | { ok: true; analysis: ReviewAnalysis; diagnostics: Diagnostic[]; hash: string; cached: boolean }
  | { ok: false; diagnostic: Diagnostic };

/**
 * Below this many reviews the serial path wins: starting a worker and loading the parser in it
 * (~0.3 s measured here) costs more than analysing a few dozen reviews on the main thread.
 */
export const SERIAL_BELOW = 48;

/** How many workers a run of `count` reviews gets: 1 means the main thread, no workers. */
export function workerCount(count: number, jobs: number = availableParallelism()): number {
  if (jobs <= 1 || count < SERIAL_BELOW) return 1;
  return Math.max(1, Math.min(Math.floor(jobs), Math.ceil(count / (SERIAL_BELOW / 2))));
}

export async function analyzeAll(inputs: ReviewInput[], options: RunOptions): Promise<Outcome[]> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_REVIEW_BYTES;
  const versions: CacheVersions | null = options.cacheDir
    ? { analyzer: options.analyzerVersion ?? ANALYZER_VERSION, taxonomy: taxonomyVersion(options.taxonomy) }
    : null;
  const cache = options.cacheDir && versions ? await ReviewCache.open(options.cacheDir, versions) : null;
  const outcomes: Outcome[] = new Array(inputs.length);
  const retry: number[] = [];
  const stats: RunStats = options.stats ?? { jobs: 1, analysed: 0, cached: 0, failed: 0, cache: null };
  Object.assign(stats, { analysed: 0, cached: 0, failed: 0, cache: cache?.stats ?? null });
  let done = 0;

  const settle = (results: ItemResult[]): void => {
    for (const r of results) {
      if (r.kind === 'fail') {
        outcomes[r.index] = { ok: false, diagnostic: r.diagnostic };
        stats.failed++;
      } else if (r.kind === 'hit') {
        const hit = cache?.get<ReviewResult>(r.key);
        // An unreadable entry is analysed again, after the pool is done.
        if (!hit) retry.push(r.index);
        else {
          outcomes[r.index] = { ok: true, ...hit, cached: true };
          stats.cached++;
        }
      } else {
        if (r.key !== null) cache?.put(r.key, r.json);
        outcomes[r.index] = { ok: true, ...(JSON.parse(r.json) as ReviewResult), cached: false };
        stats.analysed++;
      }
    }
    done += results.length;
    options.onProgress?.(done, inputs.length);
  };
  const item = (index: number): WorkItem => ({ index, file: inputs[index]!.file, text: inputs[index]!.text });

  const workers = workerCount(inputs.length, options.jobs);
  stats.jobs = workers;
  let serial = workers <= 1;
  if (!serial) {
    const init = { taxonomyFile: options.taxonomyFile, maxBytes, versions, known: cache?.keys() ?? [] };
    try {
      await runPool(inputs.length, item, workers, init, settle);
    } catch (error) {
      // Workers could not start here (no compiled entry, no esbuild for the sources): same work, one thread.
      if (done > 0 || !isStartFailure(error)) throw error;
      stats.jobs = 1;
      serial = true;
    }
  }
  const ctx: TaskContext = {
    maxBytes,
    versions,
    known: cache ?? { has: () => false },
    analyzer: async () => (text, file) => analyzeOne(text, file, options.taxonomy),
  };
  if (serial) {
    // Batches of the same size a worker gets: reading overlaps, progress moves, nothing else is held.
    for (let start = 0; start < inputs.length; start += 32) {
      const batch: WorkItem[] = [];
      for (let i = start; i < Math.min(inputs.length, start + 32); i++) batch.push(item(i));
      settle(await processBatch(batch, ctx));
    }
  }
  if (retry.length > 0) {
    done -= retry.length;
    settle(await processBatch(retry.map(item), { ...ctx, known: { has: () => false } }));
  }
  await cache?.flush();
  return outcomes;
}

function isStartFailure(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return code === 'MODULE_NOT_FOUND' || code === 'ERR_MODULE_NOT_FOUND' || code === 'ERR_WORKER_PATH' || code === 'ERR_WORKER_INIT_FAILED';
}
