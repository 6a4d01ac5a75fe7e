// Browsable static HTML (html/): markdown we generate → remark → rehype → sanitize → HTML, in a self-contained layout whose only script is ours.
import { createHash } from 'node:crypto';
import { unified } from 'unified';
import remarkParse from 'remark-parse';
import remarkGfm from 'remark-gfm';
import remarkRehype from 'remark-rehype';
import rehypeSanitize from 'rehype-sanitize';
import rehypeStringify from 'rehype-stringify';
import type { RenderedFile } from './files.js';
import { oneLine, uniqueSlugs } from './escape.js';
import type { TemplateSet } from './handlebars.js';
import { findingOnPage, relLink, subjectOnPage, SEVERITIES, type FindingView, type KbView } from './view.js';

export const HTML = 'html';

/**
 * Raw HTML in the markdown is dropped by remark-rehype (no `allowDangerousHtml`), and the result
 * goes through rehype-sanitize's GitHub schema: no script, no event handlers, no `javascript:` URLs,
 * ids prefixed so review text cannot clobber the page's own.
 */
const processor = unified().use(remarkParse).use(remarkGfm).use(remarkRehype).use(rehypeSanitize).use(rehypeStringify);

/** Markdown → sanitized HTML fragment. */
export function markdownToSafeHtml(markdown: string): string {
  // Our own `<a id>` anchors are raw HTML and dropped, leaving empty paragraphs behind.
  return String(processor.processSync(markdown)).replace(/<p><\/p>\n?/g, '').trim();
}

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

export function renderHtml(view: KbView, t: TemplateSet): RenderedFile[] {
  const files: RenderedFile[] = [];
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
  const themes = view.themes.map((t) => ({ ...t, subjects: t.subjects.map((s) => ({ ...s, href: relLink(index, subjectPage.get(s.id)!) })) }));
  const bySeverity = [...visible].sort(
    (a, b) => SEVERITIES.indexOf(a.severity ?? 'info') + (a.severity ? 0 : 1) - (SEVERITIES.indexOf(b.severity ?? 'info') + (b.severity ? 0 : 1)) || (a.subject.path < b.subject.path ? -1 : a.subject.path > b.subject.path ? 1 : 0) || a.number - b.number,
  );
  files.push({
    path: index,
    content: page({
      title: 'Security review overview',
      indexHref: null,
      bodyHtml: md('html-index.md.hbs', { ...view, categories: view.usedCategories, rows }),
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
  });

  for (const s of view.subjects) {
    const path = subjectPage.get(s.id)!;
    const on = subjectOnPage(s, path);
    const themed = s.themed.map((f) => ({ ...f, themeHref: findingHref(f, path) }));
    files.push({
      path,
      content: page({
        title: oneLine(s.path),
        indexHref: relLink(path, index),
        bodyHtml: md('html-subject.md.hbs', { subject: on, stages: view.stages }),
        filterable: s.findings.length > 0,
        filterCategories: filterCategories.filter((c) => s.findings.some((f) => categoryKey(f) === c.id)),
        filterSeverities: filterSeverities.filter((sev) => s.findings.some((f) => severityKey(f) === sev)),
        findingRows: [],
        findings: s.findings.map((f) => ({
          anchor: f.anchor,
          categoryId: categoryKey(f),
          severityKey: severityKey(f),
          accepted: f.triage?.status === 'accepted',
          content: md('html-finding.md.hbs', { ...findingOnPage(f, path), stages: view.stages }),
        })),
        afterHtml: md('html-subject-after.md.hbs', { subject: { ...on, themed } }),
      }),
    });
  }
  return files;
}
