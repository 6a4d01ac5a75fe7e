// Excerpts: a finding's markdown sliced from the review's own text (sourceExcerpt), or, where a slice would not
// say the same on its own, its nodes re-serialized (serialize-excerpt.ts).
import type { Code, Nodes, RootContent } from 'mdast';
import { serializedExcerpt } from './serialize-excerpt.js';

export { EXCERPT_STYLE, serializedExcerpt } from './serialize-excerpt.js';

/**
 * What may precede a node on its first line for a slice to be dedented faithfully: indentation and
 * the markers of the list items it is nested in. A `>` (blockquote), a tab (tab stops move when a
 * line is shifted) or anything else (a footnote definition's label) does not qualify.
 */
const CONTAINER_PREFIX = /^(?: *(?:[-+*]|\d{1,9}[.)]) {1,4})* *$/;

/** The first line after a block, when it (past blank lines) opens with a list item's marker. */
const AFTER_CODE = /(?:[ \t]*\r?\n|[ \t]*\r)*[ \t]*(?:[-+*]|\d{1,9}[.)])(?=[ \t\r\n]|$)/y;
/** A list item's marker. */
const MARKER = /(?:[-+*]|\d{1,9}[.)])(?=[ \t\r\n]|$)/y;

const isBreak = (c: number): boolean => c === 10 || c === 13;

function lineStart(text: string, at: number): number {
  while (at > 0 && !isBreak(text.charCodeAt(at - 1))) at--;
  return at;
}

/** Whether the line before the one starting at `ls` is blank (or there is none). */
function blankBefore(text: string, ls: number): boolean {
  let at = ls - 1;
  if (at > 0 && text.charCodeAt(at) === 10 && text.charCodeAt(at - 1) === 13) at--;
  while (at > 0) {
    const c = text.charCodeAt(at - 1);
    if (isBreak(c)) return true;
    if (c !== 32 && c !== 9) return false;
    at--;
  }
  return true;
}

/** Offset just past the line break at or after `at` (the text's length when none). */
function nextLine(text: string, at: number): number {
  while (at < text.length && !isBreak(text.charCodeAt(at))) at++;
  if (at < text.length) at += text.charCodeAt(at) === 13 && text.charCodeAt(at + 1) === 10 ? 2 : 1;
  return at;
}

/** What opens a block (a lazy line opening with it opened none only for its indentation). */
const BLOCK_START = /^(?:[-+*#>`~<=|_:]|\d{1,9}[.)])/;

/**
 * The lines of a node's slice (line endings `\n`) with up to `indent` leading spaces removed from
 * every line after the first: the indentation of the containers the node sits in. A line left with
 * fewer than `content` (a list item's content offset) is a lazy continuation, blank or not: shifted
 * left, it could start a block it did not start where it was unless it opens with plain text. Null
 * when tabs or such a line could change meaning.
 */
function dedent(slice: string, indent: number, content: number): string | null {
  const s = slice.includes('\r') ? slice.replace(/\r\n?/g, '\n') : slice;
  if (indent === 0) return s;
  // Shifting a line by other than a whole tab stop changes what a tab in it is worth.
  if (indent % 4 !== 0 && s.includes('\t')) return null;
  let out = '';
  let from = 0;
  for (let nl = s.indexOf('\n'); nl >= 0; nl = s.indexOf('\n', from)) {
    out += s.slice(from, nl + 1);
    from = nl + 1;
    let k = 0;
    while (k < indent && s.charCodeAt(from + k) === 32) k++;
    if (k < indent && s.charCodeAt(from + k) === 9) return null;
    from += k;
    let rest = 0;
    while (rest < content && s.charCodeAt(from + rest) === 32) rest++;
    if (rest < content && (s.charCodeAt(from + rest) === 9 || BLOCK_START.test(s.slice(from + rest, from + rest + 12)))) return null;
  }
  return out + s.slice(from);
}

/** A list item's content offset: its marker and the spaces after it (1 when none, or when 5 or more open indented code). */
function contentOffset(text: string, at: number): number | null {
  MARKER.lastIndex = at;
  if (!MARKER.test(text)) return null;
  const marker = MARKER.lastIndex - at;
  let spaces = 0;
  while (text.charCodeAt(at + marker + spaces) === 32) spaces++;
  const c = text.charCodeAt(at + marker + spaces);
  if (c === 9) return null;
  return marker + (Number.isNaN(c) || isBreak(c) || spaces >= 5 ? 1 : spaces);
}

/**
 * Where a node ends: its own end, or its last block's when that is earlier (a list item whose
 * fenced code is never closed reaches into the next item).
 */
function endOf(n: Nodes): number | undefined {
  let end = n.position?.end.offset;
  let c: Nodes | undefined = n;
  while (c && (c.type === 'list' || c.type === 'listItem' || c.type === 'blockquote' || c.type === 'footnoteDefinition')) {
    c = c.children[c.children.length - 1];
    const e = c?.position?.end.offset;
    if (e !== undefined && end !== undefined && e < end) end = e;
  }
  return end;
}

/** The indented code blocks in a node, in document order (fenced code starts at its fence). */
function indentedCode(n: Nodes, text: string, base: number, out: Code[]): Code[] {
  if (n.type === 'code') {
    const at = n.position?.start.offset;
    const c = at === undefined ? 0 : text.charCodeAt(at + base);
    if (c === 32 || c === 9) out.push(n);
  } else if (n.type === 'list' || n.type === 'listItem' || n.type === 'blockquote' || n.type === 'footnoteDefinition') {
    for (const c of n.children) indentedCode(c, text, base, out);
  }
  return out;
}

/**
 * `text` from `start` to `end`, the source of node `n`, with its indented code blocks written as
 * fenced ones (as a serialized excerpt has them: consumers find pasted code by its fences). Null
 * when a code block's lines start with more than spaces (a blockquote's `>`, a tab), or the
 * excerpt (up to `limit`) goes on with what micromark reads differently after the fenced form.
 */
function withFences(n: RootContent, text: string, base: number, start: number, end: number, limit: number): string | null {
  const codes = indentedCode(n, text, base, []);
  if (codes.length === 0) return text.slice(start, end);
  let out = '';
  let at = start;
  for (const c of codes) {
    const a = c.position!.start.offset! + base;
    const b = c.position!.end.offset;
    if (b === undefined || a < at || b + base > end) return null;
    const ls = lineStart(text, a);
    for (let i = ls; i < a; i++) if (text.charCodeAt(i) !== 32) return null;
    const pad = ' '.repeat(a - ls);
    const value = c.value.replace(/\r\n?/g, '\n');
    let longest = 0;
    for (const m of value.matchAll(/`+/g)) longest = Math.max(longest, m[0].length);
    const fence = '`'.repeat(Math.max(3, longest + 1));
    out += text.slice(at, a) + fence + '\n' + value.split('\n').map((l) => (l ? pad + l : '')).join('\n') + '\n' + pad + fence;
    at = b + base;
    // micromark reads the block after indented code as interrupting it: `2.` or a bare `-` there is
    // no list item, but after a fenced block it is.
    AFTER_CODE.lastIndex = at;
    if (AFTER_CODE.test(text) && AFTER_CODE.lastIndex <= limit) return null;
  }
  return out + text.slice(at, end);
}

/**
 * The nodes' own markdown, sliced from the text the parser saw (`text`, offsets as in the nodes'
 * positions): each node from its start to its end, a list dedented by the indentation and markers
 * of the items it is nested in, with the lines between nodes (blank lines, rules, definitions) as
 * they are. Indented code blocks become fenced ones; a one-row table made by segmentation gets its
 * header and delimiter rows back. Null when that would not be faithful, or positions are missing:
 * a node in a blockquote or a footnote, tabs in shifted lines, nodes out of order.
 */
export function sourceExcerpt(nodes: readonly RootContent[], text: string): string | null {
  // micromark does not count a leading byte order mark in offsets.
  const base = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let out = '';
  let prevEnd = -1;
  let shifted = false;
  const last = nodes[nodes.length - 1];
  if (!last) return null;
  const limit = (endOf(last) ?? 0) + base;
  for (const n of nodes) {
    const end = endOf(n);
    if (end === undefined) return null;
    let start = n.position!.start.offset;
    if (start === undefined || start + base < prevEnd) {
      // A part of the node before it (a paragraph's text after a label segmentation read as a heading).
      if (prevEnd >= 0 && end + base <= prevEnd) continue;
      return null;
    }
    start += base;
    if (n.type === 'paragraph' || n.type === 'heading') {
      // Text opening with `2.` or a bare `-` follows indented code (micromark reads it as
      // interrupting the code): on its own it would be a list.
      MARKER.lastIndex = start;
      if (MARKER.test(text)) return null;
      // A setext heading under a definition starts where the definition does.
      if (n.type === 'heading' && text.charCodeAt(start) !== 35 && n.children[0]?.position?.start.line !== n.position!.start.line) return null;
      // A tag alone on a line right under a definition is text; on its own, it opens raw HTML.
      if (text.charCodeAt(start) === 60 && !blankBefore(text, lineStart(text, start))) return null;
    }
    let head = '';
    let from = start;
    const header = n.type === 'table' ? n.children[0]?.position : undefined;
    if (header?.start.offset !== undefined && header.end.offset !== undefined && header.start.offset + base < start) {
      // One body row of a table: the header row and the delimiter row, then the row.
      from = header.start.offset + base;
      const rows = nextLine(text, nextLine(text, header.end.offset + base));
      if (rows > start) return null;
      head = text.slice(from, rows);
      if (!head.endsWith('\n') && !head.endsWith('\r')) head += '\n';
    }
    const ls = lineStart(text, from);
    const prefix = text.slice(ls, from);
    if (!CONTAINER_PREFIX.test(prefix)) return null;
    // A list's lines are laid out from its markers: shifting them all by the markers' column keeps
    // them. Another block on a line of its own is at the root (segmentation takes no other out of a
    // container) and its indentation is its own (a fence's decides which lines close it): kept.
    let lead = '';
    let indent = prefix.length;
    let content = 0;
    if (n.type !== 'list' && n.type !== 'listItem') {
      if (indent > 3 || /[^ ]/.test(prefix)) return null;
      lead = prefix;
      indent = 0;
    } else if (indent > 0) {
      // One item (its content offset tells its lazy lines): the items of a list can sit at different
      // columns, a line's indentation counting from its own item's marker.
      if (n.type === 'list' && n.children.length !== 1) return null;
      const c = contentOffset(text, start);
      if (c === null) return null;
      content = c;
    }
    if (prevEnd >= 0) {
      if (ls < prevEnd) return null;
      // The rest of the previous node's line, and the lines between: blank ones emptied.
      const gap = text.slice(prevEnd, ls).replace(/\r\n?/g, '\n').replace(/^[ \t]+$/gm, '');
      // After a shifted list, an indented line could fall into its last item, a list join it.
      if (shifted && (lead || n.type === 'list' || /\n[ \t]/.test(gap))) return null;
      out += gap;
    }
    shifted ||= indent > 0;
    const own = withFences(n, text, base, start, end + base, limit);
    const body = own === null ? null : dedent(lead + head + own, indent, content);
    if (body === null) return null;
    out += body;
    prevEnd = end + base;
  }
  if (prevEnd < 0) return null;
  return out;
}

/**
 * A finding's excerpt: its nodes' markdown as the review wrote it (sliced from `text`, the text
 * they were parsed from), or re-serialized from the tree where a slice would not be faithful or
 * there is no text to slice.
 */
export function excerptOf(nodes: readonly RootContent[], text?: string): string {
  const sliced = text === undefined ? null : sourceExcerpt(nodes, text);
  return (sliced ?? serializedExcerpt(nodes)).trimEnd();
}
