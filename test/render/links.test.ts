import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { renderAll } from '../../src/render/index.js';
import { resolveInside } from '../../src/output/write.js';
import { htmlLinks, isExternal, markdownLinks, resolveLink, sampleKb } from './helpers.js';
import type { KB } from '../../src/model.js';

function anchorsOf(content: string): Set<string> {
  return new Set([...content.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]!));
}

function checkLinks(kb: KB): void {
  const files = renderAll(kb, {});
  const byPath = new Map(files.map((f) => [f.path, f.content]));
  let checked = 0;
  for (const f of files) {
    const links = f.path.endsWith('.md') ? markdownLinks(f.content) : f.path.endsWith('.html') ? htmlLinks(f.content) : [];
    for (const url of links) {
      if (isExternal(url)) {
        expect(url, `${f.path}: ${url}`).toMatch(/^https:\/\//);
        continue;
      }
      const target = resolveLink(f.path, url);
      expect(byPath.has(target.path), `${f.path} links to ${url} → ${target.path}, which is not written`).toBe(true);
      if (target.fragment) {
        expect(anchorsOf(byPath.get(target.path)!).has(target.fragment), `${f.path}: no anchor #${target.fragment} in ${target.path}`).toBe(true);
      }
      checked++;
    }
  }
  expect(checked).toBeGreaterThan(20);
}

describe('links to the reviews', () => {
  it('links every source to its review when given a base, and still quotes it on every page', () => {
    const plain = new Map(renderAll(sampleKb(), {}).map((f) => [f.path, f.content]));
    const linked = renderAll(sampleKb(), { reviewLinkBase: '../reviews' });
    const quotes = (text: string) => (text.match(/^> |<blockquote>/gm) ?? []).length;
    let pages = 0;
    for (const f of linked.filter((x) => /^(reports\/(?!index)|site\/subjects\/|html\/subjects\/)/.test(x.path) && !x.path.endsWith('.json'))) {
      expect(f.content, f.path).toMatch(/\.\.\/reviews\/[^)"]+#L\d+/);
      expect(quotes(f.content), f.path).toBe(quotes(plain.get(f.path)!));
      expect(quotes(f.content), f.path).toBeGreaterThan(0);
      pages++;
    }
    expect(pages).toBeGreaterThan(5);
  });
});

describe('cross-links and paths', () => {
  it('every relative link (markdown and HTML) resolves to a written file and an existing anchor', () => {
    checkLinks(sampleKb());
  });

  it('every written path stays inside the output folder, whatever the subject path', () => {
    const kb = sampleKb();
    const template = kb.subjects[2]!;
    const hostile = ['/abs/path', 'C:\\win\\path', 'a\nb', '..', '', '../../../../x', 'CON', '.hidden/.x', 'neutron/agent/linux/utils.py'];
    kb.subjects.push(
      ...hostile.map((path, i) => ({
        ...template,
        id: `hostile-${i}`,
        path,
        findings: template.findings.map((f) => ({ ...f, id: `${f.id}-h${i}` })),
      })),
    );
    const files = renderAll(kb, {});
    const paths = files.map((f) => f.path);
    expect(new Set(paths).size).toBe(paths.length);
    // Case-insensitive file systems: no two outputs may differ by case only.
    expect(new Set(paths.map((p) => p.toLowerCase())).size).toBe(paths.length);
    for (const p of paths) {
      expect(() => resolveInside('/tmp/out', p)).not.toThrow();
      expect(p).not.toMatch(/(^|\/)\.\.?(\/|$)|^\/|\\|[\u0000-\u001f]|^[A-Za-z]:/);
    }
    // Every subject still has its report, and the duplicate path got its own file.
    expect(paths.filter((p) => p.startsWith('reports/')).length).toBe(kb.subjects.length);
    checkLinks(kb);
  });
});

describe('documentation site', () => {
  const files = renderAll(sampleKb(), {});
  const site = files.filter((f) => f.path.startsWith('site/') && f.path.endsWith('.md'));

  it('writes an index, a page per subject, per category used, and the recurring-advice page', () => {
    const paths = site.map((f) => f.path);
    expect(paths).toContain('site/index.md');
    expect(paths).toContain('site/recurring-advice.md');
    expect(paths.filter((p) => p.startsWith('site/subjects/'))).toHaveLength(3);
    expect(paths.filter((p) => p.startsWith('site/categories/'))).toHaveLength(7);
    // Docusaurus skips files starting with `_`: no page may.
    for (const p of paths) expect(p.split('/').pop()).not.toMatch(/^_/);
  });

  it('front matter parses as YAML with the fields MkDocs, Docusaurus and VitePress read, even for hostile titles', () => {
    for (const f of site) {
      const m = /^---\n([^]*?)\n---\n/.exec(f.content);
      expect(m, f.path).not.toBeNull();
      const data = parseYaml(m![1]!) as Record<string, unknown>;
      expect(Object.keys(data).sort()).toEqual(['description', 'sidebar_position', 'slug', 'tags', 'title', 'weight']);
      expect(typeof data.title).toBe('string');
      expect(Array.isArray(data.tags)).toBe(true);
      expect(Number.isInteger(data.sidebar_position)).toBe(true);
      expect(data.weight).toBe(data.sidebar_position);
      // Exactly one front matter block: nothing in the body closes or reopens it.
      expect(f.content.slice(m![0].length)).not.toMatch(/^---$/m);
    }
    const hostile = site.find((f) => f.path === 'site/subjects/etc-x.md')!;
    const data = parseYaml(/^---\n([^]*?)\n---\n/.exec(hostile.content)![1]!) as Record<string, unknown>;
    expect(data.title).toBe('../../etc/x');
    expect(data.slug).toBe('etc-x');
  });

  it('writes _category_.json for Docusaurus and a mkdocs.yml sample', () => {
    for (const dir of ['site/subjects', 'site/categories']) {
      const f = files.find((x) => x.path === `${dir}/_category_.json`)!;
      const json = JSON.parse(f.content) as { label: string; position: number };
      expect(typeof json.label).toBe('string');
      expect(Number.isInteger(json.position)).toBe(true);
    }
    const mk = parseYaml(files.find((f) => f.path === 'mkdocs.yml')!.content) as Record<string, unknown>;
    expect(mk.docs_dir).toBe('site');
  });
});
