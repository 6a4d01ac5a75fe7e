// Converts the HTML subject pages' markdown in a worker thread, so the main thread renders the next pages meanwhile.
import type { Worker } from 'node:worker_threads';
import { spawnWorker } from '../worker/spawn.js';
import { markdownToSafeHtml } from './safe-html.js';

export interface HtmlRequest {
  id: number;
  markdowns: string[];
}

export interface HtmlReply {
  id: number;
  htmls: string[];
}

/**
 * A small young generation: the worker holds nothing between pages. It then adds 36–37 MB of RSS
 * instead of 46–50 MB, converting as fast (1,500 reviews' texts in 160 requests, two runs each).
 */
const WORKER_LIMITS = { maxYoungGenerationSizeMb: 8 };

interface Waiting {
  markdowns: string[];
  resolve: (htmls: string[]) => void;
  reject: (error: unknown) => void;
}

/**
 * markdown → sanitized HTML (safe-html.ts) in one worker thread. The subject pages are rendered on one
 * thread after the analysis while the other core idles, and converting their markdown is a sixth of
 * that (3.6 of 23 s at 10,000 reviews): the main thread renders the next pages while the worker
 * converts. Same function, same output. The worker starts at the first request and holds the process
 * open only while a request is out. Should it fail to start or stop, what it was converting, and
 * everything after, is converted on the main thread: no page is lost or different.
 */
export class HtmlConverter {
  private worker: Worker | null = null;
  private failed = false;
  private next = 0;
  private readonly waiting = new Map<number, Waiting>();
  /** Requests answered by the worker, and on this thread (before it started, after it stopped). */
  readonly answered = { inWorker: 0, here: 0 };

  convert(markdowns: string[]): Promise<string[]> {
    const worker = this.started();
    if (worker === null) return new Promise((resolve) => resolve(this.here(markdowns)));
    const id = this.next++;
    if (this.waiting.size === 0) worker.ref();
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { markdowns, resolve, reject });
      worker.postMessage({ id, markdowns } satisfies HtmlRequest);
    });
  }

  /** Stops the worker; requests still out are converted here. */
  async close(): Promise<void> {
    const worker = this.worker;
    this.failed = true;
    if (worker) await worker.terminate();
    this.takeOver();
  }

  private started(): Worker | null {
    if (this.worker || this.failed) return this.worker;
    let worker: Worker;
    try {
      worker = spawnWorker('../render/html-worker', {}, WORKER_LIMITS);
    } catch {
      this.failed = true;
      return null;
    }
    worker.unref();
    worker.on('message', ({ id, htmls }: HtmlReply) => {
      const waiting = this.waiting.get(id);
      this.waiting.delete(id);
      if (this.waiting.size === 0) worker.unref();
      this.answered.inWorker++;
      waiting?.resolve(htmls);
    });
    worker.on('error', () => this.takeOver());
    worker.on('exit', () => this.takeOver());
    this.worker = worker;
    return worker;
  }

  /** The worker is gone: the requests it had are converted on this thread, and so is every later one. */
  private takeOver(): void {
    this.failed = true;
    this.worker = null;
    for (const [id, { markdowns, resolve, reject }] of this.waiting) {
      this.waiting.delete(id);
      try {
        resolve(this.here(markdowns));
      } catch (error) {
        reject(error);
      }
    }
  }

  private here(markdowns: string[]): string[] {
    this.answered.here++;
    return markdowns.map(markdownToSafeHtml);
  }
}
