// The stage clock: consecutive stages timed from where each starts to where the next does.
import { describe, expect, it } from 'vitest';
import { StageClock, timed } from '../src/stages.js';
import type { Progress } from '../src/progress.js';

describe('stage clock', () => {
  it('ends each stage where the next starts, and the last at end()', () => {
    let now = 0;
    const clock = new StageClock(() => now);
    clock.start('reviews');
    now = 1500;
    clock.start('subjects');
    now = 1750.4;
    clock.end();
    clock.end();
    expect(clock.stages).toEqual([
      { stage: 'reviews', seconds: 1.5 },
      { stage: 'subjects', seconds: 0.25 },
    ]);
  });

  it('times the stages a progress line is told of, and passes everything on', () => {
    let now = 0;
    const clock = new StageClock(() => now);
    const seen: string[] = [];
    const line: Progress = { update: (d, t) => seen.push(`${d}/${t}`), stage: (s) => seen.push(s), stop: () => seen.push('stop') };
    const progress = timed(line, clock);
    progress.stage('reviews');
    progress.update(1, 2);
    now = 2000;
    progress.stop();
    progress.stage('writing kb.json');
    clock.end();
    expect(seen).toEqual(['reviews', '1/2', 'stop', 'writing kb.json']);
    expect(clock.stages).toEqual([
      { stage: 'reviews', seconds: 2 },
      { stage: 'writing kb.json', seconds: 0 },
    ]);
  });
});
