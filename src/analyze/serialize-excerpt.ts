// Excerpts re-serialized from the tree by remark-stringify, with remark-gfm's to-markdown extensions less those that
// cannot change the excerpt: the fallback where a slice of the review's own text would not say the same (excerpt.ts).
import type { Nodes, Root, RootContent } from 'mdast';
import { gfmAutolinkLiteralToMarkdown } from 'mdast-util-gfm-autolink-literal';
import { gfmFootnoteToMarkdown } from 'mdast-util-gfm-footnote';
import { gfmStrikethroughToMarkdown } from 'mdast-util-gfm-strikethrough';
import { gfmTableToMarkdown } from 'mdast-util-gfm-table';
import { gfmTaskListItemToMarkdown } from 'mdast-util-gfm-task-list-item';
import remarkStringify from 'remark-stringify';
import { unified, type Processor } from 'unified';

/** The style of a serialized excerpt: `unified().use(remarkStringify, EXCERPT_STYLE).use(remarkGfm)` gives the same text. */
export const EXCERPT_STYLE = { bullet: '-', emphasis: '_', fences: true, rule: '-' } as const;

type Extension = ReturnType<typeof gfmTableToMarkdown>;
type Pattern = NonNullable<Extension['unsafe']>[number];

/**
 * remark-gfm's to-markdown extensions, in its order (as `remarkGfm()` configures them), with the
 * nodes each one serializes. Elsewhere an extension acts only through its unsafe patterns (which
 * escape a character only where the text holds that character): its handlers wrap paragraphs and
 * inline code with no effect outside task items and tables, and its joins concern tables and task
 * items only. Yet configuring all of them costs a third of the serializer's time on reviews that use
 * none (a wrapper without `peek` also makes every inline code be serialized twice).
 */
const GFM: readonly { ext: Extension; uses: (n: Nodes) => boolean }[] = [
  { ext: gfmAutolinkLiteralToMarkdown(), uses: () => false },
  { ext: gfmFootnoteToMarkdown({}), uses: (n) => n.type === 'footnoteDefinition' || n.type === 'footnoteReference' },
  { ext: gfmStrikethroughToMarkdown(), uses: (n) => n.type === 'delete' },
  { ext: gfmTableToMarkdown({}), uses: (n) => n.type === 'table' || n.type === 'tableRow' || n.type === 'tableCell' },
  { ext: gfmTaskListItemToMarkdown(), uses: (n) => n.type === 'listItem' && typeof n.checked === 'boolean' },
];

/** The characters the extensions' unsafe patterns escape (`@`, `.`, `:`, `[`, `~`, `|`, `-`, line endings). */
const CHARS = [...new Set(GFM.flatMap((g) => (g.ext.unsafe ?? []).map((p: Pattern) => p.character)))];

/** Every string of a node that the serializer escapes (text, URLs, titles, labels, a fence's info string). */
const STRING_FIELDS = ['value', 'url', 'title', 'alt', 'label', 'identifier', 'lang', 'meta'] as const;

const bit = (c: string): number => 1 << CHARS.indexOf(c);
/** Inline code escapes nothing, but the patterns for line starts make it swap a line ending for a space. */
const AT_BREAK = GFM.flatMap((g) => g.ext.unsafe ?? []).reduce((m, p: Pattern) => (p.atBreak ? m | bit(p.character) : m), 0);

/** What the nodes need: a bit per extension used whole (its nodes occur), then a bit per character of CHARS present. */
function needs(nodes: readonly RootContent[]): number {
  let whole = 0;
  let chars = 0;
  const all = (1 << CHARS.length) - 1;
  const stack: Nodes[] = [...nodes];
  while (stack.length) {
    const n = stack.pop()!;
    for (let i = 0; i < GFM.length; i++) if (GFM[i]!.uses(n)) whole |= 1 << i;
    // A hard break consults the patterns for line endings.
    if (n.type === 'break') chars |= bit('\n');
    if (chars !== all && n.type !== 'html') {
      // Code is printed as it is, its info string escaped; inline code only answers to line-start patterns.
      const look = n.type === 'inlineCode' ? AT_BREAK : all;
      for (const f of STRING_FIELDS) {
        if (f === 'value' && n.type === 'code') continue;
        const s = (n as unknown as Record<string, unknown>)[f];
        if (typeof s !== 'string' || !s) continue;
        for (let c = 0; c < CHARS.length; c++) if (look & ~chars & (1 << c) && s.includes(CHARS[c]!)) chars |= 1 << c;
      }
    }
    if ('children' in n) for (const c of n.children) stack.push(c as Nodes);
  }
  return (whole << CHARS.length) | chars;
}

/** Serializers by need (a few shapes recur; past the bound, build without keeping). */
const serializers = new Map<number, Processor<undefined, undefined, undefined, Root, string>>();
const MAX_SERIALIZERS = 256;

function serializerFor(key: number): Processor<undefined, undefined, undefined, Root, string> {
  const known = serializers.get(key);
  if (known) return known;
  const whole = key >>> CHARS.length;
  const extensions: Extension[] = [];
  GFM.forEach((g, i) => {
    if (whole & (1 << i)) return void extensions.push(g.ext);
    const unsafe = (g.ext.unsafe ?? []).filter((p: Pattern) => key & (1 << CHARS.indexOf(p.character)));
    if (unsafe.length) extensions.push({ unsafe });
  });
  const s = unified()
    .use(remarkStringify, EXCERPT_STYLE)
    .use(function gfmToMarkdownParts(this: Processor) {
      const data = this.data();
      (data.toMarkdownExtensions ??= []).push(...extensions);
    })
    .freeze() as unknown as Processor<undefined, undefined, undefined, Root, string>;
  if (serializers.size < MAX_SERIALIZERS) serializers.set(key, s);
  return s;
}

/** Normalised markdown of some block nodes, re-serialised from the tree (the fallback when a slice of the text will not do). */
export function serializedExcerpt(nodes: readonly RootContent[]): string {
  const root: Root = { type: 'root', children: nodes as RootContent[] };
  return serializerFor(needs(nodes)).stringify(root).trimEnd();
}
