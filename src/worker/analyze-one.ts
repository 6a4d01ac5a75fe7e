// The per-review unit of work: parse and classify one review's text, and read its findings' terms for consolidation. Pure, so it can run in any worker.
import { analyzeReview } from '../analyze/index.js';
import { classifyAnalysis, type Taxonomy } from '../classify/index.js';
import { encodeTerms, findingTerms } from '../consolidate/terms.js';
import type { Diagnostic, ReviewAnalysis } from '../model.js';

/** Bump when the analysis of the same text, or the form it is cached in (task.ts encodeResult), would change: it is part of the per-review cache key. */
export const ANALYZER_VERSION = '7';

export interface AnalyzedReview {
  analysis: ReviewAnalysis;
  diagnostics: Diagnostic[];
  /** Each finding's terms, encoded (consolidate/terms.ts): they depend on its text alone, so they are made here, in parallel, and cached. */
  terms: string[];
}

export function analyzeOne(text: string, file: string, taxonomy: Taxonomy): AnalyzedReview {
  const { analysis, diagnostics } = analyzeReview(text, file);
  const classified = classifyAnalysis(analysis, taxonomy);
  return { analysis: classified, diagnostics, terms: classified.findings.map((f) => encodeTerms(findingTerms(f))) };
}
