// Writes a sanitized mdast tree (an excerpt) back to markdown: structure from the tree, every text escaped by construction.
import type { Code, List, Nodes, PhrasingContent, RootContent, Table } from 'mdast';
import { mdCode, mdText, safeUrl } from './escape.js';

/**
 * The only markdown syntax in the output is what this module writes (blockquote and list markers,
 * fences, `*`, `~~`, `[…](…)`, table pipes); every text goes through `mdText` and every code span
 * through `mdCode`, which escape all markdown, HTML and Vue syntax. The format follows what
 * remark-stringify wrote with our options: `-` bullets, `*` emphasis, backtick fences, list items
 * indented to four columns (Python-Markdown, hence MkDocs, needs that for nested lists).
 */
export function serializeBlocks(nodes: readonly RootContent[]): string {
  const parts: string[] = [];
  let previous: RootContent | null = null;
  let previousOther = false;
  for (const node of nodes) {
    // Two lists in a row would merge into one: the second takes the other bullet.
    const other: boolean = previous?.type === 'list' && node.type === 'list' && previous.ordered === node.ordered && !previousOther;
    const text = block(node, other);
    if (text !== '') parts.push(text);
    previous = node;
    previousOther = other;
  }
  return parts.join('\n\n');
}

function block(node: RootContent, otherBullet: boolean): string {
  switch (node.type) {
    case 'paragraph':
      return phrasing(node.children, false);
    case 'blockquote':
      return prefix(serializeBlocks(node.children), '> ', '>');
    case 'list':
      return list(node, otherBullet);
    case 'code':
      return code(node);
    case 'thematicBreak':
      // Not `---`: right under a paragraph line (a tight list item) that makes a heading.
      return '***';
    case 'table':
      return table(node);
    case 'html':
      return mdText(node.value);
    default:
      if ('children' in node) return serializeBlocks(node.children as RootContent[]);
      return 'value' in node && typeof node.value === 'string' ? mdText(node.value) : '';
  }
}

/** Prefixes every line; `empty` for blank lines (no trailing spaces). */
function prefix(text: string, first: string, empty: string, rest = first): string {
  return text
    .split('\n')
    .map((line, i) => (line === '' ? empty : `${i === 0 ? first : rest}${line}`))
    .join('\n');
}

function list(node: List, otherBullet: boolean): string {
  const start = node.start ?? 1;
  const items = node.children.map((item, i) => {
    const marker = node.ordered ? `${start + i}${otherBullet ? ')' : '.'}` : otherBullet ? '*' : '-';
    const size = Math.ceil((marker.length + 1) / 4) * 4;
    const content = item.spread ? serializeBlocks(item.children) : serializeTight(item.children);
    if (content === '') return marker;
    return prefix(content, marker + ' '.repeat(size - marker.length), '', ' '.repeat(size));
  });
  return items.join(node.spread ? '\n\n' : '\n');
}

/** The children of a tight list item: one line break between blocks, so the list stays tight. */
function serializeTight(nodes: readonly RootContent[]): string {
  return nodes
    .map((n) => block(n, false))
    .filter((t) => t !== '')
    .join('\n');
}

function code(node: Code): string {
  // A reduce, not Math.max(...runs): hundreds of thousands of arguments overflow the stack.
  const longest = (node.value.match(/`+/g) ?? []).reduce((m, r) => Math.max(m, r.length), 0);
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return node.value === '' ? `${fence}${node.lang ?? ''}\n${fence}` : `${fence}${node.lang ?? ''}\n${node.value}\n${fence}`;
}

function table(node: Table): string {
  const width = node.children.reduce((m, r) => Math.max(m, r.children.length), 1);
  const row = (cells: string[]): string => `| ${cells.join(' | ')} |`;
  const rows = node.children.map((r) => {
    const cells = r.children.map((c) => phrasing(c.children, true).replace(/\n/g, ' ') || ' ');
    while (cells.length < width) cells.push(' ');
    return row(cells.slice(0, width));
  });
  if (rows.length === 0) return '';
  const align = Array.from({ length: width }, (_, i) => {
    const a = node.align?.[i] ?? null;
    return a === 'left' ? ':--' : a === 'right' ? '--:' : a === 'center' ? ':-:' : '---';
  });
  return [rows[0]!, row(align), ...rows.slice(1)].join('\n');
}

/** Percent-encodes what could end or escape a link destination, split a table cell, or read as Vue. */
function destination(url: string): string {
  return url.replace(/[()\\|{}\s<>]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

/**
 * Inline content; `inTable` keeps it on one line and escapes `|` in code spans. `nested` inside
 * emphasis and links, whose content starts after a marker, not at the start of a line.
 */
function phrasing(nodes: readonly PhrasingContent[], inTable: boolean, inLink = false, nested = false): string {
  const parts: string[] = [];
  // Whether the text written so far is empty or ends a line; asked of the last non-empty part, not of
  // the whole (endsWith on a growing string flattens it every time: quadratic).
  let lineStart = !nested;
  for (const node of nodes) {
    // A text that starts a line must not start a block there (list, heading, quote).
    const part = inline(node, inTable, inLink, lineStart && !inTable);
    if (part === '') continue;
    parts.push(part);
    lineStart = part.endsWith('\n');
  }
  return parts.join('');
}

function inline(node: PhrasingContent | Nodes, inTable: boolean, inLink: boolean, lineStart: boolean): string {
  switch (node.type) {
    case 'text':
      // Spaces before a line break would make a hard break of it.
      return mdText(inTable ? node.value.replace(/\n/g, ' ') : node.value.replace(/[ \t]+\n/g, '\n'), lineStart, !inLink);
    case 'inlineCode': {
      const c = mdCode(node.value);
      return inTable ? c.replace(/\|/g, '\\|') : c;
    }
    case 'break':
      return inTable ? ' ' : '\\\n';
    case 'emphasis':
      return wrap('*', phrasing(node.children, inTable, inLink, true));
    case 'strong':
      return wrap('**', phrasing(node.children, inTable, inLink, true));
    case 'delete':
      return wrap('~~', phrasing(node.children, inTable, inLink, true));
    case 'link': {
      const url = inLink ? null : safeUrl(node.url);
      const label = phrasing(node.children, inTable, true, true);
      if (url === null) return label;
      return `[${label === '' ? mdText(url, false, false) : label}](${destination(url)})`;
    }
    default:
      if ('children' in node) return phrasing(node.children as PhrasingContent[], inTable, inLink, !lineStart);
      return 'value' in node && typeof node.value === 'string' ? mdText(node.value, lineStart, !inLink) : '';
  }
}

/** Emphasis markers only around content they can wrap: never empty, never next to whitespace (`* x*` would be a list item). */
function wrap(marker: string, content: string): string {
  return content === '' || /^\s|\s$/.test(content) ? content : `${marker}${content}${marker}`;
}
