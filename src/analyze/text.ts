// Plain-text rendering of mdast nodes (markdown syntax removed) and small string helpers.
import type { Nodes } from 'mdast';
import { cues } from './cues.js';

/** Plain text of a node: phrasing joined as written, blocks separated by blank lines, list items by newlines. */
export function plain(node: Nodes): string {
  switch (node.type) {
    case 'text':
    case 'inlineCode':
    case 'code':
    case 'html':
      return node.value;
    case 'break':
      return '\n';
    case 'image':
    case 'imageReference':
      return node.alt ?? '';
    case 'yaml':
    case 'definition':
    case 'footnoteDefinition':
    case 'footnoteReference':
    case 'thematicBreak':
      return '';
    case 'list':
      return node.children.map(plain).join('\n');
    case 'listItem':
      return node.children.map(plain).join('\n');
    case 'table':
      return node.children.map(plain).join('\n');
    case 'tableRow':
      return node.children.map(plain).join(' | ');
    case 'root':
    case 'blockquote':
      return plainBlocks(node.children);
    default:
      return 'children' in node ? (node.children as Nodes[]).map(plain).join('') : '';
  }
}

/** Plain text of a run of block nodes. */
export function plainBlocks(nodes: readonly Nodes[]): string {
  let out = '';
  for (const n of nodes) {
    const t = plain(n);
    if (!t) continue;
    out += out ? '\n\n' + t : t;
  }
  return out;
}

const SENTENCE_END = /(?<=[.!?])\s+(?=[A-Z`"'(*])/;

/** Split plain text into sentences (rough: a stop followed by space and a capital). */
export function sentences(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split(/\n+/)) {
    for (const s of line.split(SENTENCE_END)) {
      const t = s.trim();
      if (t) out.push(t);
    }
  }
  return out;
}

/**
 * Rejoin lines a writer wrapped mid-sentence: a line that stops without punctuation continues on the
 * next when that one starts in lower case, the line ends on a word a sentence goes on from ("into"),
 * or it is long enough to have been wrapped (60+).
 */
function unwrap(text: string): string {
  const lines = text.split('\n');
  let out = lines[0]!;
  for (let i = 1; i < lines.length; i++) {
    const prev = lines[i - 1]!.trimEnd();
    const next = lines[i]!.trimStart();
    const wrapped =
      prev !== '' &&
      next !== '' &&
      !/[.!?:;]$/.test(prev) &&
      (/^[a-z]/.test(next) || prev.length >= 60 || cues.continuationWords.has(prev.slice(prev.lastIndexOf(' ') + 1).toLowerCase()));
    out += wrapped ? ' ' + next : '\n' + lines[i];
  }
  return out;
}

/** The first sentence of a text, cut at a word boundary to at most `max` characters. */
export function firstSentence(text: string, max = 100): string {
  const s = sentences(unwrap(text.length > 1000 ? text.slice(0, 1000) : text))[0] ?? '';
  if (s.length <= max) return s.replace(/[.:;]+$/, '');
  const cut = s.slice(0, max);
  const sp = cut.lastIndexOf(' ');
  return (sp > max / 2 ? cut.slice(0, sp) : cut) + '…';
}
