// Shared helpers for the render tests: the hand-written sample KB and markdown tree inspection.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { unified } from 'unified';
import remarkParse from 'remark-parse';
import remarkGfm from 'remark-gfm';
import type { Root } from 'mdast';
import type { KB } from '../../src/model.js';

export const FIXTURES = fileURLToPath(new URL('../fixtures/render/', import.meta.url));

/** A fresh copy of the sample KB (3 subjects, one hostile), safe to mutate. */
export function sampleKb(): KB {
  return JSON.parse(readFileSync(`${FIXTURES}kb.sample.json`, 'utf8')) as KB;
}

export function parseMd(text: string): Root {
  return unified().use(remarkParse).use(remarkGfm).parse(text) as Root;
}

/** Every node of a tree, depth first. */
export function nodes(tree: Root): { type: string; [k: string]: unknown }[] {
  const out: { type: string; [k: string]: unknown }[] = [];
  const walk = (n: { type: string; children?: unknown[] }): void => {
    out.push(n as { type: string });
    for (const c of n.children ?? []) walk(c as { type: string; children?: unknown[] });
  };
  walk(tree);
  return out;
}

/** Relative link targets in markdown (links and definitions), without http(s)/mailto and pure fragments. */
export function markdownLinks(text: string): string[] {
  return nodes(parseMd(text))
    .filter((n) => (n.type === 'link' || n.type === 'definition') && typeof n.url === 'string')
    .map((n) => n.url as string);
}

/** Relative href/src targets in HTML. */
export function htmlLinks(text: string): string[] {
  return [...text.matchAll(/\s(?:href|src)="([^"]*)"/g)].map((m) => m[1]!.replace(/&amp;/g, '&'));
}

export const isExternal = (url: string): boolean => /^[a-z][a-z0-9+.-]*:/i.test(url);

/** Resolves `url` (relative to the file at `from`) to an output path and a fragment. */
export function resolveLink(from: string, url: string): { path: string; fragment: string | null } {
  const [rawPath, fragment] = url.split('#', 2) as [string, string | undefined];
  const dir = from.includes('/') ? from.slice(0, from.lastIndexOf('/')) : '';
  const parts = (rawPath === '' ? from : `${dir}/${decodeURI(rawPath)}`).split('/');
  const out: string[] = [];
  for (const p of parts) {
    if (p === '' || p === '.') continue;
    if (p === '..') {
      if (out.length === 0) return { path: `../${parts.join('/')}`, fragment: fragment ?? null };
      out.pop();
    } else out.push(p);
  }
  return { path: out.join('/'), fragment: fragment ?? null };
}
