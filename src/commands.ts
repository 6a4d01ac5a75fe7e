// What the build and render commands do with their flags: the up-to-date check, the build, the outputs, what is printed.
import { formatDiagnostic, skipSummary } from './diagnostics.js';
import { checkOutputFolder, writeOutputs, type OutputFile } from './output/outdir.js';
import { buildStamp, currentRun, renderId, toolDigest, type RunRecord, type StampInputs } from './output/uptodate.js';
import { StoredMemo, type Memo } from './cache/memo.js';
import type { RunStats } from './worker/run.js';
import { isTimeout } from './worker/pool.js';
import { progressBar, type Progress } from './progress.js';
import { StageClock, timed } from './stages.js';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import type { RenderableKb } from './model.js';
import { Spill } from './output/spill.js';
import type { TicketShelf } from './render/tickets.js';

export const EXIT_OK = 0;
export const EXIT_SKIPPED = 1;

export interface RenderFlags {
  out: string;
  templates?: string;
  reviewLinks?: string;
  triage?: string;
  since?: string;
  force?: boolean;
  json?: boolean;
  quiet?: boolean;
}

export interface BuildFlags extends RenderFlags {
  manifest?: string;
  taxonomy?: string;
  scope: 'subject' | 'all';
  maxBytes: number;
  timeout: number;
  jobs?: number;
  cache?: string | false;
}

/** What a build's outputs depend on, for the up-to-date check (worker count, quiet and json change none of them). */
function stampInputs(inputs: string[], flags: BuildFlags): StampInputs {
  return {
    inputs,
    files: [flags.manifest, flags.taxonomy, flags.triage, flags.since],
    templates: flags.templates,
    options: { scope: flags.scope, maxBytes: flags.maxBytes, timeout: flags.timeout, reviewLinks: flags.reviewLinks ?? null },
  };
}

/** Says what the last, identical run said: its diagnostics, summary, JSON and exit status. */
function replay(last: RunRecord, flags: BuildFlags, started: number): number {
  const { json } = last;
  // The diagnostics, then the summary line in its usual place (before what was skipped and why).
  for (const line of last.diagnostics) process.stderr.write(`${line}\n`);
  if (!flags.quiet) {
    const seconds = (Date.now() - started) / 1000;
    process.stderr.write(
      `review-kb: up to date: ${json.reviews} reviews, ${json.findings} findings, ${json.consolidated} consolidated in ${json.subjects} subjects, ${json.skipped} skipped; nothing changed since the last run, ${seconds.toFixed(1)} s → ${flags.out}\n`,
    );
    for (const line of last.ending) process.stderr.write(`${line}\n`);
  }
  if (flags.json) process.stdout.write(`${JSON.stringify({ ...json, out: flags.out, upToDate: true }, null, 1)}\n`);
  return last.exitCode;
}

/**
 * Every output, one at a time: kb.json (its pieces from `kbJson`), then what the renderers make of `kb`.
 * Loaded on demand: an up-to-date build needs none of it. The renderers read only the reviews'
 * metadata (RenderableKb), so whatever `kbJson` holds (a build's records of every review) is let go
 * once kb.json is serialized; a caller that keeps it keeps them alive. `close` stops the worker that
 * takes over parts of the subject pages (see RenderWorker): call it once the files are written.
 */
async function outputsOf(
  kb: RenderableKb,
  kbJson: () => Iterable<string | Uint8Array>,
  flags: RenderFlags,
  progress: Progress,
  memo?: Memo,
  ticketShelf?: TicketShelf,
): Promise<{ files: Iterable<OutputFile>; close: () => Promise<void> }> {
  const [{ renderEach, loadTriage, QuoteCache, RenderWorker }, { readKb, renderableKb }] = await Promise.all([import('./render/index.js'), import('./kb.js')]);
  // The HTML subject pages are finished, and the next subjects' excerpts quoted, in a worker while pages are made here.
  const worker = new RenderWorker();
  const options = {
    convertHtml: (markdowns: string[]) => worker.convert(markdowns),
    quotes: new QuoteCache((excerpts) => worker.quote(excerpts)),
    memo,
    ticketShelf,
    // Pages whose data, templates and renderer are those they were written with are left in place.
    buildId: await renderId(flags.templates),
    templatesDir: flags.templates,
    triage: flags.triage ? loadTriage(flags.triage) : null,
    since: flags.since ? await readKb(flags.since) : null,
    reviewLinkBase: flags.reviewLinks ?? null,
    onSubjects: (done: number, total: number) => {
      if (done === 0) {
        setHeapGrowth(SUBJECT_PAGES_HEAP_GROWING_PERCENT);
        progress.stage('subjects');
      }
      progress.update(done, total);
      if (done === total) progress.stage('writing SARIF and ticket lists, moving files into place');
    },
  };
  // Let go once the view is made from it (see renderEach).
  let renderable: RenderableKb | null = renderableKb(kb);
  let pending: (() => Iterable<string | Uint8Array>) | null = kbJson;
  const pieces = function* (): Generator<string | Uint8Array> {
    const make = pending!;
    pending = null;
    progress.stage('writing kb.json');
    yield* make();
    progress.stage('rendering overview pages');
  };
  const files = (function* (): Generator<OutputFile> {
    yield { path: 'kb.json', pieces };
    const pages = renderEach(renderable!, options);
    renderable = null;
    yield* pages;
  })();
  return { files, close: () => worker.close() };
}

/**
 * How far V8 lets the main thread's heap grow past what was live at its last full collection, in
 * percent. By default it grows to up to four times that: at 40,000 reviews the heap reached 2.3 GB
 * around 0.6 GB live while rendering, which makes much short-lived garbage. A quarter more keeps the
 * peak near what is live, for more frequent collections: at 40,000 reviews the peak RSS was 1,616 MiB
 * with 50%, 1,433 MiB with 25% (one run each; the peak then came with consolidation, kb.json and the
 * overview pages); at 10,000, cold builds took the same time with either (two alternating pairs).
 */
const HEAP_GROWING_PERCENT = 25;

/**
 * Subject pages make garbage around a live set that no longer grows, below the peak of the phases
 * before. At 40,000 reviews they took 113 s with 25% and 89 s with 50% (one run each; a profiled
 * run with 25% spent 42 of its 118 s in the collector, where 10,000 reviews spent 4.5 of 18.9 s), at
 * 1,491 MB of RSS at most with 50% (1,432 MB in the profiled run with 25%), the run's peak coming
 * earlier either way.
 */
const SUBJECT_PAGES_HEAP_GROWING_PERCENT = 50;

/**
 * Sets V8's heap growth for what is left of the run, after the workers are done (V8's flags are the
 * process's, and the analysis, garbage for the most part, runs faster with the default). A user's own
 * setting wins.
 */
function setHeapGrowth(percent: number): void {
  if (process.execArgv.some((a) => /^--heap[-_]growing[-_]percent/.test(a))) return;
  setFlagsFromString(`--heap-growing-percent=${percent}`);
}

/**
 * The cache folder, made if need be. One that cannot be written (a file in its place, a read-only
 * mount, no permission): given with --cache, the build goes on as with --no-cache, after a warning
 * (spilled reviews and tickets, which live there too, then stay in memory); the default one is
 * inside the output folder, which then cannot be written either: the run stops now, not after the
 * analysis.
 */
async function usableCache(dir: string, given: boolean): Promise<string | null> {
  const probe = join(dir, `.write-check-${process.pid}`);
  try {
    await mkdir(dir, { recursive: true });
    await writeFile(probe, '');
    await rm(probe);
    return dir;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    if (!given) throw new Error(`${dir}: cannot write into the output folder (${reason})`);
    process.stderr.write(`review-kb: warning: cannot write the cache folder ${dir} (${reason}); building without a cache, as with --no-cache\n`);
    return null;
  }
}

/** `review-kb build`: returns the exit status (0, or 1 when reviews were skipped or inputs had errors). */
export async function runBuild(inputs: string[], flags: BuildFlags): Promise<number> {
  await checkOutputFolder(flags.out, Boolean(flags.force));
  const started = Date.now();
  const clock = new StageClock();
  clock.start('checking inputs');
  const cacheDir = flags.cache === false ? null : await usableCache(flags.cache ?? join(flags.out, '.cache'), flags.cache !== undefined);
  // With the cache off every review is analysed again, as asked; otherwise an unchanged build is skipped.
  const stamp = cacheDir ? await buildStamp(stampInputs(inputs, flags)) : null;
  const last = stamp ? await currentRun(flags.out, stamp.stamp) : null;
  if (last) return replay(last, flags, started);
  const { buildSpilled } = await import('./pipeline.js');
  const bar = timed(progressBar({ enabled: !flags.quiet }), clock);
  bar.stage('reviews');
  const stats: RunStats = { jobs: 0, analysed: 0, cached: 0, failed: 0, cache: null };
  const { result, summary, outputs, memo, dispose, shelf } = await buildSpilled({
    inputs,
    manifest: flags.manifest,
    taxonomy: flags.taxonomy,
    scope: flags.scope,
    maxBytes: flags.maxBytes,
    timeoutMs: flags.timeout * 1000,
    jobs: flags.jobs,
    cacheDir,
    stats,
    digests: stamp?.digests,
    onProgress: (done, total) => bar.update(done, total),
    onAnalysed: () => {
      setHeapGrowth(HEAP_GROWING_PERCENT);
      bar.stage('consolidating subjects');
    },
    onConsolidation: (done, total) => bar.update(done, total),
  }, cacheDir)
    // Cleared for the diagnostics printed next (or the error); the stages of the writing draw it again.
    .finally(() => bar.stop())
    // The KB goes to the outputs only (this function never holds it): they let its review records go once kb.json is written.
    .then(async ({ kb, kbJson, dispose, ...result }) => {
      // Subjects' tickets remembered from earlier runs (same cache folder, same build of review-kb).
      const memo = cacheDir ? await StoredMemo.open(cacheDir, await toolDigest()) : undefined;
      // Made tickets wait for the ticket lists in a file next to the reviews' spill (none without a cache folder).
      const shelf = cacheDir ? Spill.create(cacheDir) : undefined;
      const summary = {
        reviews: kb.reviews.length,
        findings: kb.reviews.reduce((n, r) => n + r.findings.length, 0),
        consolidated: kb.subjects.reduce((n, s) => n + s.findings.length, 0),
        subjects: kb.subjects.length,
        skipped: result.skipped,
      };
      return { result, summary, outputs: await outputsOf(kb, kbJson, flags, bar, memo, shelf), memo, dispose, shelf };
    });
  // Errors that skipped nothing (a manifest row naming a missing file) still fail the run.
  const otherErrors = result.diagnostics.filter((d) => d.severity === 'error').length - result.skips.length;
  const report = result.diagnostics.map(formatDiagnostic);
  // What went wrong, at the end where it is seen: `skipped 3 of 10 reviews: 2 empty, 1 binary`.
  const ending: string[] = [];
  if (result.skipped > 0) ending.push(`review-kb: ${skipSummary(result.skips, summary.reviews)}`);
  if (otherErrors > 0) ending.push(`review-kb: ${otherErrors} other error${otherErrors === 1 ? '' : 's'} in the inputs (listed above)`);
  const exitCode = result.skipped > 0 || otherErrors > 0 ? EXIT_SKIPPED : EXIT_OK;
  const jsonOf = (written: string[]) => ({ ...summary, out: flags.out, files: written, diagnostics: result.diagnostics });
  // A review that ran out of time may not next time (a busy machine): such a run is never taken as current.
  const timedOut = result.skips.some(isTimeout);
  for (const line of report) process.stderr.write(`${line}\n`);
  const record = stamp && !timedOut ? (written: string[]) => ({ stamp: stamp.stamp, exitCode, diagnostics: report, ending, json: jsonOf(written) }) : null;
  const written = await writeOutputs(flags.out, outputs.files, record).finally(async () => {
    bar.stop();
    dispose();
    shelf?.remove();
    await outputs.close();
  });
  await memo?.flush();
  clock.end();
  if (!flags.quiet) {
    const seconds = (Date.now() - started) / 1000;
    process.stderr.write(
      `review-kb: ${summary.reviews} reviews, ${summary.findings} findings, ${summary.consolidated} consolidated in ${summary.subjects} subjects, ${summary.skipped} skipped, ${stats.cached} from cache, ${seconds.toFixed(1)} s → ${flags.out}\n`,
    );
    for (const line of ending) process.stderr.write(`${line}\n`);
  }
  // The timings are this run's: not part of the record an up-to-date run repeats.
  if (flags.json) process.stdout.write(`${JSON.stringify({ ...jsonOf(written), timings: clock.stages }, null, 1)}\n`);
  return exitCode;
}

/** `review-kb render`: every output again from a kb.json. */
export async function runRender(file: string, flags: RenderFlags): Promise<void> {
  await checkOutputFolder(flags.out, Boolean(flags.force));
  setHeapGrowth(HEAP_GROWING_PERCENT);
  const { readKb, serializeKbChunks } = await import('./kb.js');
  const kb = await readKb(file);
  const bar = progressBar({ enabled: !flags.quiet });
  const outputs = await outputsOf(kb, () => serializeKbChunks(kb), flags, bar);
  const written = await writeOutputs(flags.out, outputs.files).finally(async () => {
    bar.stop();
    await outputs.close();
  });
  if (flags.json) process.stdout.write(`${JSON.stringify({ out: flags.out, files: written }, null, 1)}\n`);
}
