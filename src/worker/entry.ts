// Worker thread entry: loads the taxonomy and analyser, then answers batches until terminated.
import { parentPort, workerData } from 'node:worker_threads';
import { processBatch, type TaskContext } from './task.js';
import type { BatchMessage, WorkerClock, WorkerInit, WorkerReply } from './protocol.js';
import type { AnalyzedReview } from './analyze-one.js';

const init = workerData as WorkerInit & { clock: WorkerClock };
const clock = new Int32Array(init.clock.buffer);
let analyzer: Promise<(text: string, file: string) => AnalyzedReview> | null = null;

const ctx: TaskContext = {
  maxBytes: init.maxBytes,
  versions: init.versions,
  analyzer: () =>
    (analyzer ??= (async () => {
      const [{ analyzeOne }, { loadTaxonomy, taxonomyVersion }] = await Promise.all([import('./analyze-one.js'), import('../classify/index.js')]);
      const taxonomy = loadTaxonomy(init.taxonomyFile ?? undefined);
      if (init.versions && taxonomyVersion(taxonomy) !== init.versions.taxonomy) {
        throw new Error(`taxonomy ${init.taxonomyFile ?? '(default)'} changed while the run was starting`);
      }
      return (text: string, file: string) => analyzeOne(text, file, taxonomy);
    })()),
  // The start time first: the main thread never pairs a new item with the previous item's start.
  onItem: (index) => {
    Atomics.store(clock, 1, Date.now() - init.clock.epoch);
    Atomics.store(clock, 0, index ?? -1);
  },
};

// Start loading the parser and taxonomy now, while the first batch is on its way; a failure surfaces per review.
ctx.analyzer().catch(() => undefined);

parentPort!.on('message', (message: BatchMessage) => {
  processBatch(message.items, ctx).then(
    (results) => parentPort!.postMessage({ batch: message.batch, results } satisfies WorkerReply),
    (error: unknown) => parentPort!.postMessage({ batch: message.batch, error: error instanceof Error ? (error.stack ?? error.message) : String(error) } satisfies WorkerReply),
  );
});
