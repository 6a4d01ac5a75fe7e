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
