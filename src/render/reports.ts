// Markdown overview (index.md) and one consolidated report per subject (reports/<subject path>.md).
import { pageKey, type Renderer } from './files.js';
import type { TemplateSet } from './handlebars.js';
import { relLink, subjectDigest, subjectOnPage, type KbView, type SubjectView } from './view.js';

export function reportPath(subject: Pick<SubjectView, 'page'>): string {
  return `reports/${subject.page}.md`;
}

export function renderReports(view: KbView, t: TemplateSet, salt: string): Renderer {
  const index = 'index.md';
  const withHref = <T extends { page: string }>(s: T, from: string) => ({ ...s, href: relLink(from, reportPath(s)) });
  return {
    *overall() {
      yield {
        path: index,
        content: t.render('index.md.hbs',
          {
            ...view,
            subjects: view.subjects.map((s) => withHref(s, index)),
            themes: view.themes.map((t) => ({ ...t, subjects: t.subjects.map((s) => withHref(s, index)) })),
          }),
      };
    },
    *subject(subject) {
      const path = reportPath(subject);
      yield {
        path,
        key: pageKey(salt, path, subjectDigest(subject), view.stages, view.generator),
        render: () =>
          t.render('report.md.hbs', { subject: subjectOnPage(subject, path), stages: view.stages, generator: view.generator, indexHref: relLink(path, index) }),
      };
    },
  };
}
