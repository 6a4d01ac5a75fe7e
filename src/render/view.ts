// The view model every renderer and template receives: the KB sorted, cross-referenced, triaged and given safe paths.
import { posix } from 'node:path';
import type {
  ConsolidatedFinding,
  CweEntry,
  KB,
  LineRange,
  ReviewMeta,
  RenderableKb,
  Severity,
  Source,
  Stance,
  Subject,
  TaxonomyCategory,
  Theme,
  Verdict,
} from '../model.js';
import { safeRelativePath } from '../output/write.js';
import { createHash } from 'node:crypto';
import { quoteExcerptBoth, type Quote } from './excerpt.js';
import { slug } from './escape.js';
import type { Triage, TriageEntry } from './triage.js';

export const SEVERITIES: readonly Severity[] = ['critical', 'high', 'medium', 'low', 'info'];
export const STANCES: readonly Stance[] = ['concern', 'mitigated', 'positive', 'generic'];

export interface CweView {
  id: number;
  name: string | null;
  url: string;
  /** `CWE-78: Improper Neutralization …` (or `CWE-78` when the KB has no name for it). */
  label: string;
}

export interface CategoryView {
  id: string;
  name: string;
  description: string;
  cwe: CweView[];
  /** Slug used for anchors and the site's category page. */
  slug: string;
}

export interface SourceView extends Source {
  /** The review's excerpt as a safe markdown blockquote (already escaped; print it raw). */
  quoteMd: string;
  /** The same blockquote as sanitized HTML (what the HTML pages show). */
  quoteHtml: string;
  /** `review-id:line`. */
  ref: string;
  /** Link to the review file at that line, when a review link base was given; else null. A URL, or a path
   * relative to the output folder (see {@link hrefFrom}). */
  href: string | null;
}

export interface FindingView {
  id: string;
  /** 1-based position among the subject's fully shown findings (0 when themed or hidden). */
  number: number;
  /** Anchor on the subject's page. */
  anchor: string;
  title: string;
  category: CategoryView | null;
  secondaryCategory: CategoryView | null;
  cwe: CweView[];
  severity: Severity | null;
  severityScore: number | null;
  stance: Stance | null;
  specificity: number | null;
  confidence: number | null;
  corroboration: number;
  /** Reviews of the subject (the denominator of corroboration). */
  reviewCount: number;
  reviewers: string[];
  reasons: string[];
  sources: SourceView[];
  evidence: ConsolidatedFinding['evidence'];
  /** Evidence lines formatted `L285-L340`. */
  lineLabels: string[];
  recommendations: string[];
  /** The recurring advice it belongs to: named, not listed (see ThemeRef). */
  theme: ThemeRef | null;
  triage: TriageEntry | null;
  subject: { id: string; path: string };
}

export interface ReviewView {
  id: string;
  reviewer: string | null;
  date: string | null;
  verdict: Verdict | null;
  contradiction: boolean;
  findings: number;
  /** Link to the review file, when a review link base was given. */
  href: string | null;
}

export interface SubjectView {
  id: string;
  path: string;
  inferred: boolean;
  /** File stem (no extension) used for this subject's page in every output: unique, safe, POSIX. */
  page: string;
  reviews: ReviewView[];
  /** Findings shown in full: not themed, not false positives; sorted by severity then specificity. */
  findings: FindingView[];
  /** Findings that belong to a recurring theme (shown as references only). */
  themed: FindingView[];
  /** Findings triaged as false positives (hidden, listed in an appendix). */
  falsePositives: FindingView[];
  /** Every finding of the subject, sorted. */
  all: FindingView[];
  verdicts: { verdict: Verdict; count: number }[];
  highestSeverity: Severity | null;
  counts: { findings: number; concerns: number; bySeverity: Record<string, number> };
  /** Category id → number of shown findings. */
  byCategory: Record<string, number>;
}

/**
 * A theme as a finding names it: what a subject's pages show of it. Not its subjects and size, which
 * change whenever another file's advice joins or leaves it: a subject's pages (their keys digest the
 * subject, see subjectDigest) must not be rendered again for that.
 */
export interface ThemeRef {
  id: string;
  title: string;
  slug: string;
  category: CategoryView | null;
}

export interface ThemeView extends ThemeRef {
  subjects: { id: string; path: string; page: string }[];
  findings: number;
}

export interface KbView {
  generator: KB['generator'];
  stages: KB['stages'];
  subjects: SubjectView[];
  themes: ThemeView[];
  categories: CategoryView[];
  /** Categories that at least one shown finding uses, in taxonomy order; `uncategorized` last when needed. */
  usedCategories: CategoryView[];
  severities: readonly Severity[];
  totals: {
    subjects: number;
    reviews: number;
    findings: number;
    shown: number;
    themed: number;
    falsePositives: number;
    diagnostics: number;
  };
  /** Rows of the category × severity matrix over shown and themed findings. */
  matrix: { category: CategoryView | null; counts: number[]; unrated: number; total: number }[];
  falsePositives: FindingView[];
  findingsById: Map<string, FindingView>;
}

export interface ViewOptions {
  triage?: Triage | null;
  /** Where the sources' quotes are kept once made (see QuoteCache); default: a cache of this view alone. */
  quotes?: QuoteCache;
  /** Prefix for links to review files (`../reviews`, `https://github.com/o/r/blob/main`), joined with the review id. */
  reviewLinkBase?: string | null;
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Items grouped by key, in their order: one pass, where filtering all items once per key would be quadratic. */
export function groupBy<T, K>(items: readonly T[], key: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

export function severityRank(s: Severity | null): number {
  return s === null ? SEVERITIES.length : SEVERITIES.indexOf(s);
}

/** Severity first (critical … info, unrated last), then more specific, more corroborated, then id. */
export function compareFindings(a: ConsolidatedFinding, b: ConsolidatedFinding): number {
  return (
    severityRank(a.severity) - severityRank(b.severity) ||
    (b.specificity ?? -1) - (a.specificity ?? -1) ||
    b.corroboration - a.corroboration ||
    cmp(a.id, b.id)
  );
}

export function formatLines(r: LineRange): string {
  return r[0] === r[1] ? `L${r[0]}` : `L${r[0]}-L${r[1]}`;
}

export function cweUrl(id: number): string {
  return `https://cwe.mitre.org/data/definitions/${id}.html`;
}

/** Gives each subject a unique page stem from its path; collisions (case-insensitive) get `-2`, `-3`… in id order. */
export function subjectPages(subjects: readonly Subject[]): Map<string, string> {
  const pages = new Map<string, string>();
  const taken = new Set<string>();
  for (const s of [...subjects].sort((a, b) => cmp(a.id, b.id))) {
    const base = safeRelativePath(s.path);
    let page = base;
    for (let n = 2; taken.has(page.toLowerCase()); n++) page = `${base}-${n}`;
    taken.add(page.toLowerCase());
    pages.set(s.id, page);
  }
  return pages;
}

export function buildView(kb: RenderableKb, options: ViewOptions = {}): KbView {
  const triage = options.triage ?? new Map<string, TriageEntry>();
  const cweById = new Map<number, CweEntry>(kb.cwe.map((c) => [c.id, c]));
  // One view per CWE, shared by every finding that names it: a label per finding was thousands of copies.
  const cweViews = new Map<number, CweView>();
  const cweView = (id: number): CweView => {
    let view = cweViews.get(id);
    if (!view) {
      const entry = cweById.get(id);
      const name = entry?.name ?? null;
      view = { id, name, url: entry?.url ?? cweUrl(id), label: name ? `CWE-${id}: ${name}` : `CWE-${id}` };
      cweViews.set(id, view);
    }
    return view;
  };
  const categories: CategoryView[] = kb.taxonomy.map((t: TaxonomyCategory) => ({
    id: t.id,
    name: t.name,
    description: t.description,
    cwe: t.cwe.map(cweView),
    slug: slug(t.id),
  }));
  const categoryById = new Map(categories.map((c) => [c.id, c]));
  const category = (id: string | null): CategoryView | null => {
    if (id === null) return null;
    // A category the taxonomy lacks is still shown (by id), never dropped.
    return categoryById.get(id) ?? { id, name: id, description: '', cwe: [], slug: slug(id) };
  };
  const reviewById = new Map<string, ReviewMeta>(kb.reviews.map((r) => [r.id, r]));
  // A long audit report has hundreds of findings, each cited by its item: index them once per review.
  const itemsOf = new Map<string, Map<number, string[]>>();
  const reasonsOf = (review: string, item: number): readonly string[] => {
    let items = itemsOf.get(review);
    if (!items) itemsOf.set(review, (items = new Map((reviewById.get(review)?.findings ?? []).map((x) => [x.item, x.reasons]))));
    return items.get(item) ?? [];
  };
  const pages = subjectPages(kb.subjects);
  const base = options.reviewLinkBase ? options.reviewLinkBase.replace(/\/+$/, '') : null;
  const reviewHref = (id: string, line?: number): string | null =>
    base === null ? null : `${base}/${id.split('#')[0]}${line ? `#L${line}` : ''}`;

  // Theme.subjects may name subjects by id or by path (consolidate writes paths): accept both.
  const subjectById = new Map<string, Subject>([...kb.subjects.map((s) => [s.path, s] as const), ...kb.subjects.map((s) => [s.id, s] as const)]);
  const themes: ThemeView[] = [...kb.themes]
    .sort((a, b) => cmp(a.title.toLowerCase(), b.title.toLowerCase()) || cmp(a.id, b.id))
    .map((t: Theme) => ({
      id: t.id,
      title: t.title,
      slug: slug(t.id).startsWith('theme-') ? slug(t.id) : `theme-${slug(t.id)}`,
      category: category(t.category),
      subjects: [...new Set(t.subjects.map((key) => subjectById.get(key)).filter((s): s is Subject => s !== undefined))]
        .sort((a, b) => cmp(a.path, b.path) || cmp(a.id, b.id))
        .map((s) => ({ id: s.id, path: s.path, page: pages.get(s.id)! })),
      findings: t.findings.length,
    }));
  const themeById = new Map(themes.map((t): [string, ThemeRef] => [t.id, { id: t.id, title: t.title, slug: t.slug, category: t.category }]));

  const findingsById = new Map<string, FindingView>();
  const quotes = options.quotes ?? new QuoteCache();
  const subjects: SubjectView[] = [...kb.subjects]
    .sort((a, b) => cmp(a.path, b.path) || cmp(a.id, b.id))
    .map((s) => {
      const reviews: ReviewView[] = [...s.reviews].sort(cmp).map((id) => {
        const r = reviewById.get(id);
        return {
          id,
          reviewer: r?.reviewer ?? null,
          date: r?.date ?? null,
          verdict: r?.verdict ?? null,
          contradiction: r?.contradiction ?? false,
          findings: r?.findings.length ?? 0,
          href: reviewHref(id),
        };
      });
      const anchors = new Set<string>();
      const all = [...s.findings].sort(compareFindings).map((f): FindingView => {
        let anchor = `f-${slug(f.id)}`;
        for (let n = 2; anchors.has(anchor); n++) anchor = `f-${slug(f.id)}-${n}`;
        anchors.add(anchor);
        const view: FindingView = {
          id: f.id,
          number: 0,
          anchor,
          title: f.title,
          category: category(f.category),
          secondaryCategory: category(f.secondaryCategory),
          cwe: f.cwe.map(cweView),
          severity: f.severity,
          severityScore: f.severityScore,
          stance: f.stance,
          specificity: f.specificity,
          confidence: f.confidence,
          corroboration: f.corroboration,
          reviewCount: s.reviews.length,
          reviewers: [...f.reviewers],
          reasons: collectReasons(f, reasonsOf),
          sources: [...f.sources]
            .sort((a, b) => cmp(a.review, b.review) || a.item - b.item)
            .map((src) => new QuotedSource({ ...src, ref: `${src.review}:${src.line}`, href: reviewHref(src.review, src.line) }, quotes)),
          evidence: f.evidence,
          lineLabels: f.evidence.lines.map(formatLines),
          recommendations: [...f.recommendations],
          theme: f.theme === null ? null : themeById.get(f.theme) ?? null,
          triage: triage.get(f.id) ?? null,
          subject: { id: s.id, path: s.path },
        };
        findingsById.set(f.id, view);
        return view;
      });
      const falsePositives = all.filter((f) => f.triage?.status === 'false-positive');
      const visible = all.filter((f) => f.triage?.status !== 'false-positive');
      const findings = visible.filter((f) => f.theme === null);
      const themed = visible.filter((f) => f.theme !== null);
      findings.forEach((f, i) => (f.number = i + 1));
      const verdictCounts = new Map<Verdict, number>();
      for (const r of reviews) if (r.verdict) verdictCounts.set(r.verdict, (verdictCounts.get(r.verdict) ?? 0) + 1);
      const bySeverity: Record<string, number> = {};
      const byCategory: Record<string, number> = {};
      for (const f of visible) {
        const sev = f.severity ?? 'unrated';
        bySeverity[sev] = (bySeverity[sev] ?? 0) + 1;
        const cat = f.category?.id ?? 'uncategorized';
        byCategory[cat] = (byCategory[cat] ?? 0) + 1;
      }
      return {
        id: s.id,
        path: s.path,
        inferred: s.inferred,
        page: pages.get(s.id)!,
        reviews,
        findings,
        themed,
        falsePositives,
        all,
        verdicts: [...verdictCounts].sort(([a], [b]) => cmp(a, b)).map(([verdict, count]) => ({ verdict, count })),
        highestSeverity: visible.reduce<Severity | null>(
          (best, f) => (severityRank(f.severity) < severityRank(best) ? f.severity : best),
          null,
        ),
        counts: { findings: visible.length, concerns: visible.filter((f) => f.stance === 'concern').length, bySeverity },
        byCategory,
      };
    });

  const visibleAll = subjects.flatMap((s) => [...s.findings, ...s.themed]);
  const usedIds = new Set(visibleAll.map((f) => f.category?.id ?? null));
  const usedCategories = [
    ...categories.filter((c) => usedIds.has(c.id)),
    ...[...usedIds]
      .filter((id): id is string => id !== null && !categoryById.has(id))
      .sort(cmp)
      .map((id) => category(id)!),
  ];
  const matrixRows: (CategoryView | null)[] = [...usedCategories, ...(usedIds.has(null) ? [null] : [])];
  const byCategoryId = groupBy(visibleAll, (f) => f.category?.id ?? null);
  const matrix = matrixRows.map((c) => {
    const rows = byCategoryId.get(c?.id ?? null) ?? [];
    return {
      category: c,
      counts: SEVERITIES.map((sev) => rows.filter((f) => f.severity === sev).length),
      unrated: rows.filter((f) => f.severity === null).length,
      total: rows.length,
    };
  });
  const falsePositives = subjects.flatMap((s) => s.falsePositives);
  return {
    generator: kb.generator,
    stages: kb.stages,
    subjects,
    themes,
    categories,
    usedCategories,
    severities: SEVERITIES,
    totals: {
      subjects: subjects.length,
      reviews: kb.reviews.length,
      findings: subjects.reduce((n, s) => n + s.all.length, 0),
      shown: subjects.reduce((n, s) => n + s.findings.length, 0),
      themed: subjects.reduce((n, s) => n + s.themed.length, 0),
      falsePositives: falsePositives.length,
      diagnostics: kb.diagnostics.length,
    },
    matrix,
    falsePositives,
    findingsById,
  };
}

/** Makes the quotes of excerpts elsewhere (in the render worker, see render-worker.ts), in order. */
export type QuoteElsewhere = (excerpts: string[]) => Promise<Quote[]>;

/**
 * Quotes made from excerpts (markdown and HTML, see excerpt.ts): a subject's report, site page, HTML
 * page and tickets all quote its sources, and several findings of one review often share an excerpt,
 * so each is quoted once. Made with a subject's pages, they can be let go (`forget`) before the next
 * subject's: held for a whole run they were hundreds of MB at repository scale.
 *
 * Given somewhere else to make them (`elsewhere`), the quotes of subjects still to come can be asked
 * for (`prepare`) while this one's pages are made: those that have arrived when their subject's pages
 * are made are taken as they are, the others made here. The same function makes them either way.
 */
export class QuoteCache {
  /** The current subject's quotes, as its pages took them. */
  private quotes = new Map<string, Quote>();
  /** Those that arrived for the current subject from elsewhere, to be taken when asked for. */
  private arrived = new Map<string, Quote>();
  /** Quotes asked for elsewhere, by the index of the subject they are for; filled as they arrive. */
  private readonly coming = new Map<number, Map<string, Quote>>();
  /** Quotes the pages took: made here, and arrived from elsewhere. */
  readonly made = { here: 0, elsewhere: 0 };

  constructor(private readonly elsewhere: QuoteElsewhere | null = null) {}

  of(excerpt: string): Quote {
    let q = this.quotes.get(excerpt);
    if (q === undefined) {
      q = this.arrived.get(excerpt);
      if (q !== undefined) this.made.elsewhere++;
      else {
        q = quoteExcerptBoth(excerpt);
        this.made.here++;
      }
      this.quotes.set(excerpt, q);
    }
    return q;
  }

  /** Quotes the current subject's pages took. */
  get size(): number {
    return this.quotes.size;
  }

  /** Asks for the quotes of subject `index`, still to come, to be made elsewhere meanwhile (if there is an elsewhere). */
  prepare(index: number, subject: SubjectView): void {
    if (this.elsewhere === null || this.coming.has(index)) return;
    const excerpts = [...new Set([...subject.findings, ...subject.themed].flatMap((f) => f.sources.map((s) => s.excerpt)))];
    if (excerpts.length === 0) return;
    const arrived = new Map<string, Quote>();
    this.coming.set(index, arrived);
    // Should they not come (the worker failed), the pages make them here.
    this.elsewhere(excerpts).then(
      (quotes) => quotes.forEach((q, i) => arrived.set(excerpts[i]!, q)),
      () => undefined,
    );
  }

  /** Done with a subject: its quotes are let go; those arriving for subject `next` are at hand. */
  forget(next?: number): void {
    this.quotes = new Map();
    this.arrived = (next !== undefined && this.coming.get(next)) || new Map();
    for (const index of this.coming.keys()) if (next === undefined || index <= next) this.coming.delete(index);
  }
}

/** What a source is made of: everything but its quotes. */
type SourceFields = Omit<SourceView, 'quoteMd' | 'quoteHtml'>;

// The class and this interface merge: a QuotedSource has the fields, assigned in its constructor.
interface QuotedSource extends SourceFields {}

/**
 * A source whose quotes are made from its view's cache on first use: a re-run renders only the pages
 * of subjects that changed, so most excerpts are never quoted. The quotes are getters of the class,
 * not own properties, so digests, JSON and spreads skip them (they follow from the excerpt); the
 * templates are allowed to read these two (see templateSet). Getters defined on each source gave
 * each its own hidden class (97,011 of them, 14.6 MB of the 159.7 MB live after the subject pages of
 * 10,000 reviews).
 */
class QuotedSource implements SourceView {
  readonly #quotes: QuoteCache;

  constructor(fields: SourceFields, quotes: QuoteCache) {
    Object.assign(this, fields);
    this.#quotes = quotes;
  }

  get quoteMd(): string {
    return this.#quotes.of(this.excerpt).markdown;
  }

  get quoteHtml(): string {
    return this.#quotes.of(this.excerpt).html;
  }

  /** A copy with another link; its quotes stay as they are. */
  withHref(href: string | null): QuotedSource {
    return new QuotedSource({ ...this, href }, this.#quotes);
  }
}

/** A copy of a source with another link (a spread would drop its quotes). */
function withHref(source: SourceView, href: string | null): SourceView {
  return source instanceof QuotedSource ? source.withHref(href) : { ...source, href };
}

/** The classifier's reasons of every source finding, de-duplicated, in source order. */
function collectReasons(f: ConsolidatedFinding, reasonsOf: (review: string, item: number) => readonly string[]): string[] {
  const reasons = new Set<string>();
  for (const src of [...f.sources].sort((a, b) => cmp(a.review, b.review) || a.item - b.item)) {
    for (const r of reasonsOf(src.review, src.item)) reasons.add(r);
  }
  return [...reasons];
}

/**
 * A link target as seen from `page`: URLs stay as they are; paths (relative to the output folder)
 * become relative to the page.
 */
export function hrefFrom(page: string, target: string): string {
  return /^[a-z][a-z0-9+.-]*:/i.test(target) ? target : relLink(page, target);
}

/** A finding as shown on `page`: its review links made relative to that page. */
export function findingOnPage<T extends FindingView>(f: T, page: string): T {
  // Without review links (the default) nothing differs between pages: no copy per page.
  if (f.sources.every((s) => s.href === null)) return f;
  return { ...f, sources: f.sources.map((s) => withHref(s, s.href === null ? null : hrefFrom(page, s.href))) };
}

const digests = new WeakMap<object, string>();
const sha = (text: string): string => createHash('sha256').update(text).digest('hex');

/**
 * A digest of everything a subject's pages can show, computed once and shared by every renderer (page
 * keys). Categories stand in by id (the taxonomy goes into the renderers' salt, see {@link taxonomyDigest}).
 * `all` repeats the other lists; quotes (not enumerable) follow from excerpts. The excerpts, nearly
 * half of the bytes, are hashed as they are after the JSON, which holds their lengths in their place:
 * escaping them into the JSON made the digest cost 1.6× as much (0.55 vs 0.34 s for the 1,428 subjects
 * of 10,000 reviews).
 */
export function subjectDigest(s: SubjectView): string {
  let digest = digests.get(s);
  if (digest === undefined) {
    const excerpts: string[] = [];
    const json = JSON.stringify(s, (key, value: unknown) => {
      if (key === 'all') return undefined;
      if ((key === 'category' || key === 'secondaryCategory') && value) return (value as CategoryView).id;
      if (key === 'excerpt' && typeof value === 'string') {
        excerpts.push(value);
        return value.length;
      }
      return value;
    });
    const hash = createHash('sha256').update(json);
    for (const excerpt of excerpts) hash.update(excerpt);
    digests.set(s, (digest = hash.digest('hex')));
  }
  return digest;
}

/** A digest of the categories and CWE names pages show (part of the renderers' salt). */
export function taxonomyDigest(view: KbView): string {
  return sha(JSON.stringify(view.categories));
}

/** A subject as shown on `page`: review and source links made relative to that page. */
export function subjectOnPage(s: SubjectView, page: string): SubjectView {
  if (s.reviews.every((r) => r.href === null) && s.all.every((f) => f.sources.every((x) => x.href === null))) return s;
  // Each finding is in `all` and in one of the other lists: move it to the page once.
  const moved = new Map(s.all.map((f) => [f, findingOnPage(f, page)]));
  const on = (f: FindingView): FindingView => moved.get(f) ?? findingOnPage(f, page);
  return {
    ...s,
    reviews: s.reviews.map((r) => ({ ...r, href: r.href === null ? null : hrefFrom(page, r.href) })),
    findings: s.findings.map(on),
    themed: s.themed.map(on),
    falsePositives: s.falsePositives.map(on),
    all: s.all.map(on),
  };
}

/** Relative link from one output file to another (both POSIX, relative to the output folder). */
export function relLink(from: string, to: string): string {
  // Anchor both under a virtual root deep enough that `..` in `to` (a link out of the output folder) survives;
  // resolving against the working directory would fold `../../work/x` back into it.
  const root = `/${'_/'.repeat(to.split('/').filter((s) => s === '..').length + 1)}`;
  const rel = posix.relative(posix.join(root, posix.dirname(from)), posix.join(root, to));
  return rel === '' ? posix.basename(to) : rel;
}
