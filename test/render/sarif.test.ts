import { describe, expect, it } from 'vitest';
import { renderAll } from '../../src/render/index.js';
import { parseTriage } from '../../src/render/triage.js';
import { renderSarif, SARIF_LIMITS, subjectUri } from '../../src/render/sarif.js';
import { buildView } from '../../src/render/view.js';
import { contentOf, type PiecewiseFile } from '../../src/render/files.js';
import { gzipSync } from 'node:zlib';
import { sampleKb, validateSarif as validate } from './helpers.js';

type Sarif = {
  version: string;
  runs: {
    tool: { driver: { rules: { id: string; name?: string; helpUri?: string; help: { text: string; markdown: string }; properties: { 'security-severity': string; tags: string[] } }[] } };
    taxonomies: { name: string; taxa: { id: string; name?: string }[] }[];
    invocations: { toolExecutionNotifications?: { message: { text: string } }[] }[];
    results: {
      ruleId: string;
      level: string;
      message: { text: string };
      locations: { physicalLocation: { artifactLocation: { uri: string; uriBaseId: string }; region?: { startLine: number; endLine?: number } } }[];
      relatedLocations?: { physicalLocation: { region: { startLine: number; endLine?: number } } }[];
      partialFingerprints: Record<string, string>;
      suppressions?: { kind: string; status: string; justification: string }[];
      properties: Record<string, unknown>;
    }[];
  }[];
};

const sarifOf = (files: { path: string; content: string }[]): string => files.find((f) => f.path === 'results.sarif')!.content;

describe('SARIF 2.1.0', () => {
  const text = sarifOf(renderAll(sampleKb(), {}));
  const sarif = JSON.parse(text) as Sarif;
  const run = sarif.runs[0]!;

  it('passes Microsoft\'s SARIF validator with zero errors', () => {
    const { errors, warnings } = validate(text);
    expect(errors).toEqual([]);
    // The only warnings left: results on a whole file (no cited line), which we will not invent.
    expect([...new Set(warnings.map((w) => w.ruleId))]).toEqual(['SARIF2017']);
  });

  it('is checked by a validator that does catch errors', () => {
    const broken = JSON.parse(text) as Sarif;
    broken.runs[0]!.results[0]!.locations[0]!.physicalLocation.region = { startLine: 0 };
    expect(validate(JSON.stringify(broken), 'broken.sarif').errors.length).toBeGreaterThan(0);
  });

  it('has one rule per category used, with CWE help, security-severity and tags', () => {
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.runs).toHaveLength(1);
    const rules = run.tool.driver.rules;
    expect(rules.map((r) => r.id)).toEqual(['command-injection', 'xss', 'path-traversal', 'privilege', 'denial-of-service', 'dependency', 'code-quality', 'uncategorized']);
    const ci = rules[0]!;
    expect(ci.helpUri).toBe('https://cwe.mitre.org/data/definitions/78.html');
    expect(ci.properties['security-severity']).toBe('8.0');
    expect(ci.properties.tags).toEqual(['security', 'external/cwe/cwe-78', 'external/cwe/cwe-77']);
    expect(ci.help.text).toContain("CWE-78: Improper Neutralization of Special Elements used in an OS Command ('OS Command Injection')");
    expect(run.taxonomies[0]!.name).toBe('CWE');
    expect(run.taxonomies[0]!.taxa.find((t) => t.id === '78')!.name).toMatch(/^Improper Neutralization/);
  });

  it('places results on the subject file, first cited range as region, the rest as related locations, never a made-up line', () => {
    const byId = new Map(run.results.map((r) => [r.partialFingerprints['reviewKbFindingId/v1'], r]));
    const ci = byId.get('rk-7c1e0a42d9')!;
    expect(ci.ruleId).toBe('command-injection');
    expect(ci.level).toBe('error');
    expect(ci.locations[0]!.physicalLocation).toEqual({
      artifactLocation: { uri: 'neutron/agent/linux/utils.py', uriBaseId: '%SRCROOT%' },
      region: { startLine: 83, endLine: 96 },
    });
    expect(ci.relatedLocations!.map((l) => l.physicalLocation.region)).toEqual([
      { startLine: 101, endLine: 110 },
      { startLine: 113, endLine: 157 },
    ]);
    expect(ci.properties).toMatchObject({ corroboration: 2, reviewers: ['claude-3-opus', 'gpt-4o'], stance: 'concern', confidence: 0.9 });
    const noLines = byId.get('rk-d3a0f6b218')!;
    expect(noLines.locations[0]!.physicalLocation.region).toBeUndefined();
    expect(noLines.level).toBe('note'); // generic advice
    // The hostile subject stays inside the source root.
    expect(byId.get('rk-e4d3c2b1a0')!.locations[0]!.physicalLocation.artifactLocation.uri).toBe('etc/x');
    expect(byId.get('rk-e4d3c2b1a0')!.message.text).not.toMatch(/[\u0000-\u001f]/);
  });

  it('makes relative, encoded URIs from any subject path', () => {
    expect(subjectUri('/abs/path')).toBe('abs/path');
    expect(subjectUri('C:\\win\\a b.py')).toBe('win/a%20b.py');
    expect(subjectUri('../..')).toBe('_');
    expect(subjectUri('a/#?x')).toBe('a/%23%3Fx');
  });

  it('stays within GitHub\'s limits, cutting the least severe deterministically and saying so', () => {
    const kb = sampleKb();
    const f = kb.subjects[1]!.findings[0]!;
    f.evidence.lines = Array.from({ length: 30 }, (_, i) => [i * 10 + 1, i * 10 + 5] as [number, number]);
    const view = buildView(kb);
    const limited = { ...SARIF_LIMITS, results: 4, relatedLocations: 10 };
    const out = JSON.parse(contentOf(renderSarif(view, limited)[0]!)) as Sarif;
    const results = out.runs[0]!.results;
    expect(results).toHaveLength(4);
    expect(results.map((r) => r.properties.severity)).toEqual(['critical', 'high', 'medium', 'medium']);
    const many = results.find((r) => r.partialFingerprints['reviewKbFindingId/v1'] === f.id)!;
    expect(many.relatedLocations).toHaveLength(10);
    expect(many.message.text).toContain('19 more cited ranges not listed');
    expect(out.runs[0]!.invocations[0]!.toolExecutionNotifications![0]!.message.text).toBe('5 least severe results left out: at most 4 results per run.');
    expect(contentOf(renderSarif(view, limited)[0]!)).toBe(contentOf(renderSarif(view, limited)[0]!));
    expect(validate(contentOf(renderSarif(view, limited)[0]!), 'limited.sarif').errors).toEqual([]);
    // Size: a tiny gzip budget drops results until the file fits, and says so.
    const small = JSON.parse(contentOf(renderSarif(view, { ...SARIF_LIMITS, gzipBytes: 3000 })[0]!)) as Sarif;
    expect(small.runs[0]!.results.length).toBeLessThan(9);
    expect(small.runs[0]!.invocations[0]!.toolExecutionNotifications![0]!.message.text).toMatch(/least severe results left out to stay under 3000 bytes gzipped/);
    expect(gzipSync(contentOf(renderSarif(view, { ...SARIF_LIMITS, gzipBytes: 3000 })[0]!)).length).toBeLessThanOrEqual(3000);
    // Judged from its pieces, a file within the limit by 2% of its gzipped size is not cut.
    const whole = contentOf(renderSarif(view)[0]!);
    const fits = JSON.parse(contentOf(renderSarif(view, { ...SARIF_LIMITS, gzipBytes: Math.ceil(gzipSync(whole).length * 1.02) })[0]!)) as Sarif;
    expect(fits.runs[0]!.results).toHaveLength(JSON.parse(whole).runs[0].results.length);
    expect(fits.runs[0]!.invocations[0]!.toolExecutionNotifications).toBeUndefined();
  });

  it('is made in pieces that join into what stringifying the whole document gives', () => {
    const kb = sampleKb();
    // Enough results for several slices of them, each placed at the results' depth.
    kb.subjects = Array.from({ length: 30 }, (_, n) => kb.subjects.map((s) => ({ ...s, id: `${s.id}-${n}`, path: `copy${n}/${s.path}`, findings: s.findings.map((f) => ({ ...f, id: `${f.id}-${n}`, theme: null })) }))).flat();
    kb.themes = [];
    const text = contentOf(renderSarif(buildView(kb))[0]!);
    const sarif = JSON.parse(text) as Sarif;
    expect(sarif.runs[0]!.results.length).toBeGreaterThan(100);
    expect(text).toBe(`${JSON.stringify(sarif, null, 2)}\n`);
    // The pieces judged for size are handed on for the write; asked for again, they are made again, alike.
    const [file] = renderSarif(buildView(kb)) as [PiecewiseFile];
    expect([...file.pieces()].join('')).toBe(text);
    expect([...file.pieces()].join('')).toBe(text);
  });

  it('honours triage: false positives and accepted risks become suppressions, with the note', () => {
    const triage = parseTriage(
      'rk-7c1e0a42d9: {status: false-positive, note: "inputs are constants"}\nrk-2b9f51e0c3: {status: accepted, note: "test-only helper"}\n',
      'triage.yml',
    );
    const out = JSON.parse(sarifOf(renderAll(sampleKb(), { triage }))) as Sarif;
    const byId = new Map(out.runs[0]!.results.map((r) => [r.partialFingerprints['reviewKbFindingId/v1'], r]));
    expect(byId.get('rk-7c1e0a42d9')!.suppressions).toEqual([{ kind: 'external', status: 'accepted', justification: 'False positive: inputs are constants' }]);
    expect(byId.get('rk-2b9f51e0c3')!.suppressions![0]!.justification).toBe('Accepted risk: test-only helper');
    expect(byId.get('rk-0f4b9a3c7e')!.suppressions).toBeUndefined();
    expect(validate(JSON.stringify(out), 'triaged.sarif').errors).toEqual([]);
  });
});

describe('SARIF of a KB that was never classified', () => {
  it('claims no severity it does not have, and still validates', () => {
    const kb = sampleKb();
    kb.stages = { classified: false, consolidated: false };
    for (const s of kb.subjects) {
      for (const f of s.findings) Object.assign(f, { category: null, secondaryCategory: null, cwe: [], severity: null, severityScore: null, stance: null, specificity: null, confidence: null });
    }
    const text = sarifOf(renderAll(kb, {}));
    const out = JSON.parse(text) as Sarif;
    expect(out.runs[0]!.tool.driver.rules.map((r) => r.id)).toEqual(['uncategorized']);
    expect(out.runs[0]!.tool.driver.rules[0]!.properties['security-severity']).toBeUndefined();
    expect(new Set(out.runs[0]!.results.map((r) => r.level))).toEqual(new Set(['warning']));
    expect(validate(text, 'unclassified.sarif').errors).toEqual([]);
  });
});
