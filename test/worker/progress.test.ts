import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatProgress, progressBar } from '../../src/progress.js';
import { writeCorpus } from '../../scripts/bench/corpus.js';
import { CLI } from '../helpers/cli.js';

function fakeStream(isTTY: boolean) {
  const writes: string[] = [];
  return { writes, stream: { isTTY, columns: 80, write: (s: string) => (writes.push(s), true) } };
}

describe('formatProgress', () => {
  it('shows done/total, percent, rate and ETA', () => {
    const line = formatProgress(4210, 10000, 5000, 80);
    expect(line).toContain('4,210/10,000');
    expect(line).toContain(' 42%');
    expect(line).toContain('842/s');
    expect(line).toContain('ETA 7s');
    expect(line.length).toBeLessThan(80);
    expect(line).toMatch(/^\[#+-+\]/);
  });

  it('puts the stage first and keeps the line within the terminal', () => {
    const line = formatProgress(512, 1428, 10_000, 60, 'subjects');
    expect(line).toMatch(/^subjects \[#+-+\] 512\/1,428  35% 51\/s ETA 18s$/);
    expect(line.length).toBeLessThan(60);
    expect(formatProgress(512, 1428, 10_000, 30, 'subjects')).toBe('512/1,428  35% 51/s ETA 18s');
  });

  it('drops the bar, not the numbers, on a narrow terminal', () => {
    const line = formatProgress(1, 3, 1000, 20);
    expect(line.startsWith('[')).toBe(false);
    expect(line).toContain('1/3');
  });

  it('says ? for the ETA before anything is done, minutes past a minute', () => {
    expect(formatProgress(0, 10, 2000)).toContain('ETA ?');
    expect(formatProgress(10, 10000, 1000)).toContain('ETA 16m39s');
  });
});

describe('progressBar', () => {
  it('draws nothing during the first second, then redraws at most every interval, and clears on stop', () => {
    let t = 0;
    const { writes, stream } = fakeStream(true);
    const bar = progressBar({ stream, now: () => t });
    t = 500;
    bar.update(10, 100);
    expect(writes).toEqual([]);
    t = 1200;
    bar.update(20, 100);
    t = 1250;
    bar.update(21, 100);
    expect(writes).toHaveLength(1);
    expect(writes[0]).toContain('20/100');
    t = 1400;
    bar.update(100, 100);
    bar.stop();
    expect(writes).toHaveLength(3);
    expect(writes.at(-1)).toBe('\r\x1b[K');
  });

  it('is silent when stderr is not a terminal or when asked to be', () => {
    let t = 0;
    const piped = fakeStream(false);
    const quiet = fakeStream(true);
    const a = progressBar({ stream: piped.stream, now: () => t });
    const b = progressBar({ stream: quiet.stream, enabled: false, now: () => t });
    t = 5000;
    a.update(1, 2);
    b.update(1, 2);
    a.stop();
    b.stop();
    expect(piped.writes).toEqual([]);
    expect(quiet.writes).toEqual([]);
  });

  it('says a stage at once (past the first second), and counts its rate from its start', () => {
    let t = 0;
    const { writes, stream } = fakeStream(true);
    const bar = progressBar({ stream, now: () => t });
    bar.stage('reviews');
    expect(writes).toEqual([]);
    t = 20_000;
    bar.update(100, 100);
    bar.stage('consolidating subjects');
    expect(writes.at(-1)).toBe('\rconsolidating subjects…\x1b[K');
    t = 25_000;
    bar.stage('subjects');
    t = 27_000;
    bar.update(50, 100);
    // 50 subjects in the 2 s since the stage began: 25/s, not 50 over the run's 27 s.
    expect(writes.at(-1)).toMatch(/^\rsubjects \[#+-+\] 50\/100  50% 25\/s ETA 2s\x1b\[K$/);
  });

  it('leaves the terminal alone on stop when it never drew', () => {
    const { writes, stream } = fakeStream(true);
    const bar = progressBar({ stream, now: () => 0 });
    bar.update(1, 1);
    bar.stop();
    expect(writes).toEqual([]);
  });
});

describe('review-kb build on a terminal', () => {
  // `script` (util-linux) runs the CLI on a pseudo-terminal, as a user's shell would.
  const hasScript = spawnSync('script', ['--version']).status === 0;
  let root: string;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'review-kb-progress-'));
    // Long enough on one thread (about 4 s of analysis here) that every stage starts after the quiet first second.
    await writeCorpus(join(root, 'corpus'), { reviews: 900, seed: 5 });
  });

  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  const onTerminal = (out: string, ...flags: string[]): string => {
    const quoted = (arg: string): string => `'${arg.replace(/'/g, "'\\''")}'`;
    const command = [process.execPath, CLI, 'build', 'corpus/reviews', '--manifest', 'corpus/manifest.json', '--out', out, '--jobs', '1', ...flags].map(quoted).join(' ');
    const run = spawnSync('script', ['-qfec', `stty cols 100; ${command}`, '/dev/null'], { cwd: root, encoding: 'utf8' });
    expect(run.status).toBe(0);
    return run.stdout;
  };

  it.skipIf(!hasScript)('says each stage of the run, counts reviews and subjects, and clears the line before the summary', () => {
    const screen = onTerminal('out');
    const lines = screen.split('\r').map((l) => l.replace(/\x1b\[K/g, '').trim()).filter(Boolean);
    const at = (pattern: RegExp): number => lines.findIndex((l) => pattern.test(l));
    const stages = [/^reviews \[#*-*\] [\d,]+\/900 /, /^consolidating subjects…$/, /^consolidating subjects \[#+\] (\d+)\/\1 100% /, /^writing kb\.json…$/, /^rendering overview pages…$/, /^subjects \[#*-*\] \d+\/\d+ /, /^writing SARIF and ticket lists/, /^review-kb: 900 reviews/];
    const order = stages.map(at);
    expect(order.every((i) => i >= 0), `stages seen: ${JSON.stringify(order)}`).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    // The subjects' count reaches its total, with a rate and an ETA, and every line fits the terminal.
    expect(lines.some((l) => /^subjects \[#+\] (\d+)\/\1 100% [\d,]+\/s ETA 0s$/.test(l))).toBe(true);
    expect(lines.filter((l) => !l.startsWith('review-kb:')).every((l) => l.length < 100)).toBe(true);
    expect(screen).toMatch(/\r\x1b\[K\r?\n?review-kb: 900 reviews/);
  });

  it.skipIf(!hasScript)('draws nothing with --quiet', () => {
    expect(onTerminal('quiet', '--quiet')).not.toMatch(/[\r\x1b]/);
  });
});
