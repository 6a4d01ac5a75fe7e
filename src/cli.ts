#!/usr/bin/env node
// The command line: commands and flags only; the work is in pipeline.ts and render/.
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { formatDiagnostic, printable, skipSummary } from './diagnostics.js';
import { checkOutputFolder, writeOutputs, type OutputFile } from './output/outdir.js';
import { buildStamp, currentRun, renderId, toolDigest, type RunRecord, type StampInputs } from './output/uptodate.js';
import { StoredMemo, type Memo } from './cache/memo.js';
import { GENERATOR } from './version.js';
import { DEFAULT_MAX_REVIEW_BYTES } from './ingest/read.js';
import { progressBar } from './progress.js';
import type { RunStats } from './worker/run.js';
import { realpathSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { KB } from './model.js';

const EXIT_OK = 0;
const EXIT_SKIPPED = 1;
const EXIT_USAGE = 2;
/** Reviews take milliseconds; a minute means the parser went quadratic on pathological markdown. */
const DEFAULT_TIMEOUT_SECONDS = 60;

interface RenderFlags {
  out: string;
  templates?: string;
  reviewLinks?: string;
  triage?: string;
  since?: string;
  force?: boolean;
  json?: boolean;
}

interface BuildFlags extends RenderFlags {
  manifest?: string;
  taxonomy?: string;
  scope: 'subject' | 'all';
  maxBytes: number;
  timeout: number;
  quiet?: boolean;
  jobs?: number;
  cache?: string | false;
}

/** What a build's outputs depend on, for the up-to-date check (worker count, quiet and json change none of them). */
function stampInputs(inputs: string[], flags: BuildFlags): StampInputs {
  return {
    inputs,
    files: [flags.manifest, flags.taxonomy, flags.triage, flags.since],
    templates: flags.templates,
    options: { scope: flags.scope, maxBytes: flags.maxBytes, timeout: flags.timeout, reviewLinks: flags.reviewLinks ?? null, out: flags.out },
  };
}

/** Says what the last, identical run said: its diagnostics, summary, JSON and exit status. */
function replay(last: RunRecord, flags: BuildFlags, started: number): void {
  const { json } = last;
  const lines = [...last.report];
  // The diagnostics, then the summary line in its usual place (before what was skipped and why).
  const endings = lines.filter((l) => l.startsWith('review-kb: '));
  for (const line of lines.filter((l) => !l.startsWith('review-kb: '))) process.stderr.write(`${line}\n`);
  if (!flags.quiet) {
    const seconds = (Date.now() - started) / 1000;
    process.stderr.write(
      `review-kb: up to date: ${json.reviews} reviews, ${json.findings} findings, ${json.consolidated} consolidated in ${json.subjects} subjects, ${json.skipped} skipped; nothing changed since the last run, ${seconds.toFixed(1)} s → ${flags.out}\n`,
    );
    for (const line of endings) process.stderr.write(`${line}\n`);
  }
  if (flags.json) process.stdout.write(`${JSON.stringify({ ...json, upToDate: true }, null, 1)}\n`);
  process.exitCode = last.exitCode;
}

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive whole number');
  return n;
}

/** Every output of `kb`, one at a time: kb.json, then what the renderers make. Loaded on demand: an up-to-date build needs none of it. */
async function outputsOf(kb: KB, flags: RenderFlags, memo?: Memo): Promise<Iterable<OutputFile>> {
  const [{ renderEach, loadTriage }, { readKb, serializeKbChunks }] = await Promise.all([import('./render/index.js'), import('./kb.js')]);
  const options = {
    memo,
    // Pages whose data, templates and renderer are those they were written with are left in place.
    buildId: await renderId(flags.templates),
    templatesDir: flags.templates,
    triage: flags.triage ? loadTriage(flags.triage) : null,
    since: flags.since ? await readKb(flags.since) : null,
    reviewLinkBase: flags.reviewLinks ?? null,
  };
  return (function* () {
    yield { path: 'kb.json', content: serializeKbChunks(kb) };
    yield* renderEach(kb, options);
  })();
}

function program(): Command {
  const cli = new Command('review-kb')
    .description('Turn security reviews (markdown from LLMs and auditors) into a knowledge base, reports, a site, SARIF and tickets.')
    .version(GENERATOR.version)
    .showHelpAfterError()
    .exitOverride();

  cli
    .command('build')
    .description('analyse reviews and write kb.json plus every rendered output')
    .argument('[inputs...]', 'review files, folders (recursive) or globs: .md .markdown .txt .json .jsonl', ['seeds'])
    .option('-o, --out <dir>', 'output folder', 'output')
    .option('-m, --manifest <file>', 'JSON or CSV manifest: review path → subject, reviewer')
    .option('-t, --templates <dir>', 'folder of Handlebars templates overriding the built-in ones by name')
    .option('--taxonomy <file>', 'taxonomy JSON extending or replacing the default')
    .addOption(new Option('--scope <scope>', 'merge findings within each subject, or across all input (audit contests)').choices(['subject', 'all']).default('subject'))
    .option('--review-links <base>', 'link sources back to their review text: a URL, or a path relative to the output folder, that review ids are relative to')
    .option('--triage <file>', 'triage file: fingerprint → status, note, ticket')
    .option('--since <kb>', 'previous kb.json: tickets only for findings new since then')
    .option('--max-bytes <n>', 'skip reviews larger than this many bytes', positiveInteger, DEFAULT_MAX_REVIEW_BYTES)
    .option('--timeout <seconds>', 'skip a review whose analysis takes longer than this (in worker threads)', positiveInteger, DEFAULT_TIMEOUT_SECONDS)
    .option('--force', 'write into a non-empty folder that is not review-kb output')
    .option('--json', 'print a JSON summary of the run on stdout')
    .option('-q, --quiet', 'no progress or summary on stderr')
    .option('-j, --jobs <n>', 'worker threads for the analysis (default: the cores available; 1: no workers)', positiveInteger)
    .option('--cache <dir>', 'per-review cache folder (default: <out>/.cache)')
    .option('--no-cache', 'analyse every review again, without reading or writing the cache')
    .action(async (inputs: string[], flags: BuildFlags) => {
      await checkOutputFolder(flags.out, Boolean(flags.force));
      const started = Date.now();
      const cacheDir = flags.cache === false ? null : (flags.cache ?? join(flags.out, '.cache'));
      // With the cache off every review is analysed again, as asked; otherwise an unchanged build is skipped.
      const stamp = cacheDir ? await buildStamp(stampInputs(inputs, flags)) : null;
      const last = stamp ? await currentRun(flags.out, stamp) : null;
      if (last) {
        replay(last, flags, started);
        return;
      }
      const { build } = await import('./pipeline.js');
      const bar = progressBar({ enabled: !flags.quiet });
      const stats: RunStats = { jobs: 0, analysed: 0, cached: 0, failed: 0, cache: null };
      const result = await build({
        inputs,
        manifest: flags.manifest,
        taxonomy: flags.taxonomy,
        scope: flags.scope,
        maxBytes: flags.maxBytes,
        timeoutMs: flags.timeout * 1000,
        jobs: flags.jobs,
        cacheDir,
        stats,
        onProgress: (done, total) => bar.update(done, total),
      }).finally(() => bar.stop());
      // Quotes and HTML conversions remembered from earlier runs (same cache folder, same build of review-kb).
      const memo = cacheDir ? await StoredMemo.open(cacheDir, await toolDigest()) : undefined;
      const files = await outputsOf(result.kb, flags, memo);
      // Errors that skipped nothing (a manifest row naming a missing file) still fail the run.
      const otherErrors = result.diagnostics.filter((d) => d.severity === 'error').length - result.skips.length;
      const summary = {
        reviews: result.kb.reviews.length,
        findings: result.kb.reviews.reduce((n, r) => n + r.findings.length, 0),
        consolidated: result.kb.subjects.reduce((n, s) => n + s.findings.length, 0),
        subjects: result.kb.subjects.length,
        skipped: result.skipped,
      };
      const report = result.diagnostics.map(formatDiagnostic);
      // What went wrong, at the end where it is seen: `skipped 3 of 10 reviews: 2 empty, 1 binary`.
      const ending: string[] = [];
      if (result.skipped > 0) ending.push(`review-kb: ${skipSummary(result.skips, summary.reviews)}`);
      if (otherErrors > 0) ending.push(`review-kb: ${otherErrors} other error${otherErrors === 1 ? '' : 's'} in the inputs (listed above)`);
      const exitCode = result.skipped > 0 || otherErrors > 0 ? EXIT_SKIPPED : EXIT_OK;
      const jsonOf = (written: string[]) => ({ ...summary, out: flags.out, files: written, diagnostics: result.diagnostics });
      // A review that ran out of time may not next time (a busy machine): such a run is never taken as current.
      const timedOut = result.skips.some((d) => d.message.startsWith('analysis took longer than'));
      for (const line of report) process.stderr.write(`${line}\n`);
      const record = stamp && !timedOut ? (written: string[]) => ({ stamp, exitCode, report: [...report, ...ending], json: jsonOf(written) }) : null;
      const written = await writeOutputs(flags.out, files, record);
      await memo?.flush();
      if (!flags.quiet) {
        const seconds = (Date.now() - started) / 1000;
        process.stderr.write(
          `review-kb: ${summary.reviews} reviews, ${summary.findings} findings, ${summary.consolidated} consolidated in ${summary.subjects} subjects, ${summary.skipped} skipped, ${stats.cached} from cache, ${seconds.toFixed(1)} s → ${flags.out}\n`,
        );
        for (const line of ending) process.stderr.write(`${line}\n`);
      }
      if (flags.json) process.stdout.write(`${JSON.stringify(jsonOf(written), null, 1)}\n`);
      process.exitCode = exitCode;
    });

  cli
    .command('render')
    .description('re-render every output from a kb.json, without re-analysing')
    .argument('<kb>', 'a kb.json written by build')
    .option('-o, --out <dir>', 'output folder', 'output')
    .option('-t, --templates <dir>', 'folder of Handlebars templates overriding the built-in ones by name')
    .option('--review-links <base>', 'link sources back to their review text: a URL, or a path relative to the output folder, that review ids are relative to')
    .option('--triage <file>', 'triage file: fingerprint → status, note, ticket')
    .option('--since <kb>', 'previous kb.json: tickets only for findings new since then')
    .option('--force', 'write into a non-empty folder that is not review-kb output')
    .option('--json', 'print the written paths as JSON on stdout')
    .action(async (file: string, flags: RenderFlags) => {
      await checkOutputFolder(flags.out, Boolean(flags.force));
      const { readKb } = await import('./kb.js');
      const written = await writeOutputs(flags.out, await outputsOf(await readKb(file), flags));
      if (flags.json) process.stdout.write(`${JSON.stringify({ out: flags.out, files: written }, null, 1)}\n`);
    });

  cli
    .command('diff')
    .description('compare two kb.json files: new, unchanged, changed and gone findings')
    .argument('<old>', 'the earlier kb.json')
    .argument('<new>', 'the later kb.json')
    .option('--json', 'print the difference as JSON')
    .action(async (oldFile: string, newFile: string, flags: { json?: boolean }) => {
      const [{ readKb }, { diffKb, formatDiff }] = await Promise.all([import('./kb.js'), import('./render/index.js')]);
      const difference = diffKb(await readKb(oldFile), await readKb(newFile));
      process.stdout.write(flags.json ? `${JSON.stringify(difference, null, 1)}\n` : formatDiff(difference));
    });

  return cli;
}

export async function main(argv: string[]): Promise<number> {
  try {
    await program().parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT_OK;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    }
    // Whatever stops a run before it writes anything (bad flags, a broken manifest, taxonomy or kb.json) is a usage error.
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`review-kb: ${printable(message)}\n`);
    return EXIT_USAGE;
  }
}

/** Run only when executed (`review-kb`, `node dist/src/cli.js`), not when imported by a test or a library user. */
function isEntryPoint(): boolean {
  try {
    return process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url);
  } catch {
    return false;
  }
}

if (isEntryPoint()) process.exitCode = await main(process.argv.slice(2));
