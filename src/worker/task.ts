// One batch of per-review work, the same on the main thread (serial) and in a worker: read, hash, analyse, serialize.
import { decodeText, InputError, readBytes, tooLarge } from '../ingest/read.js';
import { fromInputError } from '../diagnostics.js';
import { cacheKey, sha256, type CacheVersions } from '../cache/store.js';
import type { Diagnostic, ReviewAnalysis } from '../model.js';
import type { AnalyzedReview } from './analyze-one.js';

/** A review to process: a file to read (in the worker, so the main thread never holds the texts), or text in hand. */
export interface WorkItem {
  index: number;
  file: string;
  text: string | null;
}

/** What the per-review analysis produces (sent between threads as serializeResult makes it, cached as encodeResult does). */
export interface ReviewResult {
  hash: string;
  analysis: ReviewAnalysis;
  diagnostics: Diagnostic[];
}

/**
 * A result serialized once, by the worker that made it: `{hash, diagnostics}` as JSON, and the
 * analysis as kb.json shows it, `JSON.stringify(analysis, null, 1)`. kb.json then takes the analysis
 * as it is, even straight from a cache file (see encodeResult), instead of serializing every review
 * again on every run (see pipeline.ts). Sent apart, so the worker makes no other copy of them.
 */
export interface SerializedResult {
  meta: string;
  analysis: string;
}

export function serializeResult({ hash, diagnostics, analysis }: ReviewResult): SerializedResult {
  return { meta: JSON.stringify({ hash, diagnostics }), analysis: JSON.stringify(analysis, null, 1) };
}

/** The result back from its serialized parts (the analysis' line breaks may be tabs: whitespace to JSON). */
export function deserializeResult({ meta, analysis }: SerializedResult): ReviewResult {
  const { hash, diagnostics } = JSON.parse(meta) as Omit<ReviewResult, 'analysis'>;
  return { hash, diagnostics, analysis: JSON.parse(analysis) as ReviewAnalysis };
}

/**
 * A result as the cache keeps it, on one line: its meta, U+001F, then its analysis with its line
 * breaks as tabs. Exact both ways: JSON holds no raw U+001F, and a raw tab or line break only as
 * whitespace, so the split and the swap are exact, and the analysis parses as it is.
 */
const SEPARATOR = '\u001f';

export function encodeResult({ meta, analysis }: SerializedResult): string {
  return `${meta}${SEPARATOR}${analysis.replaceAll('\n', '\t')}`;
}

export interface DecodedResult extends ReviewResult {
  /** `JSON.stringify(analysis, null, 1)`, its line breaks as tabs. */
  analysisText: string;
  /** Where that text starts in the entry, in bytes of UTF-8. */
  analysisAt: number;
}

/** Reads an entry made by encodeResult; throws on anything else (a cache entry of another kind reads as a miss). */
export function decodeResult(entry: string): DecodedResult {
  const at = entry.indexOf(SEPARATOR);
  if (at < 0) throw new Error('not an encoded review result');
  const meta = entry.slice(0, at);
  const analysisText = entry.slice(at + 1);
  return { ...deserializeResult({ meta, analysis: analysisText }), analysisText, analysisAt: Buffer.byteLength(meta) + 1 };
}

/** Bytes of an encoded analysis (or any part of it) with their line breaks back, in place: a tab byte in UTF-8 is a tab. */
export function restoreLineBreaks(bytes: Uint8Array): Uint8Array {
  for (let i = 0; i < bytes.length; i++) if (bytes[i] === 9) bytes[i] = 10;
  return bytes;
}

export type ItemResult =
  /** Freshly analysed, serialized once. */
  | { index: number; kind: 'new'; key: string | null; result: SerializedResult }
  | { index: number; kind: 'fail'; diagnostic: Diagnostic };

export interface TaskContext {
  maxBytes: number;
  /** Null when caching is off. */
  versions: CacheVersions | null;
  /** The analyser, loaded on first need (a fully cached run never loads the parser). */
  analyzer: () => Promise<(text: string, file: string) => AnalyzedReview>;
  /** Told which item is being analysed (null: none), so a watchdog can stop one that runs too long. */
  onItem?: (index: number | null) => void;
}

/** Reads every item of the batch concurrently, then analyses them in order; results come back in batch order. */
export async function processBatch(items: readonly WorkItem[], ctx: TaskContext): Promise<ItemResult[]> {
  const reads = await Promise.all(items.map((item) => readItem(item, ctx.maxBytes).then((read) => ({ read }), (error: unknown) => ({ error }))));
  const results: ItemResult[] = [];
  for (const [i, item] of items.entries()) {
    const r = reads[i]!;
    results.push('read' in r ? await processText(item, r.read, ctx) : { index: item.index, kind: 'fail', diagnostic: asDiagnostic(item.file, r.error) });
  }
  ctx.onItem?.(null);
  return results;
}

/** A review's text, and the digest of its content that keys the cache (a file's bytes, a record's text). */
export interface ItemText {
  text: string;
  digest: string;
}

export async function readItem(item: WorkItem, maxBytes: number): Promise<ItemText> {
  let text: string;
  let digest: string;
  if (item.text === null) {
    const bytes = await readBytes(item.file, maxBytes);
    text = decodeText(item.file, bytes);
    digest = sha256(bytes);
  } else {
    // A batch record's text was not read from a file of its own: the size limit applies here.
    text = item.text;
    if (Buffer.byteLength(text) > maxBytes) throw tooLarge(item.file, Buffer.byteLength(text), maxBytes);
    digest = sha256(text);
  }
  if (text.trim() === '') throw new InputError(item.file, 'empty review (skipped)');
  return { text, digest };
}

async function processText(item: WorkItem, { text, digest }: ItemText, ctx: TaskContext): Promise<ItemResult> {
  const hash = sha256(text);
  const key = ctx.versions ? cacheKey(digest, item.file, ctx.versions) : null;
  try {
    const analyze = await ctx.analyzer();
    ctx.onItem?.(item.index);
    const { analysis, diagnostics } = analyze(text, item.file);
    return { index: item.index, kind: 'new', key, result: serializeResult({ hash, analysis, diagnostics }) };
  } catch (error) {
    return { index: item.index, kind: 'fail', diagnostic: asDiagnostic(item.file, error) };
  }
}

export function asDiagnostic(file: string, error: unknown): Diagnostic {
  if (error instanceof InputError) return fromInputError(error);
  return { file, severity: 'error', message: `could not be processed: ${error instanceof Error ? error.message : String(error)} (skipped)` };
}
