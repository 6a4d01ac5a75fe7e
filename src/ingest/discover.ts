// Expands the command line's inputs (files, directories, globs) into review sources with stable ids.
import { readdir, realpath, stat } from 'node:fs/promises';
import { basename, dirname, extname, join, relative, resolve, sep } from 'node:path';
import { glob, isDynamicPattern } from 'tinyglobby';
import { InputError } from './read.js';

export type SourceFormat = 'text' | 'json' | 'jsonl';

export interface ReviewSource {
  /** Path relative to its input root, POSIX slashes, with extension. Unique across the run. */
  id: string;
  /** Path to read, as reachable from the working directory. */
  file: string;
  format: SourceFormat;
}

export interface Discovery {
  sources: ReviewSource[];
  /** Inputs that could not be read: each skips a review (or a named input). */
  problems: InputError[];
  /** Broken inputs that skip no review (a directory loop: what it leads to is read once anyway). */
  errors: InputError[];
  warnings: InputError[];
}

const FORMATS: Record<string, SourceFormat> = {
  '.md': 'text',
  '.markdown': 'text',
  '.txt': 'text',
  '.json': 'json',
  '.jsonl': 'jsonl',
};

export function formatOf(file: string): SourceFormat | null {
  return FORMATS[extname(file).toLowerCase()] ?? null;
}

/**
 * Finds every review under the inputs. `exclude` holds paths never to treat as reviews (the manifest).
 * Missing inputs and unreadable folders are problems; the rest still comes through.
 */
export async function discover(inputs: string[], exclude: string[] = []): Promise<Discovery> {
  const result: Discovery = { sources: [], problems: [], errors: [], warnings: [] };
  const excluded = new Set(await Promise.all(exclude.map((p) => realpath(p).catch(() => resolve(p)))));
  const seenFiles = new Set<string>();
  const seenIds = new Map<string, string>();

  /** Registers reviews in the order given; their real paths are looked up 64 at a time (one by one is a round trip each). */
  const addAll = async (files: string[], root: string): Promise<void> => {
    const reviews = files.filter((f) => formatOf(f) !== null);
    for (let start = 0; start < reviews.length; start += 64) {
      const batch = reviews.slice(start, start + 64);
      const reals = await Promise.all(batch.map((f) => realpath(f).catch(() => resolve(f))));
      batch.forEach((file, i) => add(file, reals[i]!, root));
    }
  };
  const add = (file: string, real: string, root: string): void => {
    const format = formatOf(file)!;
    if (excluded.has(real) || seenFiles.has(real)) return;
    seenFiles.add(real);
    let id = toPosix(relative(root, file)) || basename(file);
    if (seenIds.has(id)) {
      const other = seenIds.get(id);
      const prefixed = `${basename(resolve(root))}/${id}`;
      const unique = seenIds.has(prefixed) ? uniqueId(prefixed, seenIds) : prefixed;
      result.warnings.push(new InputError(file, `review id "${id}" is already used by ${other}; this one is "${unique}"`));
      id = unique;
    }
    seenIds.set(id, file);
    result.sources.push({ id, file, format });
  };

  for (const input of inputs) {
    const info = await stat(input).catch(() => null);
    if (info?.isFile()) {
      if (formatOf(input) === null) {
        result.problems.push(new InputError(input, `unsupported file type "${extname(input)}" (expected .md, .markdown, .txt, .json or .jsonl)`));
      } else {
        await addAll([input], dirname(input));
      }
    } else if (info?.isDirectory()) {
      await addAll(await walk(input, result), input);
    } else if (isDynamicPattern(input)) {
      const root = staticPrefix(input);
      const files = (await glob(input, { onlyFiles: true, followSymbolicLinks: false, expandDirectories: false })).sort();
      if (files.length === 0) result.problems.push(new InputError(input, 'no files match this pattern'));
      await addAll(files, root);
    } else {
      result.problems.push(new InputError(input, 'no such file or directory'));
    }
  }
  return result;
}

/** Lists review files below `dir`, sorted, following symlinks once (a loop is reported, not followed). */
async function walk(dir: string, result: Discovery): Promise<string[]> {
  const files: string[] = [];
  /** Real path of every folder read → the path it was first read as. */
  const visited = new Map<string, string>();
  /** Real paths of the folders being read, outermost first: a link back to one of them is a loop. */
  const open: string[] = [];
  const visit = async (current: string): Promise<void> => {
    const real = await realpath(current).catch(() => current);
    const first = visited.get(real);
    if (first !== undefined) {
      // A link to a folder already read is not read twice (a warning); a link to an enclosing folder is a loop,
      // a broken input the user should fix, so it is an error like a dangling link.
      if (open.includes(real)) result.errors.push(new InputError(current, `directory loop: a symbolic link back to ${first} (not followed)`));
      else result.warnings.push(new InputError(current, `symbolic link to a folder already read as ${first} (not read twice)`));
      return;
    }
    visited.set(real, current);
    open.push(real);
    let entries;
    try {
      entries = await readdir(current, { withFileTypes: true });
    } catch (error) {
      result.problems.push(new InputError(current, `cannot read directory: ${(error as NodeJS.ErrnoException).code ?? String(error)}`));
      open.pop();
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
      const path = join(current, entry.name);
      let isDir = entry.isDirectory();
      let isFile = entry.isFile();
      if (entry.isSymbolicLink()) {
        const target = await stat(path).catch(() => null);
        isDir = target?.isDirectory() ?? false;
        isFile = target?.isFile() ?? false;
        if (target === null) result.problems.push(new InputError(path, 'broken symbolic link (skipped)'));
      }
      if (isDir) await visit(path);
      else if (isFile && formatOf(path) !== null) files.push(path);
    }
    open.pop();
  };
  await visit(dir);
  return files;
}

function staticPrefix(pattern: string): string {
  const parts = pattern.split(/[\\/]/);
  const fixed: string[] = [];
  for (const part of parts) {
    if (isDynamicPattern(part)) break;
    fixed.push(part);
  }
  return fixed.length === 0 ? '.' : fixed.join(sep) || sep;
}

function uniqueId(id: string, seen: Map<string, string>): string {
  for (let n = 2; ; n++) if (!seen.has(`${id}~${n}`)) return `${id}~${n}`;
}

function toPosix(path: string): string {
  return path.split(sep).join('/');
}
