import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeReview } from '../../src/analyze/index.js';
import { classifyAnalysis, classifyFinding, cweEntries, loadTaxonomy, taxonomyVersion, type Taxonomy } from '../../src/classify/index.js';
import { makeFinding } from './split.js';

let tax: Taxonomy;
beforeAll(() => {
  tax = loadTaxonomy();
});

const seed = (name: string) => analyzeReview(readFileSync(join('seeds', name), 'utf8'), name).analysis;

describe('categories', () => {
  it('classifies the seed findings by their topic, with the CWE of the category', () => {
    const a = classifyAnalysis(seed('003_b765430dcf81c5cc.txt'), tax);
    expect(a.findings.map((f) => f.category)).toEqual([
      'command-injection',
      'error-handling',
      'code-quality',
      'privilege',
      'denial-of-service',
      'hardcoded-values',
    ]);
    // "infinite loop" points at CWE-835, the category's primary CWE follows.
    expect(a.findings[4]!.cwe).toEqual([835, 400]);
    expect(a.findings[4]!.reasons[0]).toBe('cue "infinite loop" (text) → denial-of-service');
  });

  it('classifies C memory-safety and numeric findings it never saw in the seeds', () => {
    const strcpy = makeFinding(1, 'Unsafe copy in `parse_name` (line 12)', 'The function calls `strcpy(dst, src)` on attacker-controlled input into a 32-byte stack buffer, which can write past the end of `dst`.');
    const wrap = makeFinding(2, 'Size computation can wrap', '`count * sizeof(struct item)` is computed in 32 bits (line 40); a large `count` wraps around and the allocation is too small.');
    expect(classifyFinding(strcpy, tax)).toMatchObject({ category: 'memory-safety', stance: 'concern' });
    expect(classifyFinding(strcpy, tax).cwe[0]).toBe(120);
    expect(classifyFinding(wrap, tax)).toMatchObject({ category: 'numeric-error', cwe: [190, 682] });
  });

  it('classifies SQL injection, XSS and smart-contract access control', () => {
    const sql = makeFinding(1, 'Query built by string concatenation', 'In `get_user` the id from the URL is concatenated into the SQL query, so an attacker can inject `OR 1=1` (line 88).');
    const xss = makeFinding(2, 'Comment body rendered with innerHTML', 'User comments are assigned to `el.innerHTML` without escaping (line 17).');
    const owner = makeFinding(3, '`setOracle()` lacks `onlyOwner`', 'Anyone can call `setOracle()` and point the protocol at a malicious price feed.');
    expect(classifyFinding(sql, tax).category).toBe('sql-injection');
    expect(classifyFinding(xss, tax).category).toBe('xss');
    expect(classifyFinding(owner, tax).category).toBe('access-control');
  });

  it('calls a finding that fits no category "other" instead of guessing', () => {
    const f = makeFinding(1, 'Use of `frobnicate` helper', 'The helper `frobnicate` is called twice in the module setup with the same arguments.');
    const c = classifyFinding(f, tax);
    expect(c.category).toBe('other');
    expect(c.cwe).toEqual([]);
    expect(c.reasons.some((r) => r.startsWith('no category reached the threshold'))).toBe(true);
  });

  it('names the secondary category when two are close', () => {
    const f = makeFinding(1, 'Race condition leads to use-after-free in `close_conn`', 'Two threads can free `conn->buf` while the other still reads it (lines 40-52).');
    const c = classifyFinding(f, tax);
    expect([c.category, c.secondaryCategory].sort()).toEqual(['concurrency', 'memory-safety']);
  });
});

describe('negation and hedging', () => {
  it('does not read "no evidence of command injection" as a concern about command injection', () => {
    const f = makeFinding(1, 'Logging of credentials', 'There is no evidence of command injection in this module. However, `login()` writes the plaintext password to the log on line 30.');
    const c = classifyFinding(f, tax);
    expect(c.category).toBe('information-exposure');
    const negated = c.reasons.filter((r) => r.includes('command'));
    expect(negated.every((r) => r.includes('negated'))).toBe(true);
  });

  it('reads a finding that only says a risk is absent as mitigated, keeping its topic', () => {
    const f = makeFinding(4, 'Command Injection', 'The function builds conntrack arguments from the zone parameter. There is no evidence that the zone parameter is influenced by external input, so command injection is not a concern here.');
    expect(classifyFinding(f, tax)).toMatchObject({ category: 'command-injection', stance: 'mitigated' });
  });

  it('does not read "does not directly interact with user inputs" as a concern', () => {
    const a = classifyAnalysis(seed('000_737847ff5b057954.txt'), tax);
    const item7 = a.findings.find((f) => f.item === 7)!;
    expect(item7.category).toBe('input-validation');
    expect(item7.stance).toBe('generic');
    expect(item7.severity).toBe('low');
  });

  it('reads a missing safeguard ("no access control", "without validation") as the concern itself', () => {
    const f = makeFinding(1, 'Admin withdraw', 'The `emergencyWithdraw` function has no access control, so it can be called without any permission check (line 120).');
    expect(classifyFinding(f, tax)).toMatchObject({ category: 'access-control', stance: 'concern' });
  });

  it('treats hedged advice without evidence from the code as generic, and the same risk with cited code as a concern', () => {
    const hedged = makeFinding(1, 'Shell commands', 'Shell commands could potentially lead to command injection if inputs are not properly sanitized. It is important to ensure that all inputs are validated.');
    const cited = makeFinding(2, 'Shell commands', 'Shell commands built from `host` in `ping()` (lines 10-14) with `shell=True` can lead to command injection.');
    expect(classifyFinding(hedged, tax)).toMatchObject({ category: 'command-injection', stance: 'generic' });
    expect(classifyFinding(cited, tax)).toMatchObject({ category: 'command-injection', stance: 'concern' });
    expect(classifyFinding(cited, tax).specificity).toBeGreaterThan(classifyFinding(hedged, tax).specificity);
  });

  it('does not take "no one can deposit" for a negation', () => {
    const f = makeFinding(1, 'Division by zero in `sharePrice()`', 'When `totalSupply()` is 0, `sharePrice()` reverts with a division by zero, so no one can deposit into the vault again.');
    expect(classifyFinding(f, tax)).toMatchObject({ category: 'numeric-error', stance: 'concern' });
  });
});

describe('audit submissions', () => {
  it('reads a rated finding about a missing protection as a concern, not as a negated risk', () => {
    const f = makeFinding(1, 'No slippage protection when closing a position', 'The swap passes `amountOutMinimum: 0`, so there is no slippage check and a bot can sandwich the user.', {
      statedSeverity: 'medium',
    });
    expect(classifyFinding(f, tax)).toMatchObject({ category: 'business-logic', stance: 'concern', severity: 'medium' });
  });

  it('understands "DoSed" and "DOS" as denial of service', () => {
    const f = makeFinding(1, '`doRepay` can be DoSed', 'A griefer can make every repayment revert.');
    const g = makeFinding(2, 'DOS attack on `borrow()`', 'Any user can block borrowing.');
    expect(classifyFinding(f, tax).category).toBe('denial-of-service');
    expect(classifyFinding(g, tax).category).toBe('denial-of-service');
  });
});

describe('stance', () => {
  it('separates mitigated, positive, generic and concern items of the seeds', () => {
    const a = classifyAnalysis(seed('000_737847ff5b057954.txt'), tax);
    expect(a.findings.map((f) => f.stance)).toEqual(['mitigated', 'concern', 'concern', 'concern', 'positive', 'generic', 'generic', 'generic', 'generic']);
  });

  it('sees "the risk remains" after a mitigation as a concern', () => {
    const a = classifyAnalysis(seed('001_0ff59d6f8b1316db.txt'), tax);
    expect(a.findings[0]!.stance).toBe('concern');
  });
});

describe('severity', () => {
  it('lets a severity stated by the review win', () => {
    const f = makeFinding(1, 'Magic numbers', 'The constants 4 and 8 should be named.', { statedSeverity: 'high' });
    expect(classifyFinding(f, tax)).toMatchObject({ category: 'code-quality', severity: 'high', severityScore: 8 });
  });

  it('derives severity from category, stance and specificity when none is stated', () => {
    const cited = makeFinding(1, 'SQL injection in `search`', 'The `term` parameter is formatted into the SQL query on line 34; an attacker can append arbitrary SQL.');
    const generic = makeFinding(2, 'SQL injection', 'It is important to ensure that all queries are properly validated to avoid potential security risks.');
    const a = classifyFinding(cited, tax);
    const b = classifyFinding(generic, tax);
    expect(a.stance).toBe('concern');
    expect(a.severityScore).toBeGreaterThanOrEqual(7);
    expect(a.severity).toBe('high');
    expect(b.stance).toBe('generic');
    expect(b.severity).toBe('low');
    expect(b.severityScore).toBeLessThan(4);
  });

  it('scores praise as info', () => {
    const a = classifyAnalysis(seed('000_737847ff5b057954.txt'), tax);
    expect(a.findings[4]).toMatchObject({ stance: 'positive', severity: 'info', severityScore: 0 });
  });
});

describe('statements', () => {
  it('labels risk, recommendation and context sentences', () => {
    const a = classifyAnalysis(seed('001_0ff59d6f8b1316db.txt'), tax);
    const kinds = a.findings[0]!.statements.map((s) => s.kind);
    expect(kinds).toEqual(['risk', 'risk', 'recommendation', 'recommendation']);
    expect(a.findings[0]!.statements[2]!.text).toMatch(/^Ensure all external inputs/);
  });

  it('leaves code blocks and "Tool used" out of an audit submission\'s statements', () => {
    const text = readFileSync('test/fixtures/classify/audit-oracle.md', 'utf8');
    const a = classifyAnalysis(analyzeReview(text, 'audit-oracle.md').analysis, tax);
    const st = a.findings[0]!.statements;
    expect(st.some((s) => /Manual Review/.test(s.text))).toBe(false);
    expect(st.filter((s) => s.kind === 'recommendation').map((s) => s.text)).toEqual([
      'Revert when block.timestamp - updatedAt exceeds a heartbeat and when answeredInRound < roundId.',
    ]);
    expect(a.findings[0]).toMatchObject({ category: 'business-logic', stance: 'concern', severity: 'medium', severityScore: 5.5 });
  });
});

describe('CWE names', () => {
  it('names CWEs from the MITRE catalog and links to their pages', () => {
    expect(cweEntries([78, 840, 78])).toEqual([
      {
        id: 78,
        name: "Improper Neutralization of Special Elements used in an OS Command ('OS Command Injection')",
        url: 'https://cwe.mitre.org/data/definitions/78.html',
      },
      { id: 840, name: 'Business Logic Errors', url: 'https://cwe.mitre.org/data/definitions/840.html' },
    ]);
  });

  it('has a catalog name for every CWE the default taxonomy uses', () => {
    const ids = tax.categories.flatMap((c) => c.cwe);
    for (const e of cweEntries(ids)) expect(e.name).not.toBe(`CWE-${e.id}`);
  });
});

describe('custom taxonomy files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'review-kb-tax-'));
  const write = (name: string, data: unknown) => {
    const file = join(dir, name);
    writeFileSync(file, typeof data === 'string' ? data : JSON.stringify(data));
    return file;
  };
  const ssrf = makeFinding(1, 'SSRF in `fetch_preview`', 'The URL from the request is fetched server-side without an allowlist, so internal metadata endpoints are reachable (line 20).');

  it('extends the default: adds a category and keeps the others', () => {
    const file = write('extend.json', {
      extends: 'default',
      categories: [{ id: 'ssrf', name: 'Server-side request forgery', description: 'The server fetches a URL an attacker chooses.', cwe: [918], severity: 'high', cues: { ssrf: 3, 'server-side request forgery': 3 } }],
    });
    const t = loadTaxonomy(file);
    expect(classifyFinding(ssrf, tax).category).not.toBe('ssrf');
    expect(classifyFinding(ssrf, t)).toMatchObject({ category: 'ssrf', cwe: [918] });
    expect(t.categories.length).toBe(tax.categories.length + 1);
    expect(taxonomyVersion(t)).not.toBe(taxonomyVersion(tax));
  });

  it('extends the default: overrides a cue weight and removes categories', () => {
    const file = write('override.json', { extends: 'default', remove: ['code-quality'], categories: [{ id: 'testing', cues: { mock: 0 } }] });
    const t = loadTaxonomy(file);
    expect(t.categories.some((c) => c.id === 'code-quality')).toBe(false);
    const magic = makeFinding(1, 'Magic numbers', 'Replace the magic numbers 4 and 8 with named constants.');
    expect(classifyFinding(magic, t).category).toBe('other');
  });

  it('replaces the default when it does not extend it, keeping "other"', () => {
    const file = write('replace.json', {
      categories: [{ id: 'ssrf', name: 'SSRF', description: 'Server-side request forgery.', cwe: [918], cues: { ssrf: 3 } }],
    });
    const t = loadTaxonomy(file);
    expect(t.categories.map((c) => c.id)).toEqual(['ssrf', 'other']);
    expect(classifyFinding(ssrf, t).category).toBe('ssrf');
    const strcpy = makeFinding(2, 'Buffer overflow', '`strcpy` into a fixed buffer.');
    expect(classifyFinding(strcpy, t).category).toBe('other');
  });

  it('names the file and the entry when a taxonomy file is broken', () => {
    const bad = write('my.json', {
      extends: 'default',
      categories: [{ id: 'a', name: 'A', description: 'a', cwe: [1] }, { id: 'b', name: 'B', description: 'b', cwe: [2] }, { id: 'c', name: 'C', description: 'c', cwe: [3] }, { id: 'sqli', name: 'SQLi', description: 'x', cwe: ['89'] }],
    });
    expect(() => loadTaxonomy(bad)).toThrow(`${bad}: categories[3] ("sqli"): "cwe" must be an array of integers`);
    const badCue = write('cue.json', { extends: 'default', categories: [{ id: 'xss', cues: { innerHTML: 'high' } }] });
    expect(() => loadTaxonomy(badCue)).toThrow(`${badCue}: categories[0] ("xss"): cues "innerHTML" must be a weight ≥ 0 or {"weight": n, "cwe": id}`);
    const notJson = write('broken.json', '{ "categories": [');
    expect(() => loadTaxonomy(notJson)).toThrow(`${notJson}: not valid JSON`);
    expect(() => loadTaxonomy(join(dir, 'missing.json'))).toThrow(/missing\.json: cannot read taxonomy file \(ENOENT\)/);
  });
});

describe('purity', () => {
  it('returns a copy and gives the same answer twice', () => {
    const analysis = seed('002_e013982055bbec08.txt');
    const a = classifyAnalysis(analysis, tax);
    const b = classifyAnalysis(analysis, tax);
    expect(analysis.findings[0]!.category).toBeNull();
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    for (const f of a.findings) {
      expect(f.confidence).toBeGreaterThanOrEqual(0);
      expect(f.confidence).toBeLessThanOrEqual(1);
      expect(f.specificity).toBeGreaterThanOrEqual(0);
      expect(f.specificity).toBeLessThanOrEqual(1);
      expect(f.severityScore).toBeGreaterThanOrEqual(0);
      expect(f.severityScore).toBeLessThanOrEqual(10);
    }
  });
});

describe('robustness', () => {
  it('classifies any text without throwing, with every number in range', async () => {
    const fc = await import('fast-check');
    const words = fc.constantFrom('no', 'not', 'buffer', 'overflow', 'injection', 'Risk:', 'Solution:', '`run_as_root`', 'line 12', ',', '.', '\n\n', '    code();', 'https://x.io/a#L1', 'DoS', 'é', '__proto__', 'constructor');
    fc.assert(
      fc.property(fc.array(words, { maxLength: 40 }), fc.array(words, { maxLength: 8 }), (body, title) => {
        const c = classifyFinding(makeFinding(1, title.join(' '), body.join(' ')), tax);
        expect(tax.categories.some((x) => x.id === c.category)).toBe(true);
        for (const v of [c.confidence, c.specificity]) expect(v >= 0 && v <= 1).toBe(true);
        expect(c.severityScore >= 0 && c.severityScore <= 10).toBe(true);
      }),
      { numRuns: 300, seed: 42 },
    );
  });

  it('calls an empty finding "other", generic', () => {
    expect(classifyFinding(makeFinding(1, '', ''), tax)).toMatchObject({ category: 'other', stance: 'generic', statements: [] });
  });
});
