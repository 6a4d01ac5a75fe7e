// A pool of analysis workers: hands out batches of reviews, keeps a few in flight per worker, collects results,
// and stops a worker stuck on one review past the time limit (that review fails; the pool goes on).
import type { Worker } from 'node:worker_threads';
import { spawnWorker } from './spawn.js';
import type { BatchMessage, WorkerClock, WorkerInit, WorkerReply } from './protocol.js';
import type { ItemResult, WorkItem } from './task.js';

/** Batches each worker holds at once: one being analysed, one whose files are being read meanwhile. */
const IN_FLIGHT = 2;

/** How often the watchdog looks at what each worker is doing. */
const WATCH_INTERVAL_MS = 250;

/**
 * Reviews per message. One message per review would cost a structured clone and an event-loop turn each;
 * batches of dozens make that negligible, while staying small enough that the last batches balance out
 * between workers and progress moves smoothly.
 */
export function batchSize(total: number, workers: number): number {
  return Math.max(4, Math.min(64, Math.ceil(total / (workers * 16))));
}

export interface PoolOptions {
  /**
   * Longest one review may take to analyse, in ms (absent: no limit). Some markdown makes the parser
   * quadratic in ways no cheap pre-check catches (e.g. thousands of `> - > - a` lines); past the limit
   * the worker is stopped, the review fails with a diagnostic, and a new worker takes over its batches.
   */
  timeoutMs?: number;
}

const TIMEOUT_PREFIX = 'analysis took longer than';

/** The message a review that ran out of time fails with. */
export function timeoutMessage(timeoutMs: number): string {
  return `${TIMEOUT_PREFIX} ${timeoutMs / 1000} s, the limit per review (skipped; raise it with --timeout)`;
}

/** Whether a diagnostic says a review ran out of time (which the next run, on a quieter machine, may not). */
export function isTimeout(d: { message: string }): boolean {
  return d.message.startsWith(TIMEOUT_PREFIX);
}

interface Slot {
  worker: Worker;
  clock: Int32Array;
  /** Batches sent and not answered, by batch id. */
  batches: Map<number, WorkItem[]>;
  stopped: boolean;
}

/**
 * Runs every item through `workers` worker threads. `onResults` receives each batch's results as they arrive
 * (batches finish out of order; each result carries its input index). Rejects on a worker crash.
 */
export async function runPool(
  count: number,
  item: (index: number) => WorkItem,
  workers: number,
  init: WorkerInit,
  onResults: (results: ItemResult[]) => void,
  options: PoolOptions = {},
): Promise<void> {
  const size = batchSize(count, workers);
  const epoch = Date.now();
  let next = 0;
  let batchId = 0;
  /** Items of a stopped worker's batches that still need doing; handed out before new ones. */
  const retry: WorkItem[] = [];
  const slots: Slot[] = [];
  let watchdog: NodeJS.Timeout | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      let failed = false;
      const fail = (error: Error): void => {
        if (failed) return;
        failed = true;
        reject(error);
      };
      const outstanding = (): number => slots.reduce((n, s) => n + (s.stopped ? 0 : s.batches.size), 0);
      const finished = (): boolean => next >= count && retry.length === 0 && outstanding() === 0;
      const feed = (slot: Slot): void => {
        const items = retry.splice(0, size);
        for (const end = Math.min(count, next + size - items.length); next < end; next++) items.push(item(next));
        if (items.length === 0) return;
        const batch = batchId++;
        slot.batches.set(batch, items);
        slot.worker.postMessage({ batch, items } satisfies BatchMessage);
      };
      const start = (): void => {
        const clock: WorkerClock = { buffer: new SharedArrayBuffer(8), epoch };
        const slot: Slot = { worker: spawnWorker('./entry', { ...init, clock } as WorkerInit), clock: new Int32Array(clock.buffer), batches: new Map(), stopped: false };
        slot.clock[0] = -1;
        slots.push(slot);
        slot.worker.on('message', (reply: WorkerReply) => {
          if (failed || slot.stopped) return;
          if ('error' in reply) return fail(new Error(`analysis worker failed: ${reply.error}`));
          slot.batches.delete(reply.batch);
          try {
            onResults(reply.results);
          } catch (error) {
            return fail(error instanceof Error ? error : new Error(String(error)));
          }
          feed(slot);
          if (finished()) resolve();
        });
        slot.worker.on('error', (error) => {
          if (!slot.stopped) fail(error);
        });
        slot.worker.on('exit', (code) => {
          if (!slot.stopped && slot.batches.size > 0) fail(new Error(`analysis worker exited early (code ${code})`));
        });
        for (let i = 0; i < IN_FLIGHT; i++) feed(slot);
      };
      /** Stops a worker stuck on one item: that item fails, the rest of its batches go to a new worker. */
      const stopStuck = (slot: Slot, index: number): void => {
        slot.stopped = true;
        void slot.worker.terminate();
        let stuck: WorkItem | undefined;
        for (const items of slot.batches.values()) {
          for (const it of items) {
            if (it.index === index) stuck = it;
            else retry.push(it);
          }
        }
        slot.batches.clear();
        if (stuck) {
          try {
            onResults([{ index, kind: 'fail', diagnostic: { file: stuck.file, severity: 'error', message: timeoutMessage(options.timeoutMs!) } }]);
          } catch (error) {
            return fail(error instanceof Error ? error : new Error(String(error)));
          }
        }
        if (finished()) return resolve();
        start();
      };
      if (options.timeoutMs !== undefined) {
        const limit = options.timeoutMs;
        watchdog = setInterval(() => {
          const now = Date.now() - epoch;
          for (const slot of [...slots]) {
            const index = Atomics.load(slot.clock, 0);
            if (!slot.stopped && index >= 0 && now - Atomics.load(slot.clock, 1) > limit) stopStuck(slot, index);
          }
        }, Math.min(WATCH_INTERVAL_MS, limit));
        watchdog.unref();
      }
      for (let w = 0; w < workers; w++) start();
      if (count === 0) resolve();
    });
  } finally {
    clearInterval(watchdog);
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }
}
