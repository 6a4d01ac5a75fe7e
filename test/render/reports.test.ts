import { describe, expect, it } from 'vitest';
import { renderAll, renderEach } from '../../src/render/index.js';
import type { KB } from '../../src/model.js';
import { toString } from 'mdast-util-to-string';
import { nodes, parseMd, sampleKb } from './helpers.js';

const HOSTILE_TITLE_START = 'Pipe | breaks <script>alert(1)</script>';

describe('index.md and per-subject reports', () => {
  const files = renderAll(sampleKb(), {});
  const byPath = new Map(files.map((f) => [f.path, f.content]));

  it('writes the overview and one report per subject, at safe mirrored paths', () => {
    expect(byPath.has('index.md')).toBe(true);
    expect(byPath.has('reports/neutron/agent/linux/utils.py.md')).toBe(true);
    expect(byPath.has('reports/neutron/tests/functional/agent/linux/test_netlink_lib.py.md')).toBe(true);
    // `../../etc/x` is kept inside reports/.
    expect(byPath.has('reports/etc/x.md')).toBe(true);
    for (const f of files) {
      expect(f.path).not.toMatch(/(^|\/)\.\.(\/|$)|^\/|\\/);
    }
  });

  it('is byte-identical on a rerun', () => {
    expect(renderAll(sampleKb(), {})).toEqual(files);
  });

  it('keeps the overview tables intact despite hostile subjects and titles', () => {
    const tree = parseMd(byPath.get('index.md')!);
    const tables = nodes(tree).filter((n) => n.type === 'table') as unknown as { children: { children: unknown[] }[] }[];
    expect(tables.length).toBe(2);
    for (const table of tables) {
      const width = table.children[0]!.children.length;
      for (const row of table.children) expect(row.children.length).toBe(width);
    }
    // Subjects table: header + 3 subjects; the hostile one is shown by its real path, as text.
    expect(tables[0]!.children.length).toBe(4);
    expect(toString(tables[0]!.children[1] as never)).toContain('../../etc/x');
  });

  it('lists recurring advice once, with its subjects, and only references themed findings in reports', () => {
    const index = byPath.get('index.md')!;
    expect(index.match(/Keep third-party dependencies up to date/g)?.length).toBe(1);
    const utils = byPath.get('reports/neutron/agent/linux/utils.py.md')!;
    expect(utils).toContain('[Keep third-party dependencies up to date](../../../../index.md#theme-dependencies)');
    // The themed finding has no full section of its own.
    expect(utils).not.toContain('`rk-d3a0f6b218`');
  });

  it("keeps a subject's page keys when another file's advice joins its theme, so a re-run does not render them again", () => {
    const keys = (kb: KB): Map<string, string> =>
      new Map([...renderEach(kb, { buildId: 'same build' })].flatMap((f) => ('key' in f ? [[f.path, f.key] as [string, string]] : [])));
    const joined = sampleKb();
    const theme = joined.themes.find((t) => t.id === 'theme-dependencies')!;
    const other = joined.subjects.find((s) => s.id === 'etc-x')!;
    const advice = other.findings.find((f) => f.id === 'rk-a0b1c2d3e4')!;
    advice.theme = theme.id;
    theme.subjects.push(other.id);
    theme.findings.push(advice.id);

    const before = keys(sampleKb());
    const after = keys(joined);
    const pagesOf = (name: RegExp): string[] => [...before.keys()].filter((p) => name.test(p));
    expect(pagesOf(/utils[.-]py/)).toHaveLength(3); // report, site page, HTML page
    for (const path of [...pagesOf(/utils[.-]py/), ...pagesOf(/test[_-]netlink[_-]lib/)]) expect(after.get(path), path).toBe(before.get(path));
    // The file that joined is rendered again, and the overview lists it under the theme.
    expect(pagesOf(/etc[/-]x/)).toHaveLength(3);
    for (const path of pagesOf(/etc[/-]x/)) expect(after.get(path), path).not.toBe(before.get(path));
    const index = renderAll(joined, {}).find((f) => f.path === 'index.md')!.content;
    expect(index).not.toBe(byPath.get('index.md'));
  });

  it("renders a subject's pages again when an excerpt it quotes changes, and only that subject's", () => {
    const keys = (kb: KB): Map<string, string> =>
      new Map([...renderEach(kb, { buildId: 'same build' })].flatMap((f) => ('key' in f ? [[f.path, f.key] as [string, string]] : [])));
    const before = keys(sampleKb());
    for (const change of [(e: string) => `${e} `, (e: string) => e.slice(1), (e: string) => e.replace(/.$/, '\u00e9')]) {
      const edited = sampleKb();
      const subject = edited.subjects.find((s) => s.findings.some((f) => f.sources.some((x) => x.excerpt.length > 1)))!;
      const source = subject.findings.flatMap((f) => f.sources).find((x) => x.excerpt.length > 1)!;
      source.excerpt = change(source.excerpt);
      const after = keys(edited);
      const changed = [...before.keys()].filter((path) => after.get(path) !== before.get(path));
      // Its report, site page, HTML page and issue pages; every other subject's pages keep their keys.
      const own = (path: string): boolean => path.includes(subject.path) || path.includes(subject.id) || subject.findings.some((f) => path === `tickets/github/${f.id}.md`);
      expect(changed.filter((path) => !own(path))).toEqual([]);
      expect(changed).toEqual(expect.arrayContaining([`reports/${subject.path}.md`]));
    }
  });

  it('sorts findings by severity, then specificity', () => {
    const report = byPath.get('reports/neutron/tests/functional/agent/linux/test_netlink_lib.py.md')!;
    const headings = nodes(parseMd(report))
      .filter((n) => n.type === 'heading' && n.depth === 3)
      .map((n) => toString(n as never));
    expect(headings).toEqual([
      '1. Use of `run_as_root` parameter in `execute` function',
      '2. Zone ID Handling',
      '3. Magic Numbers',
    ]);
  });

  it('shows CWE names and links from kb.cwe, corroboration and sources with line references', () => {
    const utils = byPath.get('reports/neutron/agent/linux/utils.py.md')!;
    expect(utils).toContain(
      "[CWE-78: Improper Neutralization of Special Elements used in an OS Command ('OS Command Injection')](https://cwe.mitre.org/data/definitions/78.html)",
    );
    expect(utils).toContain('**Corroboration:** 2 of 2 reviews (claude-3-opus, gpt-4o)');
    expect(utils).toContain('`utils/gpt-4o.md:3` by gpt-4o');
    expect(utils).toContain('**Lines:** L83-L96, L101-L110, L113-L157');
  });

  it('never lets hostile review text become structure, HTML or a template', () => {
    const report = byPath.get('reports/etc/x.md')!;
    const tree = parseMd(report);
    const all = nodes(tree);
    // Only our own anchors are raw HTML.
    for (const n of all.filter((n) => n.type === 'html')) expect(n.value).toMatch(/^(<a id="[a-z0-9-]+">|<\/a>)$/);
    // Headings: the page title, our section headings, and one per finding; none from review text.
    const headings = all.filter((n) => n.type === 'heading').map((n) => toString(n as never));
    expect(headings.slice(0, 3)).toEqual(['Security report: ../../etc/x', 'Reviews', 'Findings']);
    expect(headings).toHaveLength(5);
    expect(headings[3]).toContain(HOSTILE_TITLE_START);
    // No link or image leads anywhere but http(s) and our own pages.
    for (const n of all.filter((n) => n.type === 'link' || n.type === 'image')) {
      expect(String(n.url)).toMatch(/^(https:\/\/cwe\.mitre\.org\/|\.\.\/|#)/);
    }
    expect(all.some((n) => n.type === 'image')).toBe(false);
    // Terminal escapes and NUL are gone; `{{` is never left for a Vue/Handlebars pass.
    expect(report).not.toMatch(/[\u0000\u001b]/);
    // (Fenced code keeps its text verbatim: every generator renders it inert, and `js-vue` lost its `-vue`.)
    expect(report.replace(/^> ```js\n[^]*?^> ```$/m, '')).not.toMatch(/\{\\?\{/);
    expect(report).not.toContain('js-vue');
    // The reviews table keeps five columns although the reviewer name holds `|`.
    const table = all.find((n) => n.type === 'table') as unknown as { children: { children: unknown[] }[] };
    expect(table.children.map((r) => r.children.length)).toEqual([5, 5]);
  });

  it('says what is not computed yet instead of inventing values', () => {
    const kb = sampleKb();
    kb.stages = { classified: false, consolidated: false };
    const out = new Map(renderAll(kb, {}).map((f) => [f.path, f.content]));
    expect(out.get('index.md')).toContain('Not classified yet');
    expect(out.get('index.md')).toContain('Not computed yet: the reviews have not been classified');
    const utils = out.get('reports/neutron/agent/linux/utils.py.md')!;
    expect(utils).toContain('**Category, stance, severity:** not computed yet (not classified)');
    expect(utils).toContain('**Corroboration:** not computed yet (not consolidated)');
    expect(utils).not.toContain('**Severity:**');
  });
});
