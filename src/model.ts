// The types that flow between stages: ingest → analyze → classify → consolidate → KB → render.

export type Verdict = 'defects' | 'no-defects' | 'unclear';
export type Stance = 'concern' | 'mitigated' | 'positive' | 'generic';
export type Severity = 'critical' | 'high' | 'medium' | 'low' | 'info';
export type StatementKind = 'risk' | 'recommendation' | 'context';

/** An inclusive range of lines in the reviewed file, `[start, end]`; a single line is `[n, n]`. */
export type LineRange = [number, number];

/** A place in another file that a review links to or names (`contracts/Bank.sol#L10-L20`). */
export interface FileRef {
  path: string;
  lines: LineRange[];
  url?: string;
}

export interface Evidence {
  /** Line ranges cited in the reviewed file, in order of first mention, de-duplicated. */
  lines: LineRange[];
  /** Code identifiers cited (`run_as_root`, `utils.execute`), in order of first mention. */
  identifiers: string[];
  /** Paths of files named or linked, in order of first mention. */
  files: string[];
  /** Linked or named files with the lines cited in them. */
  locations: FileRef[];
}

/** One sentence of a finding, labelled by the role it plays. */
export interface Statement {
  kind: StatementKind;
  text: string;
}

/** What the classifier says about a finding, and why. */
export interface Classification {
  category: string;
  secondaryCategory: string | null;
  cwe: number[];
  confidence: number;
  stance: Stance;
  severity: Severity;
  /** Numeric severity in [0, 10], usable as SARIF `security-severity`. */
  severityScore: number;
  /** How much file-specific evidence backs the finding, in [0, 1]. */
  specificity: number;
  /** The cues that fired, readable: `cue "shell injection" (title)`. */
  reasons: string[];
  statements: Statement[];
}

/** A finding as one review states it. Classification fields are null until classified. */
export interface Finding {
  /** 1-based ordinal within the review, in document order. */
  item: number;
  title: string;
  /** The finding's full text, plain (markdown syntax removed). */
  text: string;
  /**
   * The finding's markdown as the review wrote it, sliced from the review's text (a nested item
   * dedented, indented code fenced, line endings `\n`), or re-serialized from its syntax tree where
   * a slice would not read the same on its own (analyze/excerpt.ts).
   */
  excerpt: string;
  /** Line in the review where the finding starts (1-based). */
  line: number;
  /** The review's own recommendation for this finding, plain text, or null. */
  recommendation: string | null;
  /** A severity the review itself states ("medium", "High"), or null. */
  statedSeverity: Severity | null;
  evidence: Evidence;
  category: string | null;
  secondaryCategory: string | null;
  cwe: number[];
  stance: Stance | null;
  severity: Severity | null;
  severityScore: number | null;
  specificity: number | null;
  confidence: number | null;
  reasons: string[];
  statements: Statement[];
}

/** The classification fields of a finding the classify stage has not seen yet (fresh arrays each call). */
export function unclassified(): Pick<
  Finding,
  'category' | 'secondaryCategory' | 'cwe' | 'stance' | 'severity' | 'severityScore' | 'specificity' | 'confidence' | 'reasons' | 'statements'
> {
  return {
    category: null,
    secondaryCategory: null,
    cwe: [],
    stance: null,
    severity: null,
    severityScore: null,
    specificity: null,
    confidence: null,
    reasons: [],
    statements: [],
  };
}

/** Everything the per-review analysis learns from one review's text alone. */
export interface ReviewAnalysis {
  /** YAML front matter, when the review has some. */
  frontMatter: Record<string, unknown> | null;
  /** Opening context, plain text. */
  preamble: string;
  /** Closing conclusion, plain text. */
  conclusion: string;
  findings: Finding[];
  verdict: Verdict;
  /** True when the review's framing and its conclusion disagree (lists "defects found", concludes "secure"). */
  contradiction: boolean;
  /** The author handle an audit-style submission opens with, when present. */
  author: string | null;
}

export interface Review extends ReviewAnalysis {
  /** Path relative to the input root, POSIX slashes, with extension (batch records: `batch.jsonl#3`). */
  id: string;
  /** Where the text came from on disk. */
  source: string;
  subject: string;
  subjectInferred: boolean;
  reviewer: string | null;
  date: string | null;
  /** sha256 of the review text. */
  hash: string;
}

export interface Source {
  review: string;
  item: number;
  reviewer: string | null;
  title: string;
  line: number;
  excerpt: string;
  stance: Stance | null;
}

/** The same issue as stated by one or more reviews of a subject. */
export interface ConsolidatedFinding {
  /** Stable id: survives re-ordering, added agreeing reviews, line shifts and rewording. */
  id: string;
  title: string;
  category: string | null;
  secondaryCategory: string | null;
  cwe: number[];
  severity: Severity | null;
  severityScore: number | null;
  stance: Stance | null;
  specificity: number | null;
  confidence: number | null;
  /** Number of distinct reviews that state it. */
  corroboration: number;
  reviewers: string[];
  sources: Source[];
  evidence: Evidence;
  recommendations: string[];
  /** Id of the recurring theme this finding belongs to, when it is boilerplate seen across subjects. */
  theme: string | null;
}

export interface Subject {
  /** Stable, path-safe id derived from the path. */
  id: string;
  /** The reviewed file (or an inferred readable name). */
  path: string;
  inferred: boolean;
  reviews: string[];
  findings: ConsolidatedFinding[];
}

/** Advice that recurs across subjects with no file-specific evidence. */
export interface Theme {
  id: string;
  title: string;
  category: string | null;
  /** Paths of the subjects the advice appears in. */
  subjects: string[];
  /** Ids of the consolidated findings that carry it. */
  findings: string[];
}

/**
 * A review as consolidation and the renderers read it: all but the text it was analysed from (its
 * preamble, conclusion, front matter and each finding's statements), which only kb.json shows. A
 * build's records also hold a finding's `text` empty where consolidation reads its excerpt and title
 * instead (see readsText in consolidate/features.ts).
 */
export type ReviewRecord = Omit<Review, 'frontMatter' | 'preamble' | 'conclusion' | 'findings'> & { findings: FindingRecord[] };
export type FindingRecord = Omit<Finding, 'statements'>;

/**
 * What the renderers read of a review: who wrote it, what it concluded, and why each finding was rated
 * as it was. Not the text: at repository scale the reviews' text is most of the heap, and only kb.json
 * needs it.
 */
export type ReviewMeta = Pick<Review, 'id' | 'reviewer' | 'date' | 'verdict' | 'contradiction'> & {
  findings: Pick<Finding, 'item' | 'reasons'>[];
};

export interface TaxonomyCategory {
  id: string;
  name: string;
  description: string;
  cwe: number[];
  /** Default severity when the review states none (see classify/severity). */
  severity?: Severity;
}

export interface CweEntry {
  id: number;
  name: string;
  url: string;
}

export interface Diagnostic {
  file: string;
  line?: number;
  column?: number;
  severity: 'error' | 'warning';
  message: string;
}

export interface KB {
  schemaVersion: 1;
  generator: { name: string; version: string };
  /** How far the analysis went: lets reports say what is not computed yet instead of faking it. */
  stages: { classified: boolean; consolidated: boolean };
  taxonomy: TaxonomyCategory[];
  cwe: CweEntry[];
  reviews: Review[];
  subjects: Subject[];
  themes: Theme[];
  diagnostics: Diagnostic[];
}

/** A KB as the renderers read it: every part of kb.json but the reviews' text. A full KB is one. */
export type RenderableKb = Omit<KB, 'reviews'> & { reviews: ReviewMeta[] };

/** A KB whose reviews' full entries are elsewhere (a build's spill, see output/spill.ts): what a build holds. */
export type RecordKb = Omit<KB, 'reviews'> & { reviews: ReviewRecord[] };
