// mdast → sanitized HTML: remark-rehype (raw HTML dropped), rehype-sanitize (GitHub's schema), rehype-stringify.
import { unified } from 'unified';
import remarkRehype from 'remark-rehype';
import rehypeSanitize from 'rehype-sanitize';
import rehypeStringify from 'rehype-stringify';
import type { Root } from 'mdast';

/**
 * Raw HTML in the tree is dropped by remark-rehype (no `allowDangerousHtml`), and the result goes
 * through rehype-sanitize's GitHub schema: no script, no event handlers, no `javascript:` URLs, ids
 * prefixed so review text cannot clobber the page's own.
 */
const processor = unified().use(remarkRehype).use(rehypeSanitize).use(rehypeStringify);

/** An mdast tree → sanitized HTML fragment. */
export function mdastToSafeHtml(tree: Root): string {
  // Our own `<a id>` anchors are raw HTML and dropped, leaving empty paragraphs behind.
  return processor.stringify(processor.runSync(tree)).replace(/<p><\/p>\n?/g, '').trim();
}
