// Runs the per-review analysis over every input (worker pool or serial, through the cache): outcomes handed on as they come, or returned in input order.
import { stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { taxonomyVersion, type Taxonomy } from '../classify/index.js';
import { DEFAULT_MAX_REVIEW_BYTES, tooLarge } from '../ingest/read.js';
import { cacheKey, ReviewCache, type CacheStats, type CacheVersions, type FileDigest } from '../cache/store.js';
import type { Diagnostic, ReviewAnalysis } from '../model.js';
import { ANALYZER_VERSION, analyzeOne } from './analyze-one.js';
import { runPool } from './pool.js';
import { asDiagnostic, decodeResult, deserializeResult, encodeResult, processBatch, readItem, restoreLineBreaks, type DecodedResult, type ItemResult, type ReviewResult, type TaskContext, type WorkItem } from './task.js';

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
  /** Longest one review may take in a worker, in ms; absent: no limit. The main thread (small runs) cannot be interrupted. */
  timeoutMs?: number;
  /** Digests of review files taken earlier in the run (the up-to-date check), by path: looked up without reading them again. */
  digests?: ReadonlyMap<string, FileDigest>;
  /** Part of the cache key; only tests set it (to show that a new analyser version misses the cache). */
  analyzerVersion?: string;
  /** Filled in when given: how the run went, for the summary and the benchmark. */
  stats?: RunStats;
  /**
   * Given, the cache stays open after the run, until the caller calls the `release` handed to this
   * (once the cache is opened): the kbText of a review found in it then reads the cache file, and
   * holds nothing. Without it, the cache is closed once looked up.
   */
  keepCache?: (release: () => void) => void;
}

export interface RunStats {
  jobs: number;
  analysed: number;
  cached: number;
  failed: number;
  cache: CacheStats | null;
}

/**
 * The analysis as kb.json shows it, made when asked: `JSON.stringify(analysis, null, 1)` after its
 * opening `{` and line break (what follows a review's own fields, see kb.ts reviewEntryHead). From the
 * text in hand, or, for a review found in a cache kept open (RunOptions.keepCache), read from the
 * cache file as UTF-8 bytes.
 */
export type KbText = () => string | Uint8Array;

export type Outcome =
  | { ok: true; analysis: ReviewAnalysis; diagnostics: Diagnostic[]; hash: string; cached: boolean; kbText: KbText }
  | { ok: false; diagnostic: Diagnostic };

/** Skips `{` and a line break (a tab, as encoded) to where the analysis' fields start. */
const FIELDS_AT = 2;

function outcomeOf({ analysis, diagnostics, hash }: ReviewResult, cached: boolean, kbText: KbText): Outcome {
  return { ok: true, analysis, diagnostics, hash, cached, kbText };
}

/** Made out here, as readLater is, so that it holds the text and nothing else of the result. */
function inHand(analysis: string): KbText {
  return () => analysis.slice(FIELDS_AT);
}

/** The same from the cache's form of the text, line breaks as tabs. */
function inHandEncoded({ analysisText }: DecodedResult): KbText {
  return () => analysisText.slice(FIELDS_AT).replaceAll('\t', '\n');
}

/** Made out here so that it holds the cache, the key and a number, not the analysis read now. */
function readLater(cache: ReviewCache, key: string, from: number): () => Uint8Array {
  return () => restoreLineBreaks(cache.bytes(key, from));
}

/**
 * Below this many reviews to analyse the serial path wins: a worker takes ~1 s here to start and load
 * the parser, lexicons and taxonomy, and two workers analyse at well under twice one thread's speed
 * (memory bound). Measured in fresh processes on the bench corpus (3.5 KB reviews): 100 reviews 0.8 s
 * serial vs 1.1–1.3 s with 2 workers, 300: 1.6 vs 2.0 s, 600: 2.8–3.0 vs 2.9 s, 1,000: 4.0–5.1 vs 3.9–4.1 s.
 */
export const SERIAL_BELOW = 512;

/** How many workers analysing `count` reviews gets: 1 means the main thread, no workers. */
export function workerCount(count: number, jobs: number = availableParallelism()): number {
  if (jobs <= 1 || count < SERIAL_BELOW) return 1;
  return Math.max(1, Math.min(Math.floor(jobs), Math.ceil(count / (SERIAL_BELOW / 2))));
}

/**
 * The largest review the main thread analyses when there is a time limit: 4,000 lines of `> - > - a`
 * (40 KB) take remark-parse 9 s, 20,000 lines (200 KB) 260 s; parsing grows with the square of such input.
 */
export const SERIAL_MAX_BYTES = 64 * 1024;

/** Whether any of the items is larger than `limit` bytes (files by their size on disk). */
async function anyLarger(items: readonly WorkItem[], limit: number): Promise<boolean> {
  const sizes = await Promise.all(
    items.map((it) => (it.text !== null ? Promise.resolve(Buffer.byteLength(it.text)) : stat(it.file).then((s) => s.size, () => 0))),
  );
  return sizes.some((size) => size > limit);
}

/** Reviews read at once while looking them up in the cache. */
const SCAN_CHUNK = 64;

/** Every outcome, in input order. */
export async function analyzeAll(inputs: ReviewInput[], options: RunOptions): Promise<Outcome[]> {
  const outcomes: Outcome[] = new Array(inputs.length);
  await analyzeEach(inputs, options, (index, outcome) => {
    outcomes[index] = outcome;
  });
  return outcomes;
}

/**
 * Hands each input's outcome to `take` as soon as it is known, in no particular order (with its index
 * in `inputs`), so that a caller keeping less than the whole analysis never holds every review's.
 * With a cache that holds anything, the main thread first reads and hashes every review (texts are
 * dropped right away) and answers what the cache knows; only the misses go to analysis, so a warm run
 * starts no worker and an incremental run sizes its pool by what changed. With no cache, or an empty
 * one, everything is a miss and the workers read the files themselves.
 */
export async function analyzeEach(inputs: ReviewInput[], options: RunOptions, take: (index: number, outcome: Outcome) => void): Promise<void> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_REVIEW_BYTES;
  const versions: CacheVersions | null = options.cacheDir
    ? { analyzer: options.analyzerVersion ?? ANALYZER_VERSION, taxonomy: taxonomyVersion(options.taxonomy) }
    : null;
  const cache = options.cacheDir && versions ? await ReviewCache.open(options.cacheDir, versions) : null;
  // Bound, not a closure: one would keep this scope alive, and with `take` whatever the caller's holds.
  if (cache) options.keepCache?.(cache.release.bind(cache));
  // Held open for the caller: what the lookups find gives its kbText as a reader of the cache file.
  const held = cache !== null && options.keepCache !== undefined;
  const stats: RunStats = options.stats ?? { jobs: 1, analysed: 0, cached: 0, failed: 0, cache: null };
  Object.assign(stats, { jobs: 1, analysed: 0, cached: 0, failed: 0, cache: cache?.stats ?? null });
  let done = 0;
  const progress = (n: number): void => {
    done += n;
    options.onProgress?.(done, inputs.length);
  };
  const fail = (index: number, diagnostic: Diagnostic): void => {
    take(index, { ok: false, diagnostic });
    stats.failed++;
  };

  let misses: number[];
  if (cache && cache.stats.loaded > 0) {
    misses = [];
    for (let start = 0; start < inputs.length; start += SCAN_CHUNK) {
      const end = Math.min(inputs.length, start + SCAN_CHUNK);
      const chunk = inputs.slice(start, end).map((input, i) => lookup(start + i, input));
      let settled = 0;
      for (const found of await Promise.all(chunk)) {
        if (found.kind === 'miss') {
          misses.push(found.index);
          continue;
        }
        settled++;
        if (found.kind === 'fail') fail(found.index, found.diagnostic);
        else {
          take(found.index, outcomeOf(found.result, true, held ? readLater(cache, found.key, found.result.analysisAt + FIELDS_AT) : inHandEncoded(found.result)));
          stats.cached++;
        }
      }
      progress(settled);
    }
    if (!held) cache.release();
  } else {
    misses = inputs.map((_, i) => i);
  }

  async function lookup(index: number, input: ReviewInput): Promise<
    { kind: 'hit'; index: number; key: string; result: DecodedResult } | { kind: 'miss'; index: number } | { kind: 'fail'; index: number; diagnostic: Diagnostic }
  > {
    let digest: string;
    const known = input.text === null ? options.digests?.get(input.file) : undefined;
    try {
      if (known && known.size > maxBytes) throw tooLarge(input.file, known.size, maxBytes);
      // Only reviews that analysed cleanly are cached, so a hit needs none of the checks a read makes.
      digest = known?.sha256 ?? (await readItem({ index, file: input.file, text: input.text }, maxBytes)).digest;
    } catch (error) {
      return { kind: 'fail', index, diagnostic: asDiagnostic(input.file, error) };
    }
    const key = cacheKey(digest, input.file, versions!);
    const result = cache!.get(key, decodeResult);
    return result ? { kind: 'hit', index, key, result } : { kind: 'miss', index };
  }

  let analysedOrFailed = 0;
  const settle = (results: ItemResult[]): void => {
    analysedOrFailed += results.length;
    for (const r of results) {
      if (r.kind === 'fail') {
        fail(r.index, r.diagnostic);
      } else {
        if (r.key !== null) cache?.put(r.key, encodeResult(r.result));
        take(r.index, outcomeOf(deserializeResult(r.result), false, inHand(r.result.analysis)));
        stats.analysed++;
      }
    }
    progress(results.length);
  };
  const item = (n: number): WorkItem => {
    const index = misses[n]!;
    return { index, file: inputs[index]!.file, text: inputs[index]!.text };
  };

  const workers = workerCount(misses.length, options.jobs);
  // A few reviews are analysed on the main thread, where nothing can stop a parse gone quadratic. Small
  // reviews cannot run long that way; a large one could run for hours, so it gets a worker and the time limit.
  const guarded = workers <= 1 && options.timeoutMs !== undefined && options.jobs !== 1 && (await anyLarger(misses.map((_, n) => item(n)), SERIAL_MAX_BYTES));
  let serial = workers <= 1 && !guarded;
  if (!serial) {
    stats.jobs = workers;
    try {
      await runPool(misses.length, item, workers, { taxonomyFile: options.taxonomyFile, maxBytes, versions }, settle, { timeoutMs: options.timeoutMs });
    } catch (error) {
      // Workers could not start here (no compiled entry, no esbuild for the sources): same work, one thread.
      if (analysedOrFailed > 0 || !isStartFailure(error)) throw error;
      stats.jobs = 1;
      serial = true;
    }
  }
  if (serial) {
    const ctx: TaskContext = { maxBytes, versions, analyzer: async () => (text, file) => analyzeOne(text, file, options.taxonomy) };
    // In batches, as a worker would get them: reading overlaps and progress moves.
    for (let start = 0; start < misses.length; start += SCAN_CHUNK) {
      const batch: WorkItem[] = [];
      for (let n = start; n < Math.min(misses.length, start + SCAN_CHUNK); n++) batch.push(item(n));
      settle(await processBatch(batch, ctx));
    }
  }
  await cache?.flush();
}

function isStartFailure(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return code === 'MODULE_NOT_FOUND' || code === 'ERR_MODULE_NOT_FOUND' || code === 'ERR_WORKER_PATH' || code === 'ERR_WORKER_INIT_FAILED';
}
