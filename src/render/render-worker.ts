// Takes pure steps of the subject pages to a worker thread, so the main thread renders the next pages meanwhile.
import type { Worker } from 'node:worker_threads';
import { spawnWorker } from '../worker/spawn.js';
import { runTask, type RenderReply, type RenderRequest, type RenderResult, type RenderTask } from './render-tasks.js';
import type { Quote } from './excerpt.js';

/**
 * A small young generation: the worker holds nothing between requests. When it converted HTML only,
 * it then added 36–37 MB of RSS instead of 46–50 MB, converting as fast (1,500 reviews' texts in 160
 * requests, two runs each); not measured again since it also quotes excerpts.
 */
const WORKER_LIMITS = { maxYoungGenerationSizeMb: 8 };

interface Waiting {
  task: RenderTask;
  texts: string[];
  resolve: (results: RenderResult<RenderTask>[]) => void;
  reject: (error: unknown) => void;
}

/**
 * One worker thread for the steps in render-tasks.ts. The subject pages are rendered on one thread
 * after the analysis while the other core idles; turning their markdown into HTML and quoting the
 * excerpts they cite are a third of that (3.6 and 5.0 s of 20 s at 10,000 reviews). Same functions,
 * same results. The worker starts at the first request and holds the process open only while a
 * request is out. Should it fail to start or stop, what it had, and everything after, is done on
 * the main thread: no page is lost or different.
 */
export class RenderWorker {
  private worker: Worker | null = null;
  private failed = false;
  private next = 0;
  private readonly waiting = new Map<number, Waiting>();
  /** Requests answered by the worker, and on this thread (before it started, after it stopped). */
  readonly answered = { inWorker: 0, here: 0 };

  /** Markdown pieces → sanitized HTML (safe-html.ts), in order. */
  convert(markdowns: string[]): Promise<string[]> {
    return this.request('html', markdowns);
  }

  /** Excerpts → their quotes (excerpt.ts), in order. */
  quote(excerpts: string[]): Promise<Quote[]> {
    return this.request('quotes', excerpts);
  }

  /** Stops the worker; requests still out are done here. */
  async close(): Promise<void> {
    const worker = this.worker;
    this.failed = true;
    if (worker) await worker.terminate();
    this.takeOver();
  }

  private request<T extends RenderTask>(task: T, texts: string[]): Promise<RenderResult<T>[]> {
    const worker = this.started();
    if (worker === null) return new Promise((resolve) => resolve(this.here(task, texts)));
    const id = this.next++;
    if (this.waiting.size === 0) worker.ref();
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { task, texts, resolve: resolve as Waiting['resolve'], reject });
      worker.postMessage({ id, task, texts } satisfies RenderRequest);
    });
  }

  private started(): Worker | null {
    if (this.worker || this.failed) return this.worker;
    let worker: Worker;
    try {
      worker = spawnWorker('../render/render-thread', {}, WORKER_LIMITS);
    } catch {
      this.failed = true;
      return null;
    }
    worker.unref();
    worker.on('message', ({ id, results }: RenderReply) => {
      const waiting = this.waiting.get(id);
      this.waiting.delete(id);
      if (this.waiting.size === 0) worker.unref();
      this.answered.inWorker++;
      waiting?.resolve(results);
    });
    worker.on('error', () => this.takeOver());
    worker.on('exit', () => this.takeOver());
    this.worker = worker;
    return worker;
  }

  /** The worker is gone: the requests it had are done on this thread, and so is every later one. */
  private takeOver(): void {
    this.failed = true;
    this.worker = null;
    for (const [id, { task, texts, resolve, reject }] of this.waiting) {
      this.waiting.delete(id);
      try {
        resolve(this.here(task, texts));
      } catch (error) {
        reject(error);
      }
    }
  }

  private here<T extends RenderTask>(task: T, texts: string[]): RenderResult<T>[] {
    this.answered.here++;
    return runTask(task, texts);
  }
}
