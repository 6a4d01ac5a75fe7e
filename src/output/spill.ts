// Text too large to hold at repository scale (kb.json's reviews, made tickets), written to a file as it comes and read back by id, in any order.
import { closeSync, mkdirSync, mkdtempSync, openSync, readdirSync, readSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { namingSync } from './write.js';

/**
 * Entries are written, and read back, in pieces of about this size: under V8's 128 KB limit for
 * objects of the young generation. Larger strings go straight to the old one and stay there until a
 * full collection, which V8 puts off while the heap may still grow.
 */
export const WRITE_CHUNK = 64 * 1024;

/**
 * Entries of text by id, in a file. At repository scale the reviews' text is most of the heap, and
 * only kb.json shows all of it (consolidation and the renderers read records of the reviews, see
 * ReviewRecord): each review's kb.json entry is written here as soon as the review is final, and
 * kb.json copies the entries back in, in its own order. Made tickets wait here for the ticket lists
 * the same way (render/tickets.ts). The file sits in a folder of its own under `dir` (the cache
 * folder, not /tmp, which is often memory), removed by `remove()`, or by the next run if this one is
 * killed.
 */
export class Spill {
  private fd: number | null;
  /** For reading entries back (see pieces), opened at the first. */
  private reader: number | null = null;
  /** Entries not yet written, and their length in characters. */
  private pending: string[] = [];
  private pendingLength = 0;
  /** Bytes in the file once the pending entries are written. */
  private end = 0;
  /** Where each entry is in the file, by id. */
  private readonly at = new Map<string, [start: number, bytes: number]>();

  private constructor(
    private readonly folder: string,
    private readonly file: string,
  ) {
    this.fd = openSync(file, 'w');
  }

  /** A new, empty spill in a folder of its own under `dir`; spills of killed runs there are removed. */
  static create(dir: string): Spill {
    mkdirSync(dir, { recursive: true });
    removeAbandoned(dir);
    const folder = mkdtempSync(join(dir, `spill-${process.pid}-`));
    try {
      return new Spill(folder, join(folder, 'entries'));
    } catch (error) {
      rmSync(folder, { recursive: true, force: true });
      throw error;
    }
  }

  /** Keeps an entry (for kb.json, one element of its `reviews`), written in pieces of about WRITE_CHUNK. */
  add(id: string, entry: string): void {
    const bytes = Buffer.byteLength(entry);
    this.at.set(id, [this.end, bytes]);
    this.end += bytes;
    this.pending.push(entry);
    this.pendingLength += entry.length;
    if (this.pendingLength >= WRITE_CHUNK) this.writePending();
  }

  /** Every entry added is in the file: it can be read back. */
  close(): void {
    if (this.fd === null) return;
    this.writePending();
    closeSync(this.fd);
    this.fd = null;
  }

  /** One entry, in pieces of WRITE_CHUNK bytes or so (characters are never split). Throws for an id never added. */
  *pieces(id: string): Generator<string> {
    const at = this.at.get(id);
    if (!at) throw new Error(`${id} was not spilled`);
    this.close();
    this.reader ??= openSync(this.file, 'r');
    const buffer = Buffer.allocUnsafe(Math.min(WRITE_CHUNK, at[1]));
    const decoder = new StringDecoder('utf8');
    for (let from = at[0], left = at[1]; left > 0; ) {
      const read = readSync(this.reader, buffer, 0, Math.min(WRITE_CHUNK, left), from);
      if (read === 0) throw new Error(`spill file ${this.file} ends early`);
      yield decoder.write(buffer.subarray(0, read));
      from += read;
      left -= read;
    }
    const rest = decoder.end();
    if (rest) yield rest;
  }

  /** One entry, whole. */
  read(id: string): string {
    return [...this.pieces(id)].join('');
  }

  /** Bound, so it can be handed on alone. */
  readonly remove = (): void => {
    for (const fd of [this.fd, this.reader]) if (fd !== null) closeSync(fd);
    this.fd = this.reader = null;
    rmSync(this.folder, { recursive: true, force: true });
  };

  private writePending(): void {
    if (this.pending.length === 0) return;
    namingSync(this.file, () => writeSync(this.fd!, this.pending.join('')));
    this.pending = [];
    this.pendingLength = 0;
  }
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
