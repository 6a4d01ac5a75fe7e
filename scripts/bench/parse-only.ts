// The benchmark's baseline: one thread reads every review and runs remark-parse on it, nothing else.
import { readFile } from 'node:fs/promises';
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
