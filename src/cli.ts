#!/usr/bin/env node
// The command line: commands and flags only; what each command does is in commands.ts.
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { EXIT_OK, runBuild, runRender, type BuildFlags } from './commands.js';
import { printable } from './diagnostics.js';
import { DEFAULT_MAX_REVIEW_BYTES } from './ingest/read.js';
import { GENERATOR } from './version.js';
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const EXIT_USAGE = 2;
/** Reviews take milliseconds; a minute means the parser went quadratic on pathological markdown. */
const DEFAULT_TIMEOUT_SECONDS = 60;

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive whole number');
  return n;
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
      process.exitCode = await runBuild(inputs, flags);
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
    .option('-q, --quiet', 'no progress on stderr')
    .action(runRender);

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
