// Writing inside the output folder only, atomically: review text must never steer where a file lands.
import { mkdir, rename, writeFile, rm } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { randomBytes } from 'node:crypto';

/**
 * Characters that are unsafe in a path segment on some platform (plus control characters), and `#`,
 * which would end the path of every link to the file (`reports/a#b.py.md` links to `reports/a`).
 */
const UNSAFE_SEGMENT = /[<>:"|?*#\\\u0000-\u001f\u007f]/g;

/**
 * Turns an untrusted path such as a review's subject (`../../etc/x`, `/abs`, `C:\\x`, names with
 * newlines) into a relative POSIX path with only safe segments. Never empty, never escapes.
 */
export function safeRelativePath(untrusted: string): string {
  const segments = untrusted
    .replace(/\\/g, '/')
    .split('/')
    .map((s) => s.replace(UNSAFE_SEGMENT, '_').trim())
    .filter((s) => s !== '' && s !== '.' && s !== '..')
    .map((s) => (s.startsWith('.') ? `_${s.slice(1)}` : s).slice(0, 120));
  return segments.length > 0 ? segments.join('/') : '_';
}

/** Resolves `rel` under `root`, throwing if the result would leave `root` (defence in depth). */
export function resolveInside(root: string, rel: string): string {
  const base = resolve(root);
  const target = resolve(base, rel);
  const back = relative(base, target);
  if (back === '' || back.startsWith('..') || isAbsolute(back) || back.split(sep).includes('..')) {
    throw new Error(`refusing to write outside the output folder: ${JSON.stringify(rel)}`);
  }
  return target;
}

/** Writes `data` to `root/rel` via a temporary file and a rename, so readers never see half a file. */
export async function writeInside(root: string, rel: string, data: string | Uint8Array): Promise<string> {
  const target = resolveInside(root, rel);
  await mkdir(dirname(target), { recursive: true });
  const temp = `${target}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(temp, data);
    await rename(temp, target);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  return target;
}

/** A file that could not be written (disk full, no permission), named: the system's error for a write names none ("ENOSPC: …, write"). Its `cause` is that error. */
export class WriteError extends Error {
  constructor(path: string, cause: unknown) {
    super(`${path}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

/** `error` as a WriteError naming `path`, unless it already names a file. */
const named = (path: string, error: unknown): WriteError => (error instanceof WriteError ? error : new WriteError(path, error));

/** `work`, its failure named after the file `path` it writes. */
export async function naming<T>(path: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw named(path, error);
  }
}

/** {@link naming} for synchronous work. */
export function namingSync<T>(path: string, work: () => T): T {
  try {
    return work();
  } catch (error) {
    throw named(path, error);
  }
}
