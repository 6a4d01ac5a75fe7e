import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type BrowserContext } from 'playwright-core';
import { renderAll } from '../../src/render/index.js';
import { writeInside } from '../../src/output/write.js';
import { decodePng, inkRatio } from './png.js';
import { sampleKb } from './helpers.js';

const files = renderAll(sampleKb(), {});
const html = files.filter((f) => f.path.startsWith('html/'));
const byPath = new Map(html.map((f) => [f.path, f.content]));

describe('browsable HTML (static checks)', () => {
  it('writes an overview and one page per subject', () => {
    expect([...byPath.keys()].sort()).toEqual([
      'html/index.html',
      'html/subjects/etc-x.html',
      'html/subjects/neutron-agent-linux-utils-py.html',
      'html/subjects/neutron-tests-functional-agent-linux-test-netlink-lib-py.html',
    ]);
  });

  it('has no script but its own, allowed by hash in the CSP, and nothing that loads from the network', () => {
    for (const [path, page] of byPath) {
      const scripts = [...page.matchAll(/<script\b[^>]*>([^]*?)<\/script>/gi)];
      expect(scripts, path).toHaveLength(1);
      expect(page.match(/<script/gi), path).toHaveLength(1);
      const hash = createHash('sha256').update(scripts[0]![1]!).digest('base64');
      expect(page).toContain(`script-src 'sha256-${hash}'`);
      expect(page).not.toMatch(/<[a-z][^>]*\son[a-z]+\s*=/i); // no event handler attributes on any element
      expect(page).not.toMatch(/<[a-z][^>]*javascript:/i);
      expect(page).not.toMatch(/<(img|iframe|object|embed|link|base|form|svg|math)\b/i);
      expect(page).not.toMatch(/\s(?:src|href)="(?:https?:)?\/\/(?!cwe\.mitre\.org\/)/); // only CWE links leave the site
    }
  });

  it('shows hostile review text as text', () => {
    const page = byPath.get('html/subjects/etc-x.html')!;
    expect(page).toContain('&#x3C;script>alert(&#x27;x&#x27;)&#x3C;/script>'.replace(/&#x27;/g, "'"));
    expect(page).toContain('&#x3C;img src=x onerror=alert(1)>');
    expect(page).not.toMatch(/[\u0000\u001b]/);
  });

  it('sorts findings by severity then specificity, each with evidence, agreement, CWE link and recommendations', () => {
    const page = byPath.get('html/subjects/neutron-tests-functional-agent-linux-test-netlink-lib-py.html')!;
    const order = [...page.matchAll(/<article class="finding sev-(\w+)[^"]*" id="([^"]+)"/g)].map((m) => `${m[1]}:${m[2]}`);
    expect(order).toEqual(['medium:f-rk-5e8c2d7a61', 'low:f-rk-0f4b9a3c7e', 'info:f-rk-91d7e2b5a0']);
    const first = page.slice(page.indexOf('id="f-rk-5e8c2d7a61"'), page.indexOf('id="f-rk-0f4b9a3c7e"'));
    expect(first).toContain('<strong>Lines:</strong> L51, L72');
    expect(first).toContain('<strong>Corroboration:</strong> 1 of 1 review (llama-3-70b)');
    expect(first).toContain('href="https://cwe.mitre.org/data/definitions/250.html"');
    expect(first).toContain('Avoid running code as the root user whenever possible.');
    expect(first).toContain('<blockquote>');
  });

  it('writes the overview\'s subject table as escaped HTML where its template has the placeholder', () => {
    const kb = sampleKb();
    kb.subjects[0]!.path = 'src/<script>alert(1)</script>&x.py';
    kb.taxonomy.find((c) => c.id === 'command-injection')!.name = 'Command <b>injection</b> & co';
    const page = renderAll(kb, {}).find((f) => f.path === 'html/index.html')!.content;
    expect(page).toContain('>src/&lt;script&gt;alert(1)&lt;/script&gt;&amp;x.py</a></td>');
    expect(page).toContain('<th>Command &lt;b&gt;injection&lt;/b&gt; &amp; co</th>');
    expect(page).not.toContain('review-kb-subjects');
  });

  it('keeps a custom overview template\'s own markdown table (no placeholder)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'review-kb-html-tpl-'));
    writeFileSync(join(dir, 'html-index.md.hbs'), '| Subject | Findings |\n| --- | --- |\n{{#each rows}}\n| {{link path href}} | {{total}} |\n{{/each}}\n');
    const page = renderAll(sampleKb(), { templatesDir: dir }).find((f) => f.path === 'html/index.html')!.content;
    expect(page).toMatch(/<th>Subject<\/th>\s*<th>Findings<\/th>/);
    expect(page).toContain('<a href="subjects/neutron-agent-linux-utils-py.html">neutron/agent/linux/utils.py</a>');
    rmSync(dir, { recursive: true, force: true });
  });

  it('overview has the subject × category table', () => {
    const page = byPath.get('html/index.html')!;
    expect(page).toMatch(/<th>Subject<\/th>\s*<th>Command injection<\/th>/);
    expect(page).toContain('<a href="subjects/neutron-agent-linux-utils-py.html">neutron/agent/linux/utils.py</a>');
  });
});

const CHROMIUM = '/usr/bin/chromium';
// Users without a browser may opt out; CI must not (it installs chromium in .ci/run).
const skipBrowser = process.env.REVIEW_KB_SKIP_BROWSER === '1';

describe.skipIf(skipBrowser)('browsable HTML in headless Chromium', () => {
  let dir: string;
  let context: BrowserContext;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install it (apt-get install chromium) or set REVIEW_KB_SKIP_BROWSER=1`);
    dir = mkdtempSync(join(tmpdir(), 'review-kb-html-'));
    for (const f of files) await writeInside(join(dir, 'out'), f.path, f.content);
    context = await chromium.launchPersistentContext(join(dir, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport: { width: 1200, height: 900 },
    });
  });

  afterAll(async () => {
    await context?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('opens the overview from disk, follows a link to a subject page, renders it, with no console errors', async () => {
    const page = await context.newPage();
    const errors: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(pathToFileURL(join(dir, 'out/html/index.html')).href);
    expect(await page.title()).toBe('Security review overview');
    // The filter script ran (it fills the counter), so the CSP hash let it through.
    expect(await page.textContent('#filter-count')).toBe('9 of 9 shown');
    await page.selectOption('#filter-severity', 'high');
    expect(await page.textContent('#filter-count')).toBe('1 of 9 shown');

    await Promise.all([page.waitForURL(/neutron-agent-linux-utils-py\.html$/), page.click('text=neutron/agent/linux/utils.py >> nth=0')]);
    expect(await page.locator('article.finding').count()).toBe(2);
    expect(await page.locator('h1').textContent()).toBe('neutron/agent/linux/utils.py');
    const png = await page.screenshot({ fullPage: false });
    const image = decodePng(png);
    expect(image.width).toBe(1200);
    // A rendered page: header bar, tables and text cover a good part of it; a blank one is all white.
    expect(inkRatio(image)).toBeGreaterThan(0.05);
    expect(errors).toEqual([]);
    expect(requests.every((u) => u.startsWith('file://'))).toBe(true);
    await page.close();
  });

  it('runs nothing from the hostile page: no dialog, no error, the filter still works', async () => {
    const page = await context.newPage();
    const errors: string[] = [];
    const dialogs: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('dialog', async (d) => {
      dialogs.push(d.message());
      await d.dismiss();
    });
    await page.goto(pathToFileURL(join(dir, 'out/html/subjects/etc-x.html')).href);
    expect(await page.locator('script').count()).toBe(1);
    expect(await page.locator('article.finding h3').first().textContent()).toContain('<script>alert(1)</script>');
    await page.selectOption('#filter-category', 'uncategorized');
    expect(await page.locator('article.finding:visible').count()).toBe(1);
    expect(dialogs).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });
});
