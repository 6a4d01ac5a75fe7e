// Browsable static HTML (html/): markdown we generate → mdast → rehype → sanitize → HTML, in a self-contained layout whose only script is ours.
import { createHash } from 'node:crypto';
import { pageKey, type Renderer } from './files.js';
import { oneLine, uniqueSlugs } from './escape.js';
import type { TemplateSet } from './handlebars.js';
import { markdownToSafeHtml } from './safe-html.js';
import { findingOnPage, relLink, subjectDigest, subjectOnPage, SEVERITIES, type FindingView, type KbView, type SourceView, type SubjectView } from './view.js';

export const HTML = 'html';

/**
 * Excerpts are most of a page's text, and the view already gives each one as sanitized HTML
 * (`quoteHtml`, made from the tree its markdown was written from). So a finding's markdown carries
 * a placeholder link instead of `quoteMd`, and the excerpt's HTML replaces the placeholder once the
 * rest is sanitized: no excerpt is parsed twice. The placeholder is a fragment link with no text,
 * which no review text can produce (review text yields only http(s)/mailto links).
 */
const QUOTE_SLOT = '#review-kb-quote-';
const QUOTE_SLOT_HTML = /(<p>)?<a href="#review-kb-quote-(\d+)"><\/a>(<\/p>)?/g;

function withQuoteSlots(sources: SourceView[], quotes: string[]): SourceView[] {
  return sources.map((s) => (s.quoteMd === '' ? s : { ...s, quoteMd: `[](${QUOTE_SLOT}${quotes.push(s.quoteHtml) - 1})` }));
}

function fillQuoteSlots(html: string, quotes: string[]): string {
  if (quotes.length === 0) return html;
  return html.replace(QUOTE_SLOT_HTML, (m, open: string | undefined, n: string, close: string | undefined) => {
    const quote = quotes[Number(n)];
    if (quote === undefined) return m;
    // On a line of its own the placeholder is a paragraph: the blockquote takes its place.
    return open && close ? quote : `${open ?? ''}${quote}${close ?? ''}`;
  });
}

/**
 * The overview's subjects × categories table is HTML from html-subjects.html.hbs, put where
 * html-index.md.hbs has this placeholder link once its markdown is sanitized: converted from
 * markdown, 0.19 MB of it (1,428 subjects) took 83 MB of heap through mdast and hast.
 */
const SUBJECTS_SLOT_HTML = /(?:<p>)?<a href="#review-kb-subjects"><\/a>(?:<\/p>)?/;

const HASH_SLOT = 'review-kb-script-hash';

/**
 * The Content-Security-Policy allows exactly the site's own script, by hash of the script element
 * as the layout rendered it: nothing else could run, even if something got past the sanitizer.
 */
function withScriptHash(page: string, script: string): string {
  const element = [...page.matchAll(/<script>([^]*?)<\/script>/g)].find((m) => m[1]!.includes(script.trim()));
  const hash = element ? `sha256-${createHash('sha256').update(element[1]!).digest('base64')}` : 'none';
  return page.replace(HASH_SLOT, hash);
}

const severityKey = (f: FindingView): string => f.severity ?? 'unrated';
const categoryKey = (f: FindingView): string => f.category?.id ?? 'uncategorized';

/** Markdown pieces → sanitized HTML, in order: in a worker (render-worker.ts), or here when none is given. */
export type ConvertHtml = (markdowns: string[]) => Promise<string[]>;

export function renderHtml(view: KbView, t: TemplateSet, salt: string, convert: ConvertHtml | null = null): Renderer {
  const index = `${HTML}/index.html`;
  const slugs = uniqueSlugs(view.subjects.map((s) => s.path));
  const subjectPage = new Map(view.subjects.map((s, i) => [s.id, `${HTML}/subjects/${slugs[i]}.html`]));
  const style = t.asset('html.css');
  const script = t.asset('html.js');
  const page = (context: Record<string, unknown>): string =>
    withScriptHash(t.render('html-layout.html.hbs', { style, script, scriptHash: HASH_SLOT, generator: view.generator, ...context }), script);
  const md = (name: string, context: unknown): string => markdownToSafeHtml(t.render(name, context));

  const visible = view.subjects.flatMap((s) => [...s.findings, ...s.themed]);
  const filterCategories = [
    ...view.usedCategories.map((c) => ({ id: c.id, name: oneLine(c.name) })),
    ...(visible.some((f) => f.category === null) ? [{ id: 'uncategorized', name: 'uncategorized' }] : []),
  ];
  const filterSeverities = [...SEVERITIES, 'unrated'].filter((s) => visible.some((f) => severityKey(f) === s));

  const findingHref = (f: FindingView, from: string): string =>
    f.theme ? `${relLink(from, index)}#recurring-advice` : `${relLink(from, subjectPage.get(f.subject.id)!)}#${f.anchor}`;
  const rows = view.subjects.map((s) => ({
    path: s.path,
    href: relLink(index, subjectPage.get(s.id)!),
    cells: view.usedCategories.map((c) => ({ count: s.byCategory[c.id] ?? 0 })),
    total: s.counts.findings,
  }));
  // Names and paths as one clean line, as the markdown helpers made them (HTML escaping keeps control characters).
  const subjectsTable = (): string =>
    t.render('html-subjects.html.hbs', {
      categories: view.usedCategories.map((c) => ({ ...c, name: oneLine(c.name) })),
      rows: rows.map((r) => ({ ...r, path: oneLine(r.path) })),
    }).trim();
  const themes = view.themes.map((t) => ({ ...t, subjects: t.subjects.map((s) => ({ ...s, href: relLink(index, subjectPage.get(s.id)!) })) }));
  const bySeverity = [...visible].sort(
    (a, b) => SEVERITIES.indexOf(a.severity ?? 'info') + (a.severity ? 0 : 1) - (SEVERITIES.indexOf(b.severity ?? 'info') + (b.severity ? 0 : 1)) || (a.subject.path < b.subject.path ? -1 : a.subject.path > b.subject.path ? 1 : 0) || a.number - b.number,
  );
  return {
    *overall() {
      yield {
        path: index,
        content: page({
          title: 'Security review overview',
          indexHref: null,
          bodyHtml: md('html-index.md.hbs', { ...view, categories: view.usedCategories, rows }).replace(SUBJECTS_SLOT_HTML, subjectsTable),
          filterable: visible.length > 0,
          filterCategories,
          filterSeverities,
          findingRows: bySeverity.map((f) => ({
            title: oneLine(f.title),
            href: findingHref(f, index),
            subject: oneLine(f.subject.path),
            categoryId: categoryKey(f),
            categoryName: oneLine(f.category?.name ?? 'uncategorized'),
            severityKey: severityKey(f),
            corroboration: f.corroboration,
            triage: f.triage,
          })),
          findings: [],
          afterHtml: themes.length > 0 ? `<section id="recurring-advice">\n${md('html-themes.md.hbs', { themes })}\n</section>` : '',
        }),
      };
    },
    *subject(s) {
      const path = subjectPage.get(s.id)!;
      const categories = filterCategories.filter((c) => s.findings.some((f) => categoryKey(f) === c.id));
      const severities = filterSeverities.filter((sev) => s.findings.some((f) => severityKey(f) === sev));
      yield {
        path,
        key: pageKey(salt, path, subjectDigest(s), categories, severities, view.stages, view.generator),
        render: () => {
          const { markdowns, page } = subjectPageParts(s, path, categories, severities);
          return convert ? convert(markdowns).then(page) : page(markdowns.map(markdownToSafeHtml));
        },
      };
    },
  };

  /**
   * A subject's page as its markdown pieces (the subject, each finding, what follows them) and the
   * page made from their HTML, so that the conversion can happen elsewhere meanwhile.
   */
  function subjectPageParts(s: SubjectView, path: string, categories: typeof filterCategories, severities: string[]): { markdowns: string[]; page: (htmls: string[]) => string } {
    const on = subjectOnPage(s, path);
    const themed = s.themed.map((f) => ({ ...f, themeHref: findingHref(f, path) }));
    const findings = s.findings.map((f) => {
      const on = findingOnPage(f, path);
      const quotes: string[] = [];
      const markdown = t.render('html-finding.md.hbs', { ...on, sources: withQuoteSlots(on.sources, quotes), stages: view.stages });
      return { f, quotes, markdown };
    });
    const markdowns = [
      t.render('html-subject.md.hbs', { subject: on, stages: view.stages }),
      ...findings.map((x) => x.markdown),
      t.render('html-subject-after.md.hbs', { subject: { ...on, themed } }),
    ];
    return {
      markdowns,
      page: (htmls) =>
        page({
          title: oneLine(s.path),
          indexHref: relLink(path, index),
          bodyHtml: htmls[0]!,
          filterable: s.findings.length > 0,
          filterCategories: categories,
          filterSeverities: severities,
          findingRows: [],
          findings: findings.map(({ f, quotes }, i) => ({
            anchor: f.anchor,
            categoryId: categoryKey(f),
            severityKey: severityKey(f),
            accepted: f.triage?.status === 'accepted',
            content: fillQuoteSlots(htmls[i + 1]!, quotes),
          })),
          afterHtml: htmls[findings.length + 1]!,
        }),
    };
  }
}
