// Hostile review text through the real CLI: nothing is written outside --out, nothing becomes live HTML,
// markdown structure, front matter or a template, and nothing replays a terminal escape.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { parse as parseYaml } from 'yaml';
import { runCli, type CliRun } from '../helpers/cli.js';
import { validateKb } from '../../src/kb.js';
import type { KB } from '../../src/model.js';
import {
  CONTROL_BYTES,
  elements,
  FIXTURES,
  htmlText,
  listFiles,
  listTree,
  makeRoot,
  mdNodes,
  mdText,
  parseHtml,
  parseMarkdown,
  read,
  removeRoot,
  URL_ATTRIBUTES,
  visible,
  type MdNode,
} from './helpers.js';

const ESC = '\u001b';
const BEL = '\u0007';

let root: string;
let input: string;
let out: string;
let run: CliRun;
let before: string[];
let after: string[];
let kb: KB;

/** The generated inputs that cannot be committed as text: raw escapes, NUL bytes, a file name with an escape. */
function writeGenerated(dir: string): void {
  writeFileSync(
    join(dir, 'terminal.md'),
    [
      '---',
      'file: src/term/escapes.py',
      '---',
      `# Review ${ESC}]0;pwned-title${BEL}`,
      '',
      `1. **Command injection in \`run()\` ${ESC}[31mRED${ESC}[0m**: line 5 passes ${ESC}]8;;https://evil.example${ESC}\\an OSC 8 link${ESC}]8;;${ESC}\\ to \`os.system\`.`,
      `2. **Clear screen ${ESC}[2J${ESC}[H**: line 9 logs the token with \`print()\` ${ESC}[?1049h.`,
      '',
    ].join('\n'),
  );
  // A few NUL bytes inside otherwise normal text: read as text, NULs dropped from outputs.
  writeFileSync(
    join(dir, 'nul.md'),
    `---\nfile: src/nul.py\n---\n# Review\n\n1. **Hardcoded secret in \`login()\`**: line 3 compares against \u0000"admin"\u0000 in plain text, so anyone reading the source can log in.\n${'Context paragraph with enough ordinary text to read as prose. '.repeat(30)}\n`,
  );
  // No subject anywhere: the "inferred" warning names this file, escape and all.
  writeFileSync(join(dir, `name-${ESC}[31m-escape.md`), `# Review\n\n1. **Weak random in \`token()\`**: line 4 uses \`random.random()\` for session tokens.\n`);
  // A newline in a file name must not start a fake diagnostic line.
  writeFileSync(join(dir, 'name-with\nfake.md: error: forged.md'), `# Review\n\n1. **Weak random in \`nonce()\`**: line 6 uses \`random.randint()\` for nonces.\n`);
  // A finding title that would be a spreadsheet formula if a CSV cell started with it.
  writeFileSync(
    join(dir, 'formula.md'),
    '---\nfile: src/csv/export.py\n---\n# Review\n\n1. **=HYPERLINK("https://evil.example","x")**: CSV injection in `export()` at line 6.\n2. **+cmd|\' /C calc\'!A0**: line 7 writes user text into cells.\n3. **@SUM(1+1)*cmd|\' /C calc\'!A0**: line 8 again.\n',
  );
}

beforeAll(() => {
  root = makeRoot();
  // Inputs and output sit four folders deep inside the root, so a `../../` that escaped --out would land in the root and be seen.
  input = join(root, 'a', 'b', 'c', 'in');
  out = join(root, 'a', 'b', 'c', 'out');
  mkdirSync(input, { recursive: true });
  cpSync(join(FIXTURES, 'hostile'), input, { recursive: true });
  writeGenerated(input);
  before = listTree(root);
  run = runCli(['build', input, '--manifest', join(input, 'manifest.csv'), '--out', out, '--no-cache'], root);
  after = listTree(root);
  kb = JSON.parse(read(join(out, 'kb.json'))) as KB;
});

afterAll(() => removeRoot(root));

const outputs = (ext: string): string[] => listFiles(out).filter((f) => f.endsWith(ext));

describe('hostile input: the run itself', () => {
  it('processes every hostile review and writes a kb.json that validates', () => {
    expect(run.stderr).not.toMatch(/could not be processed|analysis failed/);
    expect(validateKb(kb)).toEqual([]);
    // 5 markdown fixtures + 5 generated reviews + 8 batch records.
    expect(kb.reviews.map((r) => r.id)).toHaveLength(18);
    expect(kb.reviews.find((r) => r.id === 'nul.md')?.findings[0]?.title).toMatch(/Hardcoded secret/);
  });

  it('writes nothing outside --out, whatever the subjects say', () => {
    const created = after.filter((p) => !before.includes(p));
    expect(created.length).toBeGreaterThan(20);
    const outside = created.filter((p) => !p.startsWith('a/b/c/out/'));
    expect(outside).toEqual([]);
    // Inputs are untouched.
    expect(before.filter((p) => !after.includes(p))).toEqual([]);
    for (const path of ['/abs/path/file.py', '/etc/x', '/tmp/escaped-by-manifest.py', 'C:\\win\\path']) expect(existsSync(path)).toBe(false);
    // The hostile subjects are kept as data, never as paths.
    const subjects = kb.subjects.map((s) => s.path);
    expect(subjects).toEqual(expect.arrayContaining(['../../etc/x', '/abs/path/file.py', '../../../../tmp/escaped-by-manifest.py']));
    for (const file of listFiles(out)) expect(file.split('/')).not.toContain('..');
  });

  it('re-renders a hand-crafted kb.json whose ids and paths are traversals without writing outside --out', () => {
    const crafted = JSON.parse(JSON.stringify(kb)) as KB;
    const evil = ['../../../../crafted', '/tmp/crafted-abs', '..\\..\\crafted-win', '.', '..', 'a/../../b'];
    crafted.subjects.forEach((s, i) => {
      s.id = evil[i % evil.length]!;
      s.path = evil[(i + 1) % evil.length]!;
      s.findings.forEach((f, j) => (f.id = `${evil[(i + j) % evil.length]}`));
    });
    crafted.themes.forEach((t, i) => (t.id = evil[i % evil.length]!));
    writeFileSync(join(root, 'crafted.json'), JSON.stringify(crafted));
    const beforeRender = listTree(root);
    const render = runCli(['render', join(root, 'crafted.json'), '--out', join(root, 'a', 'b', 'c', 'crafted-out')], root);
    const created = listTree(root).filter((p) => !beforeRender.includes(p));
    expect(created.filter((p) => !p.startsWith('a/b/c/crafted-out/'))).toEqual([]);
    expect(existsSync('/tmp/crafted-abs')).toBe(false);
    // Repeated ids make renderers emit the same path twice: the last one wins, as before staging (it failed the run).
    expect(render.stderr).toBe('');
    expect(render.status).toBe(0);
    expect(created.length).toBeGreaterThan(10);
  });

  it('never replays a terminal escape or control character on stderr', () => {
    expect(run.stderr).not.toMatch(CONTROL_BYTES);
    expect(run.stdout).not.toMatch(CONTROL_BYTES);
    // The file name with an escape is still named, with the escape made visible.
    expect(run.stderr).toContain('name-\\x1b[31m-escape.md');
    expect(run.stderr).toMatch(/name-\\x1b\[31m-escape\.md: warning: no subject given/);
    expect(run.stderr).not.toMatch(/^fake\.md/m);
    expect(run.stderr).toContain('name-with\\nfake.md: error: forged.md: warning: no subject given');
  });

  it('keeps --json output on stdout parseable and free of raw control characters', () => {
    const json = runCli(['build', input, '--manifest', join(input, 'manifest.csv'), '--out', join(root, 'json-out'), '--no-cache', '--json'], root);
    expect(json.stdout).not.toMatch(CONTROL_BYTES);
    const summary = JSON.parse(json.stdout) as { files: string[]; diagnostics: { file: string }[] };
    expect(summary.files).toContain('kb.json');
    expect(summary.diagnostics.map((d) => d.file)).toContainEqual(expect.stringContaining('name-\u001b[31m-escape.md'));
    // The diagnostics in kb.json keep the escape as data (JSON-escaped), for tools that read it.
    expect(read(join(out, 'kb.json'))).toContain('name-\\u001b[31m-escape.md');
  });

  it('writes no control character, terminal escape or NUL into any output file', () => {
    for (const file of listFiles(out)) {
      const text = read(join(out, file));
      expect({ file, bad: CONTROL_BYTES.test(text) }).toEqual({ file, bad: false });
    }
  });
});

describe('hostile input: HTML site', () => {
  const script = (): string => read(new URL('../../templates/html.js', import.meta.url).pathname).trim();

  it('has no script but the site\'s own, no event handler and no script URL on any page', () => {
    const pages = outputs('.html');
    expect(pages.length).toBeGreaterThan(10);
    for (const page of pages) {
      const tree = parseHtml(read(join(out, page)));
      const all = elements(tree);
      const scripts = all.filter((e) => e.tagName === 'script');
      expect(scripts, page).toHaveLength(1);
      expect(htmlText({ type: 'root', children: scripts[0]!.children }).trim() || (scripts[0]!.children[0] as { value: string }).value.trim()).toBe(script());
      for (const e of all) {
        const handlers = Object.keys(e.properties).filter((k) => /^on/i.test(k));
        expect({ page, tag: e.tagName, handlers }).toEqual({ page, tag: e.tagName, handlers: [] });
        for (const attr of URL_ATTRIBUTES) {
          const value = e.properties[attr];
          if (value === undefined) continue;
          const url = String(Array.isArray(value) ? value.join(' ') : value).replace(/[\s\u0000-\u001f]/g, '');
          expect({ page, attr, url, script: /^(javascript|vbscript|data):/i.test(url) }).toEqual({ page, attr, url, script: false });
        }
        expect(['iframe', 'object', 'embed', 'frame', 'base', 'form', 'svg', 'math', 'img', 'link']).not.toContain(e.tagName);
        if (e.tagName === 'meta') expect(['charset', 'viewport', 'Content-Security-Policy', 'generator']).toContain(String(e.properties.name ?? e.properties.httpEquiv ?? (e.properties.charSet ? 'charset' : '')));
      }
      // Exactly one style element: the site's own, in the head.
      expect(all.filter((e) => e.tagName === 'style')).toHaveLength(1);
    }
  });

  it('shows raw HTML from reviews as text', () => {
    const page = outputs('.html').find((p) => p.includes('src-web-render-py'))!;
    const text = htmlText(parseHtml(read(join(out, page))));
    expect(text).toContain('<img src=x onerror=alert(1)>');
    expect(text).toContain('<script>document.cookie</script>');
  });

  it('keeps a Content-Security-Policy that allows only the site\'s script', () => {
    for (const page of outputs('.html')) {
      const meta = elements(parseHtml(read(join(out, page)))).find((e) => String(e.properties.httpEquiv) === 'Content-Security-Policy');
      expect(String(meta?.properties.content)).toMatch(/default-src 'none';.*script-src 'sha256-[A-Za-z0-9+/=]+'/);
    }
  });
});

/** The markdown source with code spans and code blocks blanked out. */
function outsideCode(text: string, nodes: MdNode[]): string {
  let result = text;
  for (const n of nodes as (MdNode & { position?: { start: { offset?: number }; end: { offset?: number } } })[]) {
    if ((n.type !== 'inlineCode' && n.type !== 'code') || !n.position) continue;
    const { start, end } = n.position;
    result = result.slice(0, start.offset) + ' '.repeat(end.offset! - start.offset!) + result.slice(end.offset);
  }
  return result;
}

describe('hostile input: markdown outputs', () => {
  const markdown = (): string[] => outputs('.md');
  /** HTML our own templates write into markdown: empty anchors (inline, so opening and closing tags come apart), ticket fingerprints. */
  const OWN_HTML = /^(<a id="[a-z0-9-]+">|<\/a>|<a id="[a-z0-9-]+"><\/a>|<!-- review-kb:fingerprint=[\w.-]+ -->)$/;

  it('contains no raw HTML, script, javascript: link or remote image from review text', () => {
    expect(markdown().length).toBeGreaterThan(30);
    for (const file of markdown()) {
      const text = read(join(out, file));
      const nodes = mdNodes(parseMarkdown(text));
      // `<script` may only appear inside code (where every markdown renderer shows it as text).
      expect({ file, script: /<script/i.test(outsideCode(text, nodes)) }).toEqual({ file, script: false });
      for (const n of nodes) {
        if (n.type === 'html') expect({ file, html: n.value }).toEqual({ file, html: expect.stringMatching(OWN_HTML) });
        if (n.type === 'link' || n.type === 'definition') expect({ file, url: n.url }).toEqual({ file, url: expect.not.stringMatching(/^\s*(javascript|vbscript|data):/i) });
        if (n.type === 'image' || n.type === 'imageReference') expect({ file, image: n.url }).toBeUndefined();
      }
    }
  });

  it('links every hostile subject to a report that exists', () => {
    let links = 0;
    for (const file of markdown()) {
      for (const n of mdNodes(parseMarkdown(read(join(out, file))))) {
        if (n.type !== 'link' || /^[a-z]+:/i.test(n.url!) || n.url!.startsWith('#')) continue;
        links++;
        const target = decodeURIComponent(n.url!.replace(/#.*$/, ''));
        const resolved = join(out, dirname(file), target);
        expect({ file, url: n.url, exists: existsSync(resolved) && resolved.startsWith(out) }).toEqual({ file, url: n.url, exists: true });
      }
    }
    expect(links).toBeGreaterThan(20);
  });

  it('keeps every table at its header\'s column count', () => {
    let tables = 0;
    for (const file of markdown()) {
      for (const table of mdNodes(parseMarkdown(read(join(out, file)))).filter((n) => n.type === 'table')) {
        tables++;
        const widths = table.children!.map((row) => row.children!.length);
        expect({ file, widths }).toEqual({ file, widths: widths.map(() => widths[0]) });
      }
    }
    expect(tables).toBeGreaterThan(5);
  });

  it('lets no review text become a heading, a table row or front matter', () => {
    // The fixtures put `INJECTED-…` after a newline in subjects, reviewers and dates (front matter, batch fields):
    // escaped, it stays inside our own heading or cell; unescaped, it would start one.
    let seen = 0;
    for (const file of markdown()) {
      const text = read(join(out, file));
      if (text.includes('INJECTED-')) seen++;
      const nodes = mdNodes(parseMarkdown(text));
      const starts = nodes.filter((n) => n.type === 'heading' || n.type === 'tableCell' || n.type === 'paragraph' || n.type === 'listItem').map((n) => visible(mdText(n)).trim());
      expect({ file, injected: starts.filter((t) => /^[#|\s]*INJECTED-/.test(t)) }).toEqual({ file, injected: [] });
      expect({ file, yamlKeys: nodes.filter((n) => n.type === 'yaml').map((n) => n.value).filter((v) => /^injected:/m.test(v!)) }).toEqual({ file, yamlKeys: [] });
    }
    expect(seen).toBeGreaterThan(3);
  });

  it('keeps front matter well-formed YAML with only the keys the renderer writes', () => {
    const expectedKeys = new Set(['title', 'description', 'tags', 'sidebar_position', 'sidebar_label', 'weight', 'slug', 'hide', 'id']);
    let withFrontMatter = 0;
    for (const file of markdown()) {
      const yamlNodes = mdNodes(parseMarkdown(read(join(out, file)))).filter((n) => n.type === 'yaml');
      if (yamlNodes.length === 0) continue;
      withFrontMatter++;
      expect(yamlNodes).toHaveLength(1);
      const data = parseYaml(yamlNodes[0]!.value!) as Record<string, unknown>;
      expect(typeof data, file).toBe('object');
      for (const key of Object.keys(data)) expect({ file, key, known: expectedKeys.has(key) }).toEqual({ file, key, known: true });
      expect(typeof data.title, file).toBe('string');
    }
    expect(withFrontMatter).toBeGreaterThan(10);
    // The subject with a newline and a `---` line stays one value.
    const page = read(join(out, markdown().find((f) => f.startsWith('site/subjects/src-x-py-injected-true'))!));
    const title = parseYaml(page.split('\n---\n')[0]!.replace(/^---\n/, '')).title as string;
    expect(title).toMatch(/^src\/x\.py\s+---\s+injected: true\s+---$/);
  });

  it('shows Handlebars syntax from reviews literally and runs no helper on it', () => {
    const report = read(join(out, markdown().find((f) => f.startsWith('reports/src/') && f.includes('evil'))!));
    const seen = visible(report);
    expect(seen).toContain('{{{raw}}}');
    expect(seen).toContain('{{7*7}}');
    expect(seen).toContain('{{__proto__}}');
    expect(seen).toMatch(/\{\{#with "s" as \|x\|\}\}\{\{x\}\}\{\{\/with\}\}/);
    // The text as parsed is kept in kb.json byte for byte.
    expect(JSON.stringify(kb)).toContain('{{#each this}}{{/each}}');
    // And the same literal text reaches the HTML page.
    const page = outputs('.html').find((p) => p.includes('src-evil-tmpl-py'))!;
    expect(visible(htmlText(parseHtml(read(join(out, page)))))).toContain('{{{raw}}}');
  });
});

describe('hostile input: CSV, SARIF and JSON outputs', () => {
  it('keeps jira.csv well-formed with one row per ticket and no formula cell', () => {
    const text = read(join(out, 'tickets', 'jira.csv'));
    const rows = parseCsv(text, { relax_column_count: false }) as string[][];
    const tickets = JSON.parse(read(join(out, 'tickets', 'tickets.json'))) as { tickets?: unknown[] } | unknown[];
    const count = Array.isArray(tickets) ? tickets.length : (tickets.tickets ?? []).length;
    expect(rows.length - 1).toBe(count);
    for (const row of rows) for (const cell of row) expect({ cell, formula: /^[=+\-@\t\r]/.test(cell) }).toEqual({ cell, formula: false });
    expect(text).toContain('HYPERLINK');
  });

  it('writes SARIF and JSON that parse', () => {
    for (const file of [...outputs('.sarif'), ...outputs('.json')]) expect(() => JSON.parse(read(join(out, file))), file).not.toThrow();
  });
});
