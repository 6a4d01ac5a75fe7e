// The per-review unit of work: parse and classify one review's text. Pure, so it can run in any worker.
import { analyzeReview } from '../analyze/index.js';
import { classifyAnalysis, type Taxonomy } from '../classify/index.js';
import type { Diagnostic, ReviewAnalysis } from '../model.js';

/** Bump when the analysis of the same text, or the form it is cached in (task.ts encodeResult), would change: it is part of the per-review cache key. */
export const ANALYZER_VERSION = '6';

export interface AnalyzedReview {
  analysis: ReviewAnalysis;
  diagnostics: Diagnostic[];
}

export function analyzeOne(text: string, file: string, taxonomy: Taxonomy): AnalyzedReview {
  const { analysis, diagnostics } = analyzeReview(text, file);
  return { analysis: classifyAnalysis(analysis, taxonomy), diagnostics };
}
