// Re-serializes an untrusted markdown excerpt as a blockquote that keeps lists, emphasis and code but cannot break the page.
import { unified } from 'unified';
import remarkParse from 'remark-parse';
import remarkGfm from 'remark-gfm';
import remarkStringify from 'remark-stringify';
import type { Root, RootContent, PhrasingContent, Blockquote, Text, InlineCode, Code, Link } from 'mdast';
import { cleanText, mdCode, mdText, safeUrl } from './escape.js';

const parser = unified().use(remarkParse).use(remarkGfm);
const serializer = unified()
  .use(remarkGfm)
  .use(remarkStringify, {
    bullet: '-',
    emphasis: '*',
    strong: '*',
    fence: '`',
    fences: true,
    rule: '-',
    // Four-column list indents: Python-Markdown (MkDocs) needs them for nested lists.
    listItemIndent: 'tab',
    // Our own escaping for every text node: entities for `<>&`, backslashes for markdown syntax, no block starts.
    handlers: {
      text: (node: Text, _parent: unknown, _state: unknown, info: { before: string }) =>
        mdText(node.value, info.before === '' || info.before === '\n'),
      inlineCode: (node: InlineCode, _parent: unknown, state: { stack: string[] }) => {
        const code = mdCode(node.value);
        // Inside a GFM table a bare `|` would end the cell, even in a code span.
        return state.stack.includes('tableCell') ? code.replace(/\|/g, '\\|') : code;
      },
    },
  });

type AnyNode = Root | RootContent;

/**
 * Turns untrusted markdown into a markdown blockquote safe to embed anywhere in a page: no raw
 * HTML (shown as text), no headings (bold paragraphs instead, so the page outline stays ours), no
 * images (no fetches), links only to http(s)/mailto, fenced code with a plain language tag.
 */
export function quoteExcerpt(markdown: string): string {
  const tree = parser.parse(cleanText(markdown)) as Root;
  const children = tree.children.flatMap((node) => sanitizeBlock(node));
  if (children.length === 0) return '';
  const quote: Blockquote = { type: 'blockquote', children: children as Blockquote['children'] };
  return String(serializer.stringify({ type: 'root', children: [quote] })).trimEnd();
}

function sanitizeBlock(node: RootContent): RootContent[] {
  switch (node.type) {
    case 'html':
      return [{ type: 'paragraph', children: [{ type: 'text', value: node.value }] }];
    case 'heading':
      return [{ type: 'paragraph', children: [{ type: 'strong', children: sanitizeInline(node.children) }] }];
    case 'definition':
      return [];
    case 'footnoteDefinition':
      return node.children.flatMap((c) => sanitizeBlock(c));
    case 'code':
      return [sanitizeCode(node)];
    case 'yaml':
      return [{ type: 'code', lang: 'yaml', value: node.value }];
    default:
      return [mapChildren(node)];
  }
}

function sanitizeCode(node: Code): Code {
  // `js-vue` would switch VitePress interpolation back on; meta could carry anything.
  const lang = (node.lang ?? '').replace(/[^A-Za-z0-9_+#.-]/g, '').replace(/-vue$/i, '').slice(0, 20);
  return { type: 'code', lang: lang === '' ? null : lang, meta: null, value: cleanText(node.value) };
}

function sanitizeInline(nodes: PhrasingContent[]): PhrasingContent[] {
  return nodes.flatMap((node): PhrasingContent[] => {
    switch (node.type) {
      case 'html':
        return [{ type: 'text', value: node.value }];
      case 'image':
        return node.alt ? [{ type: 'text', value: `[image: ${node.alt}]` }] : [];
      case 'imageReference':
        return node.alt ? [{ type: 'text', value: `[image: ${node.alt}]` }] : [];
      case 'link': {
        const url = safeUrl(node.url);
        const children = sanitizeInline(node.children);
        if (url === null) return children;
        const link: Link = { type: 'link', url, title: null, children };
        return [link];
      }
      case 'linkReference':
        return sanitizeInline(node.children);
      case 'footnoteReference':
        return [{ type: 'text', value: `[^${node.identifier}]` }];
      case 'text':
      case 'inlineCode':
      case 'break':
        return [node];
      default:
        return [mapChildren(node) as PhrasingContent];
    }
  });
}

/** Recurses into containers (lists, quotes, tables, emphasis) with the right sanitizer for their children. */
function mapChildren<T extends AnyNode>(node: T): T {
  if (!('children' in node)) return node;
  const kids = node.children as RootContent[];
  const phrasing = ['paragraph', 'emphasis', 'strong', 'delete', 'tableCell'].includes(node.type);
  const children = phrasing
    ? sanitizeInline(kids as PhrasingContent[])
    : kids.flatMap((c) => sanitizeBlock(c));
  return { ...node, children } as T;
}

