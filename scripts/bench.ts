// `npm run bench`: parse-only baseline vs cold, warm and incremental builds on one synthetic corpus; `--scale` adds 40,000 reviews.
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { mutateCorpus, writeCorpus, type Corpus } from './bench/corpus.js';
import { parseOnly, parseOnlyParallel } from './bench/parse-only.js';
import { stageTimes, type StageTimes } from './bench/stages.js';
import type { StageTime } from '../src/stages.js';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const CLI = join(HERE, '../src/cli.js');
const PROBE = new URL('./bench/rss-probe.js', import.meta.url).href;

interface Measure {
  name: string;
  seconds: number;
  bytes: number;
  reviews: number;
  rss: number | null;
  note: string;
  failed?: boolean;
  /** A build's stages as its `--json` summary times them (none for an up-to-date run). */
  timings?: StageTime[];
}

/** Runs a child node process with the RSS probe preloaded; resolves with wall time, peak RSS, stdout and stderr. */
async function measured(args: string[], label: string): Promise<{ seconds: number; rss: number | null; stdout: string; stderr: string; code: number }> {
  const rssFile = join(tmpdir(), `review-kb-rss-${process.pid}-${label}`);
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', PROBE, ...args], {
    env: { ...process.env, REVIEW_KB_RSS_FILE: rssFile },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (b: Buffer) => out.push(b));
  child.stderr.on('data', (b: Buffer) => err.push(b));
  const code = await new Promise<number>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (c) => resolve(c ?? -1));
  });
  const seconds = (performance.now() - started) / 1000;
  const rss = await readFile(rssFile, 'utf8').then(Number, () => null);
  await rm(rssFile, { force: true });
  return { seconds, rss, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), code };
}

async function listReviews(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true });
  return entries.filter((f) => f.endsWith('.md')).map((f) => join(dir, f)).sort();
}

/**
 * The parse-only baseline (one thread), or the same parse split across `threads` worker threads, in a
 * process of its own so the generator's garbage does not weigh on it.
 */
async function parseOnlyRun(corpus: Corpus, threads = 1): Promise<Measure> {
  const args = [fileURLToPath(import.meta.url), '--parse-only', join(corpus.dir, 'reviews')];
  if (threads > 1) args.push('--threads', String(threads));
  const run = await measured(args, `parse${threads}`);
  if (run.code !== 0) throw new Error(`parse-only run failed:\n${run.stderr}`);
  const result = JSON.parse(run.stdout) as { files: number; bytes: number; seconds: number };
  const name = threads > 1 ? `parse-only (${threads} threads)` : 'parse-only (1 thread)';
  return { name, seconds: result.seconds, bytes: result.bytes, reviews: result.files, rss: run.rss, note: `process ${run.seconds.toFixed(1)} s` };
}

async function buildOnce(name: string, corpus: Corpus, out: string, jobs: string | undefined): Promise<Measure> {
  const args = [CLI, 'build', join(corpus.dir, 'reviews'), '--manifest', corpus.manifest, '--out', out, '--json'];
  if (jobs) args.push('--jobs', jobs);
  const run = await measured(args, name.replace(/\W/g, ''));
  if (run.code !== 0 && run.code !== 1) {
    // A failed build is a result too (out of memory, a string too long): report it, do not lose the other figures.
    const lines = run.stderr.trim().split('\n');
    const last = lines.find((l) => /FATAL ERROR|RangeError|Error:/.test(l)) ?? lines.at(-1);
    return { name, seconds: run.seconds, bytes: corpus.bytes, reviews: 0, rss: run.rss, note: `FAILED (exit ${run.code}): ${last ?? ''}`.slice(0, 160), failed: true };
  }
  const summary = JSON.parse(run.stdout) as { reviews: number; findings: number; consolidated: number; skipped: number; upToDate?: boolean; timings?: StageTime[] };
  // An up-to-date run looks nothing up: it repeats the last run's summary, which says nothing of the cache.
  const cached = summary.upToDate ? 'up to date' : `${/(\d+) from cache/.exec(run.stderr)?.[1] ?? '?'} from cache`;
  return {
    name,
    seconds: run.seconds,
    bytes: corpus.bytes,
    reviews: summary.reviews,
    rss: run.rss,
    note: `${summary.findings} findings → ${summary.consolidated} consolidated, ${cached}, ${summary.skipped} skipped`,
    timings: summary.timings,
  };
}

/** Seconds per stage (rows) of each build that ran its stages (columns). */
function stageTable(builds: Measure[]): string {
  const timed = builds.filter((b) => b.timings && b.timings.length > 0);
  const names = [...new Set(timed.flatMap((b) => b.timings!.map((s) => s.stage)))];
  const body = names.map((name) => [name, ...timed.map((b) => {
    const s = b.timings!.find((x) => x.stage === name);
    return s ? fmt(s.seconds, 2) : '';
  })]);
  return aligned(['stage', ...timed.map((b) => b.name)], body, (i) => i === 0);
}

/** Rows of cells in columns two spaces apart: text columns (`left`) padded on the right, numbers on the left. */
function aligned(head: string[], body: string[][], left: (column: number) => boolean): string {
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  return [head, ...body].map((row) => row.map((c, i) => (left(i) ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd()).join('\n');
}

const fmt = (n: number, digits = 1): string => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
// Binary units, labelled so (the RSS target is judged in decimal GB, with the GiB figure alongside).
const mb = (bytes: number | null): string => (bytes === null ? '?' : `${fmt(bytes / 2 ** 20, 0)} MiB`);

function table(rows: Measure[], base: Measure): string {
  const head = ['phase', 'wall s', 'MB/s', 'reviews/s', '× parse-only', 'peak RSS', ''];
  const body = rows.map((r) => [
    r.name,
    fmt(r.seconds, 2),
    fmt(r.bytes / 1e6 / r.seconds, 2),
    fmt(r.reviews / r.seconds, 0),
    r === base ? '1.00' : fmt(r.seconds / base.seconds, 2),
    mb(r.rss),
    r.note,
  ]);
  return aligned(head, body, (i) => i === 0 || i === head.length - 1);
}

/** The run of median wall time, its note saying the range over all runs (a failed run counts as slowest). */
function median(list: Measure[]): Measure {
  if (list.length === 1) return list[0]!;
  const sorted = [...list].sort((a, b) => Number(a.failed ?? false) - Number(b.failed ?? false) || a.seconds - b.seconds);
  const mid = sorted[Math.floor((sorted.length - 1) / 2)]!;
  const seconds = list.map((m) => m.seconds);
  const range = `median of ${list.length}: ${fmt(Math.min(...seconds), 2)}–${fmt(Math.max(...seconds), 2)} s`;
  return { ...mid, note: `${range}; ${mid.note}` };
}

function target(label: string, value: number, limit: number, unit = '×'): string {
  return `  ${value <= limit ? 'met   ' : 'MISSED'}  ${label}: ${fmt(value, 2)}${unit} (target ≤ ${fmt(limit, 2)}${unit})`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      reviews: { type: 'string', default: '10000' },
      scale: { type: 'boolean', default: false },
      jobs: { type: 'string' },
      seed: { type: 'string', default: '20240611' },
      keep: { type: 'boolean', default: false },
      stages: { type: 'boolean', default: false },
      rounds: { type: 'string', default: '1' },
      'parse-only': { type: 'string' },
      threads: { type: 'string', default: '1' },
      'stages-child': { type: 'string', multiple: true },
    },
  });
  if (values['parse-only']) {
    const files = await listReviews(values['parse-only']);
    const threads = Number(values.threads);
    process.stdout.write(JSON.stringify(threads > 1 ? await parseOnlyParallel(files, threads) : await parseOnly(files)));
    return;
  }
  if (values['stages-child']) {
    const [reviewsDir, manifest, cacheDir] = values['stages-child'];
    process.stdout.write(JSON.stringify(await stageTimes(reviewsDir!, manifest!, cacheDir!, values.jobs ? Number(values.jobs) : undefined)));
    return;
  }
  const reviews = Number(values.reviews);
  if (!Number.isInteger(reviews) || reviews <= 0) throw new Error('--reviews must be a positive whole number');
  const seed = Number(values.seed);
  const root = await mkdtemp(join(tmpdir(), 'review-kb-bench-'));
  const log = (line: string): boolean => process.stderr.write(`bench: ${line}\n`);
  const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');
  try {
    process.stdout.write(`review-kb bench: node ${process.version}, ${availableParallelism()} cores, jobs ${values.jobs ?? 'default'}, load average at start ${load()}\n`);
    log(`writing ${reviews} reviews under ${root}`);
    const corpus = await writeCorpus(join(root, 'small'), { reviews, seed });
    process.stdout.write(`corpus: ${reviews} reviews, ${fmt(corpus.bytes / 1e6, 1)} MB, styles ${JSON.stringify(corpus.styles)}\n\n`);
    const rounds = Number(values.rounds);
    if (!Number.isInteger(rounds) || rounds <= 0) throw new Error('--rounds must be a positive whole number');
    // The threads a cold build's analysis gets, for the parallel parse-only reference. Imported here, not at
    // the top: the parse-only runs start from this file and must not load the analyser.
    const { workerCount } = await import('../src/worker/run.js');
    const threads = workerCount(reviews, values.jobs ? Number(values.jobs) : undefined);
    // Each phase once per round, interleaved, and the median taken: on a machine whose speed swings
    // with other work, one run of each says little (identical runs here differed by 30%).
    const runs: Record<'base' | 'floor' | 'cold' | 'warm' | 'incremental' | 'large' | 'largeIncremental', Measure[]> = { base: [], floor: [], cold: [], warm: [], incremental: [], large: [], largeIncremental: [] };
    // The scaling check runs in every round too, so that each ratio of 4×N to N is taken from builds
    // run minutes apart, not from the first rounds' N and a 4×N run at the end on a machine that has
    // changed speed meanwhile (one-round runs gave 3.71×, 4.52× and 4.62× within two sessions).
    const n = reviews * 4;
    let big: Corpus | null = null;
    if (values.scale) {
      log(`writing ${n} reviews for the scaling check`);
      big = await writeCorpus(join(root, 'large'), { reviews: n, seed });
    }
    let out = '';
    let bigOut = '';
    for (let round = 1; round <= rounds; round++) {
      const of = rounds > 1 ? ` (round ${round} of ${rounds})` : '';
      if (out) await rm(out, { recursive: true, force: true });
      out = join(root, `out-${round}`);
      log(`parse-only baseline${of}`);
      runs.base.push(await parseOnlyRun(corpus));
      // With one thread (--jobs 1) the reference would be the baseline again.
      if (threads > 1) {
        log(`parse-only on ${threads} threads${of}`);
        runs.floor.push(await parseOnlyRun(corpus, threads));
      }
      log(`cold build${of}`);
      runs.cold.push(await buildOnce('cold build', corpus, out, values.jobs));
      log(`warm build${of}`);
      runs.warm.push(await buildOnce('warm build (no change)', corpus, out, values.jobs));
      const changed = await mutateCorpus(corpus, 100, round);
      log(`incremental build (${changed} reviews changed)${of}`);
      runs.incremental.push(await buildOnce(`incremental (${fmt((100 * changed) / reviews, 0)}% changed)`, corpus, out, values.jobs));
      if (big) {
        if (bigOut) await rm(bigOut, { recursive: true, force: true });
        bigOut = join(root, `out-large-${round}`);
        log(`cold build of ${n}${of}`);
        runs.large.push(await buildOnce(`cold build ×4 (${n})`, big, bigOut, values.jobs));
        // A re-run at this scale holds more than a cold one (the cache and memo it reads): the memory target is for both.
        const changedBig = await mutateCorpus(big, 100, round);
        log(`incremental build of ${n} (${changedBig} reviews changed)${of}`);
        runs.largeIncremental.push(await buildOnce(`incremental ×4 (${fmt((100 * changedBig) / n, 0)}% changed)`, big, bigOut, values.jobs));
      }
    }
    const [base, cold, warm, incremental] = [median(runs.base), median(runs.cold), median(runs.warm), median(runs.incremental)];
    const floor = runs.floor.length > 0 ? median(runs.floor) : null;
    const rows = floor ? [base, floor, cold, warm, incremental] : [base, cold, warm, incremental];
    let stages: StageTimes | null = null;
    if (values.stages) {
      log('stage times of a warm build, in one process');
      const args = [fileURLToPath(import.meta.url), '--stages-child', join(corpus.dir, 'reviews'), '--stages-child', corpus.manifest, '--stages-child', join(out, '.cache')];
      if (values.jobs) args.push('--jobs', values.jobs);
      const run = await measured(args, 'stages');
      if (run.code !== 0) throw new Error(`stage timing failed:\n${run.stderr.slice(-4000)}`);
      stages = JSON.parse(run.stdout) as StageTimes;
    }
    const large = big ? median(runs.large) : null;
    const largeIncremental = big ? median(runs.largeIncremental) : null;
    if (large && largeIncremental) rows.push(large, largeIncremental);
    // Each round's 4×N cold build over its own N cold build; the median of those.
    const ratios = runs.large.map((m, i) => m.seconds / runs.cold[i]!.seconds);
    const scaling = ratios.length > 0 ? [...ratios].sort((a, b) => a - b)[Math.floor((ratios.length - 1) / 2)]! : 0;
    process.stdout.write(`${table(rows, base)}\n\n`);
    if (rows.some((r) => r.timings && r.timings.length > 0)) process.stdout.write(`where each build spent its time (its run in the table, seconds, from its --json timings):\n${stageTable(rows)}\n\n`);
    if (stages) {
      process.stdout.write('where a build from the cache spends its time (every page rendered, one process; × parse-only):\n');
      for (const [stage, seconds] of Object.entries(stages.seconds)) {
        process.stdout.write(`  ${stage.padEnd(34)} ${fmt(seconds, 2).padStart(8)} s  ${fmt(seconds / base.seconds, 2).padStart(6)}×\n`);
      }
      process.stdout.write(`  peak RSS ${mb(stages.maxRss)}\n\n`);
    }
    process.stdout.write('targets:\n');
    process.stdout.write(`${target(`cold / parse-only at ${reviews}`, cold.seconds / base.seconds, 0.8)}\n`);
    process.stdout.write(`${target('warm / cold', warm.seconds / cold.seconds, 0.1)}\n`);
    process.stdout.write(`${target('incremental / cold', incremental.seconds / cold.seconds, 0.15)}\n`);
    if (large?.failed) process.stdout.write(`  MISSED  cold build of ${reviews * 4}: it failed (see the table)\n`);
    else if (large) {
      const each = ratios.length > 1 ? ` (each round: ${ratios.map((r) => fmt(r, 2)).join(', ')})` : '';
      process.stdout.write(`${target(`cold ${reviews * 4} / cold ${reviews}`, scaling, 4.4)}${each}\n`);
    }
    if (largeIncremental?.failed) process.stdout.write(`  MISSED  incremental build of ${reviews * 4}: it failed (see the table)\n`);
    const peaks = [...runs.large, ...runs.largeIncremental].flatMap((m) => (m.rss ? [m.rss] : []));
    // "1.5 GB" read the stricter way, as 10^9 bytes (1.5 GiB is 7% more); the binary figure alongside.
    if (peaks.length > 0) {
      const peak = Math.max(...peaks);
      process.stdout.write(`${target(`peak RSS at ${reviews * 4} (cold and incremental)`, peak / 1e9, 1.5, ' GB')}, ${fmt(peak / 2 ** 30, 2)} GiB\n`);
    }
    // Not a target: what parsing alone costs on every thread a build gets, against which the cold target can be read.
    if (floor) process.stdout.write(`for reference: remark-parse alone on ${threads} threads took ${fmt(floor.seconds / base.seconds, 2)}× the baseline; the cold build took ${fmt(cold.seconds / floor.seconds, 2)}× that\n`);
    process.stdout.write(`load average at end ${load()} (other work on the machine skews every figure)\n`);
  } finally {
    if (values.keep) log(`kept ${root}`);
    else await rm(root, { recursive: true, force: true });
  }
}

await main();
