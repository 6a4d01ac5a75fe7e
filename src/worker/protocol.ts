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

/** Per worker: what it is analysing, readable by the main thread while the worker is busy (see watch.ts). */
export interface WorkerClock {
  /** Int32 [item index or -1, start in ms since `epoch`], written by the worker with Atomics. */
  buffer: SharedArrayBuffer;
  epoch: number;
}

export interface BatchMessage {
  batch: number;
  items: WorkItem[];
}

export type WorkerReply = { batch: number; results: ItemResult[] } | { batch: number; error: string };
