// Re-serializes an untrusted markdown excerpt as a blockquote that keeps lists, emphasis and code but cannot break the page.
import type { Root, RootContent, PhrasingContent, Blockquote, Code, Link, Text } from 'mdast';
import { bareUrls, cleanText, oneLine, safeUrl } from './escape.js';
import { parseMarkdown } from './parse.js';
import { mdastToSafeHtml } from './safe-html.js';
import { serializeBlocks } from './serialize.js';

type AnyNode = Root | RootContent;

/** An excerpt as a safe markdown blockquote and as the same blockquote in sanitized HTML (`''` when nothing is left). */
export interface Quote {
  markdown: string;
  html: string;
}

/**
 * Turns untrusted markdown into a markdown blockquote safe to embed anywhere in a page: no raw
 * HTML (shown as text), no headings (bold paragraphs instead, so the page outline stays ours), no
 * images (no fetches), links only to http(s)/mailto, fenced code with a plain language tag.
 * Parsed with markdown-it and written back by serialize.ts, which escapes every text it writes.
 */
export function quoteExcerpt(markdown: string): string {
  const quote = excerptTree(markdown);
  return quote ? serializeBlocks([quote]).trimEnd() : '';
}

/**
 * {@link quoteExcerpt}, plus its HTML from the same tree (bare URLs linked, as they are in the
 * markdown), so the HTML pages need not parse the excerpt a second time.
 */
export function quoteExcerptBoth(markdown: string): Quote {
  const quote = excerptTree(markdown);
  if (!quote) return { markdown: '', html: '' };
  const text = serializeBlocks([quote]).trimEnd();
  return { markdown: text, html: mdastToSafeHtml({ type: 'root', children: [asWritten(quote)] }) };
}

/** The sanitized blockquote of an excerpt, or null when nothing is left of it. */
function excerptTree(markdown: string): Blockquote | null {
  const tree = parseMarkdown(cleanText(markdown));
  const children = tree.children.flatMap((node) => sanitizeBlock(node));
  return children.length === 0 ? null : { type: 'blockquote', children: children as Blockquote['children'] };
}

/**
 * The tree as the markdown writer shows it (serialize.ts, escape.ts), so the HTML says the same as
 * the markdown: bare http(s)/www URLs in text become links, tabs spaces, code spans one trimmed
 * line. In place, once the markdown is written.
 */
function asWritten<T extends AnyNode>(node: T): T {
  if (!('children' in node) || node.type === 'link') return node;
  const kids = node.children as AnyNode[];
  let split = false;
  for (const child of kids) {
    if (child.type === 'inlineCode') child.value = oneLine(child.value);
    else if (child.type !== 'text') asWritten(child);
    else {
      if (child.value.includes('\t')) child.value = child.value.replace(/\t/g, ' ');
      split ||= bareUrls(child.value).length > 0;
    }
  }
  if (split) (node as { children: AnyNode[] }).children = kids.flatMap((child): AnyNode[] => (child.type === 'text' ? linkUrls(child) : [child]));
  return node;
}

/** A text with bare URLs → text and link nodes. */
function linkUrls(text: Text): (Text | Link)[] {
  const urls = bareUrls(text.value);
  if (urls.length === 0) return [text];
  const out: (Text | Link)[] = [];
  let last = 0;
  for (const { index, url, dest } of urls) {
    if (index > last) out.push({ type: 'text', value: text.value.slice(last, index) });
    out.push({ type: 'link', url: dest, title: null, children: [{ type: 'text', value: url }] });
    last = index + url.length;
  }
  if (last < text.value.length) out.push({ type: 'text', value: text.value.slice(last) });
  return out;
}

function sanitizeBlock(node: RootContent): RootContent[] {
  switch (node.type) {
    case 'html':
      return [{ type: 'paragraph', children: [{ type: 'text', value: node.value }] }];
    case 'heading': {
      const children = sanitizeInline(node.children);
      return children.length === 0 ? [] : [{ type: 'paragraph', children: [{ type: 'strong', children }] }];
    }
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

const PHRASING_PARENTS = new Set(['paragraph', 'emphasis', 'strong', 'delete', 'tableCell']);

/**
 * Recurses into containers (lists, quotes, tables, emphasis) with the right sanitizer for their
 * children. In place: the tree is the excerpt's own, fresh from the parser.
 */
function mapChildren<T extends AnyNode>(node: T): T {
  if (!('children' in node)) return node;
  const kids = node.children as RootContent[];
  (node as { children: unknown[] }).children = PHRASING_PARENTS.has(node.type)
    ? sanitizeInline(kids as PhrasingContent[])
    : kids.flatMap((c) => sanitizeBlock(c));
  return node;
}

