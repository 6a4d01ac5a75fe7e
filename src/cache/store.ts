// The per-review cache: 16 append-only files of `key<TAB>json` lines, each rewritten atomically when it holds mostly dead entries.
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { appendFile, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { naming } from '../output/write.js';

/**
 * Why a few files and not one per review: 40,000 small files cost ~40,000 opens on a warm run and as many
 * inodes; 16 files are opened once, indexed, and read an entry at a time. Appending new entries keeps an
 * incremental run's write proportional to what changed; the file is rewritten (temp + rename) only
 * when the versions change or most of it is dead.
 */
const FORMAT = 'review-kb-cache/1';
const KEY_LENGTH = 64;
/** Files the cache is split into, by the first hex digit of the key: each stays far below V8's string limit. */
const SHARDS = 16;

/** The stores kept in a cache folder: per-review analyses, and the renderers' memo. */
export type CacheName = 'reviews' | 'render';

/** What a cache file is valid for: entries written under other versions are never read. */
export interface CacheVersions {
  analyzer: string;
  taxonomy: string;
}

/**
 * The key of one review's analysis: the digest of its content (see {@link sha256}: the file's bytes, or a
 * batch record's text), where it was read from (diagnostics name it), and the versions.
 */
export function cacheKey(contentHash: string, file: string, versions: CacheVersions): string {
  return createHash('sha256').update(`${versions.analyzer}\0${versions.taxonomy}\0${file}\0${contentHash}`).digest('hex');
}

/** A file's content digest ({@link sha256} of its bytes) and size, taken earlier in a run: a cache lookup need not read it again. */
export interface FileDigest {
  sha256: string;
  size: number;
}

/** Hex SHA-256 of bytes, or of a string's UTF-8 (the same digest for a BOM-less UTF-8 file and its text). */
export function sha256(text: string | Uint8Array): string {
  return createHash('sha256').update(text).digest('hex');
}

export interface CacheStats {
  /** Entries found on disk (valid for these versions). */
  loaded: number;
  hits: number;
  added: number;
}

/** New entries held before they are appended to disk: a cold run of 40,000 reviews never holds them all. */
const FLUSH_BYTES = 8 * 2 ** 20;

/** Where each entry's JSON sits in a shard file: read from the file when asked for, never held. */
type Index = Map<string, [start: number, end: number]>;

/** Bytes read at a time while a shard file is indexed. */
export const SCAN_BYTES = 1 << 20;

/**
 * Indexes a shard file read a chunk at a time (at 40,000 reviews the files come to 560 MB, which a run
 * used to hold through its lookups); null when it is not a cache file of these versions. Only whole
 * lines count: a last line without its newline is torn (an interrupted append).
 */
function scan(fd: number, header: string): { index: Index; torn: boolean } | null {
  const size = fstatSync(fd).size;
  const chunk = Buffer.allocUnsafe(Math.min(SCAN_BYTES, Math.max(1, size)));
  const index: Index = new Map();
  let lineStart = 0;
  let headerSeen = false;
  for (let pos = 0; pos < size; ) {
    const read = chunk.subarray(0, readSync(fd, chunk, 0, Math.min(chunk.length, size - pos), pos));
    if (read.length === 0) break;
    for (let nl = read.indexOf(10); nl !== -1; nl = read.indexOf(10, nl + 1)) {
      const lineEnd = pos + nl;
      // A line's start is in this chunk unless the line began in an earlier one: then it is read again.
      const start = (length: number): Buffer => (lineStart >= pos ? read.subarray(lineStart - pos, lineStart - pos + length) : readAt(fd, lineStart, length));
      if (!headerSeen) {
        if (start(lineEnd - lineStart).toString('utf8') !== header) return null;
        headerSeen = true;
      } else if (lineEnd - lineStart > KEY_LENGTH) {
        const head = start(KEY_LENGTH + 1);
        if (head[KEY_LENGTH] === 9) index.set(head.toString('latin1', 0, KEY_LENGTH), [lineStart + KEY_LENGTH + 1, lineEnd]);
      }
      lineStart = lineEnd + 1;
    }
    pos += read.length;
  }
  return headerSeen ? { index, torn: lineStart !== size } : null;
}

/** One entry's JSON, read from the file (a short read, the file cut since, gives text that does not parse: a miss). */
function entryAt(fd: number, [start, end]: [number, number]): string {
  return readAt(fd, start, end - start).toString('utf8');
}

/** Up to `length` bytes of the file from `offset`: fewer if it ends before. */
function readAt(fd: number, offset: number, length: number): Buffer {
  const bytes = Buffer.allocUnsafe(Math.max(0, length));
  return bytes.subarray(0, readSync(fd, bytes, 0, bytes.length, offset));
}

/** One file of the cache: the entries whose key starts with one hex digit. */
class Shard {
  /** The file as opened, and where its entries are in it; closed once lookups are over (see release). */
  private fd: number | null = null;
  private index: Index = new Map();
  /** Entries added this run and not yet written (written ones are let go). */
  private fresh = new Map<string, string>();
  readonly used = new Set<string>();
  private headerMatches = false;
  private tornTail = false;
  /** Decided at the first write of a run: append to the file as it is, or rewrite it with the live entries only. */
  private compacted = false;
  /** Whether the file was there to read: an empty shard is not written until it has an entry. */
  existed = false;

  constructor(
    readonly file: string,
    private readonly header: string,
  ) {}

  get size(): number {
    return this.index.size;
  }

  /** Opens and indexes the file, if there is one. It stays open: a rewrite by a later write of the run (a rename) leaves what it reads alone. */
  load(): void {
    let fd: number;
    try {
      fd = openSync(this.file, 'r');
    } catch {
      return;
    }
    this.existed = true;
    let read: ReturnType<typeof scan>;
    try {
      read = scan(fd, this.header);
    } catch {
      read = null;
    }
    if (!read) {
      closeSync(fd);
      return;
    }
    this.headerMatches = true;
    this.tornTail = read.torn;
    this.fd = fd;
    this.index = read.index;
  }

  /** Bytes of an entry read this run, `from` bytes into its value to the end (see ReviewCache.bytes). */
  bytes(key: string, from: number): Buffer {
    const at = this.index.get(key);
    if (!at || this.fd === null) throw new Error(`${this.file}: entry ${key} is not open for reading`);
    const length = at[1] - at[0] - from;
    const bytes = readAt(this.fd, at[0] + from, length);
    if (length < 0 || bytes.length !== length) throw new Error(`${this.file}: entry ${key} was cut short during the run`);
    return bytes;
  }

  raw(key: string): string | undefined {
    const fresh = this.fresh.get(key);
    if (fresh !== undefined) return fresh;
    const at = this.index.get(key);
    return at && this.fd !== null ? entryAt(this.fd, at) : undefined;
  }

  forget(key: string): void {
    this.index.delete(key);
  }

  add(key: string, json: string): boolean {
    this.used.add(key);
    if (this.raw(key) === json) return false;
    this.fresh.set(key, json);
    return true;
  }

  /** No more lookups this run: the file is closed (a rewrite opens it again). */
  release(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }

  /**
   * Writes the entries added since the last write. The first write of a run appends when the file is
   * current, or rewrites it (the entries this run used, then the new ones) when its versions changed,
   * its tail was torn, or dead entries outnumber live ones; later writes of the run append.
   */
  async flush(): Promise<void> {
    const batch = this.fresh;
    if (batch.size === 0 && (this.compacted || !this.needsRewrite())) return;
    this.fresh = new Map();
    if (this.compacted || !this.needsRewrite()) {
      await naming(this.file, () => appendFile(this.file, lines(batch)));
    } else {
      const live = this.liveEntries(batch);
      // Nothing to keep and no file yet: stay unwritten (a later write of the run rewrites, header first).
      if (live.size === 0 && !this.existed) return;
      const temp = `${this.file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
      try {
        await naming(this.file, async () => {
          await writeFile(temp, `${this.header}\n${lines(live)}`);
          await rename(temp, this.file);
        });
      } catch (error) {
        await rm(temp, { force: true });
        throw error;
      }
      this.headerMatches = true;
      this.tornTail = false;
    }
    this.compacted = true;
  }

  private needsRewrite(): boolean {
    let dead = 0;
    for (const key of this.index.keys()) if (!this.used.has(key)) dead++;
    return !this.headerMatches || this.tornTail || dead > Math.max(100, this.used.size);
  }

  /** The entries this run used, from the file (opened and indexed again if it was released), then `batch`. */
  private liveEntries(batch: Map<string, string>): Map<string, string> {
    const live = new Map<string, string>();
    let fd = this.fd;
    let index = this.index;
    if (fd === null && this.headerMatches) {
      try {
        fd = openSync(this.file, 'r');
        index = scan(fd, this.header)?.index ?? new Map();
      } catch {
        index = new Map();
      }
    }
    try {
      for (const key of this.used) {
        const at = batch.has(key) ? undefined : index.get(key);
        if (at && fd !== null) live.set(key, entryAt(fd, at));
      }
    } finally {
      if (fd !== null && fd !== this.fd) closeSync(fd);
    }
    for (const [key, json] of batch) live.set(key, json);
    return live;
  }
}

export class ReviewCache {
  private readonly shards: Shard[];
  readonly stats: CacheStats = { loaded: 0, hits: 0, added: 0 };
  /** Bytes of new entries not yet written, and the write under way (writes happen one at a time). */
  private pending = 0;
  private writing: Promise<void> = Promise.resolve();
  private writeError: unknown = null;

  private constructor(
    readonly dir: string,
    readonly versions: object,
    name: string,
  ) {
    const header = `${FORMAT}\t${JSON.stringify(versions)}`;
    this.shards = Array.from({ length: SHARDS }, (_, i) => new Shard(join(dir, `${name}.${i.toString(16)}.cache`), header));
  }

  /**
   * Opens (or starts) the cache in `dir`; unreadable or foreign files are treated as empty, never as an error.
   * `name` prefixes its files: the same store also keeps the renderers' memo (see memo.ts).
   */
  static async open(dir: string, versions: CacheVersions | object, name: CacheName = 'reviews'): Promise<ReviewCache> {
    const cache = new ReviewCache(dir, versions, name);
    for (const shard of cache.shards) shard.load();
    cache.stats.loaded = cache.shards.reduce((n, s) => n + s.size, 0);
    return cache;
  }

  private shard(key: string): Shard {
    return this.shards[parseInt(key[0]!, 16)]!;
  }

  /**
   * The cached value as `decode` reads it (JSON by default), or undefined when absent or unreadable
   * (`decode` throws): the caller then does the work again.
   */
  get<T>(key: string, decode: (raw: string) => T = JSON.parse): T | undefined {
    const shard = this.shard(key);
    const raw = shard.raw(key);
    if (raw === undefined) return undefined;
    try {
      const value = decode(raw);
      shard.used.add(key);
      this.stats.hits++;
      return value;
    } catch {
      shard.forget(key);
      return undefined;
    }
  }

  /**
   * Part of a value found by `get` this run, as bytes: from `from` bytes into it to its end, read from
   * the file it was found in (a rewrite of the file since, by a rename, leaves that file as it was), for
   * copying into an output without decoding it. Only until `release`; throws if the file was cut short.
   */
  bytes(key: string, from: number): Buffer {
    return this.shard(key).bytes(key, from);
  }

  /** Lookups are over: the files opened at open are closed. */
  release(): void {
    for (const s of this.shards) s.release();
  }

  /** Records a new entry; `json` is the value already serialized (a worker serialized it once for transport). */
  put(key: string, json: string): void {
    if (!/^[0-9a-f]{64}$/.test(key)) throw new Error(`not a cache key: ${key}`);
    if (json.includes('\n')) throw new Error('cache entries must be one line');
    if (!this.shard(key).add(key, json)) return;
    this.stats.added++;
    this.pending += json.length;
    // Written in the background once enough has piled up; a failure surfaces at flush().
    if (this.pending >= FLUSH_BYTES) {
      this.pending = 0;
      this.writing = this.writing.then(() => this.writeAll()).catch((error: unknown) => {
        this.writeError ??= error;
      });
    }
  }

  /** Writes what this run added (see Shard.flush); shards nothing changed in are not touched. */
  async flush(): Promise<void> {
    await this.writing;
    this.pending = 0;
    await this.writeAll();
    if (this.writeError) throw this.writeError;
  }

  private async writeAll(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    // One at a time: a shard rewritten holds its live entries until written (35 MB each at 40,000 reviews).
    for (const s of this.shards) await s.flush();
  }
}

function lines(entries: Map<string, string>): string {
  const parts: string[] = [];
  for (const [key, json] of entries) parts.push(`${key}\t${json}\n`);
  return parts.join('');
}
