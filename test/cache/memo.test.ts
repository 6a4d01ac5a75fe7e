// The renderers' memo: remembers pure work by key across runs, per build of review-kb.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { NO_MEMO, StoredMemo } from '../../src/cache/memo.js';
import { quoteExcerptBoth } from '../../src/render/excerpt.js';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

describe('StoredMemo', () => {
  it('answers what the function gives, computes each input once per run and remembers it in the next run', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'review-kb-memo-'));
    dirs.push(dir);
    const excerpt = '1. **Command injection** in `run()`:\n   - **Risk**: <script>alert(1)</script> reaches `os.system`.';
    let calls = 0;
    const counted = (text: string) => {
      calls++;
      return quoteExcerptBoth(text);
    };
    const first = await StoredMemo.open(dir, 'build-1');
    expect(first.of('quote', excerpt, () => counted(excerpt))).toEqual(quoteExcerptBoth(excerpt));
    expect(first.of('quote', excerpt, () => counted(excerpt))).toEqual(quoteExcerptBoth(excerpt));
    expect(calls).toBe(1);
    await first.flush();

    const second = await StoredMemo.open(dir, 'build-1');
    expect(second.of('quote', excerpt, () => counted(excerpt))).toEqual(quoteExcerptBoth(excerpt));
    expect(calls).toBe(1);
    // The same input under another kind of work is another entry.
    expect(second.of('html', excerpt, () => excerpt.length)).toBe(excerpt.length);
  });

  it('forgets everything when the build of review-kb changes', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'review-kb-memo-'));
    dirs.push(dir);
    const first = await StoredMemo.open(dir, 'build-1');
    first.of('html', 'x', () => 'old output');
    await first.flush();
    const next = await StoredMemo.open(dir, 'build-2');
    expect(next.of('html', 'x', () => 'new output')).toBe('new output');
  });

  it('computes every time without a store', () => {
    let calls = 0;
    NO_MEMO.of('html', 'x', () => calls++);
    NO_MEMO.of('html', 'x', () => calls++);
    expect(calls).toBe(2);
  });
});
