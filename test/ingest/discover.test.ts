import { mkdtempSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { discover } from '../../src/ingest/discover.js';

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'rkb-discover-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

describe('discover', () => {
  it('finds reviews recursively with ids relative to the input root, sorted', async () => {
    const root = tree({ 'b.md': 'b', 'a/x.txt': 'x', 'a/y.markdown': 'y', 'a/skip.py': 'no', 'batch.jsonl': '{}' });
    const { sources, problems } = await discover([root]);
    expect(problems).toEqual([]);
    expect(sources.map((s) => [s.id, s.format])).toEqual([
      ['a/x.txt', 'text'],
      ['a/y.markdown', 'text'],
      ['b.md', 'text'],
      ['batch.jsonl', 'jsonl'],
    ]);
  });

  it('expands globs relative to their fixed prefix and excludes the manifest', async () => {
    const root = tree({ 'r/one.md': '1', 'r/two.md': '2', 'r/manifest.json': '{}' });
    const { sources } = await discover([`${root}/r/*.{md,json}`], [join(root, 'r/manifest.json')]);
    expect(sources.map((s) => s.id)).toEqual(['one.md', 'two.md']);
  });

  it('keeps ids unique across inputs and reports missing inputs', async () => {
    const a = tree({ 'same.md': 'a' });
    const b = tree({ 'same.md': 'b' });
    const { sources, problems, warnings } = await discover([a, b, join(a, 'missing.md')]);
    expect(new Set(sources.map((s) => s.id)).size).toBe(2);
    expect(warnings[0]!.message).toMatch(/already used/);
    expect(problems.map((p) => p.message)).toEqual(['no such file or directory']);
  });

  it('does not loop through a symbolic link to a parent folder, and reports the loop as an error', async () => {
    const root = tree({ 'd/r.md': 'r' });
    symlinkSync(root, join(root, 'd', 'loop'));
    const { sources, errors, problems } = await discover([root]);
    expect(sources.map((s) => s.id)).toEqual(['d/r.md']);
    expect(errors.map((e) => e.message)).toEqual([`directory loop: a symbolic link back to ${root} (not followed)`]);
    // Nothing is skipped by it: the folder it points at was read once.
    expect(problems).toEqual([]);
  });
});
