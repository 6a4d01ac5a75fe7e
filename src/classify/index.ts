// The classify stage: category with CWE ids, stance, specificity, severity, statements and reasons for every finding.
import type { Classification, CweEntry, Finding, ReviewAnalysis } from '../model.js';
import { scoreCategories, type CueFire } from './category.js';
import { cweEntries as lookupCwe, loadCweNames } from './cwe.js';
import { deriveSeverity } from './severity.js';
import { decideStance } from './stance.js';
import { prepareFinding, statementsOf } from './statements.js';
import { buildTaxonomy, type Taxonomy } from './taxonomy.js';

export type { Taxonomy } from './taxonomy.js';
export { CLASSIFIER_VERSION } from './taxonomy.js';

/**
 * Loads the default taxonomy (taxonomy/default.json + taxonomy/lexicon.json of this package) or,
 * with a file, a user taxonomy:
 * - `{"extends": "default", "categories": [...], "remove": [ids]}` — entries with an existing id
 *   override its fields (cues and controls merge phrase by phrase; weight 0 drops a phrase), new
 *   ids are added (name, description and cwe required), `remove` drops categories;
 * - without `"extends"` — the file's categories replace the default ones (`other` is always kept).
 * An optional `"lexicon"` object overrides sections of the stance lexicon.
 * A broken file throws an Error naming the file and the entry. All I/O happens here.
 */
export function loadTaxonomy(file?: string): Taxonomy {
  const t = buildTaxonomy(file);
  loadCweNames();
  return t;
}

/** A content hash of the taxonomy and the classifier's method: part of the per-review cache key. */
export function taxonomyVersion(t: Taxonomy): string {
  return t.version;
}

export function cweEntries(ids: number[]): CweEntry[] {
  return lookupCwe(ids);
}

function cueReason(f: CueFire): string {
  const where = [f.where, f.negated ? 'negated' : '', f.control ? 'safeguard' : ''].filter(Boolean).join(', ');
  return `cue "${f.phrase}" (${where}) → ${f.category}`;
}

/** Classifies one finding. Pure and synchronous. */
export function classifyFinding(finding: Finding, taxonomy: Taxonomy): Classification {
  const prepared = prepareFinding(finding, taxonomy.lexicon);
  const cat = scoreCategories(prepared, taxonomy);
  const stance = decideStance(prepared, finding.evidence, cat.all.filter((f) => f.category === cat.category), finding.statedSeverity, taxonomy.lexicon);
  const def = taxonomy.categories.find((c) => c.id === cat.category)?.severity;
  const sev = deriveSeverity(finding.statedSeverity, def, stance.stance, stance.specificity);
  const reasons = [
    ...cat.fired.slice(0, 6).map(cueReason),
    ...(cat.category === 'other' ? [`no category reached the threshold${cat.fired[0] ? ` (closest: ${cat.fired[0].category})` : ''}`] : []),
    ...stance.reasons,
    sev.reason,
  ];
  return {
    category: cat.category,
    secondaryCategory: cat.secondary,
    cwe: cat.cwe,
    confidence: cat.confidence,
    stance: stance.stance,
    severity: sev.severity,
    severityScore: sev.severityScore,
    specificity: stance.specificity,
    reasons,
    statements: statementsOf(prepared, taxonomy.lexicon),
  };
}

/** Returns a copy of the analysis with every finding's classification fields filled. */
export function classifyAnalysis(analysis: ReviewAnalysis, taxonomy: Taxonomy): ReviewAnalysis {
  return {
    ...analysis,
    findings: analysis.findings.map((f) => {
      const c = classifyFinding(f, taxonomy);
      return {
        ...f,
        category: c.category,
        secondaryCategory: c.secondaryCategory,
        cwe: c.cwe,
        stance: c.stance,
        severity: c.severity,
        severityScore: c.severityScore,
        specificity: c.specificity,
        confidence: c.confidence,
        reasons: c.reasons,
        statements: c.statements,
      };
    }),
  };
}
