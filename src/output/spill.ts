// The reviews' part of kb.json, written to a file as soon as the reviews are final and read back when kb.json is written.
import { closeSync, mkdirSync, mkdtempSync, openSync, readdirSync, readSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { coalesced, WRITE_CHUNK } from './outdir.js';

/** Bytes read back per piece (see WRITE_CHUNK for why no more). */
const PIECE = WRITE_CHUNK;

/** Array elements with the separator kb.json puts between them. */
function* separated(entries: Iterable<string>): Generator<string> {
  let first = true;
  for (const entry of entries) {
    yield first ? entry : `,\n${entry}`;
    first = false;
  }
}

/**
 * At repository scale the reviews' text is most of the heap, and only kb.json shows all of it
 * (consolidation and the renderers read records of the reviews, see ReviewRecord). So each review's
 * kb.json entry is written here as soon as the reviews are final and sorted, the build keeps a
 * lighter record of each, and kb.json copies the entries back in. The file sits in a folder of its
 * own under `dir` (the cache folder, not /tmp, which is often memory), removed by `remove()`, or by
 * the next run if this one is killed.
 */
export class ReviewSpill {
  private constructor(
    private readonly folder: string,
    private readonly file: string,
  ) {}

  /** Writes `entries` (each one array element of kb.json's `reviews`) in order. */
  static write(dir: string, entries: Iterable<string>): ReviewSpill {
    mkdirSync(dir, { recursive: true });
    removeAbandoned(dir);
    const folder = mkdtempSync(join(dir, `spill-${process.pid}-`));
    const file = join(folder, 'reviews.json');
    const fd = openSync(file, 'w');
    let done = false;
    try {
      for (const piece of coalesced(separated(entries))) writeSync(fd, piece);
      done = true;
    } finally {
      closeSync(fd);
      if (!done) rmSync(folder, { recursive: true, force: true });
    }
    return new ReviewSpill(folder, file);
  }

  /** The entries as written, joined by `,\n`, in pieces of PIECE bytes or so (characters are never split). */
  *pieces(): Generator<string> {
    const fd = openSync(this.file, 'r');
    const decoder = new StringDecoder('utf8');
    const buffer = Buffer.allocUnsafe(PIECE);
    try {
      for (let read = readSync(fd, buffer); read > 0; read = readSync(fd, buffer)) yield decoder.write(buffer.subarray(0, read));
      const rest = decoder.end();
      if (rest) yield rest;
    } finally {
      closeSync(fd);
    }
  }

  /** Bound, so it can be handed on alone. */
  readonly remove = (): void => rmSync(this.folder, { recursive: true, force: true });
}

/** Spills of runs that were killed before removing theirs (their process is gone): removed. */
function removeAbandoned(dir: string): void {
  for (const name of readdirSync(dir)) {
    const pid = /^spill-(\d+)-/.exec(name)?.[1];
    if (pid !== undefined && !alive(Number(pid))) rmSync(join(dir, name), { recursive: true, force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: a process of another user has that id.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
