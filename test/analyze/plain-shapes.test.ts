// Shapes with little or no markup: heading titles over a bold severity line, plain-text numbered items, plain paragraphs.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { analyzeReview } from '../../src/analyze/index.js';

const dir = fileURLToPath(new URL('../fixtures/analyze/', import.meta.url));
const analyze = (name: string) => analyzeReview(readFileSync(dir + name, 'utf8'), name).analysis;
const text = (md: string) => analyzeReview(md, 'inline.md').analysis;
const brief = (a: ReturnType<typeof analyze>) =>
  a.findings.map((f) => ({ item: f.item, title: f.title, line: f.line, severity: f.statedSeverity, lines: f.evidence.lines, ids: f.evidence.identifiers }));

describe('`### N. Title` headings over a `**Severity: X**` line', () => {
  it('titles each finding by its heading and reads the severity from the bold line', () => {
    const a = analyze('headings-severity-line-webhook.md');
    expect(brief(a)).toEqual([
      { item: 1, title: 'Server-side request forgery through the callback URL', line: 5, severity: 'high', lines: [[58, 71]], ids: ['Register', 'req.CallbackURL', 'deliver'] },
      { item: 2, title: 'Signature compared with ==', line: 8, severity: 'medium', lines: [[112, 112]], ids: ['verifySignature', 'hmac.Equal'] },
      // `**Risk: Low**` states a severity as well; "Issue:" leading a heading is not part of the title.
      { item: 3, title: 'Retries without a cap', line: 11, severity: 'low', lines: [[140, 140]], ids: [] },
      { item: 4, title: 'secrets logged at debug level', line: 14, severity: 'info', lines: [[33, 33]], ids: [] },
    ]);
    expect(a.findings[0]!.recommendation).toBe('Resolve the host and reject private and link-local addresses.');
    expect(a.preamble).toBe('The dispatcher receives webhook registrations and delivers signed events to customer endpoints.');
    expect(a.verdict).toBe('defects');
  });

  it('keeps two findings with the same severity apart (the severity line is not their title)', () => {
    const a = text('### 1. Token in the URL\n**Severity: Medium** — `login()` puts the token in the query string (line 4).\n\n### 2. No rate limit\n**Severity: Medium** — `login()` accepts unlimited attempts (line 9).\n');
    expect(a.findings.map((f) => [f.title, f.statedSeverity, f.evidence.lines])).toEqual([
      ['Token in the URL', 'medium', [[4, 4]]],
      ['No rate limit', 'medium', [[9, 9]]],
    ]);
  });

  it('still reads a bold lead with a colon as a title when its label names the finding or is not a label', () => {
    const a = text('1. **Issue: hardcoded key** in `config.py` (line 3).\n2. **SQL injection: search box** builds the query by concatenation (line 20).\n');
    expect(a.findings.map((f) => f.title)).toEqual(['hardcoded key', 'SQL injection: search box']);
  });

  it('does not read "Risk: Low-privileged …" as a stated severity', () => {
    const a = text('1. **Local users can read the socket**\n   - Risk: Low-privileged users can connect to `/run/app.sock` (line 12).\n');
    expect(a.findings.map((f) => [f.title, f.statedSeverity])).toEqual([['Local users can read the socket', null]]);
  });
});

describe('plain-text numbered items', () => {
  it('takes a title line with the text on the next lines, and not the first line of a wrapped sentence', () => {
    const a = analyze('plain-numbered-scheduler.txt');
    expect(brief(a)).toEqual([
      { item: 1, title: 'spawn_job() - command built from the job name', line: 3, severity: null, lines: [[44, 52]], ids: ['spawn_job'] },
      // The text below the title starts with an identifier in lower case; the title's line reference marks it a title.
      { item: 2, title: 'Lock file in a world-writable directory', line: 6, severity: null, lines: [[90, 90]], ids: ['lock_path'] },
      // Hard-wrapped at 90 columns: its first line is not a title, and the fallback title reads across the wrap.
      { item: 3, title: 'The retry loop in run_pending() sleeps for a fixed second and never gives up, so a job that always…', line: 9, severity: null, lines: [], ids: ['run_pending'] },
    ]);
    expect(a.findings[0]!.text).toContain('Pass the arguments to Command::new directly.');
    expect(a.findings[0]!.recommendation).toBe('Pass the arguments to Command::new directly.');
    expect(a.preamble).toBe('Review of scheduler/jobs.rs');
    expect(a.conclusion).toBe('Overall, the first two items should be fixed before the service is exposed.');
    expect(a.verdict).toBe('defects');
  });

  it('takes numbered title lines whose text follows as separate paragraphs', () => {
    const a = analyze('plain-numbered-detached-mailer.txt');
    expect(brief(a)).toEqual([
      { item: 1, title: 'Header injection in send_notice', line: 3, severity: null, lines: [[27, 27]], ids: ['send_notice'] },
      { item: 2, title: 'SMTP password in the repository', line: 7, severity: null, lines: [[8, 8]], ids: ['SMTP_PASSWORD'] },
    ]);
    expect(a.findings[0]!.text).toContain('adds arbitrary headers such as Bcc');
    expect(a.findings[1]!.text).toContain('string literal committed with the code');
    expect(a.findings[0]!.excerpt).toBe(
      '1. Header injection in send_notice (line 27)\n\nThe subject comes from the form unmodified, so a CR/LF pair in it adds arbitrary headers such as Bcc.',
    );
    expect(a.preamble).toBe('Mailer module review');
    expect(a.conclusion).toBe('Both should be fixed before release.');
  });

  it('does not take the first line of a hard-wrapped item as its title', () => {
    const a = text(
      'Findings:\n\n1. The session cookie is set without the Secure flag, so browsers send it over plain\n   HTTP connections as well, where anyone on the network path can read it (line 14).\n2. Session cookie lacks HttpOnly\n   Scripts injected into any page can read the cookie (line 15).\n',
    );
    expect(a.findings.map((f) => [f.title, f.line, f.evidence.lines])).toEqual([
      ['The session cookie is set without the Secure flag, so browsers send it over plain HTTP connections…', 3, [[14, 14]]],
      ['Session cookie lacks HttpOnly', 5, [[15, 15]]],
    ]);
  });

  it('does not take a line that ends on a word the sentence goes on from', () => {
    const a = text('Issues found:\n\n1. The handler copies the name into\n   The buffer declared on line 9, which has room for 16 bytes only.\n2. Missing length check (line 12)\n   Names longer than 16 bytes overflow the buffer.\n');
    expect(a.findings.map((f) => f.title)).toEqual(['The handler copies the name into The buffer declared on line 9, which has room for 16 bytes only', 'Missing length check']);
  });
});

describe('plain paragraphs', () => {
  it('after an opening that announces problems, every paragraph citing the code is a finding', () => {
    const a = analyze('plain-paragraphs-parser.txt');
    expect(brief(a)).toEqual([
      {
        item: 1,
        title: 'parse_record reads the 16-bit length from the record header and copies that many bytes into the…',
        line: 3,
        severity: null,
        lines: [[77, 85]],
        ids: ['parse_record', 'value'],
      },
      { item: 2, title: 'The loop in parse_all advances by hdr.len (line 120); a record with length zero makes it spin on…', line: 5, severity: null, lines: [[120, 120]], ids: ['parse_all', 'hdr.len'] },
    ]);
    expect(a.preamble).toBe('I went through tlv.c, the TLV parser used by the provisioning daemon, and found two problems.');
    // A closing remark that cites nothing is not a finding.
    expect(a.conclusion).toBe('Apart from these, the parser is careful to check every read against the input size.');
    expect(a.verdict).toBe('defects');
  });

  it('without such an opening, paragraphs that name a memory-safety defect are findings', () => {
    const a = analyze('plain-paragraphs-unannounced.txt');
    expect(a.findings.map((f) => [f.line, f.evidence.lines, f.evidence.identifiers])).toEqual([
      [3, [[143, 143]], ['cache_evict']],
      [7, [[61, 61]], ['cache_put']],
    ]);
    expect(a.conclusion).toBe('The hash table is sized once at start-up and is never resized.');
  });

  it('an opening that reviewed the code and found nothing announces nothing', () => {
    const a = text('I looked at `auth.py` and found no problems.\n\nThe token is compared with `hmac.compare_digest` (line 40).\n');
    expect(a.findings).toEqual([]);
    expect(a.verdict).toBe('no-defects');
  });
});

describe('the classifier fixtures (test/fixtures/classify) segment as labelled', () => {
  const fx = fileURLToPath(new URL('../fixtures/classify/', import.meta.url));
  const labels = JSON.parse(readFileSync(fx + 'labels.json', 'utf8')) as {
    reviews: Record<string, { verdict?: string; findings: { n: number; title?: string }[] }>;
  };
  for (const f of readdirSync(fx).filter((x) => /\.(md|txt)$/.test(x)).sort()) {
    const want = labels.reviews[f.replace(/\.[^.]+$/, '')];
    if (!want) continue;
    it(f, () => {
      const a = analyzeReview(readFileSync(fx + f, 'utf8'), f).analysis;
      expect(a.findings.map((x) => x.item)).toEqual(want.findings.map((x) => x.n));
      for (const g of want.findings) if (g.title) expect(a.findings[g.n - 1]!.title).toBe(g.title);
      if (want.verdict) expect(a.verdict).toBe(want.verdict);
    });
  }
});
