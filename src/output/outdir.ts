// The output folder: refuse to clobber a folder we did not make, write every file atomically, drop stale files.
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { resolveInside, writeInside } from './write.js';

/** Marks a folder as review-kb output and lists what the last run wrote there. */
export const MARKER = '.review-kb.json';

export interface OutputFile {
  path: string;
  content: string;
}

export class OutputFolderError extends Error {}

/** Throws when `out` holds files that are not from an earlier review-kb run, unless forced. */
export async function checkOutputFolder(out: string, force: boolean): Promise<void> {
  const entries = await readdir(out).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [] as string[];
    throw new OutputFolderError(`${out}: cannot use as output folder: ${error.code}`);
  });
  if (entries.length === 0 || entries.includes(MARKER) || force) return;
  throw new OutputFolderError(`${out}: folder is not empty and is not review-kb output; choose another --out or pass --force`);
}

/**
 * Writes every file (temp file + rename each), then the marker, then removes files the previous run wrote
 * that this one did not. An interrupted run leaves each file either old or new, never half-written.
 */
export async function writeOutputs(out: string, files: OutputFile[]): Promise<void> {
  const previous = await previousFiles(out);
  for (const file of files) await writeInside(out, file.path, file.content);
  const written = files.map((f) => f.path).sort();
  await writeInside(out, MARKER, `${JSON.stringify({ generator: 'review-kb', files: written }, null, 1)}\n`);
  const keep = new Set(written);
  for (const stale of previous) {
    if (!keep.has(stale)) await rm(resolveInside(out, stale), { force: true });
  }
}

async function previousFiles(out: string): Promise<string[]> {
  try {
    const marker = JSON.parse(await readFile(join(out, MARKER), 'utf8'));
    return Array.isArray(marker.files) ? marker.files.filter((f: unknown): f is string => typeof f === 'string') : [];
  } catch {
    return [];
  }
}
