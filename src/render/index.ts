// Entry point of the renderers: every output as a pure function of the KB (plus triage, a previous KB, templates).
import type { KB, RenderableKb, Stance } from '../model.js';
import { randomUUID } from 'node:crypto';
import { contentOf, tidy, type RenderedFile, type Renderer, type RendererOutput } from './files.js';
import { renderReports } from './reports.js';
import { renderSite } from './site.js';
import { renderHtml, type ConvertHtml } from './html.js';
import { renderSarif } from './sarif.js';
import { renderTickets, type TicketShelf } from './tickets.js';
import type { Triage } from './triage.js';
import type { Memo } from '../cache/memo.js';
import { buildView, QuoteCache, taxonomyDigest, type KbView } from './view.js';
import { templateSet } from './handlebars.js';

export type { RenderedFile } from './files.js';
export { QuoteCache } from './view.js';
export { RenderWorker } from './render-worker.js';
export { loadTriage, parseTriage, type Triage, type TriageEntry, type TriageStatus } from './triage.js';

export interface RenderOptions {
  /** Folder whose `*.hbs` files override the bundled templates by file name. */
  templatesDir?: string;
  /** Decisions per fingerprint (see docs/outputs.md). */
  triage?: Triage | null;
  /** A previous KB: tickets then hold only findings new since it, plus a list of the gone ones. */
  since?: KB | null;
  /** Stances that get tickets (default: concern only). */
  ticketStances?: Stance[];
  /** Prefix for links from reports to review files (`../reviews`, a repository blob URL); none by default. */
  reviewLinkBase?: string | null;
  /**
   * Where excerpt quotes are kept while a subject's outputs are made (see QuoteCache); a new one by
   * default. One made with an elsewhere (the CLI's: the render worker) has the next subjects' quotes made there.
   */
  quotes?: QuoteCache;
  /** Remembers each subject's tickets across runs (see tickets.ts, cache/memo.ts); none by default. */
  memo?: Memo;
  /** Where made tickets wait for the ticket lists (see TicketShelf); memory by default. */
  ticketShelf?: TicketShelf;
  /**
   * Identifies review-kb's build and templates, for page keys (see files.ts PlannedFile): a page whose key
   * matches the one it was written under need not be rendered again. None: every page is rendered.
   */
  buildId?: string;
  /**
   * Converts the HTML subject pages' markdown elsewhere (see RenderWorker): their `render` then returns
   * a promise, for writeOutputs. None (renderAll, library callers): converted here, as strings.
   */
  convertHtml?: ConvertHtml;
  /**
   * Called with 0 once the overview pages are made, before the first subject's outputs (the CLI loosens
   * its heap limit there), then after each subject's outputs are taken, with how many subjects are done.
   */
  onSubjects?: (done: number, total: number) => void;
}

/**
 * Subjects whose quotes are asked for ahead of their pages: enough that they have arrived when their
 * pages are made, though a large subject holds up the worker (10,000 reviews, cold: 81% of the quotes
 * taken had arrived with 3 ahead, 99.4% with 8 or 16). Asked for only once two subjects in a row
 * quoted theirs: a re-run makes the pages of changed subjects here and there, and asked for after
 * each of them, the worker quoted the next ones, whose pages were not made, for nothing (process CPU
 * in three incremental builds of 10,000 reviews: 19.6, 23.4, 22.2 s against 19.1–20.5 s before).
 */
const QUOTES_AHEAD = 8;

/**
 * Renders every output, one file at a time, so a caller can write each as it comes and never hold
 * them all (at repository scale the rendered pages run to gigabytes). The view of the KB is made when
 * it is called, each file as it is taken. Pure: reads nothing but templates; the same KB and options
 * give byte-identical files, in the same order.
 */
export function renderEach(kb: RenderableKb, options: RenderOptions = {}): Generator<RendererOutput> {
  // The view is made here, and the generator gets it, not the KB: a generator holds its arguments till
  // it ends, and the KB's subjects (their findings are copied into the view) would live through every page.
  const quotes = options.quotes ?? new QuoteCache();
  const view = buildView(kb, { triage: options.triage ?? null, reviewLinkBase: options.reviewLinkBase ?? null, quotes });
  return renderView(view, quotes, options);
}

function* renderView(view: KbView, quotes: QuoteCache, options: RenderOptions): Generator<RendererOutput> {
  const t = templateSet(options.templatesDir);
  // Without a build id nothing can be known about earlier pages: a salt of this run alone makes every key new.
  // Review links are in each subject's view already (its digest covers them); the taxonomy is shared by every page.
  const salt = `${options.buildId ?? randomUUID()}\u0000${taxonomyDigest(view)}`;
  const renderers: Renderer[] = [renderReports(view, t, salt), renderSite(view, t, salt), renderHtml(view, t, salt, options.convertHtml ?? null), { after: () => renderSarif(view) },
    renderTickets(view, { stances: options.ticketStances, since: options.since ?? null, triage: options.triage ?? null }, t, salt, options.memo, options.ticketShelf),
  ];
  for (const r of renderers) if (r.overall) yield* tidyMarkdown(r.overall());
  const total = view.subjects.length;
  options.onSubjects?.(0, total);
  // Subject by subject, every renderer's outputs of it: the quotes they share are made once, then let go
  // (the caller renders each page as it takes it, before asking for the next).
  let quoting = 0;
  for (const [i, s] of view.subjects.entries()) {
    for (const r of renderers) if (r.subject) yield* tidyMarkdown(r.subject(s, i));
    // While subject after subject quotes its sources (a re-run makes only changed subjects' pages, here
    // and there), the next ones' quotes are made elsewhere meanwhile, if the cache has an elsewhere.
    quoting = quotes.size > 0 ? quoting + 1 : 0;
    if (quoting >= 2) for (let j = i + 1; j <= i + QUOTES_AHEAD && j < total; j++) quotes.prepare(j, view.subjects[j]!);
    quotes.forget(i + 1);
    options.onSubjects?.(i + 1, total);
  }
  for (const r of renderers) if (r.after) yield* tidyMarkdown(r.after());
}

/** Markdown pages tidied (see tidy); JSON, CSV and HTML as they are. */
function* tidyMarkdown(files: Iterable<RendererOutput>): Generator<RendererOutput> {
  const tidied = (path: string, text: string): string => (path.endsWith('.md') ? tidy(text) : text);
  // A page finished in a worker (HTML) is a promise: tidied, should it be markdown, once it comes.
  const tidiedWhenMade = (path: string, made: string | Promise<string>): string | Promise<string> =>
    typeof made === 'string' ? tidied(path, made) : made.then((text) => tidied(path, text));
  for (const f of files) {
    if ('render' in f) yield { path: f.path, key: f.key, render: () => tidiedWhenMade(f.path, f.render()) };
    else if ('pieces' in f) yield f; // tickets.json, jira.csv: never markdown, nothing to tidy
    else yield { path: f.path, content: tidied(f.path, f.content) };
  }
}

/** Every output at once, sorted by path (for tests and library callers; the CLI writes {@link renderEach} as it goes). */
export function renderAll(kb: RenderableKb, options: RenderOptions = {}): RenderedFile[] {
  // Each page rendered as it is taken, while its subject's quotes are still at hand.
  return Array.from(renderEach(kb, options), (f) => ({ path: f.path, content: contentOf(f) }))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
export { diffKb, formatDiff, type KbDiff, type DiffFinding, type DiffChange } from './diff.js';
