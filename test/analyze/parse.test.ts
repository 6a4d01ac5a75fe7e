// The parser keeps only the GFM constructs a text can contain: its trees must equal remark-parse + remark-gfm + remark-frontmatter's.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import remarkFrontmatter from 'remark-frontmatter';
import remarkGfm from 'remark-gfm';
import remarkParse from 'remark-parse';
import { unified } from 'unified';
import { VFile } from 'vfile';
import { describe, expect, it } from 'vitest';
import { gfmMask, parseMarkdown } from '../../src/analyze/parse.js';

const reference = unified().use(remarkParse).use(remarkGfm).use(remarkFrontmatter, ['yaml']).freeze();
const same = (text: string): void => expect(parseMarkdown(new VFile({ value: text }))).toEqual(reference.parse(text));

const AUTOLINK = 1;
const TABLE = 1 << 3;

describe('parseMarkdown', () => {
  const root = fileURLToPath(new URL('../../', import.meta.url));
  const files = [
    ...readdirSync(root + 'seeds').filter((f) => f.endsWith('.txt')).map((f) => root + 'seeds/' + f),
    ...['analyze', 'classify'].flatMap((d) =>
      readdirSync(`${root}test/fixtures/${d}`).filter((f) => /\.(md|txt)$/.test(f)).map((f) => `${root}test/fixtures/${d}/${f}`),
    ),
  ];

  it('gives the seeds and every fixture the same tree as remark-gfm', () => {
    expect(files.length).toBeGreaterThan(30);
    for (const f of files) same(readFileSync(f, 'utf8'));
  });

  it('leaves out what a text cannot contain, and only that', () => {
    const seed = readFileSync(root + 'seeds/001_0ff59d6f8b1316db.txt', 'utf8');
    expect(gfmMask(seed)).toBe(0);
    expect(gfmMask('see https://example.com')).toBe(AUTOLINK);
    expect(gfmMask('mail me@example.com')).toBe(AUTOLINK);
    // A one-column table needs no pipe, only an alignment colon in its delimiter row.
    expect(gfmMask('Issue\n:--\nSQL injection')).toBe(TABLE);
    expect(reference.parse('Issue\n:--\nSQL injection').children[0]!.type).toBe('table');

    same('Issue\n:--\nSQL injection');
    same('Issue\n--:\nSQL injection');
    same('- [ ] todo\n- [x] done\n- [\t] tab');
  });

  it('gives arbitrary markdown with every GFM construct in reach the same tree as remark-gfm', () => {
    const pieces = [
      '| a | b |', '|---|:-:|', 'a | b', '--- | ---', ':-', '-:', 'x\n:-', '~~gone~~', '~one~', 'text[^1]', '[^1]: note',
      '- [ ] task', '* [x] done', '1. [X] item', 'www.example.com', 'http://a.b/c?d', 'HTTPS://A.B', 'me@host.org', 'mailto:x@y.z',
      '# H', '## Impact', '> quote', '```', '`code|x`', '**bold**', '_em_', '[l](https://x.y)', '<https://x.y>', '---', 'file: a.py',
      '', '   ', '\t', '1. item', '- item', 'line 4',
    ];
    const text = fc.array(fc.oneof(fc.constantFrom(...pieces), fc.string({ maxLength: 12 })), { maxLength: 30 }).chain((parts) =>
      fc.array(fc.constantFrom('\n', ' ', '', '\n\n'), { minLength: parts.length, maxLength: parts.length }).map((seps) => parts.map((p, i) => p + seps[i]).join('')),
    );
    fc.assert(fc.property(text, (t) => { same(t); }), { numRuns: 400, seed: 20261121 });
  });
});
