import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers/cli.js';
import * as library from '../src/index.js';

describe('review-kb as a library', () => {
  it('runs the README example as written, importing the package by its name', () => {
    const readme = readFileSync(`${ROOT}/README.md`, 'utf8');
    const example = /## As a library[^]*?```js\n([^]*?)```/.exec(readme)?.[1];
    expect(example).toBeDefined();
    // The package resolves itself by name (its `exports`), as an installed dependency would.
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', example!], { cwd: ROOT, encoding: 'utf8' });
    expect(out).toMatch(/^3 subjects, 0 diagnostics, \d+ bytes of SARIF\n$/);
  });

  it('points package.json at the entry point it builds', () => {
    const pkg = JSON.parse(readFileSync(`${ROOT}/package.json`, 'utf8')) as { main: string; types: string; exports: Record<string, { types: string; default: string }> };
    expect(pkg.main).toBe('dist/src/index.js');
    expect(pkg.exports['.']).toEqual({ types: `./${pkg.types}`, default: `./${pkg.main}` });
    for (const name of ['build', 'readKb', 'validateKb', 'serializeKb', 'renderAll', 'renderEach', 'diffKb', 'writeOutputs']) {
      expect(typeof (library as Record<string, unknown>)[name], name).toBe('function');
    }
  });
});
