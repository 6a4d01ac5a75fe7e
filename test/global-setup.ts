// Compiles the project once before the tests, so tests that run the real CLI (dist/src/cli.js) run today's code;
// and gives the run a temporary folder of its own, removed at the end, so no test leaves folders behind.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export default function setup(): () => void {
  const root = fileURLToPath(new URL('..', import.meta.url));
  execFileSync(process.execPath, [fileURLToPath(new URL('../node_modules/typescript/bin/tsc', import.meta.url)), '-p', 'tsconfig.json'], {
    cwd: root,
    stdio: 'inherit',
  });
  // os.tmpdir() follows TMPDIR: test workers and the CLI processes they start all make their folders in here.
  const run = mkdtempSync(join(tmpdir(), 'review-kb-tests-'));
  // As open as /tmp to pass through: a test runs the CLI as another user (robustness/broken.test.ts).
  chmodSync(run, 0o755);
  process.env.TMPDIR = run;
  return () => rmSync(run, { recursive: true, force: true });
}
