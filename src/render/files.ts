// The unit every renderer returns: a file's path inside the output folder and its content, or how to make it.
import { createHash } from 'node:crypto';
import type { SubjectView } from './view.js';

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
  /** The page, or its promise when part of it is made in a worker (HTML pages, see render-worker.ts). */
  render: () => string | Promise<string>;
}

/**
 * A file too large to hold as one string at repository scale (tickets.json, the Jira CSV run to hundreds
 * of MB at 40,000 reviews): made in pieces, written as they come.
 */
export interface PiecewiseFile {
  path: string;
  pieces: () => Iterable<string>;
}

export type RendererOutput = RenderedFile | PlannedFile | PiecewiseFile;

/**
 * A renderer in parts, so that every output made from one subject is made together (see renderEach):
 * the excerpt quotes its pages share are made once and let go before the next subject.
 */
export interface Renderer {
  /** Pages about the whole KB (indexes, category pages), made before any subject's. */
  overall?(): Iterable<RendererOutput>;
  /** The outputs of one subject (`index`: its place in the view's order). */
  subject?(subject: SubjectView, index: number): Iterable<RendererOutput>;
  /** Outputs made from what every subject gave (the ticket lists), made last. */
  after?(): Iterable<RendererOutput>;
}

/** A file's content, made now (not for pages made in a worker: renderAll passes none). */
export function contentOf(file: RendererOutput): string {
  if ('pieces' in file) return [...file.pieces()].join('');
  if (!('render' in file)) return file.content;
  const content = file.render();
  if (typeof content !== 'string') throw new Error(`${file.path}: made asynchronously; write it with writeOutputs`);
  return content;
}

/**
 * Items stringified per slice: a few tickets come to some tens of KB, under V8's 128 KB limit for the
 * young generation, whose garbage is collected cheaply; 256 made 1 MB strings that piled up in the old
 * one until a full collection (see WRITE_CHUNK in output/spill.ts).
 */
export const JSON_SLICE = 16;

/** Each item as `f` makes it, when it is asked for. */
export function* mapped<T, U>(items: Iterable<T>, f: (item: T) => U): Generator<U> {
  for (const item of items) yield f(item);
}

/** The items in consecutive slices of `size` (the last one shorter), taken as each slice is asked for. */
export function* inSlices<T>(items: Iterable<T>, size: number): Generator<T[]> {
  let slice: T[] = [];
  for (const item of items) {
    slice.push(item);
    if (slice.length === size) {
      yield slice;
      slice = [];
    }
  }
  if (slice.length > 0) yield slice;
}

/** `item` as an element of `JSON.stringify(array, null, indent)`, where its lines are one level in. */
export function jsonElement(item: unknown, indent: number): string {
  const at = ' '.repeat(indent);
  return `${at}${JSON.stringify(item, null, indent).replace(/\n/g, `\n${at}`)}`;
}

/**
 * `JSON.stringify([...items], null, indent)` plus a newline, from the items' elements made with
 * {@link jsonElement} (tickets are made once and listed from the text), in pieces of a few elements:
 * the same bytes, never one string.
 */
export function* jsonElementPieces(elements: Iterable<string>): Generator<string> {
  let first = true;
  for (const slice of inSlices(elements, JSON_SLICE)) {
    yield `${first ? '[\n' : ',\n'}${slice.join(',\n')}`;
    first = false;
  }
  yield first ? '[]\n' : '\n]\n';
}

/**
 * `JSON.stringify([...items], null, indent)` for an array inside a larger document, as
 * `JSON.stringify(document, null, indent)` writes it there, in pieces of a few items: the same bytes,
 * never one string, and the items taken one slice at a time. `at` is the indentation of the line the
 * array opens on. No newline after.
 */
export function* nestedArrayPieces(items: Iterable<unknown>, indent: number, at: string): Generator<string> {
  let first = true;
  for (const slice of inSlices(items, JSON_SLICE)) {
    // The slice's own brackets go; the elements keep the indentation they have inside any array, moved
    // to the array's depth (every line break in JSON text is between tokens: strings escape theirs).
    const text = JSON.stringify(slice, null, indent).slice(2, -2);
    yield `${first ? '[\n' : ',\n'}${at}${at ? text.replace(/\n/g, `\n${at}`) : text}`;
    first = false;
  }
  yield first ? '[]' : `\n${at}]`;
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
