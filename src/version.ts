// The generator's name and version, as recorded in every kb.json.
import { readFileSync } from 'node:fs';

function packageVersion(): string {
  for (const rel of ['../package.json', '../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8'));
      if (pkg.name === 'review-kb') return String(pkg.version);
    } catch {
      /* try the next layout: src/ in tests, dist/src/ when compiled */
    }
  }
  return '0.0.0';
}

export const GENERATOR = { name: 'review-kb', version: packageVersion() };
