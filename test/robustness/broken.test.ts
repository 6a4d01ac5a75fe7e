// Broken input through the real CLI: each case is named on stderr as file[:line[:column]], the run goes on,
// exits 1 and ends with a summary of what was skipped.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessSync, chmodSync, constants, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { CLI, runCli, type CliRun } from '../helpers/cli.js';
import { validateKb } from '../../src/kb.js';
import type { KB } from '../../src/model.js';
import { goodReview, writeBrokenCorpus } from './corpus.js';
import { makeRoot, read, removeRoot } from './helpers.js';

const DIAGNOSTIC = /^[^\s:][^:]*(:\d+(:\d+)?)?: (error|warning): \S.*$/;

describe('broken input: one run over every case', () => {
  let root: string;
  let run: CliRun;
  let kb: KB;
  let lines: string[];

  beforeAll(() => {
    root = makeRoot();
    writeBrokenCorpus(root);
    // Relative paths from the root, so diagnostics read `in/…` as a user would see them.
    run = runCli(['build', 'in', 'second', '--manifest', 'in/manifest.csv', '--out', 'out', '--no-cache'], root);
    kb = JSON.parse(read(join(root, 'out', 'kb.json'))) as KB;
    lines = run.stderr.trimEnd().split('\n');
  }, 120_000);

  afterAll(() => removeRoot(root));

  it('exits 1 and ends with what was skipped and why', () => {
    expect(run.status).toBe(1);
    expect(lines.slice(-2)).toEqual([
      'review-kb: skipped 19 of 28 reviews: 5 bad batch records, 2 empty, 2 lines too long, 2 malformed front matter, 2 nested too deep, 1 binary, 1 duplicate review id, 1 invalid UTF-8, 1 too large, 1 too many delimiters, 1 unreadable batch',
      'review-kb: 3 other errors in the inputs (listed above)',
    ]);
    expect(run.stdout).toBe('');
  });

  it('still processes every other review, and writes a valid kb.json', () => {
    expect(validateKb(kb)).toEqual([]);
    expect(kb.reviews.map((r) => r.id)).toEqual([
      'batch.json#j1',
      'batch.jsonl#r1',
      'batch.jsonl#r6',
      'good-a.md',
      'nested/deeper/good-b.md',
      'same.md',
      'second/same.md',
      'utf16be.md',
      'utf16le.md',
    ]);
    for (const review of kb.reviews) expect(review.findings.length, review.id).toBeGreaterThan(0);
  });

  it('prints every problem as file[:line[:column]]: severity: message', () => {
    const diagnostics = lines.filter((l) => !l.startsWith('review-kb: '));
    expect(diagnostics.length).toBe(26);
    for (const line of diagnostics) expect(line).toMatch(DIAGNOSTIC);
  });

  // One expected line per case: the exact location and what is wrong.
  const expected: [string, string][] = [
    ['empty file', 'in/empty.md: error: empty review (skipped)'],
    ['whitespace-only file', 'in/blank.md: error: empty review (skipped)'],
    ['binary file', 'in/binary.md: error: binary file, not text (skipped)'],
    ['invalid UTF-8 (Latin-1 é on line 4, column 4)', 'in/latin1.md:4:4: error: invalid UTF-8 at byte 26 (skipped)'],
    ['50 MB review', 'in/huge.md: error: 52428800 bytes is over the limit of 2097152 bytes per review (skipped; raise it with --max-bytes)'],
    ['1 MB line of words', 'in/one-line.md:4:1: error: line is 1000000 characters long, over the limit of 10000 per line (skipped)'],
    ['1 MB line of emphasis delimiters', 'in/one-line-stars.md:3:1: error: line is 1000000 characters long, over the limit of 10000 per line (skipped)'],
    ['list nested 300 deep', 'in/deep-list.md:134:1: error: lists or quotes nested about 129 levels deep, over the limit of 128 (skipped)'],
    ['emphasis nested 200 deep', 'in/deep-emphasis.md:3:199: error: markdown nested more than 100 levels deep (lists, quotes or emphasis inside each other) (skipped)'],
    ['emphasis opened on 3,000 lines of one paragraph', 'in/dense-emphasis.md:3:1: error: paragraph holds more than 1000 emphasis, link or code delimiters (* _ [ ] ~ `), too costly to parse (skipped)'],
    ['JSONL: mistyped text field', 'in/batch.jsonl:2:1: error: record 2: "text" must be a string, got number'],
    ['JSONL: missing text field', 'in/batch.jsonl:3:1: error: record 3: no review text (expected one of "text", "response", "content", "review", "output", "completion")'],
    ['JSONL: record that is not an object', 'in/batch.jsonl:4:1: error: record 4: expected an object, got an array'],
    ['JSONL: duplicate id', 'in/batch.jsonl:5:1: error: record 5: review id "r1" is already used by record 1 (skipped)'],
    ['JSONL: mistyped subject (the record is kept, its subject inferred)', 'in/batch.jsonl:6:1: warning: record 6: "subject" should be a string, got an array (ignored)'],
    ['JSONL: mistyped reviewer', 'in/batch.jsonl:6:1: warning: record 6: "reviewer" should be a string, got number (ignored)'],
    ['JSONL: truncated last line', 'in/batch.jsonl:7:1: error: record 7: last line is not complete JSON (truncated?)'],
    ['JSON: mistyped text field', 'in/batch.json: error: record 2: "response" must be a string, got an array'],
    ['manifest: missing review', 'in/manifest.csv:3: error: names a review that does not exist: "missing.md"'],
    ['manifest: two subjects', 'in/manifest.csv:5: error: gives "nested/deeper/good-b.md" two subjects: "src/b.py" and "src/other-b.py" (the first is used)'],
    ['directory loop', 'in/nested/deeper/up: error: directory loop: a symbolic link back to in/nested (not followed)'],
    ['duplicate review id across inputs', 'second/same.md: warning: review id "same.md" is already used by in/same.md; this one is "second/same.md"'],
    ['unclosed front matter', 'in/unclosed-front-matter.md:1:1: error: malformed front matter: not closed by a `---` line (review skipped)'],
  ];
  it.each(expected)('%s', (_case, line) => {
    expect(lines).toContain(line);
  });

  it('locates a truncated .json batch at the byte JSON.parse stopped at', () => {
    expect(lines.find((l) => l.startsWith('in/broken.json'))).toMatch(/^in\/broken\.json:1:49: error: not valid JSON: .* \(skipped\)$/);
  });

  it('skips a review whose front matter is malformed, pointing at the bad YAML line', () => {
    expect(lines.find((l) => l.startsWith('in/bad-front-matter.md'))).toMatch(/^in\/bad-front-matter\.md:3:1: error: malformed front matter: .* \(review skipped\)$/);
    expect(kb.reviews.find((r) => r.id === 'bad-front-matter.md')).toBeUndefined();
  });

  it('reads UTF-16 reviews with a byte-order mark, both byte orders', () => {
    for (const [id, subject, title] of [
      ['utf16le.md', 'src/utf16le.py', 'Command injection in le_handler()'],
      ['utf16be.md', 'src/utf16be.py', 'Command injection in be_handler()'],
    ]) {
      const review = kb.reviews.find((r) => r.id === id)!;
      expect(review.subject).toBe(subject);
      expect(review.findings[0]!.title).toBe(title);
      expect(review.findings[0]!.evidence.identifiers).toContain('subprocess.run');
    }
    expect(run.stderr).not.toContain('utf16');
  });

  it('keeps the good records of a broken batch, with their own metadata', () => {
    const byId = new Map(kb.reviews.map((r) => [r.id, r]));
    // The record's text has front matter too, which wins over the record's fields (reviewer: model-a, not gpt).
    expect(byId.get('batch.jsonl#r1')).toMatchObject({ subject: 'src/batch1.py', reviewer: 'model-a' });
    // A second record with the same id is refused, not renamed: the first one stands.
    expect(byId.has('batch.jsonl#r1@5')).toBe(false);
    expect(byId.get('batch.json#j1')).toMatchObject({ subject: 'src/json1.py' });
  });

  it('uses the first subject a manifest gives, and keeps the reviewer from front matter', () => {
    expect(kb.reviews.find((r) => r.id === 'nested/deeper/good-b.md')).toMatchObject({ subject: 'src/b.py', reviewer: 'model-a' });
  });

  it('lists every diagnostic in kb.json too, sorted by file and line', () => {
    expect(kb.diagnostics.filter((d) => d.severity === 'error')).toHaveLength(22);
    const files = kb.diagnostics.map((d) => d.file);
    expect(files).toEqual([...files].sort());
  });
});

describe('broken input: the size limit is a flag', () => {
  let root: string;
  beforeAll(() => {
    root = makeRoot();
    mkdirSync(join(root, 'in'));
    writeFileSync(join(root, 'in', 'small.md'), goodReview('src/small.py', 'Command injection in small()', 2));
    writeFileSync(join(root, 'in', 'padded.md'), goodReview('src/padded.py', 'Command injection in padded()', 3) + `\n${'Padding paragraph of ordinary words. '.repeat(60)}\n`);
  });
  afterAll(() => removeRoot(root));

  it('skips a review over --max-bytes and names the limit', () => {
    const run = runCli(['build', 'in', '--out', 'out', '--no-cache', '--max-bytes', '1000'], root);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^in\/padded\.md: error: \d{4} bytes is over the limit of 1000 bytes per review \(skipped; raise it with --max-bytes\)$/m);
    expect(run.stderr).toContain('review-kb: skipped 1 of 2 reviews: 1 too large\n');
    const kb = JSON.parse(read(join(root, 'out', 'kb.json'))) as KB;
    expect(kb.reviews.map((r) => r.id)).toEqual(['small.md']);
  });

  it('applies the limit to each record of a batch, not to the batch file', () => {
    const records = [1, 2, 3].map((n) => JSON.stringify({ id: `r${n}`, subject: `src/r${n}.py`, text: goodReview(`src/r${n}.py`, `Command injection in r${n}()`, n) + (n === 2 ? 'Padding. '.repeat(200) : '') }));
    writeFileSync(join(root, 'batch.jsonl'), records.join('\n'));
    const run = runCli(['build', 'batch.jsonl', '--out', 'out-batch', '--no-cache', '--max-bytes', '1000'], root);
    expect(run.stderr).toMatch(/^batch\.jsonl#r2: error: \d{4} bytes is over the limit of 1000 bytes per review \(skipped; raise it with --max-bytes\)$/m);
    expect(run.stderr).toContain('review-kb: skipped 1 of 3 reviews: 1 too large\n');
    const kb = JSON.parse(read(join(root, 'out-batch', 'kb.json'))) as KB;
    expect(kb.reviews.map((r) => r.id)).toEqual(['batch.jsonl#r1', 'batch.jsonl#r3']);
  });

  it('reads it with a larger limit, and refuses a limit that is not a positive number', () => {
    expect(runCli(['build', 'in', '--out', 'out', '--no-cache', '--max-bytes', '100000'], root).status).toBe(0);
    const bad = runCli(['build', 'in', '--out', 'out', '--no-cache', '--max-bytes', '0'], root);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--max-bytes.*expected a positive whole number/);
  });
});

/** True when the tests run as root and can run the CLI as `nobody`, for whom permissions bite. */
function canRunAsNobody(): boolean {
  if (process.getuid?.() !== 0) return false;
  const probe = spawnSync(process.execPath, ['-e', `require('fs').accessSync(${JSON.stringify(CLI)}, 4)`], { uid: 65534, gid: 65534 });
  return probe.status === 0;
}

describe('broken input: unreadable files and folders', () => {
  const root = makeRoot();
  const asRoot = process.getuid?.() === 0;
  const asNobody = asRoot && canRunAsNobody();
  afterAll(() => {
    if (existsSync(join(root, 'in', 'locked-dir'))) chmodSync(join(root, 'in', 'locked-dir'), 0o755);
    removeRoot(root);
  });

  // Root reads anything whatever the mode: then the CLI runs as `nobody`. If that is impossible, say so and skip.
  const title = asRoot && !asNobody
    ? 'reports unreadable files: SKIPPED, the tests run as root (permissions do not apply) and cannot run the CLI as nobody'
    : `reports a file and a folder it may not read, and processes the rest${asNobody ? ' (tests run as root: the CLI runs as nobody)' : ''}`;
  it.skipIf(asRoot && !asNobody)(title, () => {
    mkdirSync(join(root, 'in', 'locked-dir'), { recursive: true });
    writeFileSync(join(root, 'in', 'ok.md'), goodReview('src/ok.py', 'Command injection in ok()', 2));
    writeFileSync(join(root, 'in', 'locked.md'), goodReview('src/locked.py', 'Command injection in locked()', 2));
    writeFileSync(join(root, 'in', 'locked-dir', 'inside.md'), goodReview('src/inside.py', 'Command injection in inside()', 2));
    chmodSync(join(root, 'in', 'locked.md'), 0o000);
    chmodSync(join(root, 'in', 'locked-dir'), 0o000);
    chmodSync(root, 0o777);
    const args = [CLI, 'build', 'in', '--out', 'out', '--no-cache'];
    const result = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8', ...(asNobody ? { uid: 65534, gid: 65534 } : {}) });
    expect(result.stderr).toContain('in/locked.md: error: cannot read: EACCES\n');
    expect(result.stderr).toContain('in/locked-dir: error: cannot read directory: EACCES\n');
    expect(result.stderr).toContain('review-kb: skipped 2 of 3 reviews: 2 unreadable\n');
    expect(result.status).toBe(1);
    const kb = JSON.parse(read(join(root, 'out', 'kb.json'))) as KB;
    expect(kb.reviews.map((r) => r.id)).toEqual(['ok.md']);
    // The test itself could not read the locked file either, unless it is root.
    if (!asRoot) expect(() => accessSync(join(root, 'in', 'locked.md'), constants.R_OK)).toThrow();
  });
});
