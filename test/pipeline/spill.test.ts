import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { build, buildSpilled, recordOf, type SpilledBuild } from '../../src/pipeline.js';
import { serializeKb } from '../../src/kb.js';
import { consolidate } from '../../src/consolidate/index.js';
import { checkOutputFolder } from '../../src/output/outdir.js';
import { Spill, WRITE_CHUNK } from '../../src/output/spill.js';

/** Reviews in the seeds' style, rich in characters of two to four bytes, together many pieces read back. */
function multibyteCorpus(count: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'review-kb-spill-'));
  const words = ['naïve', 'façade', 'Größe', '→ résumé', '日本語の入力', 'ошибка', '🔥 shell', 'çà'];
  for (let n = 0; n < count; n++) {
    const prose = Array.from({ length: 160 }, (_, k) => words[(n + k) % words.length]).join(' ');
    writeFileSync(
      join(dir, `review-${String(n).padStart(3, '0')}.md`),
      `---\nfile: src/module_${n % 7}.py\nreviewer: model-${n % 3}\n---\n# Review\n\n` +
        `1. **Command injection in \`run_${n % 5}\`** (lines ${10 + n}-${20 + n}): \`subprocess.call(cmd, shell=True)\` with a ${prose}.\n` +
        `2. **Hard-coded secret** on line ${n + 3}: the ${prose} token is committed.\n\nOverall: ${prose}.\n`,
    );
  }
  return dir;
}

describe('a spilled build', () => {
  it('writes kb.json byte for byte as the in-memory build does, and keeps only records of the reviews', async () => {
    const dir = multibyteCorpus(300);
    const spills = mkdtempSync(join(tmpdir(), 'review-kb-spills-'));
    const full = await build({ inputs: [dir] });
    const spilled = await buildSpilled({ inputs: [dir] }, spills);
    try {
      const json = [...spilled.kbJson()].join('');
      expect(Buffer.byteLength(json)).toBeGreaterThan(3 * 2 ** 20);
      expect(json).toBe(serializeKb(full.kb));
      // The records lack exactly the text only kb.json shows, and consolidate to the same subjects.
      expect(Object.keys(spilled.kb.reviews[0]!)).not.toContain('preamble');
      expect(Object.keys(spilled.kb.reviews[0]!.findings[0]!)).not.toContain('statements');
      // Every finding here has an excerpt and a title: consolidation reads no text, the records hold none.
      expect(spilled.kb.reviews.flatMap((r) => r.findings).filter((f) => f.text !== '')).toEqual([]);
      expect(spilled.kb.subjects).toEqual(full.kb.subjects);
      expect(consolidate(spilled.kb.reviews, { scope: 'subject' })).toEqual(consolidate(full.kb.reviews, { scope: 'subject' }));
    } finally {
      spilled.dispose();
    }
    expect(readdirSync(spills)).toEqual([]);
  });

  it('takes the entries of reviews found in the cache from its files: the same kb.json, only what was analysed spilled', async () => {
    const dir = multibyteCorpus(40);
    const cacheDir = mkdtempSync(join(tmpdir(), 'review-kb-cache-'));
    const spills = mkdtempSync(join(tmpdir(), 'review-kb-spills-'));
    const spilledEntries = (): string => {
      const [folder] = readdirSync(spills);
      return readFileSync(join(spills, folder!, 'entries'), 'utf8');
    };
    const kbJsonOf = async (): Promise<{ json: string; spilled: string[] }> => {
      const built = await buildSpilled({ inputs: [dir], cacheDir }, spills);
      try {
        const pieces = [...built.kbJson()];
        const spilled = [...spilledEntries().matchAll(/^ "id": "(.*)",$/gm)].map((m) => m[1]!);
        return { json: Buffer.concat(pieces.map((p) => (typeof p === 'string' ? Buffer.from(p) : p))).toString('utf8'), spilled };
      } finally {
        built.dispose();
      }
    };
    const cold = await kbJsonOf();
    expect(cold.json).toBe(serializeKb((await build({ inputs: [dir] })).kb));
    expect(cold.spilled).toHaveLength(40);
    // One review changed: only it is analysed, and spilled; the others' entries come from the cache.
    const changed = join(dir, 'review-007.md');
    writeFileSync(changed, `${readFileSync(changed, 'utf8')}\n3. **Path traversal** in \`open_file\` (line 4): the name is joined unchecked.\n`);
    const again = await kbJsonOf();
    expect(again.json).toBe(serializeKb((await build({ inputs: [dir] })).kb));
    expect(again.json).toContain('open_file');
    expect(again.spilled).toEqual(['review-007.md']);
    expect(readdirSync(spills)).toEqual([]);
  });

  it('keeps a finding\'s text in its record only when consolidation reads it: no excerpt, or no title', async () => {
    const review = (await build({ inputs: ['seeds'], manifest: 'seeds/manifest.csv' })).kb.reviews[0]!;
    const finding = review.findings[0]!;
    const textOf = (changes: Partial<typeof finding>): string => recordOf({ ...review, findings: [{ ...finding, ...changes }] }, (r) => r).findings[0]!.text;
    expect(finding.text.length).toBeGreaterThan(20);
    expect(textOf({})).toBe('');
    expect(textOf({ excerpt: '' })).toBe(finding.text);
    expect(textOf({ title: '' })).toBe(finding.text);
    // Consolidation then reads the same prose and names the finding the same as from the full review.
    for (const changes of [{ excerpt: '' }, { title: '' }]) {
      const full = { ...review, findings: [{ ...finding, ...changes }] };
      expect(consolidate([recordOf(full, (r) => r)], { scope: 'subject' })).toEqual(consolidate([full], { scope: 'subject' }));
    }
  });

  it('removes the spill of a run that was killed, and a cache folder holding one is still review-kb\'s', async () => {
    const out = mkdtempSync(join(tmpdir(), 'review-kb-out-'));
    const cache = join(out, '.cache');
    // A process id no process has (above Linux's pid_max of 2^22).
    mkdirSync(join(cache, 'spill-99999999-abc'), { recursive: true });
    writeFileSync(join(cache, 'spill-99999999-abc', 'reviews.json'), '{}');
    await expect(checkOutputFolder(out, false)).resolves.toBeUndefined();
    const spilled = await buildSpilled({ inputs: ['seeds'], manifest: 'seeds/manifest.csv' }, cache);
    expect(existsSync(join(cache, 'spill-99999999-abc'))).toBe(false);
    const own = readdirSync(cache);
    expect(own).toHaveLength(1);
    expect(own[0]).toMatch(new RegExp(`^spill-${process.pid}-`));
    expect(readFileSync(join(cache, own[0]!, 'entries'), 'utf8')).toContain('"id": "000_737847ff5b057954.txt"');
    const expected = serializeKb((await build({ inputs: ['seeds'], manifest: 'seeds/manifest.csv' })).kb);
    expect([...spilled.kbJson()].join('')).toBe(expected);
    spilled.dispose();
    expect(readdirSync(cache)).toEqual([]);
    // With no folder to spill into (no cache), the reviews stay in memory: the same kb.json.
    const inMemory = await buildSpilled({ inputs: ['seeds'], manifest: 'seeds/manifest.csv' }, null);
    expect([...inMemory.kbJson()].join('')).toBe(expected);
  });

  it('reads the entries back in the order asked, a character split across two read pieces whole', () => {
    const dir = mkdtempSync(join(tmpdir(), 'review-kb-spills-'));
    // The emoji's four bytes start one byte before the first piece read back ends.
    const entries: [string, string][] = [
      ['b', `"${'a'.repeat(WRITE_CHUNK - 2)}🔥"`],
      ['a', '"ошибка"'],
      ['c', `"${'日本語'.repeat(WRITE_CHUNK)}"`],
    ];
    const spill = Spill.create(dir);
    for (const [id, entry] of entries) spill.add(id, entry);
    const json = (ids: string[]): string => ids.map((id) => [...spill.pieces(id)].join('')).join(',\n');
    expect(json(['a', 'b', 'c'])).toBe([entries[1]![1], entries[0]![1], entries[2]![1]].join(',\n'));
    expect(json(['c', 'b'])).toBe([entries[2]![1], entries[0]![1]].join(',\n'));
    expect(() => json(['d'])).toThrow(/d was not spilled/);
    spill.remove();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('spills reviews whose subject is inferred once it is, and removes the spill when the analysis fails', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'review-kb-spills-'));
    // No manifest: the seeds' subjects are inferred from all of them, after the other reviews are spilled.
    const spilled = await buildSpilled({ inputs: ['seeds'] }, dir);
    expect(spilled.kb.reviews.every((r) => r.subjectInferred)).toBe(true);
    expect([...spilled.kbJson()].join('')).toBe(serializeKb((await build({ inputs: ['seeds'] })).kb));
    spilled.dispose();
    await expect(buildSpilled({ inputs: ['seeds'], taxonomy: join(dir, 'missing.json') }, dir)).rejects.toThrow(/missing\.json/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it.each([
    ['with no cache', false],
    ['with the entries in the cache', true],
  ])('lets the records go once kb.json is made, however long the caller keeps dispose (%s)', async (_, cached) => {
    setFlagsFromString('--expose_gc');
    const gc = runInNewContext('gc') as () => void;
    const dir = mkdtempSync(join(tmpdir(), 'review-kb-spills-'));
    const options = { inputs: ['seeds'], manifest: 'seeds/manifest.csv', cacheDir: cached ? mkdtempSync(join(tmpdir(), 'review-kb-cache-')) : null };
    if (cached) (await buildSpilled(options, dir)).dispose();
    let built: SpilledBuild | null = await buildSpilled(options, dir);
    const record = new WeakRef(built.kb.reviews[0]!);
    const { dispose } = built;
    let kbJson: (() => Generator<string>) | null = built.kbJson;
    built = null;
    expect([...kbJson()].join('')).toContain('"reviews": [');
    kbJson = null;
    // A WeakRef holds its target until the current job ends.
    for (let i = 0; i < 3; i++) {
      await new Promise((resolve) => setTimeout(resolve, 0));
      gc();
    }
    expect(record.deref()).toBeUndefined();
    dispose();
    expect(readdirSync(dir)).toEqual([]);
  });
});
