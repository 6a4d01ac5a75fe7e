import { mkdtempSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { build } from '../../src/pipeline.js';
import { validateKb } from '../../src/kb.js';
import { ROOT, runCli } from '../helpers/cli.js';

const NETLINK = 'neutron/tests/functional/agent/linux/test_netlink_lib.py';

function temp(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

function listFiles(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.name === '.cache') continue; // the per-review cache build keeps in the output folder is not an output
      if (e.name === '.review-kb.json') continue; // nor the marker, which records when each file was written (up-to-date check)
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[relative(dir, p)] = readFileSync(p, 'utf8');
    }
  };
  walk(dir);
  return out;
}

describe('build on the seeds', () => {
  it('assigns subjects from the manifest', async () => {
    const { kb, skipped } = await build({ inputs: ['seeds'], manifest: 'seeds/manifest.csv' });
    expect(skipped).toBe(0);
    expect(kb.reviews.map((r) => [r.id, r.subject, r.subjectInferred])).toEqual([
      ['000_737847ff5b057954.txt', 'neutron/tests/common/net_helpers.py', false],
      ['001_0ff59d6f8b1316db.txt', 'neutron/agent/linux/utils.py', false],
      ['002_e013982055bbec08.txt', NETLINK, false],
      ['003_b765430dcf81c5cc.txt', NETLINK, false],
    ]);
    expect(kb.subjects.map((s) => [s.path, s.reviews])).toEqual([
      ['neutron/agent/linux/utils.py', ['001_0ff59d6f8b1316db.txt']],
      ['neutron/tests/common/net_helpers.py', ['000_737847ff5b057954.txt']],
      [NETLINK, ['002_e013982055bbec08.txt', '003_b765430dcf81c5cc.txt']],
    ]);
  });

  it('infers subjects without the manifest: 002 and 003 together, 000 and 001 alone, each with a warning', async () => {
    const { kb, diagnostics } = await build({ inputs: ['seeds'] });
    const subjectOf = new Map(kb.reviews.map((r) => [r.id.slice(0, 3), r.subject]));
    expect(subjectOf.get('002')).toBe(subjectOf.get('003'));
    expect(new Set(subjectOf.values()).size).toBe(3);
    expect(kb.reviews.every((r) => r.subjectInferred)).toBe(true);
    expect(kb.subjects.every((s) => s.inferred)).toBe(true);
    // a readable name from what 002 and 003 share, not a hash
    expect(subjectOf.get('002')).toMatch(/run_as_root|MAX_CONNTRACK_ZONE_ID|netlink_lib/);
    const warnings = diagnostics.filter((d) => d.severity === 'warning' && /inferred/.test(d.message));
    expect(warnings).toHaveLength(4);
  });

  it('says when the analysis is over, once every review is analysed', async () => {
    const events: string[] = [];
    await build({
      inputs: ['seeds'],
      manifest: 'seeds/manifest.csv',
      onProgress: (done, total) => events.push(`${done}/${total}`),
      onAnalysed: () => events.push('analysed'),
    });
    expect(events.at(-1)).toBe('analysed');
    expect(events.at(-2)).toBe('4/4');
  });

  it('writes a kb.json that validates against its schema', async () => {
    const { kb } = await build({ inputs: ['seeds'], manifest: 'seeds/manifest.csv' });
    expect(validateKb(JSON.parse(JSON.stringify(kb)))).toEqual([]);
    expect(validateKb({ ...kb, reviews: [{ id: 'x' }] })).not.toEqual([]);
  });

  it('lets front matter override the manifest, and reads JSONL batches with their own metadata', async () => {
    const dir = temp('rkb-meta-');
    writeFileSync(join(dir, 'a.md'), '---\nfile: src/app.py\nmodel: model-a\n---\n1. **SQL injection**: `find_user` builds a query by string formatting (line 12).\n');
    writeFileSync(join(dir, 'manifest.csv'), 'review,subject,reviewer\na.md,other.py,someone\n');
    writeFileSync(
      join(dir, 'runs.jsonl'),
      `${JSON.stringify({ id: 'r1', response: '1. **Command injection**: `run_cmd` passes `shell=True` (line 40).', file: 'src/app.py', model: 'model-b' })}\n`,
    );
    const { kb } = await build({ inputs: [dir], manifest: join(dir, 'manifest.csv') });
    expect(kb.reviews.map((r) => [r.id, r.subject, r.reviewer])).toEqual([
      ['a.md', 'src/app.py', 'model-a'],
      ['runs.jsonl#r1', 'src/app.py', 'model-b'],
    ]);
    expect(kb.subjects).toHaveLength(1);
  });
});

describe('the CLI', () => {
  it('builds the seeds, byte-identical on a rerun, and render reproduces every output from kb.json', () => {
    const first = temp('rkb-out1-');
    const second = temp('rkb-out2-');
    const rendered = temp('rkb-out3-');
    const links = (out: string): string[] => ['--review-links', relative(out, join(ROOT, 'seeds'))];
    expect(runCli(['build', 'seeds', '--manifest', 'seeds/manifest.csv', '--out', first, '--quiet', ...links(first)]).status).toBe(0);
    expect(runCli(['build', 'seeds', '--manifest', 'seeds/manifest.csv', '--out', second, '--quiet', ...links(first)]).status).toBe(0);
    const a = listFiles(first);
    expect(Object.keys(a)).toEqual(expect.arrayContaining(['kb.json', 'index.md', join('reports', NETLINK) + '.md']));
    expect(listFiles(second)).toEqual(a);
    expect(runCli(['render', join(first, 'kb.json'), '--out', rendered, ...links(first)]).status).toBe(0);
    expect(listFiles(rendered)).toEqual(a);
    // sources link back to the review and line they came from
    const report = join(first, 'reports', `${NETLINK}.md`);
    const target = /\]\(([^)]*002_e013982055bbec08\.txt)#L3\)/.exec(readFileSync(report, 'utf8'))?.[1];
    expect(target).toBeDefined();
    expect(readFileSync(join(dirname(report), target!), 'utf8')).toMatch(/run_as_root/);
  });

  it('keeps stdout for --json only and diagnostics on stderr; exit 1 when a review is skipped', () => {
    const dir = temp('rkb-in-');
    mkdirSync(join(dir, 'r'));
    writeFileSync(join(dir, 'r', 'good.md'), '1. **Hardcoded password** in `connect()` (line 3).\n');
    writeFileSync(join(dir, 'r', 'empty.md'), '');
    const out = join(dir, 'out');
    const quiet = runCli(['build', join(dir, 'r'), '--out', out, '--quiet']);
    expect(quiet.status).toBe(1);
    expect(quiet.stdout).toBe('');
    expect(quiet.stderr).toMatch(/empty\.md: error: empty review/);
    const json = runCli(['build', join(dir, 'r'), '--out', out, '--json', '--quiet']);
    const summary = JSON.parse(json.stdout);
    expect(summary).toMatchObject({ reviews: 1, skipped: 1 });
    expect(summary.files).toContain('kb.json');
    // This run was up to date: it ran no stage. One that builds lists each stage the progress line names, in order, with its seconds.
    expect(summary.timings).toBeUndefined();
    const built = JSON.parse(runCli(['build', join(dir, 'r'), '--out', out, '--json', '--quiet', '--no-cache']).stdout);
    expect(built.timings.map((s: { stage: string }) => s.stage)).toEqual([
      'checking inputs',
      'reviews',
      'consolidating subjects',
      'writing kb.json',
      'rendering overview pages',
      'subjects',
      'writing SARIF and ticket lists, moving files into place',
    ]);
    for (const { seconds } of built.timings) expect(seconds).toBeGreaterThanOrEqual(0);
  });

  it('exits 2 on a usage error and refuses a folder that is not its own', () => {
    expect(runCli(['build', '--scope', 'everything']).status).toBe(2);
    expect(runCli(['frobnicate']).status).toBe(2);
    const foreign = temp('rkb-foreign-');
    writeFileSync(join(foreign, 'thesis.tex'), 'precious');
    const refused = runCli(['build', 'seeds', '--out', foreign]);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/not review-kb output/);
    expect(readFileSync(join(foreign, 'thesis.tex'), 'utf8')).toBe('precious');
  });
});

describe('kb.json serialization', () => {
  it('writes piece by piece, one review per piece, JSON that reads back as the KB, empty arrays included', async () => {
    const { kb } = await build({ inputs: ['seeds'], manifest: 'seeds/manifest.csv' });
    const { serializeKbChunks } = await import('../../src/kb.js');
    for (const value of [kb, { ...kb, themes: [], diagnostics: [] }]) {
      const chunks = [...serializeKbChunks(value)];
      expect(chunks.length).toBeGreaterThan(value.reviews.length);
      expect(JSON.parse(chunks.join(''))).toEqual(value);
    }
  });
});
