import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadManifest, manifestEntry } from '../../src/ingest/manifest.js';

describe('loadManifest', () => {
  it('maps the seeds to the files they review (CSV)', async () => {
    const manifest = await loadManifest('seeds/manifest.csv');
    expect(manifest.problems).toEqual([]);
    expect(manifestEntry(manifest, 'seeds/002_e013982055bbec08.txt')?.subject).toBe('neutron/tests/functional/agent/linux/test_netlink_lib.py');
    expect(manifestEntry(manifest, 'seeds/000_737847ff5b057954.txt')?.subject).toBe('neutron/tests/common/net_helpers.py');
  });

  it('reads JSON maps and reports missing files and contradicting subjects', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rkb-manifest-'));
    writeFileSync(join(dir, 'a.md'), 'a');
    writeFileSync(
      join(dir, 'm.json'),
      JSON.stringify({ reviews: [{ review: 'a.md', subject: 'x.py', model: 'm1' }, { review: 'a.md', subject: 'y.py' }, { review: 'gone.md', subject: 'z.py' }] }),
    );
    const manifest = await loadManifest(join(dir, 'm.json'));
    expect(manifestEntry(manifest, join(dir, 'a.md'))).toEqual({ subject: 'x.py', reviewer: 'm1', date: null });
    expect(manifest.problems.map((p) => p.message)).toEqual([
      'gives "a.md" two subjects: "x.py" and "y.py" (the first is used)',
      'names a review that does not exist: "gone.md"',
    ]);
  });
});
