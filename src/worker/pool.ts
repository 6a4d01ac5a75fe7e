// A pool of analysis workers: hands out batches of reviews, keeps a few in flight per worker, collects results.
import type { Worker } from 'node:worker_threads';
import { spawnWorker } from './spawn.js';
import type { BatchMessage, WorkerInit, WorkerReply } from './protocol.js';
import type { ItemResult, WorkItem } from './task.js';

/** Batches each worker holds at once: one being analysed, one whose files are being read meanwhile. */
const IN_FLIGHT = 2;

/**
 * Reviews per message. One message per review would cost a structured clone and an event-loop turn each;
 * batches of dozens make that negligible, while staying small enough that the last batches balance out
 * between workers and progress moves smoothly.
 */
export function batchSize(total: number, workers: number): number {
  return Math.max(4, Math.min(64, Math.ceil(total / (workers * 16))));
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
): Promise<void> {
  const size = batchSize(count, workers);
  let next = 0;
  let batchId = 0;
  let pending = 0;
  const pool: Worker[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      let failed = false;
      const fail = (error: Error): void => {
        if (failed) return;
        failed = true;
        reject(error);
      };
      const feed = (worker: Worker): void => {
        if (next >= count) return;
        const items: WorkItem[] = [];
        for (const end = Math.min(count, next + size); next < end; next++) items.push(item(next));
        pending++;
        worker.postMessage({ batch: batchId++, items } satisfies BatchMessage);
      };
      for (let w = 0; w < workers; w++) {
        const worker = spawnWorker(init);
        pool.push(worker);
        worker.on('message', (reply: WorkerReply) => {
          if (failed) return;
          if ('error' in reply) return fail(new Error(`analysis worker failed: ${reply.error}`));
          pending--;
          try {
            onResults(reply.results);
          } catch (error) {
            return fail(error instanceof Error ? error : new Error(String(error)));
          }
          feed(worker);
          if (pending === 0 && next >= count) resolve();
        });
        worker.on('error', (error) => fail(error));
        worker.on('exit', (code) => {
          if (pending > 0 || next < count) fail(new Error(`analysis worker exited early (code ${code})`));
        });
        for (let i = 0; i < IN_FLIGHT; i++) feed(worker);
      }
      if (count === 0) resolve();
    });
  } finally {
    await Promise.all(pool.map((w) => w.terminate()));
  }
}
