// Evidence parsing: every written form of line references, file links, and code identifiers with and without backticks.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { analyzeReview } from '../../src/analyze/index.js';
import { InputError } from '../../src/ingest/read.js';
import { simpleFrontMatter } from '../../src/analyze/frontmatter.js';
import { anchorLines, bareIdentifier, classifyCode, evidenceOf, parseFileUrl, parseLineRefs } from '../../src/analyze/evidence.js';
import { unified } from 'unified';
import remarkParse from 'remark-parse';
import remarkGfm from 'remark-gfm';

const parse = (md: string) => unified().use(remarkParse).use(remarkGfm).parse(md).children;

describe('line references', () => {
  it.each([
    ['see line 69 for the pattern', [[69, 69]]],
    ['lines 285-340 spawn the helper', [[285, 340]]],
    ['Use of Shell Commands (Line 83-96, 101-110, 113-157):', [[83, 96], [101, 110], [113, 157]]],
    ['in lines 33-46 and lines 85-93', [[33, 46], [85, 93]]],
    ['in lines 55-56 and lines 76-77 simply', [[55, 56], [76, 77]]],
    ['(`run_as_root=True` in lines 51 and 72)', [[51, 51], [72, 72]]],
    ['lines 10–20 (en dash) and line 30—31 (em dash)', [[10, 20], [30, 31]]],
    ['at L10 and L12-L14, also L20-22', [[10, 10], [12, 14], [20, 22]]],
    ['Lines 5 to 9, lines 40 through 44', [[5, 9], [40, 44]]],
    ['LINE 7, line no. 8, lines: 9-10', [[7, 7], [8, 8], [9, 10]]],
    ['lines 20-10 (reversed)', [[10, 20]]],
  ])('%s', (text, want) => {
    expect(parseLineRefs(text)).toEqual(want);
  });

  it('ignores numbers without a line keyword, words that merely contain "line", and anchors of links', () => {
    expect(parseLineRefs('uses 4, 8 and 16 bytes; the pipeline 5 stage; Bank.sol#L10-L20; baseline 3')).toEqual([]);
  });

  it('reads #L anchors, with or without the second L and GitHub column suffixes', () => {
    expect(anchorLines('#L66-L84')).toEqual([[66, 84]]);
    expect(anchorLines('L66-84')).toEqual([[66, 84]]);
    expect(anchorLines('L7C3-L9C12')).toEqual([[7, 9]]);
    expect(anchorLines('code')).toEqual([]);
  });
});

describe('file links', () => {
  it('maps a GitHub blob link to the repository path and its lines', () => {
    expect(parseFileUrl('https://github.com/sherlock-audit/2023-02-blueberry/blob/main/contracts/BlueBerryBank.sol#L892-L900')).toEqual({
      path: 'contracts/BlueBerryBank.sol',
      lines: [[892, 900]],
    });
    expect(parseFileUrl('https://github.com/o/r/blob/0335e8f7e1bd1e8d8329fd300aea2ef2f36dd19f/src/a%20b.py?plain=1#L3')).toEqual({ path: 'src/a b.py', lines: [[3, 3]] });
    expect(parseFileUrl('https://gitlab.com/g/p/-/blob/dev/lib/x.rb')).toEqual({ path: 'lib/x.rb', lines: [] });
    expect(parseFileUrl('https://etherscan.io/token/0x2a8E#code#L2807')).toBeNull();
  });

  it('collects links, bare URLs, URLs written as link text, and named paths; a short name joins its full path', () => {
    const ev = evidenceOf(
      parse(
        [
          'See [IchiVaultSpell.sol#L357-L364](https://github.com/s/c/blob/main/contracts/spell/IchiVaultSpell.sol#L357-L364) and',
          'https://github.com/s/c/blob/main/contracts/BlueBerryBank.sol#L54-L59.',
          '[https://github.com/s/c/blob/main/contracts/oracle/ChainlinkAdapterOracle.sol#L66-L84](url)',
          'The same in `IchiVaultSpell.sol`, also `neutron/agent/linux/utils.py` and utils.py:83-85; a local [link](docs/SECURITY.md#L4).',
        ].join('\n'),
      ),
    );
    expect(ev.files).toEqual(['contracts/spell/IchiVaultSpell.sol', 'contracts/BlueBerryBank.sol', 'contracts/oracle/ChainlinkAdapterOracle.sol', 'neutron/agent/linux/utils.py', 'docs/SECURITY.md']);
    expect(ev.locations.map((l) => [l.path, l.lines])).toEqual([
      ['contracts/spell/IchiVaultSpell.sol', [[357, 364]]],
      ['contracts/BlueBerryBank.sol', [[54, 59]]],
      ['contracts/oracle/ChainlinkAdapterOracle.sol', [[66, 84]]],
      ['neutron/agent/linux/utils.py', [[83, 85]]],
      ['docs/SECURITY.md', [[4, 4]]],
    ]);
    expect(ev.locations[1]!.url).toBe('https://github.com/s/c/blob/main/contracts/BlueBerryBank.sol#L54-L59');
    expect(ev.lines).toEqual([]);
  });
});

describe('identifiers', () => {
  it.each([
    ['run_as_root=True', 'run_as_root'],
    ['shell = True', 'shell'],
    ['utils.execute', 'utils.execute'],
    ['foo()', 'foo'],
    ['subprocess.call(cmd, shell=True)', 'subprocess.call'],
    ['WIchiFarm#burn', 'WIchiFarm#burn'],
    ['@onlyOwner', 'onlyOwner'],
    ['_create_entries', '_create_entries'],
  ])('`%s` cites %s', (code, id) => {
    expect(classifyCode(code)).toEqual({ identifier: id });
  });

  it.each(['4', '0x52', '1e18', 'True', 'None', 'null', '"a string"', 'import os', 'x = foo(a, b)', 'rm -rf /', 'type(uint256).max', ''])(
    '`%s` cites nothing',
    (code) => {
      expect(classifyCode(code)).toEqual({});
    },
  );

  it('takes a path in backticks as a file', () => {
    expect(classifyCode('neutron/agent/linux/utils.py')).toEqual({ file: { path: 'neutron/agent/linux/utils.py', lines: [] } });
  });

  it('accepts bare words only when unambiguously code', () => {
    const ok = ['get_unused_port', 'SS_SOURCE_PORT_PATTERN', 'RootHelperProcess', 'getPositionRisk', 'IchiV2', 'execute()', 'ChainlinkAdapterOracle.getPrice()', 'BlueBerryBank#liquidate'];
    for (const w of ok) expect(bareIdentifier(w), w).toBe(w.replace(/\(\)$/, ''));
    const no = ['Neutron', 'DoS', 'DDoS', 'OpenStack', 'GitHub', 'URLs', 'HTTP', 'e.g', 'utils.execute', 'Third', 'IPv6', 'JavaScript'];
    for (const w of no) expect(bareIdentifier(w), w).toBeNull();
  });

  it('collects identifiers in document order, skipping code blocks, literals and project names', () => {
    const ev = evidenceOf(
      parse(
        [
          'The `neutron` project calls get_unused_port() before `RootHelperProcess` starts; `True` is passed as `run_as_root=True`.',
          '',
          '```python',
          'def hidden_helper(): pass',
          '```',
          '',
          'Avoid shell=True in subprocesses; see OpenStack docs and DoS notes. The getPositionRisk call follows.',
        ].join('\n'),
      ),
    );
    expect(ev.identifiers).toEqual(['get_unused_port', 'RootHelperProcess', 'run_as_root', 'getPositionRisk']);
  });

  it('finds a line number written in code right after the keyword', () => {
    expect(evidenceOf(parse('on line `42` and lines `7-9`')).lines).toEqual([[42, 42], [7, 9]]);
  });
});

describe('front matter', () => {
  const body = '\n\n1. **Hardcoded key** (line 4): the API key is in the source.\n';

  it('parses YAML front matter and keeps line numbers of the whole file', () => {
    const { analysis, diagnostics } = analyzeReview('---\nfile: src/app.py\nreviewer: model-a\ndate: 2024-05-01\n---' + body, 'r.md');
    expect(analysis.frontMatter).toEqual({ file: 'src/app.py', reviewer: 'model-a', date: '2024-05-01' });
    expect(analysis.findings[0]).toMatchObject({ title: 'Hardcoded key', line: 7, evidence: { lines: [[4, 4]] } });
    expect(diagnostics).toEqual([]);
  });

  // Front matter decides a review's subject: unreadable front matter refuses the review (the caller skips it).
  const refusal = (text: string, file: string): unknown => {
    try {
      analyzeReview(text, file);
    } catch (error) {
      return error;
    }
    return null;
  };

  it('refuses a review whose front matter is malformed, at the bad YAML line', () => {
    const error = refusal('---\nfile: src/app.py\nreviewer: [unclosed\n---' + body, 'bad.md');
    expect(error).toBeInstanceOf(InputError);
    expect(error).toMatchObject({ file: 'bad.md', line: 3, column: 20 });
    expect((error as Error).message).toMatch(/^malformed front matter: .* \(review skipped\)$/);
  });

  it('refuses a review whose front matter is never closed', () => {
    expect(refusal('---\nfile: src/app.py\nreviewer: a' + body, 'open.md')).toMatchObject({
      line: 1,
      message: 'malformed front matter: not closed by a `---` line (review skipped)',
    });
  });

  it('reads a review that merely opens with a rule', () => {
    const { analysis, diagnostics } = analyzeReview('---' + body, 'rule.md');
    expect(analysis.findings.map((f) => [f.title, f.line])).toEqual([['Hardcoded key', 3]]);
    expect(diagnostics).toEqual([]);
  });

  it('refuses front matter that is a list rather than a mapping', () => {
    expect(refusal('---\n- a\n- b\n---' + body, 'list.md')).toMatchObject({
      line: 2,
      message: 'malformed front matter: not a mapping of keys to values (review skipped)',
    });
  });

  // Simple front matter is read without `yaml` (see simpleFrontMatter): what it reads must be what `yaml` reads.
  it('reads simple front matter exactly as YAML does, and leaves everything else to YAML', () => {
    const tricky = fc.oneof(
      fc.constantFrom('2024-5-1', 'null', 'Null', 'True', 'false', 'yes', 'on', '~', '.inf', '42', '0x1F', '1e3', '-x', 'a #b', 'a: b', "it's", '"q"', '[a]', '&a', '*a', '!t', '|', '>', '@x', '%x', ''),
      fc.string({ unit: fc.constantFrom(...'aZ09_-./@+() :#\'"\t'), maxLength: 12 }),
    );
    const value = fc.oneof({ arbitrary: fc.constantFrom('src/app.py', 'gpt-4o', 'claude 3 opus', '2024-05-01', 'a (b) c+d', '/x/y.sol'), weight: 3 }, tricky);
    const key = fc.oneof(
      { arbitrary: fc.constantFrom('file', 'reviewer', 'date', 'model', 'a-b', 'x_1'), weight: 3 },
      fc.constantFrom('true', 'null', '_x', '1a', 'a b'),
      fc.string({ unit: fc.constantFrom(...'ab_-1 :'), maxLength: 6 }),
    );
    const line = fc
      .tuple(key, fc.oneof({ arbitrary: fc.constant(': '), weight: 3 }, fc.constantFrom(':  ', ':', ': \t', ' : ')), value, fc.oneof({ arbitrary: fc.constant(''), weight: 3 }, fc.constantFrom(' ', '\t', ' #c')))
      .map(([k, sep, v, end]) => k + sep + v + end);
    const frontMatter = fc.array(line, { minLength: 1, maxLength: 4 }).map((lines) => lines.join('\n'));
    let simple = 0;
    fc.assert(
      fc.property(frontMatter, (yaml) => {
        const fast = simpleFrontMatter(yaml);
        if (fast === null) return;
        simple++;
        expect(fast).toEqual(parseDocument(yaml, { uniqueKeys: false }).toJS());
      }),
      { numRuns: 3000 },
    );
    // The generator does reach the fast path, not only what it leaves to YAML.
    expect(simple).toBeGreaterThan(100);
    expect(simpleFrontMatter('file: src/app.py\nreviewer: model-a\ndate: 2024-05-01')).toEqual({ file: 'src/app.py', reviewer: 'model-a', date: '2024-05-01' });
    expect(simpleFrontMatter('file: src/app.py\nlines: 42')).toBeNull();
  });
});
