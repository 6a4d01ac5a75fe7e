// Loads the analysis cue data (cues.json) and compiles it once into regexes and sets.
import data from './cues.json' with { type: 'json' };
import type { Severity } from '../model.js';

export type SectionKind = 'context' | 'findings' | 'recommendations' | 'conclusion';

function set(words: string[]): Set<string> {
  return new Set(words.map((w) => w.toLowerCase()));
}

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

// `{ADJS}` stands for any run of hedging adjectives ("no direct and obvious ..."), `{NOUNS}` for defect nouns.
const adjs = `(?:(?:${data.verdict.negatedAdjectives.map(escapeRe).join('|')})(?:\\s*,\\s*|\\s+(?:and|or)\\s+|\\s+))*`;
const expand = (re: string): string => re.replaceAll('{ADJS}', adjs).replaceAll('{NOUNS}', data.verdict.defectNouns);
const union = (res: string[], flags: string): RegExp => new RegExp(res.map((r) => `(?:${expand(r)})`).join('|'), flags);

const sectionKinds = new Map<string, SectionKind>();
for (const kind of ['context', 'findings', 'recommendations', 'conclusion'] as const) {
  for (const name of data.sections[kind]) sectionKinds.set(name.toLowerCase(), kind);
}

export const cues = {
  sectionKinds,
  auditSections: set(data.auditSections),
  auditCore: set(data.auditCore),
  findingParts: set(data.findingParts),
  titleLabels: set(data.titleLabels),
  continuationWords: set(data.continuationWords),
  recommendationLabels: set(data.recommendationLabels),
  recommendationSentence: union(data.recommendationSentence, 'i'),
  severityWords: new Map(Object.entries(data.severityWords)) as Map<string, Severity>,
  severityInText: union(data.severityInText, 'i'),
  severityHeading: new RegExp(data.severityHeading, 'i'),
  noDefects: union(data.verdict.noDefects, 'gi'),
  defects: union(data.verdict.defects, 'gi'),
  negation: new RegExp(data.verdict.negationWindow, 'i'),
  conclusionLead: new RegExp(data.conclusionLead, 'i'),
  introLead: new RegExp(data.introLead, 'i'),
  tableColumns: {
    title: new RegExp(data.tableColumns.title, 'i'),
    description: new RegExp(data.tableColumns.description, 'i'),
    severity: new RegExp(data.tableColumns.severity, 'i'),
    lines: new RegExp(data.tableColumns.lines, 'i'),
    recommendation: new RegExp(data.tableColumns.recommendation, 'i'),
  },
  titleStopWords: set(data.titleStopWords),
  listIntro: new RegExp(expand(data.listIntro), 'i'),
  concern: new RegExp(data.concern, 'i'),
  literals: set(data.identifiers.literals),
  nonCodeNouns: set(data.identifiers.nonCodeNouns),
  properNouns: new Set(data.identifiers.properNouns),
  fileExtensions: data.fileExtensions,
};

/** Normalise a heading or label for lookup: lowercase, no numbering, markup or trailing colon. */
export function normLabel(s: string): string {
  return s
    .toLowerCase()
    .replace(/^[\s#*_>-]*(?:\d+[.)]\s*)?/, '')
    .replace(/[\s:*_.]+$/, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * The part label a bold lead or first line names: `Risk` → "risk", and `Severity: High` → "severity"
 * (a label with its value inside the emphasis); null for a title. Labels that can lead a title
 * (`Issue: SQL injection`) count only on their own.
 */
export function partLabel(raw: string): string | null {
  const label = normLabel(raw);
  if (cues.findingParts.has(label)) return label;
  const colon = label.indexOf(':');
  if (colon <= 0 || !label.slice(colon + 1).trim()) return null;
  const head = label.slice(0, colon).trim();
  return cues.findingParts.has(head) && !cues.titleLabels.has(head) ? head : null;
}

/** A stated severity word ("High", "med", "Informational") as a Severity, or null. */
export function normSeverity(s: string): Severity | null {
  return cues.severityWords.get(s.trim().toLowerCase().replace(/[^a-z]/g, '')) ?? null;
}
