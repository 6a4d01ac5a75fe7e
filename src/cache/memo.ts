// A memo of pure, costly work of the renderers (each subject's tickets), kept across runs in the cache folder:
// a re-run after a few changes redoes only the work whose input it has not seen.
import { ReviewCache, sha256 } from './store.js';

/**
 * Remembers `compute(input)` per kind of work; without a store it just computes. `input` is what the
 * result is a function of: the text itself, or a digest of everything the computation reads.
 */
export interface Memo {
  of<T>(kind: string, input: string, compute: (input: string) => T): T;
}

/** No memory: every call computes (a build with --no-cache, `review-kb render`, tests). */
export const NO_MEMO: Memo = { of: (_kind, input, compute) => compute(input) };

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

  of<T>(kind: string, input: string, compute: (input: string) => T): T {
    const key = sha256(`${kind}\u0000${input}`);
    const known = this.store.get<T>(key);
    if (known !== undefined) return known;
    const value = compute(input);
    this.store.put(key, JSON.stringify(value));
    return value;
  }

  async flush(): Promise<void> {
    await this.store.flush();
  }
}
