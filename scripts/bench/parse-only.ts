// The benchmark's baseline: one thread reads every review and runs remark-parse on it, nothing else.
// Also the same work split across worker threads: the least any build that parses every review can take here.
import { readFile } from 'node:fs/promises';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import remarkParse from 'remark-parse';
import { unified } from 'unified';

export interface ParseOnly {
  files: number;
  bytes: number;
  seconds: number;
}

export async function parseOnly(files: readonly string[]): Promise<ParseOnly> {
  const parser = unified().use(remarkParse);
  const started = performance.now();
  let bytes = 0;
  for (const file of files) {
    const text = await readFile(file, 'utf8');
    bytes += Buffer.byteLength(text);
    parser.parse(text);
  }
  return { files: files.length, bytes, seconds: (performance.now() - started) / 1000 };
}

/**
 * parseOnly on `threads` worker threads, each given every threads-th file (files of all sizes each), timed
 * from before the first thread starts to the last one's end, as a build's analysis is.
 */
export async function parseOnlyParallel(files: readonly string[], threads: number): Promise<ParseOnly> {
  const started = performance.now();
  const parts = await Promise.all(
    Array.from({ length: threads }, (_, t) => {
      const slice = files.filter((_, i) => i % threads === t);
      const worker = new Worker(new URL(import.meta.url), { workerData: slice });
      return new Promise<ParseOnly>((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
        // A thread that ends without its result (killed, out of memory) must not leave the bench waiting.
        worker.once('exit', (code) => reject(new Error(`parse-only thread ${t} exited (code ${code}) without a result`)));
      }).finally(() => worker.terminate());
    }),
  );
  return {
    files: parts.reduce((n, p) => n + p.files, 0),
    bytes: parts.reduce((n, p) => n + p.bytes, 0),
    seconds: (performance.now() - started) / 1000,
  };
}

if (!isMainThread && Array.isArray(workerData)) parentPort!.postMessage(await parseOnly(workerData as string[]));
