import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { toString } from 'mdast-util-to-string';
import { breakMustache, mdCell, mdCode, mdInline, oneLine } from '../../src/render/escape.js';
import { quoteExcerpt } from '../../src/render/excerpt.js';
import { markdownToSafeHtml } from '../../src/render/safe-html.js';
import { nodes, parseMd } from './helpers.js';

/** Characters that mean something to markdown, HTML, MDX, Vue, terminals, plus ordinary text. */
const tricky = fc.constantFrom(
  ...'ab c_*`[]()<>!#|{}\\&-+=.:~$%"\'/@1\n\t\r'.split(''),
  '\u001b[31m',
  '\u0000',
  '\u202e',
  '\u00a0',
  'é',
  '😀',
  'www.example.com',
  'javascript:',
  '<script>',
  '</div>',
  '<!--',
  '{{',
  '}}',
  '---\n',
  '\n# ',
  '\n1. ',
  '\n> ',
  '```',
);
const hostileString = fc.oneof(fc.array(tricky, { maxLength: 40 }).map((a) => a.join('')), fc.string({ unit: 'grapheme', maxLength: 40 }));
const runs = { numRuns: 400, seed: 20240601 };
const ZWSP = /\u200b/g;

const safeUrl = (url: unknown): boolean => typeof url === 'string' && /^(https?:|mailto:)/.test(url);

describe('markdown escaping (property tests)', () => {
  it('mdInline: any text is one plain paragraph that reads back as the same text', () => {
    fc.assert(
      fc.property(hostileString, (s) => {
        const tree = parseMd(mdInline(s));
        const expected = oneLine(s);
        if (expected === '') return tree.children.length === 0;
        expect(tree.children.map((n) => n.type)).toEqual(['paragraph']);
        const all = nodes(tree);
        expect(all.filter((n) => !['root', 'paragraph', 'text', 'link'].includes(n.type))).toEqual([]);
        const links = all.filter((n) => n.type === 'link');
        // Bare URLs and e-mail addresses are the only links, never anything but http(s)/mailto.
        for (const n of links) expect(safeUrl(n.url)).toBe(true);
        expect(toString(tree).replace(ZWSP, '')).toBe(expected);
      }),
      runs,
    );
  });

  it('mdCell: any text stays inside its table cell', () => {
    fc.assert(
      fc.property(hostileString, hostileString, (a, b) => {
        const tree = parseMd(`| h1 | h2 |\n| --- | --- |\n| ${mdCell(a)} | ${mdCell(b)} |\n`);
        const table = tree.children[0] as unknown as { type: string; children: { children: unknown[] }[] };
        expect(table.type).toBe('table');
        expect(table.children.map((r) => r.children.length)).toEqual([2, 2]);
        const cell = toString(table.children[1]!.children[0] as never).replace(ZWSP, '');
        expect(cell).toBe(oneLine(a));
      }),
      runs,
    );
  });

  it('mdCode: any text is one code span with the same text', () => {
    fc.assert(
      fc.property(hostileString, (s) => {
        const tree = parseMd(`x ${mdCode(s)} y`);
        const code = nodes(tree).filter((n) => n.type === 'inlineCode');
        if (oneLine(s) === '') return code.length === 0;
        expect(code).toHaveLength(1);
        expect(String(code[0]!.value).replace(ZWSP, '')).toBe(oneLine(s) === '' ? '' : oneLine(s));
      }),
      runs,
    );
  });

  it('quoteExcerpt: any markdown becomes one blockquote with no HTML, headings, images or unsafe links, and no `{{` outside code blocks', () => {
    const markdownish = fc.array(fc.oneof(tricky, fc.constantFrom('[x](javascript:alert(1))', '![i](http://e/x.png)', '<img src=x onerror=alert(1)>', '| a | b |\n| - | - |\n| c | d |\n', '[r]: http://x\n', '\n\n', '    indented\n', '* item\n', '<https://x>', '<javascript:alert(1)>')), { maxLength: 30 }).map((a) => a.join(''));
    fc.assert(
      fc.property(markdownish, (md) => {
        const out = quoteExcerpt(md);
        if (out === '') return true;
        const tree = parseMd(out);
        expect(tree.children.map((n) => n.type)).toEqual(['blockquote']);
        const all = nodes(tree);
        for (const n of all) {
          expect(['html', 'heading', 'image', 'imageReference', 'definition', 'linkReference']).not.toContain(n.type);
          if (n.type === 'link') expect(safeUrl(n.url)).toBe(true);
          if (n.type === 'text' || n.type === 'inlineCode') expect(String(n.value)).not.toMatch(/\{\{|\}\}/);
        }
        expect(out).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
        // And its HTML has no element we did not expect.
        expect(markdownToSafeHtml(out)).not.toMatch(/<(script|img|iframe|style|a [^>]*href="(?!https?:|mailto:))/i);
      }),
      runs,
    );
  });

  it('links a bare URL that runs into an emoji or a broken surrogate instead of throwing', () => {
    expect(mdInline('see http://x.io/a😀 now')).toBe('see [http://x.io/a😀](http://x.io/a%F0%9F%98%80) now');
    expect(mdInline('see http://x.io/a\ud800')).toBe('see [http://x.io/a\ud800](http://x.io/a%EF%BF%BD)');
  });

  it('links a bare URL followed by a long run of closing parentheses or dots in one pass', () => {
    expect(mdInline(`see http://x.io/a${')'.repeat(200000)}`)).toBe(`see [http://x.io/a](http://x.io/a)${')'.repeat(200000)}`);
    expect(mdInline(`see http://x.io/(a)${'.'.repeat(200000)}`)).toBe(`see [http://x.io/(a)](http://x.io/%28a%29)${'.'.repeat(200000)}`);
  });

  it('keeps readable text readable', () => {
    expect(mdInline('Use of `run_as_root` in utils.execute (lines 83-96)')).toBe('Use of \\`run_as_root\\` in utils.execute (lines 83-96)');
    expect(breakMustache('{{x}}')).toBe('{\u200b{x}\u200b}');
    expect(quoteExcerpt('**Risk**: shell=True in `execute()`')).toBe('> **Risk**: shell=True in `execute()`');
  });
});
