// The per-review cache: 16 append-only files of `key<TAB>json` lines, each rewritten atomically when it holds mostly dead entries.
import { createHash, randomBytes } from 'node:crypto';
import { appendFile, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Why a few files and not one per review: 40,000 small files cost ~40,000 opens on a warm run and as many
 * inodes; 16 files are read in 16 calls and split in memory. Appending new entries keeps an
 * incremental run's write proportional to what changed; the file is rewritten (temp + rename) only
 * when the versions change or most of it is dead.
 */
const FORMAT = 'review-kb-cache/1';
const KEY_LENGTH = 64;
/** Files the cache is split into, by the first hex digit of the key: each stays far below V8's string limit. */
const SHARDS = 16;

/** What a cache file is valid for: entries written under other versions are never read. */
export interface CacheVersions {
  analyzer: string;
  taxonomy: string;
}

/** The key of one review's analysis: its text, where it was read from (diagnostics name it), and the versions. */
export function cacheKey(textHash: string, file: string, versions: CacheVersions): string {
  return createHash('sha256').update(`${versions.analyzer}\0${versions.taxonomy}\0${file}\0${textHash}`).digest('hex');
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export interface CacheStats {
  /** Entries found on disk (valid for these versions). */
  loaded: number;
  hits: number;
  added: number;
}

/** One file of the cache: the entries whose key starts with one hex digit. */
class Shard {
  /** Raw JSON per key, parsed only when asked for: dead entries never cost a parse. */
  readonly entries = new Map<string, string>();
  readonly fresh = new Map<string, string>();
  readonly used = new Set<string>();
  private headerMatches = false;
  private tornTail = false;
  /** Whether the file was there to read: an empty shard is not written until it has an entry. */
  existed = false;

  constructor(
    readonly file: string,
    private readonly header: string,
  ) {}

  load(text: string): void {
    this.existed = true;
    const firstBreak = text.indexOf('\n');
    if (firstBreak === -1 || text.slice(0, firstBreak) !== this.header) return;
    this.headerMatches = true;
    // An interrupted append leaves a last line without its newline: drop it, and rewrite on flush.
    const end = text.lastIndexOf('\n');
    if (end !== text.length - 1) this.tornTail = true;
    let at = firstBreak + 1;
    while (at < end) {
      const next = text.indexOf('\n', at);
      if (text.charCodeAt(at + KEY_LENGTH) === 9) this.entries.set(text.slice(at, at + KEY_LENGTH), text.slice(at + KEY_LENGTH + 1, next));
      at = next + 1;
    }
  }

  /**
   * Writes what this run added. Appends when the file is current; rewrites it (only the entries this run
   * used) when its versions changed, its tail was torn, or dead entries outnumber live ones.
   */
  async flush(): Promise<void> {
    let dead = 0;
    for (const key of this.entries.keys()) if (!this.used.has(key)) dead++;
    const rewrite = !this.headerMatches || this.tornTail || dead > Math.max(100, this.used.size);
    if (!rewrite && this.fresh.size === 0) return;
    if (!rewrite) {
      await appendFile(this.file, lines(this.fresh));
    } else {
      const live = new Map<string, string>();
      for (const key of this.used) {
        const json = this.fresh.get(key) ?? this.entries.get(key);
        if (json !== undefined) live.set(key, json);
      }
      if (live.size === 0 && !this.existed) return;
      const temp = `${this.file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
      try {
        await writeFile(temp, `${this.header}\n${lines(live)}`);
        await rename(temp, this.file);
      } catch (error) {
        await rm(temp, { force: true });
        throw error;
      }
      this.headerMatches = true;
      this.tornTail = false;
    }
    for (const [key, json] of this.fresh) this.entries.set(key, json);
    this.fresh.clear();
  }
}

export class ReviewCache {
  private readonly shards: Shard[];
  readonly stats: CacheStats = { loaded: 0, hits: 0, added: 0 };

  private constructor(
    readonly dir: string,
    readonly versions: CacheVersions,
  ) {
    const header = `${FORMAT}\t${JSON.stringify(versions)}`;
    this.shards = Array.from({ length: SHARDS }, (_, i) => new Shard(join(dir, `reviews.${i.toString(16)}.cache`), header));
  }

  /** Opens (or starts) the cache in `dir`; unreadable or foreign files are treated as empty, never as an error. */
  static async open(dir: string, versions: CacheVersions): Promise<ReviewCache> {
    const cache = new ReviewCache(dir, versions);
    await Promise.all(
      cache.shards.map(async (shard) => {
        let text: string;
        try {
          text = await readFile(shard.file, 'utf8');
        } catch {
          return;
        }
        shard.load(text);
      }),
    );
    cache.stats.loaded = cache.shards.reduce((n, s) => n + s.entries.size, 0);
    return cache;
  }

  private shard(key: string): Shard {
    return this.shards[parseInt(key[0]!, 16)]!;
  }

  /** Keys this cache can answer, for workers that decide hit or miss themselves. */
  keys(): string[] {
    return this.shards.flatMap((s) => [...s.entries.keys()]);
  }

  has(key: string): boolean {
    const shard = this.shard(key);
    return shard.entries.has(key) || shard.fresh.has(key);
  }

  /** The cached value, or undefined when absent or unreadable (the caller then analyses the review again). */
  get<T>(key: string): T | undefined {
    const shard = this.shard(key);
    const raw = shard.entries.get(key) ?? shard.fresh.get(key);
    if (raw === undefined) return undefined;
    try {
      const value = JSON.parse(raw) as T;
      shard.used.add(key);
      this.stats.hits++;
      return value;
    } catch {
      shard.entries.delete(key);
      return undefined;
    }
  }

  /** Records a new entry; `json` is the value already serialized (a worker serialized it once for transport). */
  put(key: string, json: string): void {
    if (!/^[0-9a-f]{64}$/.test(key)) throw new Error(`not a cache key: ${key}`);
    if (json.includes('\n')) throw new Error('cache entries must be single-line JSON');
    const shard = this.shard(key);
    shard.used.add(key);
    if (shard.entries.get(key) === json) return;
    shard.fresh.set(key, json);
    this.stats.added++;
  }

  /** Writes what this run added (see Shard.flush); shards nothing changed in are not touched. */
  async flush(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    await Promise.all(this.shards.map((s) => s.flush()));
  }
}

function lines(entries: Map<string, string>): string {
  const parts: string[] = [];
  for (const [key, json] of entries) parts.push(`${key}\t${json}\n`);
  return parts.join('');
}
