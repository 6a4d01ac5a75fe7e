import { describe, expect, it } from 'vitest';
import { formatProgress, progressBar } from '../../src/progress.js';

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

  it('leaves the terminal alone on stop when it never drew', () => {
    const { writes, stream } = fakeStream(true);
    const bar = progressBar({ stream, now: () => 0 });
    bar.update(1, 1);
    bar.stop();
    expect(writes).toEqual([]);
  });
});
