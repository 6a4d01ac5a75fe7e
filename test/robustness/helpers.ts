// Shared helpers for the robustness tests: temp roots, file-tree snapshots, and parsers for every output format.
import { mkdtempSync, readdirSync, lstatSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { unified } from 'unified';
import rehypeParse from 'rehype-parse';
import remarkParse from 'remark-parse';
import remarkGfm from 'remark-gfm';
import remarkFrontmatter from 'remark-frontmatter';
import type { Root as HastRoot, Element, RootContent as HastContent } from 'hast';
import type { Root as MdRoot } from 'mdast';

export const FIXTURES = new URL('../fixtures/robustness/', import.meta.url).pathname;

/** A fresh temporary folder; remove it with {@link removeRoot}. */
export function makeRoot(prefix = 'review-kb-robust-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function removeRoot(root: string): void {
  rmSync(root, { recursive: true, force: true });
}

/**
 * Every file, folder and link below `root` as POSIX paths relative to it (`dir/` for folders),
 * sorted. Symbolic links are listed, never followed, so a loop in the input does not loop here.
 */
export function listTree(root: string): string[] {
  const out: string[] = [];
  const visit = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      const info = lstatSync(path);
      const rel = relative(root, path).split(sep).join('/');
      if (info.isDirectory()) {
        out.push(`${rel}/`);
        visit(path);
      } else out.push(rel);
    }
  };
  visit(root);
  return out.sort();
}

/** The files (not folders) below `root`, relative, sorted. */
export function listFiles(root: string): string[] {
  return listTree(root).filter((p) => !p.endsWith('/'));
}

export function read(path: string): string {
  return readFileSync(path, 'utf8');
}

// ---- HTML ----

export function parseHtml(text: string): HastRoot {
  return unified().use(rehypeParse).parse(text) as HastRoot;
}

/** Every element of a parsed HTML document, depth first (iterative: hostile input may nest deeply). */
export function elements(tree: HastRoot): Element[] {
  const out: Element[] = [];
  const stack: (HastRoot | HastContent)[] = [tree];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node.type === 'element') out.push(node);
    if ('children' in node) stack.push(...[...node.children].reverse());
    // <template> content lives apart from children in hast.
    if (node.type === 'element' && node.content) stack.push(node.content);
  }
  return out;
}

/** The text a reader sees in an HTML document (entities decoded), scripts and styles excluded. */
export function htmlText(tree: HastRoot): string {
  const parts: string[] = [];
  const visit = (node: HastRoot | HastContent): void => {
    if (node.type === 'text') parts.push(node.value);
    if (node.type === 'element' && (node.tagName === 'script' || node.tagName === 'style')) return;
    if ('children' in node) node.children.forEach(visit);
  };
  visit(tree);
  return parts.join('');
}

/** Attribute values that hold URLs. */
export const URL_ATTRIBUTES = ['href', 'src', 'action', 'formAction', 'xLinkHref', 'poster', 'data', 'srcSet', 'cite', 'background', 'ping'];

// ---- Markdown ----

export function parseMarkdown(text: string): MdRoot {
  return unified().use(remarkParse).use(remarkGfm).use(remarkFrontmatter, ['yaml']).parse(text) as MdRoot;
}

export interface MdNode {
  type: string;
  value?: string;
  url?: string;
  depth?: number;
  children?: MdNode[];
}

/** Every node of a markdown tree, depth first (iterative). */
export function mdNodes(tree: MdRoot): MdNode[] {
  const out: MdNode[] = [];
  const stack: MdNode[] = [tree as MdNode];
  while (stack.length > 0) {
    const node = stack.pop()!;
    out.push(node);
    if (node.children) stack.push(...[...node.children].reverse());
  }
  return out;
}

/** Plain text of a markdown node. */
export function mdText(node: MdNode): string {
  if (node.value !== undefined && node.type !== 'html') return node.value;
  return (node.children ?? []).map(mdText).join('');
}

/**
 * What a reader sees of text that went through our escapes: markdown backslash escapes and the
 * zero-width spaces that keep `{{` apart are removed, entities decoded.
 */
export function visible(text: string): string {
  return text
    .replace(/\u200b/g, '')
    .replace(/\\([\\`*_{}[\]()#+\-.!|~<>=:])/g, '$1')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}

/** Control characters that must never reach an output file or a terminal (tab, LF, CR allowed). */
export const CONTROL_BYTES = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
