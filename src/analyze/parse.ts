// The markdown parser: remark-parse with front matter and the GFM constructs a review's text can contain (same tree as remark-gfm).
import type { Root } from 'mdast';
import { gfmAutolinkLiteralFromMarkdown } from 'mdast-util-gfm-autolink-literal';
import { gfmFootnoteFromMarkdown } from 'mdast-util-gfm-footnote';
import { gfmStrikethroughFromMarkdown } from 'mdast-util-gfm-strikethrough';
import { gfmTableFromMarkdown } from 'mdast-util-gfm-table';
import { gfmTaskListItemFromMarkdown } from 'mdast-util-gfm-task-list-item';
import { gfmAutolinkLiteral } from 'micromark-extension-gfm-autolink-literal';
import { gfmFootnote } from 'micromark-extension-gfm-footnote';
import { gfmStrikethrough } from 'micromark-extension-gfm-strikethrough';
import { gfmTable } from 'micromark-extension-gfm-table';
import { gfmTaskListItem } from 'micromark-extension-gfm-task-list-item';
import remarkFrontmatter from 'remark-frontmatter';
import remarkParse from 'remark-parse';
import { unified, type Processor } from 'unified';
import type { VFile } from 'vfile';

/**
 * remark-gfm's five constructs, in its order, each with a test that is true of every text the
 * construct can match (no `|`, `:-` or `-:` means no table). A construct kept in the parser costs
 * time on every line or word even when it never matches: GFM as a whole more than doubled the time
 * remark-parse alone takes on LLM reviews, most of it autolink literals and tables, which those
 * reviews rarely contain. Leaving out what a text cannot contain yields the same tree.
 */
const GFM = [
  // `www.`, `http://`, `https://` (any case) and e-mail addresses; the mdast transform looks for the same.
  { can: (t: string): boolean => /www\.|https?:\/\/|@/i.test(t), syntax: gfmAutolinkLiteral(), mdast: gfmAutolinkLiteralFromMarkdown() },
  // Calls and definitions both open with `[^`.
  { can: (t: string): boolean => t.includes('[^'), syntax: gfmFootnote(), mdast: gfmFootnoteFromMarkdown() },
  { can: (t: string): boolean => t.includes('~'), syntax: gfmStrikethrough(), mdast: gfmStrikethroughFromMarkdown() },
  // A delimiter row needs a `|`, or an alignment colon next to a dash (`a` over `:-` is a one-column table).
  { can: (t: string): boolean => /\||:-|-:/.test(t), syntax: gfmTable(), mdast: gfmTableFromMarkdown() },
  // `[ ]`, `[x]`, `[X]` (a line ending or tab also counts as the blank).
  { can: (t: string): boolean => /\[[\s xX]\]/.test(t), syntax: gfmTaskListItem(), mdast: gfmTaskListItemFromMarkdown() },
] as const;

type Parser = Processor<Root>;

/** One parser per set of constructs (a bit mask over GFM), built when first needed. */
const parsers = new Map<number, Parser>();

function parserWith(mask: number): Parser {
  let p = parsers.get(mask);
  if (!p) {
    const parts = GFM.filter((_, i) => mask & (1 << i));
    p = unified()
      .use(remarkParse)
      // What remark-gfm does, for the chosen constructs only; before front matter, as `.use(remarkGfm)` was.
      .use(function gfmParts(this: Processor) {
        const data = this.data();
        (data.micromarkExtensions ??= []).push(...parts.map((x) => x.syntax));
        (data.fromMarkdownExtensions ??= []).push(parts.map((x) => x.mdast));
      })
      .use(remarkFrontmatter, ['yaml'])
      .freeze() as unknown as Parser;
    parsers.set(mask, p);
  }
  return p;
}

/** Which GFM constructs a text can contain, as a bit mask over GFM. */
export function gfmMask(text: string): number {
  let mask = 0;
  GFM.forEach((x, i) => {
    if (x.can(text)) mask |= 1 << i;
  });
  return mask;
}

/** Parse a review (its VFile's value) into mdast, as remark-parse + remark-gfm + remark-frontmatter would. */
export function parseMarkdown(file: VFile): Root {
  return parserWith(gfmMask(String(file.value))).parse(file);
}

