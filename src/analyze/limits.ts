// Input the markdown parser cannot take safely (over-long lines, runaway nesting) is refused up front, naming where.
import type { Root } from 'mdast';
import { InputError } from '../ingest/read.js';

/**
 * micromark and mdast-util-to-markdown are super-linear on long lines full of delimiters and on deep
 * nesting, and they recurse. Measured here (2 cores): a 1 MB line of `*a` did not finish in 2 min,
 * 2,500 nested `*` took minutes, 400 nested list levels 7 s, 800 overflowed the stack. Real reviews
 * stay far below these limits (a paragraph is a few KB; lists nest a handful of levels).
 */
export const LIMITS = {
  /** Characters in one line. */
  lineChars: 10_000,
  /** Container markers (`-`, `1.`, `>`) plus half the indentation at the start of a line: list/quote nesting, estimated before parsing. */
  prefixNesting: 128,
  /** Depth of the parsed tree (a nested list level is two: list and item; emphasis, links, quotes one each). */
  treeDepth: 100,
  /**
   * Emphasis, link and code delimiters (`* _ [ ] ~ \``) in one run of text lines (a paragraph, outside code
   * fences): resolving them is quadratic, 24 KB of nested `*a` lines took 21 s, 8 KB 3.5 s. The 245
   * reviews of the evaluation sets have at most 41.
   */
  paragraphDelimiters: 1_000,
} as const;

/** Throws InputError at the first line that is too long or nests too deep to parse in reasonable time. */
export function checkLines(text: string, file: string): void {
  let line = 1;
  // The current run of text lines: where it started, how many delimiters it holds so far; and whether we are in a code fence.
  let runStart = 1;
  let delimiters = 0;
  let fenced = false;
  for (let start = 0; start <= text.length; line++) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    const length = end - start - (text.charCodeAt(end - 1) === 13 ? 1 : 0);
    if (length > LIMITS.lineChars) {
      throw new InputError(file, `line is ${length} characters long, over the limit of ${LIMITS.lineChars} per line (skipped)`, line, 1);
    }
    const depth = prefixNesting(text, start, end);
    if (depth > LIMITS.prefixNesting) {
      throw new InputError(file, `lists or quotes nested about ${depth} levels deep, over the limit of ${LIMITS.prefixNesting} (skipped)`, line, 1);
    }
    const content = text.slice(start, end);
    if (FENCE.test(content)) {
      fenced = !fenced;
      delimiters = 0;
    } else if (!fenced) {
      if (BLOCK_START.test(content)) {
        runStart = content.trim() === '' ? line + 1 : line;
        delimiters = 0;
      }
      delimiters += countDelimiters(content);
      if (delimiters > LIMITS.paragraphDelimiters) {
        throw new InputError(
          file,
          `paragraph holds more than ${LIMITS.paragraphDelimiters} emphasis, link or code delimiters (* _ [ ] ~ \`), too costly to parse (skipped)`,
          runStart,
          1,
        );
      }
    }
    start = end + 1;
  }
}

/** Throws InputError when the parsed tree nests deeper than the serializer and the renderers can walk. */
export function checkDepth(tree: Root, file: string): void {
  // Iterative: the point is to measure what would overflow a recursive walk.
  const stack: [node: { children?: unknown[]; position?: { start: { line: number; column: number } } }, depth: number][] = [[tree, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (depth > LIMITS.treeDepth) {
      const at = node.position?.start;
      throw new InputError(
        file,
        `markdown nested more than ${LIMITS.treeDepth} levels deep (lists, quotes or emphasis inside each other) (skipped)`,
        at?.line ?? 1,
        at?.column ?? 1,
      );
    }
    for (const child of node.children ?? []) stack.push([child as (typeof stack)[number][0], depth + 1]);
  }
}

const FENCE = /^\s*(?:`{3,}|~{3,})/;
/** A blank line, or one that starts a block (heading, quote, list item, table row): the run of text before it ends. */
const BLOCK_START = /^\s*$|^\s{0,3}(?:#|>|[-*+][ \t]|\d{1,9}[.)][ \t]|\|)/;

function countDelimiters(line: string): number {
  let n = 0;
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c === 42 || c === 95 || c === 91 || c === 93 || c === 126 || c === 96) n++;
  }
  return n;
}

/** Nesting a line opens before its text: `>` and list markers, plus one level per two columns of indentation. */
function prefixNesting(text: string, start: number, end: number): number {
  let markers = 0;
  let columns = 0;
  let i = start;
  const blank = (at: number): boolean => at >= end || text.charCodeAt(at) === 32 || text.charCodeAt(at) === 9;
  while (i < end) {
    const c = text.charCodeAt(i);
    if (c === 32) columns++;
    else if (c === 9) columns += 4;
    else if (c === 62 /* > */) markers++;
    else if ((c === 45 || c === 43 || c === 42) /* - + * */ && blank(i + 1)) markers++;
    else {
      let j = i;
      while (j < end && j - i < 9 && text.charCodeAt(j) >= 48 && text.charCodeAt(j) <= 57) j++;
      if (j === i || (text.charCodeAt(j) !== 46 && text.charCodeAt(j) !== 41) || !blank(j + 1)) break;
      markers++;
      i = j;
    }
    i++;
  }
  return markers + Math.floor(columns / 2);
}
