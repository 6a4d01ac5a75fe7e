// Starts a worker thread from compiled JavaScript, or from the TypeScript source when running under vitest.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker, type ResourceLimits } from 'node:worker_threads';

/**
 * Starts the worker whose entry module is `entry` (a path relative to this folder, without extension:
 * `./entry` for the analysis, `../render/render-thread` for parts of the subject pages), with `workerData` and V8's
 * `resourceLimits`, if given.
 *
 * Compiled (dist/): the entry is `<entry>.js`, run by node directly.
 *
 * Source (`.ts`, as vitest runs it): node 20 cannot run TypeScript, and vitest's transform does not
 * reach worker threads. The worker then boots from a few lines of JavaScript that register a module
 * hook (node:module `register`) compiling `.ts` with esbuild — the compiler vitest itself uses, so it is
 * installed wherever the sources are run — and mapping the `./x.js` specifiers of our sources to
 * `./x.ts`. The tests thereby run the real workers, on the sources in the working tree, not a stale dist/.
 * If esbuild cannot be found, `spawnWorker` throws and the caller does the work on its own thread.
 */
export function spawnWorker(entry: string, workerData: object, resourceLimits?: ResourceLimits): Worker {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return new Worker(new URL(`${entry}.js`, here), { workerData, resourceLimits });
  const esbuild = pathToFileURL(createRequire(here).resolve('esbuild')).href;
  const boot = {
    ...workerData,
    boot: { hooks: `data:text/javascript,${encodeURIComponent(HOOKS)}`, esbuild, entry: new URL(`${entry}.ts`, here).href },
  };
  return new Worker(BOOT, { eval: true, workerData: boot, resourceLimits });
}

const BOOT = `
const { register } = require('node:module');
const { workerData } = require('node:worker_threads');
register(workerData.boot.hooks, { data: { esbuild: workerData.boot.esbuild } });
import(workerData.boot.entry).catch((error) => { setImmediate(() => { throw error; }); });
`;

const HOOKS = `
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
let esbuild;
export async function initialize(data) {
  const mod = await import(data.esbuild);
  esbuild = mod.default ?? mod;
}
export async function resolve(specifier, context, next) {
  if (context.parentURL?.endsWith('.ts') && /^\\.{1,2}\\//.test(specifier) && specifier.endsWith('.js')) {
    const ts = new URL(specifier.slice(0, -3) + '.ts', context.parentURL);
    if (existsSync(fileURLToPath(ts))) return { url: ts.href, shortCircuit: true };
  }
  return next(specifier, context);
}
export async function load(url, context, next) {
  if (!url.endsWith('.ts')) return next(url, context);
  const source = await readFile(fileURLToPath(url), 'utf8');
  const out = await esbuild.transform(source, { loader: 'ts', format: 'esm', target: 'esnext', sourcemap: 'inline', sourcefile: fileURLToPath(url) });
  return { format: 'module', source: out.code, shortCircuit: true };
}
`;
