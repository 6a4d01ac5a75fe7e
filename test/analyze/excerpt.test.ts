// Excerpts: sliced from the review's own text and faithful when parsed on their own; the serialized fallback
// leaves out the GFM serializer extensions that cannot change it, so its text must equal remark-stringify + remark-gfm's.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import type { List, ListItem, Nodes, RootContent, Table } from 'mdast';
import remarkGfm from 'remark-gfm';
import remarkParse from 'remark-parse';
import remarkStringify from 'remark-stringify';
import { unified } from 'unified';
import { VFile } from 'vfile';
import { describe, expect, it } from 'vitest';
import { EXCERPT_STYLE, excerptOf, serializedExcerpt, sourceExcerpt } from '../../src/analyze/excerpt.js';
import { frontMatter } from '../../src/analyze/frontmatter.js';
import { analyzeReview } from '../../src/analyze/index.js';
import { parseMarkdown } from '../../src/analyze/parse.js';
import { segment } from '../../src/analyze/segment.js';

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
  for (const u of units(text)) expect(serializedExcerpt(u)).toBe(reference.stringify({ type: 'root', children: u }).trimEnd());
};

/** The seed reviews and every review fixture. */
const SAMPLES = ((root: string): string[] => [
  ...readdirSync(root + 'seeds').filter((f) => f.endsWith('.txt')).map((f) => root + 'seeds/' + f),
  ...['analyze', 'classify'].flatMap((d) =>
    readdirSync(`${root}test/fixtures/${d}`).filter((f) => /\.(md|txt)$/.test(f)).map((f) => `${root}test/fixtures/${d}/${f}`),
  ),
])(fileURLToPath(new URL('../../', import.meta.url)));

describe('serializedExcerpt', () => {
  it('serializes the seeds and every fixture as remark-stringify with remark-gfm does', () => {
    for (const f of SAMPLES) same(readFileSync(f, 'utf8'));
  });

  it('escapes what remark-gfm escapes, in text without any GFM construct', () => {
    same('Saved to new.file by www.example and me@host, see http://x and a ~b~ c.');
    // A line-start `|`, `:-` or `--` inside inline code, and a hard break.
    same('The value `a\n|: b` and `x\n-- y`  \nnext line');
    expect(serializedExcerpt(parser.parse('see new.file').children)).toBe('see new\\.file');
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

const excerpts = (text: string): string[] => analyzeReview(text, 'review.md').analysis.findings.map((f) => f.excerpt);

/**
 * A tree without positions, data, and the `start`/`spread` of lists (a unit's one-item list is made
 * by segmentation); line endings as `\n` (raw HTML and code keep the review's).
 */
function shape(n: unknown): unknown {
  if (Array.isArray(n)) return n.map(shape);
  if (typeof n === 'string') return n.replace(/\r\n?/g, '\n');
  if (!n || typeof n !== 'object') return n;
  const list = (n as Nodes).type === 'list';
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(n)) {
    if (k === 'position' || k === 'data' || (list && (k === 'start' || k === 'spread'))) continue;
    out[k] = shape(v);
  }
  return out;
}

/** An excerpt parsed on its own: a fragment, so without front matter (a `---` opening it is a rule). */
const reparsed = (markdown: string): unknown => shape(parser.parse(markdown).children);

/**
 * The excerpt parsed on its own says what the nodes say: as it is or followed by a line ending, as
 * the nodes were (micromark reads a last line by what follows it: `<foo>` under `- item` joins the
 * item only when a line ending follows, an unclosed fence's code ends with one).
 */
function expectFaithful(ex: string, nodes: readonly RootContent[], context: object): void {
  const want = shape(nodes);
  const got = reparsed(ex);
  if (JSON.stringify(got) !== JSON.stringify(want) && JSON.stringify(reparsed(ex + '\n')) === JSON.stringify(want)) return;
  expect({ ...context, ex, tree: got }).toEqual({ ...context, ex, tree: want });
}

/** Nodes whose meaning depends on a definition elsewhere in the document, which no excerpt carries. */
const REFERENCES = /"type":"(?:linkReference|imageReference|footnoteReference)"/;

describe('excerptOf: the review\'s own markdown', () => {
  it('keeps a root-level numbered item with its sub-bullets as written', () => {
    const text = [
      'Review of `auth/session.py`:',
      '',
      '1. **Session fixation in `login()`** (line 42): the session id is kept across login.',
      '   - Severity: High',
      '   - Fix: call `session.regenerate()` after authenticating.',
      '2. **Weak reset token** (line 57): `random.random()` makes the token.',
      '',
      'Overall the module needs work.',
    ].join('\n');
    expect(excerpts(text)).toEqual([
      '1. **Session fixation in `login()`** (line 42): the session id is kept across login.\n   - Severity: High\n   - Fix: call `session.regenerate()` after authenticating.',
      '2. **Weak reset token** (line 57): `random.random()` makes the token.',
    ]);
  });

  it('dedents a finding nested in a list item by its container\'s indentation', () => {
    const text = [
      'Findings:',
      '',
      '- **Injection**',
      '  - **SQL injection in `find_user()`** (line 10): the name is formatted into the query.',
      '    Use a parameterized query:',
      '',
      '    ```python',
      '    cur.execute("SELECT * FROM users WHERE name = %s", (name,))',
      '    ```',
      '  - **Command injection in `ping()`** (line 22): the host goes',
      'to `os.system` (a lazy line).',
      '- **Crypto**',
      '  - **MD5 for passwords** (line 30): use bcrypt.',
      '',
    ].join('\n');
    const got = excerpts(text);
    expect(got).toEqual([
      '- **SQL injection in `find_user()`** (line 10): the name is formatted into the query.\n  Use a parameterized query:\n\n  ```python\n  cur.execute("SELECT * FROM users WHERE name = %s", (name,))\n  ```',
      '- **Command injection in `ping()`** (line 22): the host goes\nto `os.system` (a lazy line).',
      '- **MD5 for passwords** (line 30): use bcrypt.',
    ]);
    // Parsed on its own, the excerpt is the sub-item it was cut from.
    const outer = parser.parse(text).children[1] as List;
    const sub = (outer.children[0]!.children[1] as List).children[0]!;
    expect(reparsed(got[0]!)).toEqual(shape([{ type: 'list', ordered: false, children: [sub] }]));
  });

  it('takes a heading with the paragraphs under it as one slice', () => {
    const text = [
      '# Review of upload.js',
      '',
      '## Path traversal in `saveUpload()` (line 31)',
      '',
      'The file name from the request is joined to the upload directory *unchecked*.',
      '',
      'Strip directory parts with `path.basename()`.',
      '',
      '## Missing size limit in `saveUpload()` (line 35)',
      '',
      'A client can fill the disk.',
    ].join('\n');
    expect(excerpts(text)).toEqual([
      '## Path traversal in `saveUpload()` (line 31)\n\nThe file name from the request is joined to the upload directory *unchecked*.\n\nStrip directory parts with `path.basename()`.',
      '## Missing size limit in `saveUpload()` (line 35)\n\nA client can fill the disk.',
    ]);
  });

  it('gives CRLF and CR line endings as \\n', () => {
    const lines = ['Review:', '', '1. **Shell injection** (line 5): `os.system(cmd)` runs user input.', '   Use `subprocess.run([...])`.', '2. **Debug on** (line 9): `DEBUG = True`.', ''];
    const want = ['1. **Shell injection** (line 5): `os.system(cmd)` runs user input.\n   Use `subprocess.run([...])`.', '2. **Debug on** (line 9): `DEBUG = True`.'];
    expect(excerpts(lines.join('\r\n'))).toEqual(want);
    expect(excerpts(lines.join('\r'))).toEqual(want);
    // A byte order mark is not counted in the parser's offsets.
    expect(excerpts('\uFEFF' + lines.join('\n'))).toEqual(want);
  });

  it('gives a table row its header and delimiter rows', () => {
    const text = ['Findings:', '', '| Issue | Line | Severity |', '|:--|--:|---|', '| Command injection in `run()` | 42 | High |', '| Debug mode enabled | 7 | Medium |', ''].join('\n');
    expect(excerpts(text)).toEqual([
      '| Issue | Line | Severity |\n|:--|--:|---|\n| Command injection in `run()` | 42 | High |',
      '| Issue | Line | Severity |\n|:--|--:|---|\n| Debug mode enabled | 7 | Medium |',
    ]);
  });

  it('writes indented code blocks as fenced ones, in place', () => {
    const text = [
      'auditor',
      'High',
      '',
      '# Reentrancy in withdraw()',
      '',
      '## Vulnerability Detail',
      '',
      '    function withdraw(uint amt) external {',
      '        msg.sender.call{value: amt}("");',
      '',
      '        balances[msg.sender] -= amt; // ```',
      '    }',
      '',
      '## Impact',
      '',
      'Funds drained.',
      '',
      '## Code Snippet',
      '',
      '## Recommendation',
      '',
      '1. Update the balance first:',
      '',
      '       balances[msg.sender] -= amt;',
    ].join('\n');
    const [ex] = excerpts(text);
    expect(ex).toBe(
      '# Reentrancy in withdraw()\n\n## Vulnerability Detail\n\n````\nfunction withdraw(uint amt) external {\n    msg.sender.call{value: amt}("");\n\n    balances[msg.sender] -= amt; // ```\n}\n````\n\n## Impact\n\nFunds drained.\n\n## Code Snippet\n\n## Recommendation\n\n1. Update the balance first:\n\n   ```\n   balances[msg.sender] -= amt;\n   ```',
    );
    expect(reparsed(ex!)).toEqual(shape(parser.parse(text).children.slice(1)));
  });

  it('falls back to re-serializing what a slice cannot say faithfully', () => {
    const quoted = parser.parse('> 1. **Open redirect** (line 8): `next` is not checked.\n>    - Fix: allow relative paths only.\n');
    const item = ((quoted.children[0] as { children: RootContent[] }).children[0] as List).children[0]!;
    const wrapped: List = { type: 'list', ordered: true, start: 1, spread: false, children: [item], position: item.position };
    const text = '> 1. **Open redirect** (line 8): `next` is not checked.\n>    - Fix: allow relative paths only.\n';
    // Inside a blockquote: the slice would carry the quote's markers.
    expect(sourceExcerpt([wrapped], text)).toBeNull();
    expect(excerptOf([wrapped], text)).toBe('1. **Open redirect** (line 8): `next` is not checked.\n   - Fix: allow relative paths only.');
    // A blockquote of its own is sliced as it is.
    expect(excerptOf(quoted.children, text)).toBe(text.trimEnd());
    // Without the text, or without positions, there is nothing to slice.
    expect(excerptOf([wrapped])).toBe(serializedExcerpt([wrapped]));
    const bare = { ...wrapped, position: undefined };
    expect(sourceExcerpt([bare], text)).toBeNull();
    // Tabs in lines the dedent would shift by other than a tab stop.
    const tabbed = '- **Crypto**\n  - **MD5 for passwords**:\n\tuse bcrypt.\n';
    const sub = ((parser.parse(tabbed).children[0] as List).children[0]!.children[1] as List).children[0]!;
    expect(sourceExcerpt([{ ...wrapped, children: [sub], position: sub.position }], tabbed)).toBeNull();
    // A lazy line that opens nothing only because of its four spaces would open a list once shifted.
    const lazy = '   1. **Race in `save()`**: two writers\n    - interleave\n';
    const own = (parser.parse(lazy).children[0] as List).children[0]!;
    expect((own.children[0] as { children: { value: string }[] }).children.at(-1)!.value).toContain('- interleave');
    expect(sourceExcerpt([{ ...wrapped, children: [own], position: own.position }], lazy)).toBeNull();
    // A line opening with ``` that is inline code (a lazy line) is kept as written.
    expect(excerpts('Review:\n\n1. **Reentrancy** (line 3):\n```withdraw()``` sends before it updates.\n\n   More.\n')).toEqual([
      '1. **Reentrancy** (line 3):\n```withdraw()``` sends before it updates.\n\n   More.',
    ]);
  });

  it('re-parses to the finding\'s own nodes, for every finding of the seeds and fixtures', () => {
    const processor = unified().use(frontMatter).use(segment).freeze();
    let sliced = 0;
    let all = 0;
    for (const f of SAMPLES) {
      const text = readFileSync(f, 'utf8');
      const file = new VFile({ path: f, value: text });
      const tree = parseMarkdown(file);
      processor.runSync(tree, file);
      for (const u of file.data.segmentation!.units) {
        all++;
        const ex = sourceExcerpt(u.nodes, text);
        if (ex === null || REFERENCES.test(JSON.stringify(u.nodes))) continue;
        sliced++;
        expectFaithful(ex, u.nodes, { f, line: u.line });
      }
    }
    expect(all).toBeGreaterThan(100);
    // One finding is a paragraph's text after a bold pseudo-heading, which segmentation makes without offsets.
    expect(sliced).toBeGreaterThanOrEqual(all - 1);
  });

  it('re-parses to the nodes it was cut from, or declines, on arbitrary nested markdown', () => {
    const pieces = [
      '- item', '* item', '+ item', '1. item', '10) item', '-', '2.', '  - sub', '    - subsub', '   1. sub', '      deeper', '  text', '   text',
      'text', 'lazy line', '\t- tabbed', '- \titem', '  \tx', '> quote', '> - quoted item', '>     code', '    indented code', '        more code',
      '```js', '```', '~~~', '  ```', '    ```', '   ~~~ py', '```x``` y', '| a | b |', '|---|:-:|', '  | x | y |', '# H', 'Setext', '===', '---',
      '***', '<div>', '</div>', '- [ ] task', '1. [x] done', 'a  ', '**b**', '_e_', '`c`', '', '   ', '\u0000',
      '     - five', '    # four', '      > six', '    2. four', '     |-|', '-   wide', '1.      code', '  -', '    ===', '<foo>', '2. two', '[x]: /u',
    ];
    const doc = fc
      .array(fc.constantFrom(...pieces), { minLength: 1, maxLength: 30 })
      .chain((parts) =>
        fc.tuple(fc.constant(parts), fc.array(fc.constantFrom('\n', '\n', '\n\n', '\r\n'), { minLength: parts.length, maxLength: parts.length })),
      )
      .map(([parts, seps]) => 'Review:\n\n' + parts.map((p, i) => p + seps[i]).join(''));
    const wrap = (list: List, item: ListItem): List => ({ type: 'list', ordered: list.ordered ?? false, start: null, spread: false, children: [item], position: item.position });
    fc.assert(
      fc.property(doc, (text) => {
        const tree = parseMarkdown(new VFile(text));
        const units: RootContent[][] = [];
        const kids = tree.children;
        kids.forEach((n, i) => {
          units.push([n]);
          if (i + 1 < kids.length) units.push([n, kids[i + 1]!]);
          if (n.type === 'table') for (const row of n.children.slice(1)) units.push([{ type: 'table', align: n.align ?? null, children: [n.children[0]!, row], position: row.position } as Table]);
          if (n.type !== 'list') return;
          n.children.forEach((item) => {
            units.push([wrap(n, item)]);
            for (const c of item.children) if (c.type === 'list') for (const s of c.children) units.push([wrap(c, s)]);
          });
          // The last sub-item of the last item, with the block after the list (a category's last finding and its continuation).
          const last = n.children[n.children.length - 1]!.children.at(-1);
          if (last?.type === 'list' && i + 1 < kids.length) units.push([wrap(last, last.children[last.children.length - 1]!), kids[i + 1]!]);
        });
        for (const u of units) {
          const ex = sourceExcerpt(u, text);
          if (ex === null || REFERENCES.test(JSON.stringify(u))) continue;
          expectFaithful(ex, u, { text });
        }
      }),
      { numRuns: 500, seed: 20240611 },
    );
  });
});
