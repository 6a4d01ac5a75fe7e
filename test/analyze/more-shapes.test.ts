// More shapes LLM reviews take: nested part bullets under headings, bold paragraphs, an introduced plain list, bold pseudo-sections, tables.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { analyzeReview } from '../../src/analyze/index.js';

const dir = fileURLToPath(new URL('../fixtures/analyze/', import.meta.url));
const analyze = (name: string) => analyzeReview(readFileSync(dir + name, 'utf8'), name).analysis;
const brief = (a: ReturnType<typeof analyze>) =>
  a.findings.map((f) => ({ item: f.item, title: f.title, line: f.line, severity: f.statedSeverity, lines: f.evidence.lines, ids: f.evidence.identifiers, rec: f.recommendation }));

describe('more review shapes', () => {
  it('headed sections with numbered findings and Location/Description/Severity/Recommendation parts', () => {
    const a = analyze('parts-db.md');
    expect(brief(a)).toEqual([
      { item: 1, title: 'SQL Injection', line: 9, severity: 'high', lines: [[45, 45]], ids: ['get_user', 'username'], rec: 'Use parameterized queries.' },
      { item: 2, title: 'Hardcoded Credentials', line: 15, severity: null, lines: [[12, 12]], ids: ['DB_PASSWORD'], rec: 'Load it from the environment.' },
    ]);
    // A "Summary" before any finding is context, not the conclusion.
    expect(a.preamble).toBe('The module wraps database access for the web app.');
    expect(a.conclusion).toBe('The code contains two security defects that should be fixed.');
    expect(a.verdict).toBe('defects');
  });

  it('bold numbered paragraphs with their text and Fix paragraphs below', () => {
    const a = analyze('bold-paragraphs-settings.md');
    expect(brief(a)).toEqual([
      { item: 1, title: 'Hardcoded credentials', line: 1, severity: null, lines: [[12, 12]], ids: [], rec: 'read it from a secret store.' },
      { item: 2, title: 'Missing CSRF protection on update_profile', line: 7, severity: null, lines: [[80, 95]], ids: ['update_profile', 'CsrfViewMiddleware'], rec: 'enable CsrfViewMiddleware.' },
    ]);
    expect(a.findings[0]!.evidence.files).toEqual(['settings.py']);
    expect(a.findings[0]!.text).toContain('The password for the admin account');
    expect(a.conclusion).toBe('Overall the code has two defects.');
  });

  it('a plain list introduced as issues: each item is a finding', () => {
    const a = analyze('intro-list-hashing.md');
    expect(a.findings.map((f) => [f.line, f.evidence.lines, f.evidence.identifiers])).toEqual([
      [3, [[5, 5]], ['hashlib.md5']],
      [4, [[19, 19]], ['mktemp']],
    ]);
    expect(a.findings[1]!.title).toBe('The temporary file is created with mktemp() (line 19), which is racy');
    expect(a.preamble).toBe('The code looks mostly fine, but I noticed the following issues:');
    expect(a.conclusion).toBe('Please address them.');
    expect([a.verdict, a.contradiction]).toEqual(['defects', false]);
  });

  it('bold pseudo-headings with the section text on the next line', () => {
    const a = analyze('bold-sections-tarball.md');
    expect(a.findings.map((f) => [f.line, f.evidence.lines, f.evidence.identifiers])).toEqual([
      [7, [[33, 33]], ['tarfile.extractall']],
      [9, [[21, 21]], ['verify']],
    ]);
    expect(a.preamble).toBe('Here is my analysis of the code.\n\nThe script downloads a tarball and extracts it.');
    expect(a.conclusion).toBe('Defects found: path traversal in extractall(), disabled TLS verification.');
    expect(a.verdict).toBe('defects');
  });

  it('a findings table: one finding per row, with the Line, Severity and Fix columns', () => {
    const a = analyze('table-runner.md');
    expect(brief(a)).toEqual([
      { item: 1, title: 'Command injection via os.system(cmd)', line: 5, severity: 'high', lines: [[42, 42]], ids: ['os.system', 'subprocess.run'], rec: 'pass an argument list to subprocess.run' },
      { item: 2, title: 'Debug mode enabled in production', line: 6, severity: 'medium', lines: [[7, 7]], ids: ['DEBUG'], rec: 'read DEBUG from the environment' },
      { item: 3, title: 'Temporary files created with mktemp()', line: 7, severity: 'low', lines: [[60, 64]], ids: ['mktemp'], rec: null },
    ]);
    expect(a.findings[0]!.excerpt).toBe(
      '| # | Issue | Line | Severity | Fix |\n|---|-------|------|----------|-----|\n| 1 | Command injection via `os.system(cmd)` | 42 | High | pass an argument list to `subprocess.run` |',
    );
    expect(a.conclusion).toBe('All three should be fixed before the next release.');
  });

  it('severity headings give their findings a stated severity; a later analysis section merges only with the issue it restates', () => {
    const a = analyze('severity-groups-users.md');
    expect(brief(a)).toEqual([
      { item: 1, title: 'SQL injection in get_user()', line: 3, severity: 'high', lines: [[10, 10]], ids: ['get_user', 'username'], rec: null },
      { item: 2, title: 'Missing audit logging in get_user()', line: 7, severity: 'low', lines: [[14, 14]], ids: ['get_user'], rec: null },
    ]);
    expect(a.findings[0]!.text).toContain('the concatenated query leaks every row');
    expect(a.findings[1]!.text).toContain('brute force goes unnoticed');
    expect(a.findings[1]!.text).not.toContain('leaks every row');
  });

  it('a closing Recommendations list attaches advice to the finding it names and keeps the rest as conclusion', () => {
    const a = analyze('recommendations-search.md');
    expect(brief(a)).toEqual([
      { item: 1, title: 'SQL Injection in search()', line: 3, severity: null, lines: [[12, 12]], ids: ['search'], rec: 'use parameterized queries.' },
      { item: 2, title: 'Reflected XSS', line: 4, severity: null, lines: [[30, 30]], ids: ['q'], rec: null },
    ]);
    expect(a.conclusion).toBe('Escape output: run q through html.escape before rendering.');
    expect(a.preamble).toBe('The handler has two problems.');
  });
});
