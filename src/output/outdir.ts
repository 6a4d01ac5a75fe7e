// The output folder: refuse to clobber a folder we did not make, write every file atomically, drop stale files.
import { rmSync, statSync } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, stat, writeFile, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { RunRecord } from './uptodate.js';
import { naming, resolveInside, writeInside } from './write.js';

/** Marks a folder as review-kb output and lists what the last run wrote there. */
export const MARKER = '.review-kb.json';

/** Where a run writes its files before moving them into place; left behind only by a run that was killed outright. */
export const STAGING = '.review-kb-staging';

/** The per-review cache's default folder inside the output folder (see cli.ts). */
const CACHE = '.cache';

export type OutputFile =
  | { path: string; content: string }
  /** A huge file (kb.json at repository scale) in pieces, written as they come: never one string. Bytes are UTF-8. */
  | { path: string; pieces: () => Iterable<string | Uint8Array> }
  /**
   * A page made only when needed: the folder keeps the one written under the same key, if still intact.
   * A promise (a page finished in a worker) is written once it settles, while the next files are made.
   */
  | { path: string; key: string; render: () => string | Promise<string> };

/** Per file written: size, modification time, and the page key it was written under (if any). */
export type WrittenStat = [size: number, mtime: number, key?: string];

export class OutputFolderError extends Error {}

/** Throws when `out` holds files that are not from an earlier review-kb run, unless forced. */
export async function checkOutputFolder(out: string, force: boolean): Promise<void> {
  const entries = await readdir(out).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [] as string[];
    throw new OutputFolderError(`${out}: cannot use as output folder: ${error.code}`);
  });
  if (entries.includes(MARKER) || force) return;
  // A first run stopped before it wrote the marker leaves only its cache and staging folder: still ours.
  const others: string[] = [];
  for (const entry of entries) {
    if (entry === STAGING || (entry === CACHE && (await ownCache(join(out, CACHE))))) continue;
    others.push(entry);
  }
  if (others.length === 0) return;
  throw new OutputFolderError(`${out}: folder is not empty and is not review-kb output; choose another --out or pass --force`);
}

/**
 * Writes every file into a staging folder as the iterable yields it, then moves them into place (one
 * rename each, marker last), then removes files the previous run wrote that this one did not. A keyed
 * page (see OutputFile) that the folder holds under the same key, untouched since, is left in place and
 * never rendered. The marker records each file's size, time and key, and the build's `run` record
 * (made from the paths written) for the next build's up-to-date check (uptodate.ts). Returns the paths
 * written or kept, sorted.
 *
 * Interrupted (SIGINT, SIGTERM) while staging — most of the write — the previous output is left
 * untouched and the staging folder is removed. Interrupted while moving files into place (renames
 * only: 7,500 files took 4.5 s on a loaded 2-core machine), the signal waits until every file is
 * moved, so the folder is never half old, half new. Only SIGKILL or a crash can leave a mix; even
 * then every file is complete (each rename is atomic).
 */
export async function writeOutputs(
  out: string,
  outputs: Iterable<OutputFile>,
  run: ((written: string[]) => RunRecord) | null = null,
): Promise<string[]> {
  const staging = join(out, STAGING);
  await rm(staging, { recursive: true, force: true });
  const { files: previous, written: before } = await readMarker(out);
  let written: string[] = [];

  let committing = false;
  let pending: NodeJS.Signals | null = null;
  /** Writes under way (the older ones have settled): a signal waits for them before the staging folder goes. */
  const inFlight: Promise<void>[] = [];
  const onSignal = (signal: NodeJS.Signals): void => {
    if (committing) {
      pending = signal;
      return;
    }
    stopListening();
    void Promise.allSettled(inFlight).then(() => {
      rmSync(staging, { recursive: true, force: true });
      process.kill(process.pid, signal);
    });
    // Nothing more is written meanwhile: the run halts at its next step and the signal ends it.
    stopped = true;
  };
  let stopped = false;
  const halted = (): Promise<never> => new Promise<never>(() => undefined);
  const stopListening = (): void => {
    for (const s of SIGNALS) process.off(s, onSignal);
  };
  for (const s of SIGNALS) process.on(s, onSignal);
  try {
    const made = new Set<string>();
    // Size and time of each file as written (a rename keeps both): the next run's up-to-date check compares them.
    const stats = new Map<string, WrittenStat>();
    /** Pages left in place: written by an earlier run under the same key and untouched since. */
    const kept = new Set<string>();
    const untouched = intactFiles(out, [...before].filter(([, [, , key]]) => key !== undefined));
    // Each file is written as it is produced, so no run holds all of them. A path given twice is written
    // twice, the last one winning as it would in the folder itself (a hand-made kb.json can repeat ids).
    // A few writes stay in flight while the next file is rendered, so rendering and the disk overlap.
    const byPath = new Map<string, Promise<void>>();
    try {
      for (const file of outputs) {
        if (stopped) return await halted();
        const key = 'render' in file ? file.key : undefined;
        const last = key === undefined ? undefined : before.get(file.path);
        if (last && last[2] === key && untouched.has(file.path)) {
          kept.add(file.path);
          stats.set(file.path, last);
          continue;
        }
        kept.delete(file.path);
        const content = 'render' in file ? file.render() : 'pieces' in file ? () => file.pieces() : file.content;
        // Awaited by its write below, maybe after an earlier write of the same path: handled from now on.
        if (content instanceof Promise) content.catch(() => undefined);
        const staged = resolveInside(staging, file.path);
        const target = join(out, file.path);
        if (!made.has(dirname(staged))) await naming(target, () => mkdir(dirname(staged), { recursive: true }));
        made.add(dirname(staged));
        const earlier = byPath.get(file.path);
        const write = (async () => {
          await earlier;
          const s = await naming(target, async () => {
            await (typeof content === 'function' ? writePieces(staged, content()) : writeFile(staged, await content));
            return stat(staged);
          });
          stats.set(file.path, key === undefined ? [s.size, s.mtimeMs] : [s.size, s.mtimeMs, key]);
        })();
        // Awaited later (in turn, or all at once on failure): marked handled now, so a write that fails
        // while an older one is awaited is that error, not an unhandled rejection that ends the process.
        write.catch(() => undefined);
        byPath.set(file.path, write);
        // A file made in pieces is made from something held for it alone (kb.json: a record of every
        // review), which goes once it is written: the next file is not made alongside it.
        if ('pieces' in file) await write;
        inFlight.push(write);
        if (inFlight.length >= WRITES_IN_FLIGHT) await inFlight.shift();
      }
      await Promise.all(inFlight);
    } catch (error) {
      // Let the other writes settle before the staging folder is removed.
      await Promise.allSettled(inFlight);
      if (stopped) return await halted();
      throw error;
    }
    written = [...stats.keys()].sort();
    const record = { ...(run ? { run: run(written) } : {}), written: Object.fromEntries(written.map((p) => [p, stats.get(p)!])) };
    await naming(join(out, MARKER), () => writeFile(resolveInside(staging, MARKER), markerText(written, record)));
    if (stopped) return await halted();
    committing = true;
    // Should a rename fail halfway, the folder stays ours and the next run can clean up whatever of either run is there.
    await writeInside(out, MARKER, markerText([...new Set([...previous, ...written])].sort()));
    // Folders first (once each), then the renames a batch at a time (the thread pool runs them side by side), the marker last.
    const moved = written.filter((path) => !kept.has(path));
    const folders = [...new Set(moved.map((path) => dirname(resolveInside(out, path))))].sort();
    for (const folder of folders) await mkdir(folder, { recursive: true });
    for (let start = 0; start < moved.length; start += 64) {
      await Promise.all(moved.slice(start, start + 64).map((path) => rename(resolveInside(staging, path), resolveInside(out, path))));
    }
    await rename(resolveInside(staging, MARKER), resolveInside(out, MARKER));
    const keep = new Set(written);
    for (const stale of previous) {
      if (!keep.has(stale)) await rm(resolveInside(out, stale), { force: true });
    }
  } finally {
    stopListening();
    await rm(staging, { recursive: true, force: true });
  }
  // A signal that came while files were moved into place takes effect now, as it would have.
  if (pending) process.kill(process.pid, pending);
  return written;
}

const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];

/** Bytes per write of a file made in pieces (a write per kb.json element was 40,000 writes). */
const WRITE_BYTES = 256 * 1024;

/**
 * A file from its pieces (which never split a character), encoded straight into one of two buffers:
 * one is written while the next is filled. Joining the pieces into strings, encoding those and
 * awaiting each write in turn (fs.writeFile of an iterable) spent a third of kb.json's time waiting
 * for the thread pool; kb.json's write in an incremental build of 10,000 reviews went from 2.2–3.6 s
 * to 1.4–1.8 s.
 */
async function writePieces(file: string, pieces: Iterable<string | Uint8Array>): Promise<void> {
  const handle = await open(file, 'w');
  const buffers = [Buffer.allocUnsafe(WRITE_BYTES), Buffer.allocUnsafe(WRITE_BYTES)] as const;
  let buffer = buffers[0];
  let used = 0;
  let writing: Promise<void> = Promise.resolve();
  const send = async (bytes: Uint8Array): Promise<void> => {
    await writing;
    writing = writeAll(handle, bytes);
  };
  try {
    for (const piece of pieces) {
      // A UTF-16 code unit is at most 3 bytes of UTF-8.
      const most = typeof piece === 'string' ? piece.length * 3 : piece.length;
      if (used + most > WRITE_BYTES) {
        if (used > 0) {
          await send(buffer.subarray(0, used));
          buffer = buffer === buffers[0] ? buffers[1] : buffers[0];
          used = 0;
        }
        if (most > WRITE_BYTES) {
          await send(typeof piece === 'string' ? Buffer.from(piece) : piece);
          continue;
        }
      }
      if (typeof piece === 'string') used += buffer.write(piece, used);
      else {
        buffer.set(piece, used);
        used += piece.length;
      }
    }
    if (used > 0) await send(buffer.subarray(0, used));
    await writing;
  } finally {
    // Should making a piece throw, the write under way settles before the file is closed (its error is the lesser one).
    await writing.catch(() => undefined);
    await handle.close();
  }
}

async function writeAll(handle: FileHandle, bytes: Uint8Array): Promise<void> {
  for (let at = 0; at < bytes.length; ) at += (await handle.write(bytes, at)).bytesWritten;
}

/** Files being written at once while rendering goes on. */
const WRITES_IN_FLIGHT = 16;

function markerText(files: string[], extra: Record<string, unknown> = {}): string {
  return `${JSON.stringify({ generator: 'review-kb', files, ...extra }, null, 1)}\n`;
}

/** True when a `.cache` folder holds nothing but review-kb's (`reviews.<hex>.cache`, `render.<hex>.cache`, their temp files, spill folders). */
async function ownCache(dir: string): Promise<boolean> {
  const names = await readdir(dir).catch(() => null);
  // A spill folder stays behind when a run is killed (spill.ts).
  return names !== null && names.every((n) => /^(reviews|render)\.[0-9a-f]\.cache(\..*)?$/.test(n) || /^spill-\d+-/.test(n));
}

/** What a run's marker says: the files it wrote, the size, time and key of each (when recorded), and its build record. */
export interface Marker {
  files: string[];
  written: Map<string, WrittenStat>;
  run: RunRecord | null;
}

/** The marker of the last run into `out` (empty when there is none or it cannot be read). */
export async function readMarker(out: string): Promise<Marker> {
  let marker: { files?: unknown; written?: unknown; run?: unknown };
  try {
    marker = JSON.parse(await readFile(join(out, MARKER), 'utf8'));
  } catch {
    return { files: [], written: new Map(), run: null };
  }
  const files = Array.isArray(marker.files) ? marker.files.filter((f: unknown): f is string => typeof f === 'string') : [];
  const written = new Map<string, WrittenStat>();
  if (marker.written && typeof marker.written === 'object') {
    for (const [path, value] of Object.entries(marker.written as Record<string, unknown>)) {
      if (Array.isArray(value) && typeof value[0] === 'number' && typeof value[1] === 'number') written.set(path, value as WrittenStat);
    }
  }
  const run = marker.run && typeof marker.run === 'object' ? (marker.run as RunRecord) : null;
  return { files, written, run };
}

/** The files of `written` that still have the size and modification time recorded when they were written. */
export function intactFiles(out: string, written: Iterable<[string, WrittenStat]>): Set<string> {
  const intact = new Set<string>();
  // One after another on this thread: 10,000 stats took 0.04 s so, 0.09–0.10 s through the thread pool 64 at a time.
  for (const [path, [size, mtime]] of written) {
    try {
      // A marker edited to name a path outside the folder throws here: that file simply counts as changed.
      const now = statSync(resolveInside(out, path));
      if (now.isFile() && now.size === size && now.mtimeMs === mtime) intact.add(path);
    } catch {
      /* missing or unusable: not intact */
    }
  }
  return intact;
}
