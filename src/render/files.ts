// The unit every renderer returns: a file's path inside the output folder and its content.

export interface RenderedFile {
  /** Relative to the output folder, POSIX slashes, never escaping it (built with safeRelativePath). */
  path: string;
  content: string;
}

/** Ensures one trailing newline and no trailing spaces on blank lines, so outputs diff cleanly. */
export function tidy(text: string): string {
  return `${text.replace(/[ \t]+$/gm, '').replace(/\n{3,}/g, '\n\n').trimEnd()}\n`;
}
