// A build with nothing changed since the last run into the same folder says what that run said and writes nothing;
// any change to a review, an option, a template or an output file makes it build again.
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runCli, type CliRun } from '../helpers/cli.js';

let root: string;
const out = (): string => join(root, 'out');
const build = (...extra: string[]): CliRun => runCli(['build', 'in', '--manifest', 'in/manifest.csv', '--out', 'out', '--json', ...extra], root);
const summary = (run: CliRun): string => run.stderr.trimEnd().split('\n').find((l) => l.startsWith('review-kb: ') && / reviews, /.test(l))!;
const mtimes = (): Map<string, number> => {
  const files = readdirSync(out(), { recursive: true, encoding: 'utf8' }).filter((f) => !f.startsWith('.') && statSync(join(out(), f)).isFile());
  return new Map(files.map((f) => [f, statSync(join(out(), f)).mtimeMs]));
};

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'review-kb-uptodate-'));
  cpSync(join(ROOT, 'seeds'), join(root, 'in'), { recursive: true });
  // One broken review, so the replayed run has a diagnostic and exit status 1 to repeat.
  writeFileSync(join(root, 'in', 'empty.md'), '\n');
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('the up-to-date check', () => {
  let first: CliRun;
  let second: CliRun;
  let before: Map<string, number>;

  beforeAll(() => {
    first = build();
    before = mtimes();
    second = build();
  }, 120_000);

  it('repeats the last run: diagnostics, what was skipped, the JSON summary and the exit status', () => {
    expect(first.status).toBe(1);
    expect(second.status).toBe(1);
    expect(summary(second)).toMatch(/^review-kb: up to date: 4 reviews, 30 findings, 29 consolidated in 3 subjects, 1 skipped; nothing changed since the last run, [\d.]+ s → out$/);
    const lines = (run: CliRun) => run.stderr.trimEnd().split('\n').filter((l) => l !== summary(run));
    expect(lines(second)).toEqual(lines(first));
    expect(lines(second)).toContain('in/empty.md: error: empty review (skipped)');
    // How long each stage took is the first run's own: an up-to-date run ran none of them.
    const { timings, ...built } = JSON.parse(first.stdout);
    expect(timings.length).toBeGreaterThan(2);
    expect(JSON.parse(second.stdout)).toEqual({ ...built, upToDate: true });
  });

  it('leaves nothing but the caches in the cache folder: the reviews and tickets spilled on the way are removed', () => {
    const names = readdirSync(join(out(), '.cache'));
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) expect(name).toMatch(/^(reviews|render)\.[0-9a-f]\.cache$/);
  });

  it('writes nothing', () => {
    expect(mtimes()).toEqual(before);
  });

  it('builds again when a review changes, rewriting only the pages that show it', () => {
    const review = join(root, 'in', '001_0ff59d6f8b1316db.txt');
    const untouched = mtimes();
    const item = '9. **Hardcoded secret in `tempest_uptodate_probe()` (Line 3):**\n   - **Risk**: The password is in the source.\n\nIn conclusion,';
    writeFileSync(review, readFileSync(review, 'utf8').replace('In conclusion,', item));
    const run = build();
    expect(summary(run)).toMatch(/^review-kb: 4 reviews, .* 3 from cache, /);
    expect(readFileSync(join(out(), 'kb.json'), 'utf8')).toContain('tempest_uptodate_probe');
    // The reviewed file's own pages are new; the other subjects' report, site and HTML pages were left in place.
    const after = mtimes();
    const pages = (subject: string) => [...after.keys()].filter((f) => /^(reports|site\/subjects|html\/subjects)\//.test(f) && f.includes(subject));
    expect(pages('agent-linux-utils').length + pages('agent/linux/utils').length).toBe(3);
    for (const f of [...pages('agent-linux-utils'), ...pages('agent/linux/utils')]) {
      expect(after.get(f), f).not.toBe(untouched.get(f));
      expect(readFileSync(join(out(), f), 'utf8'), f).toContain('tempest_uptodate_probe');
    }
    const others = [...pages('net-helpers'), ...pages('net_helpers'), ...pages('netlink-lib'), ...pages('netlink_lib')];
    expect(others.length).toBe(6);
    for (const f of others) expect(after.get(f), f).toBe(untouched.get(f));
    expect(summary(build())).toMatch(/^review-kb: up to date: 4 reviews, /);
  }, 120_000);

  it("keeps the other subjects' site pages when a category comes into use that none of them links to", () => {
    const review = join(root, 'in', '001_0ff59d6f8b1316db.txt');
    const untouched = mtimes();
    const category = (files: Iterable<string>) => [...files].filter((f) => f.startsWith('site/categories/sql'));
    expect(category(untouched.keys())).toEqual([]);
    const item = '10. **SQL injection in `tempest_sql_probe()` (Line 5):**\n   - **Risk**: The SQL query is built from user input with string formatting, so an attacker can inject SQL.\n\nIn conclusion,';
    writeFileSync(review, readFileSync(review, 'utf8').replace('In conclusion,', item));
    build();
    const after = mtimes();
    expect(category(after.keys())).toHaveLength(1);
    const others = [...after.keys()].filter((f) => f.startsWith('site/subjects/') && f.endsWith('.md') && !f.includes('agent-linux-utils'));
    expect(others.length).toBe(2);
    for (const f of others) expect(after.get(f), f).toBe(untouched.get(f));
  }, 120_000);

  it('builds again when an output file was edited or deleted, and restores it', () => {
    const index = join(out(), 'index.md');
    const original = readFileSync(index, 'utf8');
    writeFileSync(index, 'edited by hand\n');
    expect(summary(build())).not.toMatch(/up to date/);
    expect(readFileSync(index, 'utf8')).toBe(original);
    rmSync(join(out(), 'results.sarif'));
    expect(summary(build())).not.toMatch(/up to date/);
    expect(statSync(join(out(), 'results.sarif')).size).toBeGreaterThan(0);
  }, 120_000);

  it('builds again when an option or a template changes', () => {
    expect(summary(build('--scope', 'all'))).not.toMatch(/up to date/);
    expect(summary(build('--scope', 'all'))).toMatch(/up to date/);
    const templates = join(root, 'templates');
    cpSync(join(ROOT, 'templates'), templates, { recursive: true });
    expect(summary(build('--scope', 'all', '--templates', 'templates'))).not.toMatch(/up to date/);
    writeFileSync(join(templates, 'index.md.hbs'), `${readFileSync(join(templates, 'index.md.hbs'), 'utf8')}\nCustom footer.\n`);
    expect(summary(build('--scope', 'all', '--templates', 'templates'))).not.toMatch(/up to date/);
    expect(readFileSync(join(out(), 'index.md'), 'utf8')).toContain('Custom footer.');
  }, 120_000);

  it('writes the same outputs from remembered tickets as a build from nothing', () => {
    build();
    const fresh = runCli(['build', 'in', '--manifest', 'in/manifest.csv', '--out', 'fresh', '--no-cache', '--quiet'], root);
    expect(fresh.status).toBe(1);
    const files = [...mtimes().keys()].sort();
    expect(files.length).toBeGreaterThan(20);
    for (const file of files) expect(readFileSync(join(out(), file), 'utf8'), file).toBe(readFileSync(join(root, 'fresh', file), 'utf8'));
  }, 120_000);

  it('builds without a cache, after a warning that names it, when the cache folder cannot be written', () => {
    writeFileSync(join(root, 'a-file'), 'not a folder\n');
    const run = runCli(['build', 'in', '--manifest', 'in/manifest.csv', '--out', 'uncached', '--cache', 'a-file', '--quiet'], root);
    const alike = runCli(['build', 'in', '--manifest', 'in/manifest.csv', '--out', 'no-cache', '--no-cache', '--quiet'], root);
    expect(run.stderr).toContain("review-kb: warning: cannot write the cache folder a-file (EEXIST: file already exists, mkdir 'a-file'); building without a cache, as with --no-cache\n");
    // The review that is skipped either way, nothing else.
    expect([run.status, alike.status]).toEqual([1, 1]);
    expect(readFileSync(join(root, 'a-file'), 'utf8')).toBe('not a folder\n');
    const files = readdirSync(join(root, 'no-cache'), { recursive: true, encoding: 'utf8' }).filter((f) => !f.startsWith('.') && statSync(join(root, 'no-cache', f)).isFile());
    expect(files.length).toBeGreaterThan(20);
    for (const file of files) expect(readFileSync(join(root, 'uncached', file), 'utf8'), file).toBe(readFileSync(join(root, 'no-cache', file), 'utf8'));
  }, 120_000);

  it('stops before the analysis when the default cache folder, inside the output folder, cannot be written', () => {
    mkdirSync(join(root, 'blocked'));
    writeFileSync(join(root, 'blocked', '.cache'), 'not a folder\n');
    const run = runCli(['build', 'in', '--manifest', 'in/manifest.csv', '--out', 'blocked', '--force'], root);
    expect(run.status).toBe(2);
    expect(run.stderr).toBe("review-kb: blocked/.cache: cannot write into the output folder (EEXIST: file already exists, mkdir 'blocked/.cache')\n");
    expect(readdirSync(join(root, 'blocked'))).toEqual(['.cache']);
  }, 120_000);

  it('always builds with --no-cache', () => {
    build();
    expect(summary(build('--no-cache'))).toMatch(/^review-kb: 4 reviews, .* 0 from cache, /);
  }, 120_000);
});
