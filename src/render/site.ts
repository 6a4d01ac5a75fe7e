// Documentation site (site/): home, subject, category and recurring-advice pages with generator-neutral front matter.
import { stringify } from 'yaml';
import { pageKey, type Renderer } from './files.js';
import { oneLine, uniqueSlugs } from './escape.js';
import type { TemplateSet } from './handlebars.js';
import { findingOnPage, groupBy, relLink, subjectDigest, subjectOnPage, SEVERITIES, type CategoryView, type FindingView, type KbView, type SubjectView } from './view.js';

export const SITE = 'site';

export interface FrontMatter {
  title: string;
  description: string;
  tags: string[];
  /** Docusaurus sidebar order. */
  sidebar_position: number;
  /** Hugo / Docsy order (same value). */
  weight: number;
  /** Docusaurus URL: relative to the page's folder (home: `/` of the docs instance). */
  slug: string;
}

/**
 * Front matter that MkDocs Material, Docusaurus and VitePress all read. Serialized by the `yaml`
 * package with every string double-quoted on one line, so a title holding `---`, `:`, `#`, quotes or
 * newlines stays one well-formed scalar.
 */
export function frontMatter(data: FrontMatter): string {
  const clean: FrontMatter = {
    ...data,
    title: oneLine(data.title) || 'Untitled',
    description: oneLine(data.description),
    tags: data.tags.map(oneLine).filter((t) => t !== ''),
  };
  const body = stringify(clean, { lineWidth: 0, defaultStringType: 'QUOTE_DOUBLE', defaultKeyType: 'PLAIN' });
  return `---\n${body}---\n\n`;
}

const categoryJson = (label: string, position: number, description: string): string =>
  `${JSON.stringify({ label, position, collapsed: false, link: { type: 'generated-index', title: label, description } }, null, 2)}\n`;

export function renderSite(view: KbView, t: TemplateSet, salt: string): Renderer {
  const index = `${SITE}/index.md`;
  const advice = `${SITE}/recurring-advice.md`;
  // Flat pages: Docusaurus ignores `_`-prefixed files (think `__init__.py`), and flat slugs are URLs everywhere.
  const subjectSlugs = uniqueSlugs(view.subjects.map((s) => s.path));
  const subjectPage = new Map(view.subjects.map((s, i) => [s.id, `${SITE}/subjects/${subjectSlugs[i]}.md`]));
  const categorySlugs = uniqueSlugs(view.usedCategories.map((c) => c.id));
  const categoryPage = new Map(view.usedCategories.map((c, i) => [c.id, `${SITE}/categories/${categorySlugs[i]}.md`]));

  /** Where a finding is shown: its subject page, or the advice page when it belongs to a theme. */
  const findingHref = (f: FindingView, from: string): string =>
    f.theme ? `${relLink(from, advice)}#${f.theme.slug}` : `${relLink(from, subjectPage.get(f.subject.id)!)}#${f.anchor}`;
  const withCategoryHref = (f: FindingView, from: string) => ({
    ...findingOnPage(f, from),
    categoryHref: f.category && categoryPage.has(f.category.id) ? relLink(from, categoryPage.get(f.category.id)!) : null,
  });
  const visible = view.subjects.flatMap((s) => [...s.findings, ...s.themed]);
  const byCategory = groupBy(visible, (f) => f.category?.id ?? null);
  const byTheme = groupBy(visible, (f) => f.theme?.id ?? null);
  const categoryRows = view.usedCategories.map((c) => {
    const rows = byCategory.get(c.id) ?? [];
    return { ...c, href: relLink(index, categoryPage.get(c.id)!), counts: SEVERITIES.map((sev) => rows.filter((f) => f.severity === sev).length), total: rows.length };
  });

  /**
   * The category pages a subject page links to (those of its findings' categories) and the advice
   * page: their places are part of its key. Only its own: with every category page in the key, a
   * re-run where one category came into use or went out of use rendered every subject page again.
   */
  const linksOf = (s: SubjectView): string[] => [advice, ...new Set(s.findings.flatMap((f) => categoryPage.get(f.category?.id ?? '') ?? []))];
  return {
    *overall() {
      yield {
        path: index,
        content:
          frontMatter({
            title: 'Security review overview',
            description: `${view.totals.subjects} subjects, ${view.totals.reviews} reviews, ${view.totals.findings} consolidated findings`,
            tags: ['security-review'],
            sidebar_position: 1,
            weight: 1,
            slug: '/',
          }) +
          t.render('site-index.md.hbs',
            {
              ...view,
              subjects: view.subjects.map((s) => ({ ...s, href: relLink(index, subjectPage.get(s.id)!) })),
              categories: categoryRows,
              adviceHref: relLink(index, advice),
            }),
      };

      yield { path: `${SITE}/subjects/_category_.json`, content: categoryJson('Subjects', 2, 'One page per reviewed file.') };
      if (view.usedCategories.length > 0) {
        yield { path: `${SITE}/categories/_category_.json`, content: categoryJson('Categories', 3, 'Findings grouped by risk category.') };
      }
      for (const [i, c] of view.usedCategories.entries()) {
        const path = categoryPage.get(c.id)!;
        const findings = [...(byCategory.get(c.id) ?? [])]
          .sort((a, b) => SEVERITIES.indexOf(a.severity ?? 'info') - SEVERITIES.indexOf(b.severity ?? 'info') || (a.subject.path < b.subject.path ? -1 : a.subject.path > b.subject.path ? 1 : 0))
          .map((f) => ({ ...f, href: findingHref(f, path) }));
        yield {
          path,
          content:
            frontMatter({
              title: c.name,
              description: c.description || `Findings in category ${c.id}`,
              tags: [c.id],
              sidebar_position: i + 1,
              weight: i + 1,
              slug: categorySlugs[i]!,
            }) +
            t.render('site-category.md.hbs', { category: c, findings, stages: view.stages, indexHref: relLink(path, index) }),
        };
      }

      const themes = view.themes.map((t) => ({
        ...t,
        category: t.category ? { ...t.category, href: categoryPage.has(t.category.id) ? relLink(advice, categoryPage.get(t.category.id)!) : relLink(advice, index) } : null,
        subjects: t.subjects.map((s) => ({ ...s, href: relLink(advice, subjectPage.get(s.id)!) })),
        members: (byTheme.get(t.id) ?? []).map((f) => ({ ...f, href: relLink(advice, subjectPage.get(f.subject.id)!) })),
      }));
      yield {
        path: advice,
        content:
          frontMatter({
            title: 'Recurring advice',
            description: `${view.themes.length} pieces of advice that recur across subjects`,
            tags: ['recurring-advice'],
            sidebar_position: 4,
            weight: 4,
            slug: 'recurring-advice',
          }) + t.render('site-advice.md.hbs', { themes, stages: view.stages, indexHref: relLink(advice, index) }),
      };
      yield { path: 'mkdocs.yml', content: mkdocsYml() };
    },
    *subject(s, i) {
      const path = subjectPage.get(s.id)!;
      yield {
        path,
        key: pageKey(salt, path, subjectDigest(s), i, subjectSlugs[i]!, linksOf(s), view.stages),
        render: () => {
          const on = subjectOnPage(s, path);
          const subject = {
            ...on,
            findings: s.findings.map((f) => withCategoryHref(f, path)),
            themed: s.themed.map((f) => ({ ...f, themeHref: findingHref(f, path) })),
          };
          const top = s.highestSeverity ? `, highest severity ${s.highestSeverity}` : '';
          const head = frontMatter({
            title: s.path,
            description: `${s.counts.findings} findings from ${s.reviews.length} reviews${top}`,
            tags: [...new Set(s.findings.map((f) => f.category?.id).filter((c): c is string => !!c))].sort(),
            sidebar_position: i + 1,
            weight: i + 1,
            slug: subjectSlugs[i]!,
          });
          return head + t.render('site-subject.md.hbs', { subject, stages: view.stages, indexHref: relLink(path, index) });
        },
      };
    },
  };
}

/** A sample MkDocs (Material) configuration at the output root, building site/ (MkDocs refuses a config inside docs_dir). */
function mkdocsYml(): string {
  return stringify(
    {
      site_name: 'Security review',
      docs_dir: SITE,
      site_dir: 'mkdocs-build',
      use_directory_urls: true,
      theme: { name: 'material', features: ['navigation.indexes'] },
      plugins: ['search', 'tags'],
      markdown_extensions: ['tables', 'attr_list', { toc: { permalink: true } }],
      exclude_docs: '_category_.json\n',
    },
    { lineWidth: 0 },
  );
}
