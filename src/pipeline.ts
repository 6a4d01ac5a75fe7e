// build(): wires ingest → per-review analysis → subjects → consolidation → the knowledge base.
import { parseBatch } from './ingest/batch.js';
import { discover, type ReviewSource } from './ingest/discover.js';
import { loadManifest, manifestEntry, type Manifest } from './ingest/manifest.js';
import { DEFAULT_MAX_REVIEW_BYTES, InputError, MAX_BATCH_BYTES, readText } from './ingest/read.js';
import { analyzeEach, asDiagnostic, type ExternalMeta, type KbText, type Outcome, type ReviewInput, type RunStats } from './worker/run.js';
import { inferSubjects } from './ingest/subjects.js';
import { cweEntries, loadTaxonomy, type Taxonomy } from './classify/index.js';
import { consolidate, readsText } from './consolidate/index.js';
import { fromInputError, sortDiagnostics } from './diagnostics.js';
import type { Diagnostic, KB, RecordKb, Review, ReviewAnalysis, ReviewRecord } from './model.js';
import { interner, reviewEntryHead, serializeKbChunks } from './kb.js';
import { Spill } from './output/spill.js';
import { GENERATOR } from './version.js';
import type { FileDigest } from './cache/store.js';

export interface BuildOptions {
  inputs: string[];
  manifest?: string | null;
  taxonomy?: string | null;
  /** `subject`: merge findings within each reviewed file; `all`: across the whole input (audit contests). */
  scope?: 'subject' | 'all';
  maxBytes?: number;
  onProgress?: (done: number, total: number) => void;
  /** Called once every review is analysed (no worker runs any more), before consolidation. */
  onAnalysed?: () => void;
  /** Called as consolidation clusters each subject: how many of how many are done (see ConsolidateOptions). */
  onConsolidation?: (done: number, total: number) => void;
  /** Worker threads for the per-review analysis; default: the cores available. */
  jobs?: number;
  /** Folder of the per-review cache; null or absent: no cache. */
  cacheDir?: string | null;
  /** Longest one review's analysis may take in a worker, in ms (see worker/pool.ts); absent: no limit. */
  timeoutMs?: number;
  /** Digests of review files already read this run (the up-to-date check): cache lookups need not read them again. */
  digests?: ReadonlyMap<string, FileDigest>;
  /** Filled with how the analysis ran (workers, reviews analysed, reviews from the cache). */
  stats?: RunStats;
}

export interface BuildResult {
  kb: KB;
  diagnostics: Diagnostic[];
  /** Reviews (or batch records) that could not be processed. */
  skipped: number;
  /** The diagnostic that explains each skip, in the order of `diagnostics` (for the end-of-run summary). */
  skips: Diagnostic[];
}

type AnalysedOutcome = Extract<Outcome, { ok: true }>;

/** The reviews (as `analyse` was asked to keep them), final and sorted by id, with every diagnostic and skip of the run so far. */
interface Analysed<R extends ReviewRecord> {
  reviews: R[];
  taxonomy: Taxonomy;
  diagnostics: Diagnostic[];
  skips: Diagnostic[];
}

export async function build(options: BuildOptions): Promise<BuildResult> {
  const { reviews, ...run } = await analyse(options, (review) => review);
  return finish(reviews, run, options);
}

export interface SpilledBuild extends Omit<BuildResult, 'kb'> {
  /** The KB with a record of each review (all but the text it was analysed from, see ReviewRecord). */
  kb: RecordKb;
  /** kb.json, byte for byte what {@link build}'s KB serializes to, its reviews read back from the spill and the cache (some pieces UTF-8 bytes). */
  kbJson(): Generator<string | Uint8Array>;
  /** Removes the spill: once kb.json is written, or when the run stops. */
  dispose(): void;
}

/**
 * {@link build} for repository scale: as soon as a review is final, its kb.json entry is written to a
 * spill file under `spillDir` and only a record of it stays in memory (the text it was analysed from
 * is most of the heap, and only kb.json shows it), so the whole analysis is never held at once. A
 * review found in the cache is not even spilled: kb.json reads its entry from the cache file, where
 * it is kept as kb.json shows it (worker/task.ts encodeResult), so an incremental build neither
 * serializes nor writes again the reviews that did not change. Without a folder (no cache folder to
 * put it in: /tmp is often memory, or not writable) the full reviews stay until kb.json is written.
 */
export async function buildSpilled(options: BuildOptions, spillDir: string | null): Promise<SpilledBuild> {
  if (spillDir === null) {
    const { reviews, ...run } = await analyse(options, (review) => review);
    const { kb, ...result } = finish(reviews, run, options);
    return { ...result, kb, kbJson: () => serializeKbChunks(kb), dispose: () => undefined };
  }
  const spill = Spill.create(spillDir);
  const kept: KeptEntries = { spill, fromCache: new Map(), releaseCache: nothing };
  let analysed: Analysed<ReviewRecord>;
  try {
    const once = interner();
    analysed = await analyse(
      options,
      (review, { cached, kbText }) => {
        // What the cache gave stays there (its files are kept open until disposal); the rest is spilled now.
        if (cached) kept.fromCache.set(review.id, kbText);
        else spill.add(review.id, reviewEntryHead(review) + kbText());
        return recordOf(review, once);
      },
      (release) => (kept.releaseCache = release),
    );
  } catch (error) {
    disposal(kept)();
    throw error;
  }
  const { reviews, ...run } = analysed;
  const { kb, ...result } = finish(reviews, run, options);
  return { ...result, kb, kbJson: () => serializeKbChunks(kb, keptEntries(kb.reviews, kept)), dispose: disposal(kept) };
}

/** Where a spilled build keeps its reviews' kb.json entries: the spill, or (their analysis) the cache files, open until disposal. */
interface KeptEntries {
  spill: Spill;
  fromCache: Map<string, KbText>;
  releaseCache: () => void;
}

function* keptEntries(reviews: readonly ReviewRecord[], { spill, fromCache }: KeptEntries): Generator<string | Uint8Array> {
  for (const [i, review] of reviews.entries()) {
    if (i > 0) yield ',\n';
    const read = fromCache.get(review.id);
    if (read) {
      yield reviewEntryHead(review);
      yield read();
    } else {
      yield* spill.pieces(review.id);
    }
  }
}

/** No cache to release. Out here for the reason disposal is. */
function nothing(): void {}

// Made out here, not in buildSpilled: a closure there would share its scope with kbJson's and keep `kb` (every record) alive as long as the caller keeps `dispose`.
function disposal(kept: KeptEntries): () => void {
  return () => {
    kept.spill.remove();
    kept.releaseCache();
  };
}

/**
 * A review without its preamble, conclusion, front matter and statements, and without each finding's
 * text where consolidation does not read it (see readsText); a classifier's few reasons kept once each (`once`).
 */
export function recordOf({ frontMatter: _f, preamble: _p, conclusion: _c, findings, ...rest }: Review, once: (reason: string) => string): ReviewRecord {
  return {
    ...rest,
    findings: findings.map(({ statements: _s, ...finding }) => ({ ...finding, text: readsText(finding) ? finding.text : '', reasons: finding.reasons.map(once) })),
  };
}

/** Consolidates the reviews (full, or records of them) and assembles the KB around them. */
function finish<R extends ReviewRecord>(
  reviews: R[],
  { taxonomy, diagnostics, skips }: Omit<Analysed<R>, 'reviews'>,
  options: BuildOptions,
): { kb: Omit<KB, 'reviews'> & { reviews: R[] }; diagnostics: Diagnostic[]; skipped: number; skips: Diagnostic[] } {
  const { subjects, themes } = consolidate(reviews, { scope: options.scope ?? 'subject', onProgress: options.onConsolidation });
  const sorted = sortDiagnostics(diagnostics);
  const kb = {
    schemaVersion: 1 as const,
    generator: GENERATOR,
    stages: { classified: true, consolidated: true },
    taxonomy: taxonomy.categories,
    cwe: cweEntries(collectCwe(reviews, taxonomy)),
    reviews,
    subjects,
    themes,
    diagnostics: sorted,
  };
  return { kb, diagnostics: sorted, skipped: skips.length, skips: sortDiagnostics(skips) };
}

/**
 * Ingest and per-review analysis: every review final (subjects inferred where none was given) and sorted
 * by id. Each review is handed to `keep` as soon as it is final, and only what that returns is kept:
 * on arrival, or, for a review whose subject is inferred from all of them, once they are all in.
 */
async function analyse<R extends ReviewRecord>(
  options: BuildOptions,
  keep: (review: Review, outcome: AnalysedOutcome) => R,
  keepCache?: (release: () => void) => void,
): Promise<Analysed<R>> {
  const diagnostics: Diagnostic[] = [];
  // Every skipped review or record has exactly one diagnostic here (and in `diagnostics`).
  const skips: Diagnostic[] = [];
  const taxonomy = loadTaxonomy(options.taxonomy ?? undefined);
  const manifest = options.manifest ? await loadManifest(options.manifest) : null;
  if (manifest) diagnostics.push(...manifest.problems.map((p) => fromInputError(p)));

  const found = await discover(options.inputs, options.manifest ? [options.manifest] : []);
  skips.push(...found.problems.map((p) => fromInputError(p)));
  diagnostics.push(
    ...found.problems.map((p) => fromInputError(p)),
    ...found.errors.map((p) => fromInputError(p)),
    ...found.warnings.map((p) => fromInputError(p, 'warning')),
  );

  const inputs: ReviewInput[] = [];
  for (const source of found.sources) {
    try {
      const expanded = await expand(source, manifest, options.maxBytes);
      inputs.push(...expanded.inputs);
      diagnostics.push(...expanded.problems.map((p) => fromInputError(p)), ...expanded.warnings.map((p) => fromInputError(p, 'warning')));
      skips.push(...expanded.problems.map((p) => fromInputError(p)));
    } catch (error) {
      skips.push(asDiagnostic(source.file, error));
      diagnostics.push(asDiagnostic(source.file, error));
    }
  }

  const kept: R[] = [];
  const unplaced: Array<[Review, AnalysedOutcome]> = [];
  await analyzeEach(inputs, {
    taxonomy,
    taxonomyFile: options.taxonomy ?? null,
    maxBytes: options.maxBytes,
    onProgress: options.onProgress,
    jobs: options.jobs,
    cacheDir: options.cacheDir ?? null,
    timeoutMs: options.timeoutMs,
    stats: options.stats,
    digests: options.digests,
    keepCache,
  }, (i, outcome) => {
    // In no particular order: diagnostics are sorted when the KB is assembled.
    if (!outcome.ok) {
      skips.push(outcome.diagnostic);
      diagnostics.push(outcome.diagnostic);
      return;
    }
    diagnostics.push(...outcome.diagnostics);
    const review = toReview(inputs[i]!, outcome, diagnostics);
    if (review.subjectInferred) unplaced.push([review, outcome]);
    else kept.push(keep(review, outcome));
  });
  options.onAnalysed?.();
  assignInferredSubjects(unplaced.map(([review]) => review), diagnostics);
  for (const [review, outcome] of unplaced) kept.push(keep(review, outcome));
  kept.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

  return { reviews: kept, taxonomy, diagnostics, skips };
}

/** A source file becomes one review input, or one per batch record (bad records are problems). */
async function expand(
  source: ReviewSource,
  manifest: Manifest | null,
  maxBytes: number | undefined,
): Promise<{ inputs: ReviewInput[]; problems: InputError[]; warnings: InputError[] }> {
  const fromManifest = manifestEntry(manifest, source.file);
  const meta: ExternalMeta = {
    subject: fromManifest?.subject ?? null,
    reviewer: fromManifest?.reviewer ?? null,
    date: fromManifest?.date ?? null,
  };
  if (source.format === 'text') return { inputs: [{ id: source.id, file: source.file, text: null, meta }], problems: [], warnings: [] };
  // --max-bytes is per review: each record is checked when it is analysed; the batch file holding them may be larger.
  const text = await readText(source.file, Math.max(maxBytes ?? DEFAULT_MAX_REVIEW_BYTES, MAX_BATCH_BYTES));
  const batch = parseBatch(source.file, text, source.format);
  const seen = new Map<string, number>();
  const problems = [...batch.problems];
  const inputs: ReviewInput[] = [];
  for (const record of batch.records) {
    // An id given twice is a broken batch (an export run twice, a copy-paste): which record is meant cannot be told.
    const first = seen.get(record.key);
    if (first !== undefined) {
      problems.push(new InputError(source.file, `record ${record.index}: review id "${record.key}" is already used by record ${first} (skipped)`, record.line, 1));
      continue;
    }
    seen.set(record.key, record.index);
    inputs.push({
      id: `${source.id}#${record.key}`,
      file: `${source.file}#${record.key}`,
      text: record.text,
      meta: {
        subject: record.subject ?? meta.subject,
        reviewer: record.reviewer ?? meta.reviewer,
        date: record.date ?? meta.date,
      },
    });
  }
  return { inputs, problems, warnings: batch.warnings };
}

/** Front matter beats the batch record and the manifest; what is still missing is inferred later. */
function toReview(input: ReviewInput, result: { analysis: ReviewAnalysis; hash: string }, diagnostics: Diagnostic[]): Review {
  const fm = result.analysis.frontMatter ?? {};
  const field = (...keys: string[]): string | null => {
    for (const key of keys) {
      const value = fm[key];
      if (value === undefined || value === null) continue;
      if (typeof value === 'string' && value.trim() !== '') return value.trim();
      if (value instanceof Date) return value.toISOString().slice(0, 10);
      if (typeof value === 'number') return String(value);
      diagnostics.push({ file: input.file, line: 1, column: 1, severity: 'warning', message: `front matter "${key}" should be a string (ignored)` });
    }
    return null;
  };
  const subject = field('file', 'subject') ?? input.meta.subject;
  return {
    id: input.id,
    source: input.file,
    subject: subject ? normalizeSubject(subject) : '',
    subjectInferred: subject === null,
    reviewer: field('reviewer', 'model') ?? input.meta.reviewer ?? result.analysis.author,
    date: field('date') ?? input.meta.date,
    hash: result.hash,
    ...result.analysis,
  };
}

/** Reviews that name no subject get one inferred from all of them (see inferSubjects). */
function assignInferredSubjects(missing: Review[], diagnostics: Diagnostic[]): void {
  if (missing.length === 0) return;
  const inferred = inferSubjects(missing.map((r) => ({ id: r.id, analysis: r })));
  for (const review of missing) {
    const guess = inferred.get(review.id)!;
    review.subject = normalizeSubject(guess.subject);
    diagnostics.push({
      file: review.source,
      severity: 'warning',
      message: `no subject given (front matter "file", manifest, or batch field); inferred "${review.subject}" because ${guess.reason}`,
    });
  }
}

/** `./a\\b.py` and `a/b.py` name the same file. */
function normalizeSubject(path: string): string {
  return path.trim().replace(/\\/g, '/').replace(/^(\.\/)+/, '');
}

function collectCwe(reviews: readonly ReviewRecord[], taxonomy: Taxonomy): number[] {
  const ids = new Set<number>(taxonomy.categories.flatMap((c) => c.cwe));
  for (const r of reviews) for (const f of r.findings) f.cwe.forEach((id) => ids.add(id));
  return [...ids].sort((a, b) => a - b);
}
