// SARIF 2.1.0 for code scanning: one run, rules = categories used (with CWE taxa), results = consolidated findings, within GitHub's upload limits.
import { deflateRawSync } from 'node:zlib';
import type { Severity } from '../model.js';
import { mdInline, oneLine } from './escape.js';
import { mapped, nestedArrayPieces, type PiecewiseFile } from './files.js';
import { cweUrl, formatLines, groupBy, SEVERITIES, type CategoryView, type FindingView, type KbView } from './view.js';

export const SARIF_FILE = 'results.sarif';

/**
 * GitHub code scanning's documented upload limits (docs.github.com, "SARIF results exceed limit"):
 * 25,000 results and 25,000 rules per run, 1,000 locations per result (100 shown), 20 tags per rule
 * (10 shown), 10 MB gzipped. We stay well inside: rules and locations capped lower, tags at what is
 * shown, messages kept short; anything cut is cut deterministically (lowest severity last) and noted
 * in the run's invocation notifications.
 */
export const SARIF_LIMITS = {
  results: 25_000,
  rules: 1_000,
  relatedLocations: 10,
  tags: 10,
  messageChars: 1_000,
  gzipBytes: 10 * 1024 * 1024,
};
export type SarifLimits = typeof SARIF_LIMITS;

/** Numeric `security-severity` per severity when a finding carries no score (GitHub: ≥9 critical, ≥7 high, ≥4 medium, >0 low). */
const DEFAULT_SCORE: Record<Severity, number> = { critical: 9.5, high: 8, medium: 5.5, low: 3, info: 0 };
const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { critical: 'error', high: 'error', medium: 'warning', low: 'note', info: 'note' };
const UNCATEGORIZED = 'uncategorized';
const FINGERPRINT_KEY = 'reviewKbFindingId/v1';

/** A subject path as a relative URI under %SRCROOT%: no `..`, no leading `/` or drive, each segment percent-encoded. */
export function subjectUri(path: string): string {
  const segments = oneLine(path)
    .replace(/\\/g, '/')
    .replace(/^[A-Za-z]:(?=\/)/, '')
    .split('/')
    .filter((s) => s !== '' && s !== '.' && s !== '..')
    .map((s) => encodeURIComponent(s));
  return segments.length > 0 ? segments.join('/') : '_';
}

const truncate = (text: string, max: number): string => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);
const sentence = (text: string): string => (/[.!?…]$/.test(text) ? text : `${text}.`);

function levelOf(f: FindingView): 'error' | 'warning' | 'note' {
  // Praise and generic advice are not problems in this file: notes, whatever their category.
  if (f.stance === 'positive' || f.stance === 'generic') return 'note';
  return f.severity ? LEVEL[f.severity] : 'warning';
}

/** The finding's score in [0, 10], or null when it was never rated (then no score is claimed). */
function scoreOf(f: FindingView): number | null {
  const s = f.severityScore ?? (f.severity ? DEFAULT_SCORE[f.severity] : null);
  return s === null ? null : Math.min(10, Math.max(0, s));
}

/** A readable PascalCase rule name from the category name; none when it would equal the id (SARIF1001). */
function ruleName(c: CategoryView): string | null {
  const name = oneLine(c.name).split(/[^A-Za-z0-9]+/).filter(Boolean).map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');
  if (!/^[A-Za-z]/.test(name) || name.toLowerCase() === c.id.toLowerCase()) return null;
  return name;
}

export function renderSarif(view: KbView, limits: SarifLimits = SARIF_LIMITS): PiecewiseFile[] {
  const notes: string[] = [];
  // Severity first, so that what is cut (and what GitHub shows of the first 5,000) is the least severe.
  let findings = view.subjects
    .flatMap((s) => s.all)
    .sort((a, b) => SEVERITIES.indexOf(a.severity ?? 'info') - SEVERITIES.indexOf(b.severity ?? 'info') || (a.severity ? 0 : 1) - (b.severity ? 0 : 1) || (b.specificity ?? -1) - (a.specificity ?? -1) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

  const categoryOf = (f: FindingView): CategoryView =>
    f.category ?? { id: UNCATEGORIZED, name: 'Uncategorized', description: 'Findings the classifier could not place in a category.', cwe: [], slug: UNCATEGORIZED };
  let ruleIds = [...new Set(findings.map((f) => categoryOf(f).id))];
  if (ruleIds.length > limits.rules) {
    const kept = new Set(ruleIds.slice(0, limits.rules));
    notes.push(`${ruleIds.length - kept.size} rules (and their ${findings.filter((f) => !kept.has(categoryOf(f).id)).length} results) left out: GitHub accepts at most ${limits.rules} rules here.`);
    findings = findings.filter((f) => kept.has(categoryOf(f).id));
    ruleIds = [...kept];
  }
  if (findings.length > limits.results) {
    notes.push(`${findings.length - limits.results} least severe results left out: at most ${limits.results} results per run.`);
    findings = findings.slice(0, limits.results);
  }

  let pieces = build(view, findings, categoryOf, notes, limits);
  let made = [...pieces()];
  // Over the gzipped size limit: drop the least severe results until it fits (deterministic, noted).
  const before = findings.length;
  while (findings.length > 0 && overLimit(made, limits.gzipBytes)) {
    findings = findings.slice(0, Math.floor(findings.length * 0.9));
    const note = `${before - findings.length} least severe results left out to stay under ${limits.gzipBytes} bytes gzipped.`;
    pieces = build(view, findings, categoryOf, [...notes, note], limits);
    made = [...pieces()];
  }
  // The pieces judged are the ones written (making them again for the write took as long as judging
  // them): held until then, some 50 MB of text for 25,000 results, never joined. Asked again, made again.
  let held: string[] | null = made;
  const once = (): Iterable<string> => {
    const given = held ?? pieces();
    held = null;
    return given;
  };
  return [{ path: SARIF_FILE, pieces: once }];
}

/** Deflate looks back this far: each piece is sized with the bytes before it as its dictionary. */
const DEFLATE_WINDOW = 32 * 1024;
/** A gzip file's header and trailer. */
const GZIP_FRAME = 18;

/**
 * Whether the file made of `pieces`, gzipped, is over `limit` bytes, never joining them into one text.
 * Its UTF-8 size first: deflate never grows text by more than a few bytes per 16 KB, so below the limit
 * raw, it is below it gzipped. Otherwise each piece is deflated with the 32 KB before it as preset
 * dictionary, which is what one gzip stream can refer back to: the sum is that stream's size plus a
 * few bytes per piece (each ends a block), so the file is judged on the safe side.
 */
function overLimit(pieces: readonly string[], limit: number): boolean {
  const over = (bytes: number): boolean => bytes * 1.001 + 1024 > limit;
  let bytes = 0;
  for (const piece of pieces) if (over((bytes += Buffer.byteLength(piece)))) break;
  if (!over(bytes)) return false;
  let size = GZIP_FRAME;
  let window = Buffer.alloc(0);
  for (const piece of pieces) {
    const input = Buffer.from(piece);
    size += deflateRawSync(input, window.length > 0 ? { dictionary: window } : {}).length;
    if (size > limit) return true;
    const seen = Buffer.concat([window, input]);
    window = seen.subarray(Math.max(0, seen.length - DEFLATE_WINDOW));
  }
  return false;
}

/** Stands in for the results while the rest of the document is stringified. */
const RESULTS = '\u0000results\u0000';

/**
 * The SARIF file in pieces: the document around the results stringified once, the results one slice
 * at a time where they go (the same bytes as `JSON.stringify(sarif, null, 2)` of the whole).
 */
function build(view: KbView, findings: FindingView[], categoryOf: (f: FindingView) => CategoryView, notes: string[], limits: SarifLimits): () => Generator<string> {
  // Taxonomy order; categories the taxonomy lacks (and `uncategorized`) after it, by id.
  const rank = (id: string): number => {
    const i = view.categories.findIndex((c) => c.id === id);
    return i < 0 ? view.categories.length : i;
  };
  const categories = [...new Map(findings.map((f) => [categoryOf(f).id, categoryOf(f)])).values()].sort(
    (a, b) => rank(a.id) - rank(b.id) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
  const ruleIndex = new Map(categories.map((c, i) => [c.id, i]));
  // CWE taxa: every CWE a rule or a result refers to, by number.
  const cweIds = [...new Set([...categories.flatMap((c) => c.cwe.map((w) => w.id)), ...findings.flatMap((f) => f.cwe.map((w) => w.id))])].sort((a, b) => a - b);
  const cweNames = new Map<number, string | null>();
  for (const c of view.categories) for (const w of c.cwe) cweNames.set(w.id, w.name);
  for (const f of findings) for (const w of f.cwe) cweNames.set(w.id, w.name ?? cweNames.get(w.id) ?? null);
  const taxonIndex = new Map(cweIds.map((id, i) => [id, i]));
  const taxonRef = (id: number) => ({ id: String(id), index: taxonIndex.get(id)!, toolComponent: { name: 'CWE', index: 0 } });

  const byRule = groupBy(findings, (f) => categoryOf(f).id);
  const rules = categories.map((c) => {
    const mine = byRule.get(c.id) ?? [];
    const scores = mine.map(scoreOf).filter((x): x is number => x !== null);
    const cweLinks = c.cwe.map((w) => `[${mdInline(w.label)}](${w.url})`).join(', ');
    return {
      id: c.id,
      ...(ruleName(c) ? { name: ruleName(c)! } : {}),
      shortDescription: { text: sentence(oneLine(c.name)) },
      fullDescription: { text: sentence(oneLine(c.description || c.name)) },
      help: {
        text: sentence(oneLine(`${c.name}: ${c.description || 'no description'}${c.cwe.length ? `. Weaknesses: ${c.cwe.map((w) => w.label).join('; ')}` : ''}`)),
        markdown: `**${mdInline(c.name)}**: ${mdInline(c.description || 'no description')}${cweLinks ? `\n\nWeaknesses: ${cweLinks}` : ''}`,
      },
      ...(c.cwe.length > 0 ? { helpUri: c.cwe[0]!.url } : {}),
      defaultConfiguration: { level: mine.some((f) => levelOf(f) === 'error') ? 'error' : mine.some((f) => levelOf(f) === 'warning') ? 'warning' : 'note' },
      properties: {
        ...(scores.length > 0 ? { 'security-severity': scores.reduce((a, b) => Math.max(a, b)).toFixed(1) } : {}),
        tags: ['security', ...c.cwe.map((w) => `external/cwe/cwe-${w.id}`)].slice(0, limits.tags),
      },
      ...(c.cwe.length > 0 ? { relationships: c.cwe.map((w) => ({ target: taxonRef(w.id), kinds: ['superset'] })) } : {}),
    };
  });

  const resultOf = (f: FindingView) => {
    const uri = subjectUri(f.subject.path);
    const artifact = { uri, uriBaseId: '%SRCROOT%' };
    const [first, ...rest] = f.evidence.lines.filter(([a, b]) => Number.isInteger(a) && Number.isInteger(b) && a >= 1 && b >= a);
    // No cited line: the file itself, never a made-up line.
    const region = (r: [number, number]) => (r[0] === r[1] ? { startLine: r[0] } : { startLine: r[0], endLine: r[1] });
    const related = rest.slice(0, limits.relatedLocations).map((r, i) => ({
      id: i + 1,
      physicalLocation: { artifactLocation: artifact, region: region(r) },
      message: { text: `Also cited: ${formatLines(r)}.` },
    }));
    const agreement = `Stated by ${f.corroboration} of ${f.reviewCount} review${f.reviewCount === 1 ? '' : 's'}${f.reviewers.length ? ` (${f.reviewers.map(oneLine).join(', ')})` : ''}`;
    const advice = f.recommendations[0] ? ` Recommendation: ${oneLine(f.recommendations[0])}` : '';
    const extra = rest.length > limits.relatedLocations ? ` ${rest.length - limits.relatedLocations} more cited ranges not listed.` : '';
    const message = truncate(`${sentence(oneLine(f.title))} ${sentence(agreement)}${advice ? sentence(advice) : ''}${extra}`, limits.messageChars);
    const suppressed = f.triage?.status === 'false-positive' || f.triage?.status === 'accepted';
    return {
      ruleId: categoryOf(f).id,
      ruleIndex: ruleIndex.get(categoryOf(f).id)!,
      level: levelOf(f),
      message: { text: message },
      locations: [{ physicalLocation: { artifactLocation: artifact, ...(first ? { region: region(first) } : {}) } }],
      ...(related.length > 0 ? { relatedLocations: related } : {}),
      partialFingerprints: { [FINGERPRINT_KEY]: f.id },
      ...(f.cwe.length > 0 ? { taxa: f.cwe.map((w) => taxonRef(w.id)) } : {}),
      ...(suppressed
        ? {
            suppressions: [
              {
                kind: 'external',
                status: 'accepted',
                justification: truncate(oneLine(`${f.triage!.status === 'accepted' ? 'Accepted risk' : 'False positive'}${f.triage!.note ? `: ${f.triage!.note}` : ''}`), limits.messageChars),
              },
            ],
          }
        : {}),
      properties: {
        stableId: f.id,
        corroboration: f.corroboration,
        reviews: f.reviewCount,
        reviewers: f.reviewers.map(oneLine),
        stance: f.stance,
        severity: f.severity,
        confidence: f.confidence,
        specificity: f.specificity,
        ...(f.theme ? { theme: f.theme.id } : {}),
        ...(f.triage ? { triage: f.triage.status, ...(f.triage.ticket ? { ticket: f.triage.ticket } : {}) } : {}),
      },
    };
  };

  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: view.generator.name,
            version: view.generator.version,
            semanticVersion: view.generator.version,
            informationUri: 'https://github.com/review-kb/review-kb',
            rules,
            supportedTaxonomies: [{ name: 'CWE', index: 0 }],
          },
        },
        taxonomies: [
          {
            name: 'CWE',
            organization: 'MITRE',
            shortDescription: { text: 'The MITRE Common Weakness Enumeration.' },
            informationUri: 'https://cwe.mitre.org/',
            isComprehensive: false,
            taxa: cweIds.map((id) => {
              const name = cweNames.get(id) ?? null;
              return { id: String(id), ...(name ? { name, shortDescription: { text: sentence(oneLine(name)) } } : {}), helpUri: cweUrl(id) };
            }),
          },
        ],
        invocations: [
          {
            executionSuccessful: true,
            ...(notes.length > 0 ? { toolExecutionNotifications: notes.map((text) => ({ level: 'warning', message: { text } })) } : {}),
          },
        ],
        originalUriBaseIds: { '%SRCROOT%': { description: { text: 'The root of the reviewed source tree.' } } },
        columnKind: 'utf16CodeUnits',
        results: RESULTS,
      },
    ],
  };
  const text = `${JSON.stringify(sarif, null, 2)}\n`;
  const marker = JSON.stringify(RESULTS);
  // The results are the run's last member: nothing after them can hold the marker.
  const at = text.lastIndexOf(marker);
  const indent = text.slice(text.lastIndexOf('\n', at) + 1, at).match(/^ */)![0];
  return function* () {
    yield text.slice(0, at);
    yield* nestedArrayPieces(mapped(findings, resultOf), 2, indent);
    yield text.slice(at + marker.length);
  };
}
