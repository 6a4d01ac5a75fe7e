// Shared helpers for the render tests: the hand-written sample KB and markdown tree inspection.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

const MULTITOOL = join(process.cwd(), 'node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool');
const SCHEMA = join(process.cwd(), 'node_modules/@microsoft/sarif-multitool-linux/sarif-2.1.0.json');

interface ValidatorResult {
  ruleId: string;
  level?: string;
  message: { text?: string };
}

/** Runs Microsoft's SARIF validator (schema + rules) and returns what it reports. */
export function validateSarif(sarif: string, name = 'results.sarif'): { errors: ValidatorResult[]; warnings: ValidatorResult[] } {
  const work = mkdtempSync(join(tmpdir(), 'review-kb-sarif-'));
  const input = join(work, name);
  const output = join(work, `${name}.validation.sarif`);
  writeFileSync(input, sarif);
  rmSync(output, { force: true });
  try {
    execFileSync(MULTITOOL, ['validate', input, '--json-schema', SCHEMA, '--output', output], {
      env: { ...process.env, DOTNET_SYSTEM_GLOBALIZATION_INVARIANT: '1' },
      stdio: 'pipe',
    });
  } catch (error) {
    // A non-zero exit is expected when the file has errors; the log says which.
    if (!readFileSafe(output)) throw error;
  }
  const log = JSON.parse(readFileSync(output, 'utf8')) as { runs: { results?: ValidatorResult[] }[] };
  rmSync(work, { recursive: true, force: true });
  const results = log.runs.flatMap((r) => r.results ?? []);
  // SARIF's default level is `warning`.
  return { errors: results.filter((r) => r.level === 'error'), warnings: results.filter((r) => (r.level ?? 'warning') === 'warning') };
}

function readFileSafe(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

