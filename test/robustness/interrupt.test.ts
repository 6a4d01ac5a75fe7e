// An interrupted build (SIGINT, SIGTERM, even SIGKILL) leaves the previous output whole and readable, never a mix of two runs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, watch } from 'node:fs';
import { join } from 'node:path';
import { CLI, runCli } from '../helpers/cli.js';
import { validateKb } from '../../src/kb.js';
import { writeManyReviews } from './corpus.js';
import { listFiles, makeRoot, read, removeRoot } from './helpers.js';

const REVIEWS = 300;
let root: string;
/** Complete outputs of the two inputs, built without interruption: what a folder may hold afterwards. */
let outputA: Map<string, string>;
let outputB: Map<string, string>;

/** Every output file (not the cache, not the marker: it records when files were written) with the hash of its content. */
function snapshot(dir: string): Map<string, string> {
  const files = listFiles(dir).filter((f) => !f.startsWith('.cache/') && f !== '.review-kb.json');
  return new Map(files.map((f) => [f, createHash('sha256').update(readFileSync(join(dir, f))).digest('hex')]));
}

/** Which complete output `dir` holds: 'A', 'B', or a description of the mix. */
function which(dir: string): string {
  const now = snapshot(dir);
  const same = (other: Map<string, string>): boolean => now.size === other.size && [...other].every(([f, h]) => now.get(f) === h);
  if (same(outputA)) return 'A';
  if (same(outputB)) return 'B';
  const fromA = [...now].filter(([f, h]) => outputA.get(f) === h).length;
  const fromB = [...now].filter(([f, h]) => outputB.get(f) === h).length;
  return `mix: ${now.size} files, ${fromA} as in A, ${fromB} as in B`;
}

interface Stopped {
  code: number | null;
  signal: NodeJS.Signals | null;
  triggered: boolean;
  stderr: string;
}

/** Builds `input` into `out` and sends `signal` when a name matching `trigger` appears in `watchDir`. */
function buildAndStop(input: string, out: string, watchDir: string, trigger: RegExp, signal: NodeJS.Signals, extra: string[] = []): Promise<Stopped> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [CLI, 'build', input, '--out', out, '-q', ...extra], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    let triggered = false;
    const watcher = watch(watchDir, (_event, name) => {
      if (triggered || !name || !trigger.test(String(name))) return;
      triggered = true;
      child.kill(signal);
    });
    child.on('error', fail);
    child.on('exit', (code, sig) => {
      watcher.close();
      done({ code, signal: sig, triggered, stderr });
    });
  });
}

beforeAll(() => {
  root = makeRoot();
  writeManyReviews(join(root, 'in-a'), REVIEWS, 1);
  writeManyReviews(join(root, 'in-b'), REVIEWS, 2);
  for (const [input, out] of [['in-a', 'out-a'], ['in-b', 'out-b']]) {
    const run = runCli(['build', input, '--out', out, '--no-cache', '-q'], root);
    expect(run.status, run.stderr).toBe(0);
  }
  outputA = snapshot(join(root, 'out-a'));
  outputB = snapshot(join(root, 'out-b'));
  // Every file differs between the two runs except a few fixed ones (mkdocs.yml, category pages): a mix would show.
  const changed = [...outputA].filter(([f, h]) => outputB.get(f) !== h).length;
  expect(changed).toBeGreaterThan(outputA.size * 0.8);
}, 240_000);

afterAll(() => removeRoot(root));

/** A copy of the complete output of A, to be rebuilt with B and interrupted. */
function previousRun(name: string): string {
  const out = join(root, name);
  cpSync(join(root, 'out-a'), out, { recursive: true });
  return out;
}

function expectWholeAndValid(out: string): void {
  expect(existsSync(join(out, '.review-kb-staging'))).toBe(false);
  const kb = JSON.parse(read(join(out, 'kb.json')));
  expect(validateKb(kb)).toEqual([]);
  const marker = JSON.parse(read(join(out, '.review-kb.json'))) as { files: string[] };
  for (const file of marker.files) expect(existsSync(join(out, file)), file).toBe(true);
}

describe('an interrupted build', () => {
  it('stopped by SIGTERM while writing its files leaves the previous output whole', async () => {
    const out = previousRun('term-staging');
    // The staging folder appears when the analysis is done and the first output file is being written.
    const stopped = await buildAndStop('in-b', out, out, /^\.review-kb-staging$/, 'SIGTERM', ['--no-cache']);
    expect(stopped).toMatchObject({ triggered: true, signal: 'SIGTERM' });
    // Either the previous output, or (had the signal come during the final renames) all of the new one: never a mix.
    expect(['A', 'B']).toContain(which(out));
    expectWholeAndValid(out);
  }, 120_000);

  it('stopped by SIGINT while moving its files into place finishes the move first', async () => {
    const out = previousRun('int-commit');
    // kb.json appears in the output folder itself only when the staged files are renamed into place.
    const stopped = await buildAndStop('in-b', out, out, /^kb\.json$/, 'SIGINT', ['--no-cache']);
    // The signal may land after the last rename (then the run simply ends); either way the move completes.
    expect(stopped.stderr).toBe('');
    expect([0, null]).toContain(stopped.code);
    expect(which(out)).toBe('B');
    expectWholeAndValid(out);
  }, 120_000);

  it('killed outright (SIGKILL) while writing leaves every previous file complete, and the next run cleans up', async () => {
    const out = previousRun('kill-staging');
    const stopped = await buildAndStop('in-b', out, out, /^\.review-kb-staging$/, 'SIGKILL', ['--no-cache']);
    expect(stopped).toMatchObject({ triggered: true, signal: 'SIGKILL' });
    // Nothing was moved yet (staging had just begun, and no rename happens before it ends): the folder reads as A.
    const now = snapshot(out);
    for (const [file, hash] of outputA) expect(now.get(file) === hash || outputB.get(file) === now.get(file), file).toBe(true);
    expect(JSON.parse(read(join(out, 'kb.json'))).reviews).toHaveLength(REVIEWS);
    const rerun = runCli(['build', 'in-b', '--out', out, '--no-cache', '-q'], root);
    expect(rerun.status, rerun.stderr).toBe(0);
    expect(which(out)).toBe('B');
    expectWholeAndValid(out);
  }, 180_000);

  it('stopped during its first run leaves a folder the next run accepts as its own', async () => {
    const out = join(root, 'first-run');
    mkdirSync(out);
    // With the cache on (the default), the folder holds .cache before any output is written.
    const stopped = await buildAndStop('in-b', out, out, /^\.review-kb-staging$/, 'SIGTERM');
    expect(stopped).toMatchObject({ triggered: true, signal: 'SIGTERM' });
    expect(listFiles(out).filter((f) => !f.startsWith('.cache/'))).toEqual([]);
    expect(listFiles(out).some((f) => f.startsWith('.cache/'))).toBe(true);
    const rerun = runCli(['build', 'in-b', '--out', out, '-q'], root);
    expect(rerun.stderr).not.toMatch(/not review-kb output/);
    expect(rerun.status, rerun.stderr).toBe(0);
    expect(which(out)).toBe('B');
  }, 180_000);

  it('still refuses a non-empty folder that is not review-kb output, unless forced', () => {
    const out = join(root, 'foreign');
    mkdirSync(join(out, '.cache'), { recursive: true });
    cpSync(join(root, 'in-a', 'review-00001.md'), join(out, '.cache', 'notes.md'));
    const refused = runCli(['build', 'in-a', '--out', out, '--no-cache', '-q'], root);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain('folder is not empty and is not review-kb output; choose another --out or pass --force');
    expect(runCli(['build', 'in-a', '--out', out, '--no-cache', '-q', '--force'], root).status).toBe(0);
    expect(existsSync(join(out, '.cache', 'notes.md'))).toBe(true);
  }, 120_000);
});
