import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { unified } from 'unified';
import remarkParse from 'remark-parse';
import remarkGfm from 'remark-gfm';
import remarkRehype from 'remark-rehype';
import rehypeSanitize from 'rehype-sanitize';
import rehypeStringify from 'rehype-stringify';
import { quoteExcerpt, quoteExcerptBoth } from '../../src/render/excerpt.js';
import { markdownToSafeHtml } from '../../src/render/safe-html.js';
import { renderAll } from '../../src/render/index.js';
import { sampleKb } from './helpers.js';

/** The remark pipeline render used before markdown-it: the reference for what our markdown means. */
const remark = unified().use(remarkParse).use(remarkGfm).use(remarkRehype).use(rehypeSanitize).use(rehypeStringify);
const remarkHtml = (md: string): string => String(remark.processSync(md)).replace(/<p><\/p>\n?/g, '').trim();

/** Excerpts in the styles real reviews have: audit sections, code, nested lists, tables, links, LLM bold items. */
const EXCERPTS = [
  '## Summary\n\nThe `liquidate()` function does not update `bank.totalLend`.\n\n## Vulnerability Detail\n\nSee https://github.com/org/repo/blob/main/contracts/Bank.sol#L511-L572 and <https://docs.example.org/liquidations>.\n\n```solidity\nfunction liquidate(uint256 positionId) external {\n    uint256 share = pos.collateralSize;\n}\n```\n\n## Recommendation\n\n1. Decrement `totalLend`.\n2. Add a test:\n   - liquidation with **zero** collateral\n   - liquidation after `withdrawLend()`',
  '**Command injection** in `execute()` (lines 83-96): `shell=True` with a user-controlled `cmd`.\n\n- Risk: an attacker runs `; rm -rf /`\n- Fix: pass a list, e.g. `subprocess.run([cmd, arg])`',
  '| Function | Issue |\n| :-- | --: |\n| `deposit()` | no `nonReentrant` |\n| `withdraw(a\\|b)` | fee on transfer |',
  'Impact: funds at risk. <script>alert(1)</script> <img src=x onerror=alert(1)> [click](javascript:alert(1)) ![x](http://e.example/x.png) {{constructor}}',
  '> Note: this is similar to the [warp finance](https://rekt.news/warp-finance-rekt/) hack.\n\nThe price is `(r0 * px0 + r1 * px1) / totalSupply`, see [1].\n\n[1]: https://cmichel.io/pricing-lp-tokens/',
  'Steps:\n\n1. Alice deposits 100 USDC\n\n2. Bob calls `flash()`:\n\n   ```js\n   await pool.flash(bob, 1e24)\n   ```\n\n3. Alice withdraws 95 USDC\n\n---\n\n*Severity:* ~~medium~~ high',
];

describe('excerpts and pages through markdown-it', () => {
  it('quotes excerpts in the format remark-stringify wrote: four-column list items, longer fences, encoded link parentheses', () => {
    expect(quoteExcerpt('- a\n  - b\n- c')).toBe('> -   a\n>     -   b\n> -   c');
    expect(quoteExcerpt('```js\nx = "```"\n```')).toBe('> ````js\n> x = "```"\n> ````');
    expect(quoteExcerpt('| a | b |\n|:-|-:|\n| `x\\|y` | 2 |')).toBe('> | a | b |\n> | :-- | --: |\n> | `x\\|y` | 2 |');
    expect(quoteExcerpt('[docs](https://x.io/a_(b))')).toBe('> [docs](https://x.io/a_%28b%29)');
    // Inside emphasis `100)` does not start a line, so it is not escaped as a list marker.
    expect(quoteExcerpt('Total: *100) items* here')).toBe('> Total: *100) items* here');
    expect(quoteExcerpt('# Title\n\ntext <b>bold</b>')).toBe('> **Title**\n>\n> text &lt;b&gt;bold&lt;/b&gt;');
    // Two lists in a row keep apart: the second takes the other bullet.
    expect(quoteExcerpt('- a\n\n* b')).toBe('> -   a\n>\n> *   b');
    expect(quoteExcerpt('x\n\n---\n\ny')).toBe('> x\n>\n> ***\n>\n> y');
    expect(quoteExcerpt('# \n\n<!-- -->')).toBe('> &lt;!-- --&gt;');
  });

  it('gives the same sanitized HTML as the remark pipeline, and the excerpt HTML equals that of its markdown', () => {
    for (const excerpt of [...EXCERPTS, ...sampleKb().subjects.flatMap((s) => s.findings.flatMap((f) => f.sources.map((x) => x.excerpt)))]) {
      const quote = quoteExcerptBoth(excerpt);
      expect(quote.markdown).toBe(quoteExcerpt(excerpt));
      expect(markdownToSafeHtml(quote.markdown)).toBe(remarkHtml(quote.markdown));
      // The markdown splits `{{` with a zero-width space (for VitePress); HTML needs no such thing.
      expect(quote.html).toBe(markdownToSafeHtml(quote.markdown).replace(/\u200b/g, ''));
    }
  });

  it('turns the markdown pages we write into the same sanitized HTML as the remark pipeline did', () => {
    const pages = renderAll(sampleKb(), {}).filter((f) => f.path.endsWith('.md') && !f.path.startsWith('tickets/'));
    expect(pages.length).toBeGreaterThan(5);
    for (const page of pages) expect(markdownToSafeHtml(page.content), page.path).toBe(remarkHtml(page.content));
    // Link references resolve in the parser: the trees carry no definitions (safe-html.ts relies on it).
    expect(markdownToSafeHtml('[a][r] and [b]\n\n[r]: https://x.io/r\n[b]: https://x.io/b')).toBe('<p><a href="https://x.io/r">a</a> and <a href="https://x.io/b">b</a></p>');
  });

  it('excerpt HTML: any markdown gives one blockquote of sanitized HTML, links only http(s)/mailto', () => {
    const tricky = fc.constantFrom(
      ...'ab c_*`[]()<>!#|{}\\&-+=.:~\n\t'.split(''),
      '<script>alert(1)</script>', '<img src=x onerror=alert(1)>', '<a href="javascript:x">y</a>', '[x](javascript:alert(1))', '[x](data:text/html,hi)',
      '![i](http://e/x.png)', '<https://x.io/p>', 'http://x.io/a_b', 'www.example.com', '| a | b |\n| - | - |\n| c | d |\n', '[r]: http://x\n[y][r]',
      '\n\n', '    indented\n', '* item\n', '  - sub\n', '```js\n', '\n# ', '\n> ', '**b**', '_e_', '~~s~~', '{{', '<a href="#review-kb-quote-0"></a>', '[](#review-kb-quote-0)',
    );
    fc.assert(
      fc.property(fc.array(tricky, { maxLength: 30 }).map((a) => a.join('')), (md) => {
        const { html } = quoteExcerptBoth(md);
        if (html === '') return;
        expect(html.startsWith('<blockquote>') && html.endsWith('</blockquote>')).toBe(true);
        expect(html).not.toMatch(/<(script|img|iframe|style|object|embed|form|input)\b/i);
        expect(html).not.toMatch(/<[^>]*\son[a-z]+=/i);
        for (const m of html.matchAll(/<a\s[^>]*href="([^"]*)"/g)) expect(m[1]).toMatch(/^(https?:|mailto:)/);
      }),
      { numRuns: 400, seed: 20240611 },
    );
  });

  it('quotes pathological excerpts whole: deep nesting, unclosed brackets, a 20,000-row table', () => {
    // markdown-it stops nesting at 100 levels instead of overflowing the stack: what is deeper is left out
    // (after a list that deep, the rest of the excerpt too).
    const deep = quoteExcerptBoth(`${'>'.repeat(5000)} deep\n\nafter`);
    expect(deep.markdown.endsWith('>\n> after')).toBe(true);
    expect(deep.html).toContain('<p>after</p>');
    expect(quoteExcerptBoth(`${'- '.repeat(3000)}item`).html).toContain('<ul>');
    const brackets = quoteExcerptBoth(`${'[a](http://x.io/'.repeat(3000)} end`);
    expect(brackets.markdown.endsWith('end')).toBe(true);
    // Hundreds of thousands of code spans or backtick runs: no spread of that many arguments.
    const spans = quoteExcerptBoth(`\`\`\`\n${'` '.repeat(300000)}\n\`\`\`\n\ntext \`${'a` '.repeat(200000)}`);
    expect(spans.markdown.startsWith('> ``')).toBe(true);
    expect(spans.html.match(/<code>a<\/code>/g)?.length).toBeGreaterThan(99000);
    const table = quoteExcerptBoth(`| name | value |\n| :-- | --: |\n${'| `run_as_root` | 1 |\n'.repeat(20000)}`);
    expect(table.html.match(/<th align="left">/g)).toHaveLength(1);
    expect(table.html.match(/<td align="right">1<\/td>/g)).toHaveLength(20000);
    expect(table.markdown.split('\n')).toHaveLength(20002);
  });

  it('shows each excerpt once on its HTML page; review text cannot fake the placeholder that carries it', () => {
    const kb = sampleKb();
    const finding = kb.subjects[0]!.findings[0]!;
    finding.title = 'See [](#review-kb-quote-0) <a href="#review-kb-quote-0"></a>';
    const excerpt = `Fake: <a href="#review-kb-quote-0"></a> and [](#review-kb-quote-1)\n\n[](#review-kb-quote-0)\n\n${finding.sources[0]!.excerpt}`;
    finding.sources[0]!.excerpt = excerpt;
    const page = renderAll(kb, {}).find((f) => f.path.startsWith('html/subjects/') && f.content.includes('See [](#review-kb-quote-0)'))!.content;
    expect(page).not.toMatch(/<a href="#review-kb-quote/);
    expect(page).toContain('Fake: &#x3C;a href="#review-kb-quote-0">&#x3C;/a> and');
    const quote = quoteExcerptBoth(excerpt).html;
    expect(page.split(quote)).toHaveLength(2);
  });
});
