// Excerpts leave out the GFM serializer extensions that cannot change them: the text must equal remark-stringify + remark-gfm's.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import type { RootContent } from 'mdast';
import remarkGfm from 'remark-gfm';
import remarkParse from 'remark-parse';
import remarkStringify from 'remark-stringify';
import { unified } from 'unified';
import { describe, expect, it } from 'vitest';
import { EXCERPT_STYLE, excerptOf } from '../../src/analyze/excerpt.js';

const parser = unified().use(remarkParse).use(remarkGfm).freeze();
const reference = unified().use(remarkStringify, EXCERPT_STYLE).use(remarkGfm).freeze();

/** The runs of nodes an excerpt is made of: the whole document, each block, each list item alone. */
function units(text: string): RootContent[][] {
  const tree = parser.parse(text);
  const out: RootContent[][] = [tree.children];
  for (const n of tree.children) {
    if (n.type === 'list') n.children.forEach((item) => out.push([{ ...n, children: [item] }]));
    else out.push([n]);
  }
  return out;
}

const same = (text: string): void => {
  for (const u of units(text)) expect(excerptOf(u)).toBe(reference.stringify({ type: 'root', children: u }).trimEnd());
};

describe('excerptOf', () => {
  it('serializes the seeds and every fixture as remark-stringify with remark-gfm does', () => {
    const root = fileURLToPath(new URL('../../', import.meta.url));
    const files = [
      ...readdirSync(root + 'seeds').filter((f) => f.endsWith('.txt')).map((f) => root + 'seeds/' + f),
      ...['analyze', 'classify'].flatMap((d) =>
        readdirSync(`${root}test/fixtures/${d}`).filter((f) => /\.(md|txt)$/.test(f)).map((f) => `${root}test/fixtures/${d}/${f}`),
      ),
    ];
    for (const f of files) same(readFileSync(f, 'utf8'));
  });

  it('escapes what remark-gfm escapes, in text without any GFM construct', () => {
    same('Saved to new.file by www.example and me@host, see http://x and a ~b~ c.');
    // A line-start `|`, `:-` or `--` inside inline code, and a hard break.
    same('The value `a\n|: b` and `x\n-- y`  \nnext line');
    expect(excerptOf(parser.parse('see new.file').children)).toBe('see new\\.file');
  });

  it('serializes arbitrary markdown, GFM constructs included, as remark-stringify with remark-gfm does', () => {
    const pieces = [
      '| a | b |', '|---|:-:|', '| `x|y` | c\\|d |', 'a | b', '--- | ---', 'x\n:-', '~~gone~~', '~one~', 'text[^1]', '[^1]: note',
      '- [ ] task', '* [x] done', '1. [X] item', 'www.example.com', 'http://a.b/c', 'me@host.org', 'w.x', 'p:/', '[ref]', '[ref]: https://x.y "t"',
      '![alt](a.png "t")', '[l](<a b> \'t\')', '<span>@</span>', '`a\n|b`', '`c\n:-`', '`d\n--`', 'a  \nb', 'a\\\nb', '# H', '> q', '```js meta\n|x\n```',
      '**b**', '_e_', '---', '', '   ', '1. item', '- item', '&#64;', '&#124;', '\\~', '\\|',
    ];
    const text = fc.array(fc.oneof(fc.constantFrom(...pieces), fc.string({ maxLength: 10 })), { maxLength: 25 }).chain((parts) =>
      fc.array(fc.constantFrom('\n', ' ', '', '\n\n'), { minLength: parts.length, maxLength: parts.length }).map((seps) => parts.map((p, i) => p + seps[i]).join('')),
    );
    fc.assert(
      fc.property(text, (t) => {
        same(t);
      }),
      { numRuns: 400, seed: 20261121 },
    );
  });
});
