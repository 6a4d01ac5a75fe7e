// Review shapes beyond the seeds: an audit submission, a sectioned answer, heading-per-finding, plain paragraphs.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { analyzeReview } from '../../src/analyze/index.js';

const dir = fileURLToPath(new URL('../fixtures/analyze/', import.meta.url));
const analyze = (name: string) => analyzeReview(readFileSync(dir + name, 'utf8'), name);

describe('audit-style submission', () => {
  const { analysis, diagnostics } = analyze('audit-lendingvault.md');

  it('is one finding with the title, the stated severity and the handle', () => {
    expect(analysis.findings).toHaveLength(1);
    const f = analysis.findings[0]!;
    expect(f.title).toBe('LendingVault#withdraw lets a borrower skip the health check when the price feed is stale');
    expect(f.statedSeverity).toBe('medium');
    expect(f.line).toBe(5);
    expect(analysis.author).toBe('quietfox');
    expect(analysis.verdict).toBe('defects');
    expect(diagnostics).toEqual([]);
  });

  it('cites the linked files with their lines, and the Recommendation section as the recommendation', () => {
    const f = analysis.findings[0]!;
    expect(f.evidence.files).toEqual(['contracts/core/LendingVault.sol', 'contracts/oracle/PriceOracle.sol']);
    expect(f.evidence.locations).toEqual([
      {
        path: 'contracts/core/LendingVault.sol',
        lines: [[210, 228]],
        url: 'https://github.com/acme-audits/2031-03-lendingvault/blob/main/contracts/core/LendingVault.sol#L210-L228',
      },
      {
        path: 'contracts/oracle/PriceOracle.sol',
        lines: [[88, 88], [80, 95]],
        url: 'https://github.com/acme-audits/2031-03-lendingvault/blob/main/contracts/oracle/PriceOracle.sol#L88',
      },
    ]);
    // Lines of other files are locations, not lines of the reviewed file.
    expect(f.evidence.lines).toEqual([]);
    expect(f.evidence.identifiers.slice(0, 4)).toEqual(['LendingVault#withdraw', 'LendingVault.withdraw', '_checkHealth', 'oracle.isFresh']);
    expect(f.recommendation).toBe('Revert in withdraw() when the price feed is stale instead of skipping _checkHealth().');
    // The code block is kept in the excerpt but never mined for identifiers.
    expect(f.excerpt).toContain('```solidity\nfunction withdraw(uint256 amount)');
    expect(f.evidence.identifiers).not.toContain('safeTransfer');
  });

  it('warns about a severity line it cannot read, and still keeps the finding', () => {
    const text = readFileSync(dir + 'audit-lendingvault.md', 'utf8').replace('\nMedium\n', '\nfalse\n');
    const r = analyzeReview(text, 'x.md');
    expect(r.analysis.findings).toHaveLength(1);
    expect(r.analysis.findings[0]!.statedSeverity).toBeNull();
    expect(r.diagnostics).toEqual([{ file: 'x.md', line: 3, column: 1, severity: 'warning', message: 'unrecognised stated severity `false`' }]);
  });
});

describe('sectioned answer', () => {
  const { analysis } = analyze('sectioned-session.md');

  it('gives one finding per issue, not per section', () => {
    expect(analysis.findings.map((f) => f.title)).toEqual(['Predictable session tokens in create_session()', 'Timing side channel in verify_session()']);
    const [a, b] = analysis.findings;
    expect(a!.evidence.lines).toEqual([[14, 31], [22, 22]]);
    expect(a!.evidence.identifiers).toEqual(['create_session', 'random.random', 'SESSION_STORE']);
    expect(b!.evidence.lines).toEqual([[34, 52], [47, 47]]);
    expect(a!.line).toBe(7);
    expect(a!.text).toContain('Mersenne Twister');
    expect(a!.text).toContain('the token is predictable');
  });

  it('attaches the Recommendations section to the issue it names, and reads the Decision', () => {
    expect(analysis.findings.map((f) => f.recommendation)).toEqual(['generate tokens with secrets.token_urlsafe().', 'compare tokens with hmac.compare_digest().']);
    expect(analysis.preamble).toContain('implements session handling');
    expect(analysis.preamble).toContain('expire_sessions()');
    expect(analysis.conclusion).toMatch(/^Two defects were found/);
    expect(analysis.verdict).toBe('defects');
    expect(analysis.contradiction).toBe(false);
  });
});

describe('one heading per finding', () => {
  const { analysis } = analyze('headings-export.md');

  it('takes each leaf heading with its content as a finding', () => {
    expect(analysis.findings.map((f) => [f.item, f.title, f.line, f.statedSeverity])).toEqual([
      [1, 'CSV formula injection in toCsvRow()', 7, 'high'],
      [2, 'Bucket name taken from the request', 13, null],
    ]);
    expect(analysis.findings[0]!.recommendation).toBe('prefix such cells with a single quote.');
    expect(analysis.findings[1]!.evidence).toMatchObject({ lines: [[77, 77]], identifiers: ['uploadExport', 'req.query.bucket'] });
    expect(analysis.preamble).toBe('The module exports invoices to CSV and uploads them to a storage bucket.');
    expect(analysis.conclusion).toBe('Two issues need fixing before release.');
    expect(analysis.verdict).toBe('defects');
  });
});

describe('plain paragraphs', () => {
  it('makes each paragraph that raises a concern a finding', () => {
    const { analysis } = analyze('paragraphs-upload.md');
    expect(analysis.findings).toHaveLength(2);
    const [a, b] = analysis.findings;
    expect(a!.line).toBe(3);
    expect(a!.title.startsWith('The handler builds the destination path with os.path.join(UPLOAD_DIR, filename)')).toBe(true);
    expect(a!.evidence).toMatchObject({ lines: [[27, 27]], identifiers: ['os.path.join', 'filename'] });
    expect(b!.evidence.lines).toEqual([[31, 33]]);
    expect(analysis.preamble).toBe('I went through upload.py, the handler behind the avatar upload endpoint.');
    expect(analysis.conclusion).toContain('Overall, the endpoint has two security defects');
    expect(analysis.verdict).toBe('defects');
  });

  it('finds nothing in a review that says nothing is wrong', () => {
    const { analysis } = analyze('paragraphs-clean.md');
    expect(analysis.findings).toEqual([]);
    expect(analysis.verdict).toBe('no-defects');
    expect(analysis.contradiction).toBe(false);
  });

  it('calls a review with no findings and no conclusion unclear, and an empty one too', () => {
    expect(analyzeReview('The module parses command-line flags.', 'a.md').analysis.verdict).toBe('unclear');
    const empty = analyzeReview('', 'b.md');
    expect(empty.analysis).toMatchObject({ findings: [], verdict: 'unclear', preamble: '', conclusion: '' });
    expect(empty.diagnostics).toEqual([]);
  });
});

describe('bulleted findings with nested parts', () => {
  const text = [
    'Review of `storage/cache.go`:',
    '',
    '* __Unbounded cache growth__ (L10-L24): entries are never evicted, so a client can exhaust memory.',
    '    * _Severity_: Medium',
    '    * Recommendation: cap the map size and evict the oldest entries.',
    '* __Key collision__: `hashKey()` truncates to 32 bits (line 40).',
    '',
    'Overall, the cache has two defects.',
  ].join('\n');
  const { analysis } = analyzeReview(text, 'c.md');

  it('reads titles, stated severity and recommendation from the parts', () => {
    expect(analysis.findings.map((f) => [f.title, f.statedSeverity, f.recommendation, f.evidence.lines])).toEqual([
      ['Unbounded cache growth', 'medium', 'cap the map size and evict the oldest entries.', [[10, 24]]],
      ['Key collision', null, null, [[40, 40]]],
    ]);
    expect(analysis.findings[1]!.evidence.identifiers).toEqual(['hashKey']);
  });

  it('takes excerpts from the review\'s own markdown', () => {
    expect(analysis.findings[0]!.excerpt).toBe(
      '* __Unbounded cache growth__ (L10-L24): entries are never evicted, so a client can exhaust memory.\n    * _Severity_: Medium\n    * Recommendation: cap the map size and evict the oldest entries.',
    );
  });
});
