// Messages between the main thread and analysis workers.
import type { CacheVersions } from '../cache/store.js';
import type { ItemResult, WorkItem } from './task.js';

/** Given to each worker at start (workerData). */
export interface WorkerInit {
  /** The taxonomy file the main thread loaded (null: the default); workers load their own copy. */
  taxonomyFile: string | null;
  maxBytes: number;
  /** Null when caching is off; otherwise results carry their cache key. */
  versions: CacheVersions | null;
}

export interface BatchMessage {
  batch: number;
  items: WorkItem[];
}

export type WorkerReply = { batch: number; results: ItemResult[] } | { batch: number; error: string };
