// Entry point of the renderers: every output as a pure function of the KB (plus triage, a previous KB, templates).
import type { KB, Stance } from '../model.js';
import { tidy, type RenderedFile } from './files.js';
import { renderReports } from './reports.js';
import { renderSite } from './site.js';
import { renderHtml } from './html.js';
import { renderSarif } from './sarif.js';
import { renderTickets } from './tickets.js';
import type { Triage } from './triage.js';
import { buildView } from './view.js';
import { templateSet } from './handlebars.js';

export type { RenderedFile } from './files.js';
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
}

/**
 * Renders every output. Pure: reads nothing but templates, returns files sorted by path for the
 * caller to write with writeInside(); the same KB and options give byte-identical files.
 */
export function renderAll(kb: KB, options: RenderOptions = {}): RenderedFile[] {
  const view = buildView(kb, { triage: options.triage ?? null, reviewLinkBase: options.reviewLinkBase ?? null });
  const t = templateSet(options.templatesDir);
  const files = [...renderReports(view, t), ...renderSite(view, t), ...renderHtml(view, t), ...renderSarif(view),
    ...renderTickets(view, { stances: options.ticketStances, since: options.since ?? null, triage: options.triage ?? null }, t),
  ];
  return files
    .map((f) => ({ path: f.path, content: f.path.endsWith('.md') ? tidy(f.content) : f.content }))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
export { diffKb, formatDiff, type KbDiff, type DiffFinding, type DiffChange } from './diff.js';
