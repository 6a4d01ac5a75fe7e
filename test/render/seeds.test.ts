import { describe, expect, it, beforeAll } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { parse as parseCsv } from 'csv-parse/sync';
import { build } from '../../src/pipeline.js';
import { QuoteCache, renderAll, renderEach, type RenderedFile } from '../../src/render/index.js';
import { contentOf } from '../../src/render/files.js';
import type { KB } from '../../src/model.js';
import { renderableKb } from '../../src/kb.js';
import { htmlLinks, isExternal, markdownLinks, resolveLink, validateSarif } from './helpers.js';

// The real pipeline on the bundled seed reviews, through every renderer.
describe('every output on the seeds KB', () => {
  let kb: KB;
  let files: RenderedFile[];
  let byPath: Map<string, string>;

  beforeAll(async () => {
    kb = (await build({ inputs: ['seeds'], manifest: 'seeds/manifest.csv' })).kb;
    files = renderAll(kb, {});
    byPath = new Map(files.map((f) => [f.path, f.content]));
  });

  it('renders the same files from the reviews\' metadata alone (the CLI lets their text go once kb.json is written)', () => {
    const renderable = renderableKb(kb);
    // Nothing of the text is left: no finding text, statements, excerpts or review preambles.
    expect(Object.keys(renderable.reviews[0]!).sort()).toEqual(['contradiction', 'date', 'findings', 'id', 'reviewer', 'verdict']);
    expect(Object.keys(renderable.reviews[0]!.findings[0]!).sort()).toEqual(['item', 'reasons']);
    expect(renderAll(renderable, { reviewLinkBase: '../seeds' })).toEqual(renderAll(kb, { reviewLinkBase: '../seeds' }));
  });

  it('tells when the overview pages are made, and how many subjects\' outputs are made', () => {
    const order: string[] = [];
    for (const f of renderEach(kb, { onSubjects: (done, total) => order.push(`${done}/${total}`) })) order.push(f.path);
    const marks = order.filter((p) => /^\d+\/\d+$/.test(p));
    const subjects = kb.subjects.length;
    expect(marks).toEqual(Array.from({ length: subjects + 1 }, (_, i) => `${i}/${subjects}`));
    const at = order.indexOf(`0/${subjects}`);
    expect(order.slice(0, at)).toEqual(expect.arrayContaining(['index.md', 'html/index.html']));
    expect(order.slice(0, at).some((p) => p.startsWith('reports/') || p.startsWith('html/subjects/'))).toBe(false);
    // Between two counts, the outputs of one subject: its report first, and no other subject's.
    kb.subjects.forEach((s, i) => {
      const own = order.slice(order.indexOf(`${i}/${subjects}`) + 1, order.indexOf(`${i + 1}/${subjects}`));
      expect(own[0]).toBe(`reports/${s.path}.md`);
      expect(own.filter((p) => p.startsWith('reports/'))).toEqual([`reports/${s.path}.md`]);
    });
    // After the last count: the files made from every subject's (SARIF, the ticket lists).
    expect(order.slice(order.indexOf(`${subjects}/${subjects}`) + 1)).toEqual(expect.arrayContaining(['results.sarif', 'tickets/tickets.json']));
  });

  it('makes each subject\'s outputs together and holds only that subject\'s quotes', () => {
    /** Records, at each subject's end, the quotes it held and the outputs made since the last. */
    class Recording extends QuoteCache {
      held: { quotes: number; paths: string[] }[] = [];
      paths: string[] = [];
      override forget(next?: number): void {
        this.held.push({ quotes: this.size, paths: this.paths });
        this.paths = [];
        super.forget(next);
      }
    }
    const quotes = new Recording();
    const made = new Map<string, string>();
    for (const f of renderEach(kb, { quotes })) {
      made.set(f.path, contentOf(f));
      quotes.paths.push(f.path);
    }
    // The same files as rendering them all at once.
    expect(new Map(files.map((f) => [f.path, f.content]))).toEqual(made);
    const subjects = [...kb.subjects].sort((a, b) => (a.path < b.path ? -1 : 1));
    expect(quotes.held).toHaveLength(subjects.length);
    subjects.forEach((s, i) => {
      const { quotes: held, paths } = quotes.held[i]!;
      // The subject's report, site page and HTML page came together (the first subject's after the indexes).
      expect(paths.filter((p) => p.startsWith('reports/'))).toEqual([`reports/${s.path}.md`]);
      expect(paths.filter((p) => /^site\/subjects\/[^_].*\.md$/.test(p))).toHaveLength(1);
      expect(paths.filter((p) => p.startsWith('html/subjects/'))).toHaveLength(1);
      const excerpts = new Set(s.findings.flatMap((f) => f.sources.map((x) => x.excerpt)));
      expect(held).toBeGreaterThan(0);
      expect(held).toBeLessThanOrEqual(excerpts.size);
    });
  });

  it('writes a report, a site page and an HTML page per subject, plus the shared outputs', () => {
    const subjects = kb.subjects.map((s) => s.path).sort();
    expect(subjects).toEqual(['neutron/agent/linux/utils.py', 'neutron/tests/common/net_helpers.py', 'neutron/tests/functional/agent/linux/test_netlink_lib.py']);
    for (const p of subjects) expect(byPath.has(`reports/${p}.md`)).toBe(true);
    expect(files.filter((f) => /^site\/subjects\/[^_][^/]*\.md$/.test(f.path))).toHaveLength(3);
    expect(files.filter((f) => /^html\/subjects\/.*\.html$/.test(f.path))).toHaveLength(3);
    for (const p of ['index.md', 'site/index.md', 'site/recurring-advice.md', 'html/index.html', 'results.sarif', 'tickets/tickets.json', 'tickets/jira.csv', 'mkdocs.yml']) {
      expect(byPath.has(p), p).toBe(true);
    }
  });

  it('is byte-identical when rendered again from kb.json', () => {
    const again = renderAll(JSON.parse(JSON.stringify(kb)) as KB, {});
    expect(again).toEqual(files);
  });

  it('cross-links resolve, front matter parses, each HTML page runs only its own script', () => {
    for (const f of files) {
      const links = f.path.endsWith('.md') ? markdownLinks(f.content) : f.path.endsWith('.html') ? htmlLinks(f.content) : [];
      for (const url of links.filter((u) => !isExternal(u))) {
        expect(byPath.has(resolveLink(f.path, url).path), `${f.path} → ${url}`).toBe(true);
      }
      if (f.path.startsWith('site/') && f.path.endsWith('.md')) {
        const data = parseYaml(/^---\n([^]*?)\n---\n/.exec(f.content)![1]!) as { title: string };
        expect(typeof data.title).toBe('string');
      }
      if (f.path.endsWith('.html')) expect(f.content.match(/<script/g)).toHaveLength(1);
    }
  });

  it('reports the seeds\' findings with their lines and consolidated agreement', () => {
    const report = byPath.get('reports/neutron/tests/functional/agent/linux/test_netlink_lib.py.md')!;
    // Seeds 002 and 003 both flag running as root: one finding, two reviews.
    expect(report).toMatch(/\*\*Corroboration:\*\* 2 of 2 reviews/);
    expect(report).toContain('**Lines:** L51, L72');
    const sarif = JSON.parse(byPath.get('results.sarif')!) as { runs: { results: { locations: { physicalLocation: { region?: { startLine: number } } }[] }[] }[] };
    expect(sarif.runs[0]!.results.length).toBe(kb.subjects.reduce((n, s) => n + s.findings.length, 0));
    expect(validateSarif(byPath.get('results.sarif')!, 'seeds.sarif').errors).toEqual([]);
    const rows = parseCsv(byPath.get('tickets/jira.csv')!) as string[][];
    expect(rows.length - 1).toBe((JSON.parse(byPath.get('tickets/tickets.json')!) as unknown[]).length);
  });
});
