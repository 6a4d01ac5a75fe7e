// Worker thread: takes over pure steps of the subject pages beside the main thread (see render-worker.ts).
import { parentPort } from 'node:worker_threads';
import { runTask, type RenderReply, type RenderRequest } from './render-tasks.js';

parentPort!.on('message', ({ id, task, texts }: RenderRequest) => {
  parentPort!.postMessage({ id, results: runTask(task, texts) } satisfies RenderReply);
});
