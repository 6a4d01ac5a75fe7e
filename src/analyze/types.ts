// Internal types of the analysis plugins and the data they leave on `file.data`.
import type { RootContent } from 'mdast';
import type { Evidence, LineRange, Severity, Verdict } from '../model.js';

export type UnitSource = 'audit' | 'list' | 'paragraph' | 'heading' | 'concern' | 'table';

/** A finding in the making: the block nodes that state it and what segmentation learnt about it. */
export interface Unit {
  title: string;
  /** Block nodes of the finding, in document order (a list item is wrapped in a one-item list). */
  nodes: RootContent[];
  line: number;
  /** Plain text of the finding, title included. */
  text: string;
  recommendation: string | null;
  statedSeverity: Severity | null;
  /** Index of the section the unit came from (sectioned answers), 0 for a document without sections. */
  section: number;
  sectionKind: 'body' | 'findings' | 'context' | 'recommendations';
  source: UnitSource;
  /** Lines cited by structure rather than words (a table's Line column). */
  lines?: LineRange[];
  /** Length of the title as written at the start of `text` (internal to segmentation). */
  titleLength: number;
}

export interface Segmentation {
  style: 'audit' | 'items' | 'sections' | 'paragraphs' | 'empty';
  preamble: RootContent[];
  conclusion: RootContent[];
  units: Unit[];
  author: string | null;
}

export interface VerdictResult {
  verdict: Verdict;
  contradiction: boolean;
  /** What the opening says, what the closing says (null when no cue fired). */
  framing: Verdict | null;
  concluding: Verdict | null;
}

declare module 'vfile' {
  interface DataMap {
    frontMatter: Record<string, unknown> | null;
    segmentation: Segmentation;
    /** Evidence per unit, parallel to `segmentation.units`. */
    evidence: Evidence[];
    verdict: VerdictResult;
  }
}
