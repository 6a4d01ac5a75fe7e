import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { diffKb, formatDiff, loadTriage } from '../../src/render/index.js';
import { FIXTURES, sampleKb } from './helpers.js';

describe('triage file', () => {
  it('reads YAML and JSON alike', () => {
    const yaml = loadTriage(join(FIXTURES, 'triage.sample.yml'));
    const json = loadTriage(join(FIXTURES, 'triage.sample.json'));
    expect([...yaml]).toEqual([...json]);
    expect(yaml.get('rk-5e8c2d7a61')).toEqual({ status: 'accepted', note: 'Functional tests run as root by design.', ticket: 'https://jira.example.com/browse/SEC-7' });
    expect(yaml.get('rk-0f4b9a3c7e')).toEqual({ status: 'open', note: null, ticket: null });
  });

  it('rejects a broken file with an error naming the file and the entry', () => {
    const dir = mkdtempSync(join(tmpdir(), 'review-kb-triage-'));
    const cases: [string, RegExp][] = [
      ['a: {status: wontfix}\n', /bad\.yml: entry "a": status must be one of false-positive, accepted, fixed, open \(got "wontfix"\)/],
      ['a: {status: open, ticket: "javascript:alert(1)"}\n', /bad\.yml: entry "a": ticket must be an http\(s\) URL/],
      ['a: {status: open, owner: me}\n', /bad\.yml: entry "a": unknown field "owner"/],
      ['a: {status: open, note: 3}\n', /bad\.yml: entry "a": note must be a string/],
      ['- a\n- b\n', /bad\.yml: a triage file is a mapping/],
      ['a: {status: open\n', /bad\.yml:\d+:\d+: invalid triage file/],
      ['a: open\na: fixed\n', /bad\.yml:\d+:\d+: invalid triage file/],
    ];
    for (const [text, error] of cases) {
      const file = join(dir, 'bad.yml');
      writeFileSync(file, text);
      expect(() => loadTriage(file)).toThrow(error);
    }
    expect(() => loadTriage(join(dir, 'missing.yml'))).toThrow(/missing\.yml: cannot read triage file/);
  });
});

describe('diff', () => {
  it('sorts findings into new, changed, unchanged and gone by stable id', () => {
    const before = sampleKb();
    const after = sampleKb();
    const utils = after.subjects[0]!;
    utils.findings = utils.findings.filter((f) => f.id !== 'rk-2b9f51e0c3');
    utils.findings[0]!.corroboration = 3;
    utils.findings[0]!.severity = 'critical';
    after.subjects[1]!.findings.push({ ...after.subjects[1]!.findings[0]!, id: 'rk-new0000001', title: 'New \u001b[31mfinding\u001b[0m' });
    // A reworded source or shifted lines do not make a change: only title, category, severity, corroboration do.
    after.subjects[1]!.findings[1]!.evidence.lines = [[70, 90]];

    const d = diffKb(before, after);
    expect(d.counts).toEqual({ new: 1, changed: 1, unchanged: 7, gone: 1 });
    expect(d.new.map((f) => f.id)).toEqual(['rk-new0000001']);
    expect(d.gone.map((f) => f.id)).toEqual(['rk-2b9f51e0c3']);
    expect(d.changed[0]!.changes).toEqual([
      { field: 'severity', before: 'high', after: 'critical' },
      { field: 'corroboration', before: 2, after: 3 },
    ]);
    const text = formatDiff(d);
    expect(text.split('\n')[0]).toBe('1 new, 1 changed, 7 unchanged, 1 gone');
    expect(text).toContain('+ rk-new0000001  neutron/tests/functional/agent/linux/test_netlink_lib.py: New [31mfinding[0m'.replace(/\[31m|\[0m/g, ''));
    expect(text).toContain('    severity: high → critical');
    expect(text).toContain('- rk-2b9f51e0c3');
    // Terminal escapes in review text are not replayed.
    expect(text).not.toMatch(/\u001b/);
    expect(diffKb(before, before).counts).toEqual({ new: 0, changed: 0, unchanged: 9, gone: 0 });
  });
});
