import { mkdir, mkdtemp, readdir, readFile, rm, writeFile, appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cacheKey, ReviewCache, SCAN_BYTES, sha256 } from '../../src/cache/store.js';

const V1 = { analyzer: '1', taxonomy: 'aaaa' };
const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'review-kb-cache-'));
  dirs.push(dir);
  return dir;
}
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

const key = (text: string, file = 'r.md', versions = V1) => cacheKey(sha256(text), file, versions);

describe('cacheKey', () => {
  it('changes with the text, the file, the analyser version and the taxonomy version', () => {
    const base = key('1. **Command injection** in `run`');
    expect(key('1. **Command injection** in `run` (line 4)')).not.toBe(base);
    expect(key('1. **Command injection** in `run`', 'other.md')).not.toBe(base);
    expect(key('1. **Command injection** in `run`', 'r.md', { ...V1, analyzer: '2' })).not.toBe(base);
    expect(key('1. **Command injection** in `run`', 'r.md', { ...V1, taxonomy: 'bbbb' })).not.toBe(base);
    expect(key('1. **Command injection** in `run`')).toBe(base);
  });
});

describe('ReviewCache', () => {
  it('returns what an earlier run stored, and appends only new entries', async () => {
    const dir = await tempDir();
    const first = await ReviewCache.open(dir, V1);
    first.put(key('a'), JSON.stringify({ v: 'a' }));
    first.put(key('b'), JSON.stringify({ v: 'b' }));
    await first.flush();

    const second = await ReviewCache.open(dir, V1);
    expect(second.stats.loaded).toBe(2);
    expect(second.get(key('a'))).toEqual({ v: 'a' });
    expect(second.get(key('b'))).toEqual({ v: 'b' });
    expect(second.get(key('c'))).toBeUndefined();
    second.put(key('c'), JSON.stringify({ v: 'c' }));
    await second.flush();

    const third = await ReviewCache.open(dir, V1);
    expect(third.stats.loaded).toBe(3);
    expect(third.get(key('c'))).toEqual({ v: 'c' });
  });

  it('ignores files written under other versions and replaces them', async () => {
    const dir = await tempDir();
    const old = await ReviewCache.open(dir, V1);
    old.put(key('a'), '{"v":"a"}');
    await old.flush();
    const V2 = { ...V1, taxonomy: 'bbbb' };
    const next = await ReviewCache.open(dir, V2);
    expect(next.stats.loaded).toBe(0);
    expect(next.get(key('a'))).toBeUndefined();
    next.put(key('a', 'r.md', V2), '{"v":"a2"}');
    await next.flush();
    const files = (await readdir(dir)).filter((f) => f.endsWith('.cache'));
    const all = (await Promise.all(files.map((f) => readFile(join(dir, f), 'utf8')))).join('');
    expect(all).not.toContain('"v":"a"}');
    expect(all).toContain('"v":"a2"}');
    expect(all).not.toContain('"taxonomy":"aaaa"');
  });

  it('survives a torn last line (an interrupted append) and an unreadable entry', async () => {
    const dir = await tempDir();
    const cache = await ReviewCache.open(dir, V1);
    cache.put(key('a'), '{"v":"a"}');
    cache.put(key('b'), '{"v":"b"}');
    await cache.flush();
    const shardOf = (k: string) => join(dir, `reviews.${k[0]}.cache`);
    await appendFile(shardOf(key('a')), `${key('zz')}\t{"v":"tor`);
    await appendFile(shardOf(key('b')), `${key('yy')}\t{not json\n`);
    const again = await ReviewCache.open(dir, V1);
    expect(again.get(key('a'))).toEqual({ v: 'a' });
    expect(again.get(key('zz'))).toBeUndefined();
    expect(again.get(key('yy'))).toBeUndefined();
    expect(again.get(key('b'))).toEqual({ v: 'b' });
    await again.flush();
    expect(await readFile(shardOf(key('a')), 'utf8')).not.toContain('"v":"tor');
  });

  /** A cache folder holding 3,000 entries, reopened: a run that uses few of them leaves most dead. */
  async function reopenedWithOldEntries(dir: string): Promise<ReviewCache> {
    const cache = await ReviewCache.open(dir, V1);
    for (let i = 0; i < 3000; i++) cache.put(key(`old ${i}`), `{"i":${i}}`);
    await cache.flush();
    return ReviewCache.open(dir, V1);
  }

  it('drops entries no run uses any more once they outnumber the live ones', async () => {
    const dir = await tempDir();
    const next = await reopenedWithOldEntries(dir);
    expect(next.stats.loaded).toBe(3000);
    next.put(key('new'), '{"i":"new"}');
    expect(next.get(key('old 7'))).toEqual({ i: 7 });
    await next.flush();
    const last = await ReviewCache.open(dir, V1);
    expect(last.stats.loaded).toBe(2);
    expect(last.get(key('old 7'))).toEqual({ i: 7 });
    expect(last.get(key('new'))).toEqual({ i: 'new' });
  });

  it('rewrites from the file once its bytes were released after the lookups', async () => {
    const dir = await tempDir();
    const next = await reopenedWithOldEntries(dir);
    expect(next.get(key('old 7'))).toEqual({ i: 7 });
    next.release();
    next.put(key('new'), '{"i":"new"}');
    await next.flush();
    const last = await ReviewCache.open(dir, V1);
    expect(last.stats.loaded).toBe(2);
    expect(last.get(key('old 7'))).toEqual({ i: 7 });
  });

  it('writes new entries as they pile up, not all at the end, and keeps every one', async () => {
    const dir = await tempDir();
    const cache = await ReviewCache.open(dir, V1);
    const big = 'x'.repeat(100_000);
    for (let i = 0; i < 200; i++) cache.put(key(`r ${i}`), JSON.stringify({ i, big }));
    // 20 MB added: at least one background write has started before the final flush (given up to 10 s
    // to reach the disk: a loaded machine can take more than a moment).
    const written = async (): Promise<number> => (await readdir(dir)).filter((f) => f.endsWith('.cache')).length;
    for (let waited = 0; (await written()) === 0 && waited < 10_000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await written()).toBeGreaterThan(0);
    await cache.flush();
    const again = await ReviewCache.open(dir, V1);
    expect(again.stats.loaded).toBe(200);
    expect(again.get<{ i: number }>(key('r 123'))?.i).toBe(123);
  });

  it.each([-70, -66, -65, -64, -10, -1, 0, 1])('finds an entry whose line starts %i bytes from where the file is read in two', async (offset) => {
    const dir = await tempDir();
    const a = key('a');
    let b = key('b 0');
    for (let i = 1; b[0] !== a[0]; i++) b = key(`b ${i}`);
    const first = await ReviewCache.open(dir, V1);
    first.put(a, '"a"');
    await first.flush();
    const file = join(dir, `reviews.${a[0]}.cache`);
    const header = (await readFile(file, 'utf8')).split('\n')[0]!;
    // `a`'s JSON sized so that `b`'s line (its key, its tab, its JSON) starts at SCAN_BYTES + offset.
    const filler = JSON.stringify('x'.repeat(SCAN_BYTES + offset - (header.length + 1) - (a.length + 1) - 1 - 2));
    await writeFile(file, `${header}\n${a}\t${filler}\n${b}\t{"v":"b"}\n`);
    const cache = await ReviewCache.open(dir, V1);
    expect(cache.stats.loaded).toBe(2);
    expect(cache.get(a)).toBe(JSON.parse(filler));
    expect(cache.get(b)).toEqual({ v: 'b' });
  });

  it('keeps answering from the file it opened after a write of the run has rewritten it', async () => {
    const dir = await tempDir();
    const next = await reopenedWithOldEntries(dir);
    expect(next.get(key('old 7'))).toEqual({ i: 7 });
    next.put(key('new'), '{"i":"new"}');
    // Most entries are dead: the shards are rewritten (a new file renamed over the one opened).
    await next.flush();
    expect(next.get(key('old 7'))).toEqual({ i: 7 });
    next.release();
    expect((await ReviewCache.open(dir, V1)).stats.loaded).toBe(2);
  });

  /** A cache opened over one entry, `a`, and a way to cut its file short afterwards (as another process might). */
  async function openedOverOneEntry(): Promise<{ cache: ReviewCache; cutShort: () => Promise<void> }> {
    const dir = await tempDir();
    const first = await ReviewCache.open(dir, V1);
    first.put(key('a'), '{"v":"aaaaaaaa"}');
    await first.flush();
    const file = join(dir, `reviews.${key('a')[0]}.cache`);
    return { cache: await ReviewCache.open(dir, V1), cutShort: async () => writeFile(file, (await readFile(file, 'utf8')).slice(0, -6)) };
  }

  it('reads an entry when it is asked for: one cut short since the file was opened is a miss', async () => {
    const { cache, cutShort } = await openedOverOneEntry();
    await cutShort();
    expect(cache.get(key('a'))).toBeUndefined();
  });

  it('gives part of an entry found this run as bytes, from the file it opened, until released', async () => {
    const dir = await tempDir();
    const value = '{"i":7,"text":"ошибка 🔥"}';
    const at = Buffer.byteLength('{"i":7,"text":"');
    const first = await ReviewCache.open(dir, V1);
    for (let i = 0; i < 3000; i++) first.put(key(`old ${i}`), `{"i":${i}}`);
    first.put(key('multibyte'), value);
    await first.flush();
    const cache = await ReviewCache.open(dir, V1);
    expect(cache.get(key('multibyte'))).toEqual(JSON.parse(value));
    expect(cache.bytes(key('multibyte'), at).toString('utf8')).toBe('ошибка 🔥"}');
    // Most entries are dead: the write renames a new file over the one opened; the bytes still come from the one opened.
    const file = join(dir, `reviews.${key('multibyte')[0]}.cache`);
    const before = (await readFile(file)).length;
    cache.put(key('new'), '{"i":"new"}');
    await cache.flush();
    expect((await readFile(file)).length).toBeLessThan(before / 10);
    expect(cache.bytes(key('multibyte'), 0).toString('utf8')).toBe(value);
    expect(() => cache.bytes(key('absent'), 0)).toThrow(/not open for reading/);
    cache.release();
    expect(() => cache.bytes(key('multibyte'), 0)).toThrow(/not open for reading/);
  });

  it('says which file was cut short under an entry it gives as bytes', async () => {
    const { cache, cutShort } = await openedOverOneEntry();
    expect(cache.get(key('a'))).toEqual({ v: 'aaaaaaaa' });
    await cutShort();
    expect(() => cache.bytes(key('a'), 0)).toThrow(new RegExp(`reviews\\.${key('a')[0]}\\.cache: entry .* cut short`));
  });

  it('treats a foreign file as empty rather than failing', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'reviews.0.cache'), 'not a cache\n');
    const cache = await ReviewCache.open(dir, V1);
    expect(cache.stats.loaded).toBe(0);
  });

  it('names the cache file it cannot write', async () => {
    const dir = await tempDir();
    const k = key('r');
    // A folder where the shard's file belongs: the new file cannot take its place.
    const file = join(dir, `reviews.${k[0]}.cache`);
    await mkdir(file);
    const cache = await ReviewCache.open(dir, V1);
    cache.put(k, '{"i":1}');
    await expect(cache.flush()).rejects.toThrow(`${file}: E`);
  });

  it('refuses multi-line entries and malformed keys', async () => {
    const cache = await ReviewCache.open(await tempDir(), V1);
    expect(() => cache.put(key('a'), '{\n}')).toThrow(/one line/);
    expect(() => cache.put('../x', '{}')).toThrow(/not a cache key/);
  });
});
