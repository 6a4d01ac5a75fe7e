// A memo of pure, costly work of the renderers (each subject's tickets), kept across runs in the cache folder:
// a re-run after a few changes redoes only the work whose input it has not seen.
import { ReviewCache, sha256 } from './store.js';

/**
 * Remembers what `compute()` gives per kind of work and key; without a store it just computes. The key
 * must identify everything the computation reads (a digest of it), since only the key is compared.
 */
export interface Memo {
  of<T>(kind: string, key: string, compute: () => T): T;
}

/** No memory: every call computes (a build with --no-cache, `review-kb render`, tests). */
export const NO_MEMO: Memo = { of: (_kind, _key, compute) => compute() };

/**
 * The memo stored next to the per-review cache. `version` must change whenever the functions could give
 * other results (the CLI passes a digest of review-kb's own files). Entries no run uses are dropped
 * when they outnumber the live ones, as in the review cache.
 */
export class StoredMemo implements Memo {
  private constructor(private readonly store: ReviewCache) {}

  static async open(dir: string, version: string): Promise<StoredMemo> {
    return new StoredMemo(await ReviewCache.open(dir, { render: version }, 'render'));
  }

  of<T>(kind: string, key: string, compute: () => T): T {
    const entry = sha256(`${kind}\u0000${key}`);
    const known = this.store.get<T>(entry);
    if (known !== undefined) return known;
    const value = compute();
    this.store.put(entry, JSON.stringify(value));
    return value;
  }

  /** Writes what this run added; the memo is not asked again after this. */
  async flush(): Promise<void> {
    await this.store.flush();
    this.store.release();
  }
}
