#!/usr/bin/env node
// The command line: commands and flags only; the work is in pipeline.ts and render/.
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { build } from './pipeline.js';
import { readKb, serializeKbChunks } from './kb.js';
import { formatDiagnostic, printable, skipSummary } from './diagnostics.js';
import { checkOutputFolder, writeOutputs } from './output/outdir.js';
import { diffKb, formatDiff, loadTriage, renderAll } from './render/index.js';
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

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive whole number');
  return n;
}

/** Renders every output of `kb` into `out`; returns the paths written. */
async function writeAll(kb: KB, flags: RenderFlags): Promise<string[]> {
  const rendered = renderAll(kb, {
    templatesDir: flags.templates,
    triage: flags.triage ? loadTriage(flags.triage) : null,
    since: flags.since ? await readKb(flags.since) : null,
    reviewLinkBase: flags.reviewLinks ?? null,
  });
  const files = [{ path: 'kb.json', content: serializeKbChunks(kb) }, ...rendered];
  await writeOutputs(flags.out, files);
  return files.map((f) => f.path);
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
    .action(async (inputs: string[], flags: RenderFlags & { manifest?: string; taxonomy?: string; scope: 'subject' | 'all'; maxBytes: number; timeout: number; quiet?: boolean; jobs?: number; cache?: string | false }) => {
      await checkOutputFolder(flags.out, Boolean(flags.force));
      const started = Date.now();
      const bar = progressBar({ enabled: !flags.quiet });
      const stats: RunStats = { jobs: 0, analysed: 0, cached: 0, failed: 0, cache: null };
      const cacheDir = flags.cache === false ? null : (flags.cache ?? join(flags.out, '.cache'));
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
      for (const d of result.diagnostics) process.stderr.write(`${formatDiagnostic(d)}\n`);
      const written = await writeAll(result.kb, flags);
      // Errors that skipped nothing (a manifest row naming a missing file) still fail the run.
      const otherErrors = result.diagnostics.filter((d) => d.severity === 'error').length - result.skips.length;
      const summary = {
        reviews: result.kb.reviews.length,
        findings: result.kb.reviews.reduce((n, r) => n + r.findings.length, 0),
        consolidated: result.kb.subjects.reduce((n, s) => n + s.findings.length, 0),
        subjects: result.kb.subjects.length,
        skipped: result.skipped,
        seconds: (Date.now() - started) / 1000,
      };
      if (!flags.quiet) {
        process.stderr.write(
          `review-kb: ${summary.reviews} reviews, ${summary.findings} findings, ${summary.consolidated} consolidated in ${summary.subjects} subjects, ${summary.skipped} skipped, ${stats.cached} from cache, ${summary.seconds.toFixed(1)} s → ${flags.out}\n`,
        );
        // What went wrong, at the end where it is seen: `skipped 3 of 10 reviews: 2 empty, 1 binary`.
        if (result.skipped > 0) process.stderr.write(`review-kb: ${skipSummary(result.skips, summary.reviews)}\n`);
        if (otherErrors > 0) process.stderr.write(`review-kb: ${otherErrors} other error${otherErrors === 1 ? '' : 's'} in the inputs (listed above)\n`);
      }
      if (flags.json) process.stdout.write(`${JSON.stringify({ ...summary, seconds: undefined, out: flags.out, files: written, diagnostics: result.diagnostics }, null, 1)}\n`);
      process.exitCode = result.skipped > 0 || otherErrors > 0 ? EXIT_SKIPPED : EXIT_OK;
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
      const written = await writeAll(await readKb(file), flags);
      if (flags.json) process.stdout.write(`${JSON.stringify({ out: flags.out, files: written }, null, 1)}\n`);
    });

  cli
    .command('diff')
    .description('compare two kb.json files: new, unchanged, changed and gone findings')
    .argument('<old>', 'the earlier kb.json')
    .argument('<new>', 'the later kb.json')
    .option('--json', 'print the difference as JSON')
    .action(async (oldFile: string, newFile: string, flags: { json?: boolean }) => {
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
