// CWE names and links from taxonomy/cwe-names.json (generated from the MITRE catalog by scripts/build-taxonomy.ts).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CweEntry } from '../model.js';
import { taxonomyDir } from './taxonomy.js';

interface CweNames {
  catalog: { name: string; version: string; date: string };
  names: Record<string, string>;
  descriptions: Record<string, string>;
}

let cache: CweNames | null = null;

/** Loads the names once (loadTaxonomy calls this, so classification itself does no I/O). */
export function loadCweNames(): CweNames {
  if (!cache) cache = JSON.parse(readFileSync(join(taxonomyDir(), 'cwe-names.json'), 'utf8')) as CweNames;
  return cache;
}

export function cweUrl(id: number): string {
  return `https://cwe.mitre.org/data/definitions/${id}.html`;
}

/** Entries for the given ids, de-duplicated, in the order given; unknown ids keep a placeholder name. */
export function cweEntries(ids: number[]): CweEntry[] {
  const { names } = loadCweNames();
  const seen = new Set<number>();
  const out: CweEntry[] = [];
  for (const id of ids) {
    if (!Number.isInteger(id) || id <= 0 || seen.has(id)) continue;
    seen.add(id);
    out.push({ id, name: names[String(id)] ?? `CWE-${id}`, url: cweUrl(id) });
  }
  return out;
}

/** The MITRE description of a CWE id, when the taxonomy references it. */
export function cweDescription(id: number): string | null {
  return loadCweNames().descriptions[String(id)] ?? null;
}
