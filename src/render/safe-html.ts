// mdast → sanitized HTML: mdast-util-to-hast (what remark-rehype runs; raw HTML dropped), rehype-sanitize (GitHub's schema), rehype-stringify.
import { unified } from 'unified';
import rehypeSanitize from 'rehype-sanitize';
import rehypeStringify from 'rehype-stringify';
import { defaultHandlers, toHast, type Handler, type State } from 'mdast-util-to-hast';
import type { Root, Table, TableRow } from 'mdast';
import type { Root as HastRoot } from 'hast';
import { parseMarkdown } from './parse.js';

/**
 * Raw HTML in the tree is dropped (no `allowDangerousHtml`), and the result goes through
 * rehype-sanitize's GitHub schema: no script, no event handlers, no `javascript:` URLs, ids
 * prefixed so review text cannot clobber the page's own.
 */
const processor = unified().use(rehypeSanitize).use(rehypeStringify);

const EMPTY: Root = { type: 'root', children: [] };

/**
 * mdast → hast with mdast-util-to-hast's own handlers. toHast first walks the whole tree only to
 * collect link definitions and footnotes, with a visitor that names a function per node (half its
 * time); our trees have neither (parse.ts makes none, excerpts drop them), so that walk runs over
 * an empty root and the root handler converts the real tree.
 */
function mdastToHast(tree: Root): HastRoot {
  // The root handler returns a root, which the Handler type does not foresee.
  const root = ((state: State) => defaultHandlers.root(state, tree)) as unknown as Handler;
  return toHast(EMPTY, { handlers: { root, tableRow } }) as HastRoot;
}

const FIRST_ROW: TableRow = { type: 'tableRow', children: [] };

/**
 * The default handler finds whether a row is the header by `indexOf` among all rows: quadratic in a
 * long table (a 20,000-row table pasted in a review took seconds). It gets a parent holding only
 * what it looks at: the alignment, and the row at index 0 or 1.
 */
const tableRow = ((state: State, node: TableRow, parent: Table | undefined) => {
  if (!parent || parent.type !== 'table') return defaultHandlers.tableRow(state, node, parent);
  const children = parent.children[0] === node ? [node] : [FIRST_ROW, node];
  return defaultHandlers.tableRow(state, node, { type: 'table', align: parent.align, children });
}) as unknown as Handler;

/** An mdast tree → sanitized HTML fragment. */
export function mdastToSafeHtml(tree: Root): string {
  // Our own `<a id>` anchors are raw HTML and dropped, leaving empty paragraphs behind.
  return processor.stringify(processor.runSync(mdastToHast(tree))).replace(/<p><\/p>\n?/g, '').trim();
}

/** Markdown → sanitized HTML fragment (parse.ts, then the above). */
export function markdownToSafeHtml(markdown: string): string {
  return mdastToSafeHtml(parseMarkdown(markdown));
}
