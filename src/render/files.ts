// The unit every renderer returns: a file's path inside the output folder and its content, or how to make it.
import { createHash } from 'node:crypto';

export interface RenderedFile {
  /** Relative to the output folder, POSIX slashes, never escaping it (built with safeRelativePath). */
  path: string;
  content: string;
}

/**
 * A page whose rendering can be skipped: `key` digests everything its content depends on, so when the
 * folder already holds the page written under the same key, it is left as it is (see output/outdir.ts).
 */
export interface PlannedFile {
  path: string;
  key: string;
  render: () => string;
}

export type RendererOutput = RenderedFile | PlannedFile;

export function contentOf(file: RendererOutput): string {
  return 'render' in file ? file.render() : file.content;
}

/** The key of a page: what identifies the renderers and templates (`salt`), its path, and the data it shows. */
export function pageKey(salt: string, path: string, ...data: unknown[]): string {
  const hash = createHash('sha256').update(salt).update('\u0000').update(path);
  for (const d of data) hash.update('\u0000').update(typeof d === 'string' ? d : JSON.stringify(d));
  return hash.digest('hex');
}

/** Ensures one trailing newline and no trailing spaces on blank lines, so outputs diff cleanly. */
export function tidy(text: string): string {
  // Same as `.replace(/[ \t]+$/gm, '')` (those four are what `$` matches before), at a third of its cost on megabytes of pages.
  const trimmed = text.replace(/[ \t]+([\n\r\u2028\u2029])/g, '$1');
  return `${(trimmed.includes('\n\n\n') ? trimmed.replace(/\n{3,}/g, '\n\n') : trimmed).trimEnd()}\n`;
}
